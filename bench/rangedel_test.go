package bench

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
)

// pointOnly is the map engine without DeleteRange and Compact, as an
// engine that lacks them (goleveldb, Badger) looks to the runner.
type pointOnly struct {
	Engine
	Metricser
}

// openCapturing returns an Opener for the map engine (native range
// deletes) or pointOnly, and the engines it opened, which the test reads
// after the run (a closed mapEngine keeps its map).
func openCapturing(native bool) (Opener, *[]*mapEngine) {
	var opened []*mapEngine
	return func(Config) (Engine, error) {
		e := newMapEngine()
		opened = append(opened, e)
		if native {
			return e, nil
		}
		return pointOnly{e, e}, nil
	}, &opened
}

func TestSpanLayout(t *testing.T) {
	for _, tc := range []struct {
		num                 int64
		span                int
		fraction            float64
		wantSpan, wantSlots int64
		wantSpans           int64
	}{
		{1_000_000, 100, 0.5, 100, 10_000, 5000},
		{300, 100, 0.5, 100, 3, 2}, // 1.5 rounds up
		{1000, 10, 0.3, 10, 100, 30},
		{305, 7, 1, 7, 43, 43},         // the last 305-301 keys are in no slot
		{50, 100, 0.5, 50, 1, 1},       // span capped at num
		{1000, 100, 0.001, 100, 10, 1}, // at least one span
	} {
		o := Options{Num: tc.num, DeleteRangeSpan: tc.span, DeleteRangeFraction: tc.fraction}
		span, slots, spans := spanLayout(&o)
		if span != tc.wantSpan || slots != tc.wantSlots || spans != tc.wantSpans {
			t.Errorf("spanLayout(num=%d span=%d fraction=%g) = %d, %d, %d; want %d, %d, %d", tc.num, tc.span, tc.fraction,
				span, slots, spans, tc.wantSpan, tc.wantSlots, tc.wantSpans)
		}
	}
}

// TestDeleteRangeNativeAndPointAgree runs deleterange on the map engine
// with its DeleteRange and without it (point deletes): both must delete
// the same keys, whole non-overlapping spans of them, and the reads after
// must find the same keys, the deleted ones absent.
func TestDeleteRangeNativeAndPointAgree(t *testing.T) {
	seed := testSeed(t)
	for _, threads := range []int{1, 3} {
		var contents []map[string][]byte
		var reads []int64
		for _, native := range []bool{true, false} {
			o := testOptions(t, "fillseq", "deleterange", "readrandom", "readseq")
			o.Num, o.Reads, o.Threads, o.DeleteRangeSpan, o.DeleteRangeFraction = 1000, 1000, threads, 10, 0.3
			o.Seed = seed
			open, opened := openCapturing(native)
			res, err := runAll(&o, open)
			if err != nil {
				t.Fatal(err)
			}
			e := (*opened)[len(*opened)-1]
			const deleted, live = 300, 700 // 30 spans of 10 keys
			checkSpans(t, e, &o, deleted)
			dr := res[1]
			want := RangeDelPoint
			if native {
				want = RangeDelNative
			}
			if dr.Ops != 30 || dr.RangeDel != want || dr.Space == nil {
				t.Fatalf("native=%v threads=%d: deleterange ops %d method %q space %+v", native, threads, dr.Ops, dr.RangeDel, dr.Space)
			}
			entry := int64(o.KeySize + o.ValueSize)
			sp := dr.Space
			if sp.Before.LiveBytes != 1000*entry || sp.AfterDeletes.LiveBytes != live*entry || sp.AfterDeletes.SpaceAmp != 1 {
				t.Errorf("native=%v: space %+v", native, sp)
			}
			if (sp.AfterCompact != nil) != native { // pointOnly hides Compact too
				t.Errorf("native=%v: after compact %+v", native, sp.AfterCompact)
			}
			// With one thread, readseq reads every entry; with three, each
			// reads a third of Reads from the first.
			if res[2].Found < 500 || res[2].Found > 900 || (threads == 1 && res[3].Found != live) || res[3].LiveBytes != live*entry {
				t.Errorf("native=%v: readrandom found %d, readseq found %d live %d", native, res[2].Found, res[3].Found, res[3].LiveBytes)
			}
			contents = append(contents, e.m)
			reads = append(reads, res[2].Found)
		}
		if !maps.EqualFunc(contents[0], contents[1], bytes.Equal) || reads[0] != reads[1] {
			t.Errorf("threads=%d: native and point deletes differ: %d and %d keys, readrandom found %v",
				threads, len(contents[0]), len(contents[1]), reads)
		}
	}
}

// checkSpans checks that e lacks exactly deleted of keys 0..Num-1, in
// whole slots of DeleteRangeSpan keys.
func checkSpans(t *testing.T, e *mapEngine, o *Options, deleted int) {
	t.Helper()
	span := int64(o.DeleteRangeSpan)
	if got := e.Len(); got != int(o.Num)-deleted {
		t.Errorf("%d keys left, want %d", got, int(o.Num)-deleted)
	}
	for lo := int64(0); lo < o.Num; lo += span {
		var present int64
		for idx := lo; idx < min(lo+span, o.Num); idx++ {
			if _, ok := e.m[string(appendKey(nil, idx, o.KeySize))]; ok {
				present++
			}
		}
		if present != 0 && present != min(span, o.Num-lo) {
			t.Errorf("slot at %d: %d of %d keys present: not a whole span", lo, present, span)
		}
	}
}

func TestDeleteRangeEveryKey(t *testing.T) {
	o := testOptions(t, "fillseq", "deleterange", "readrandom")
	o.DeleteRangeSpan, o.DeleteRangeFraction = 7, 1 // 42 spans: keys 294..299 stay
	open, opened := openCapturing(true)
	res, err := runAll(&o, open)
	if err != nil {
		t.Fatal(err)
	}
	e := (*opened)[len(*opened)-1] // the one opened by fillseq
	var left []string
	for k := range e.m {
		left = append(left, k)
	}
	slices.Sort(left)
	if want := []string{"0000000000000294", "0000000000000295", "0000000000000296", "0000000000000297", "0000000000000298", "0000000000000299"}; !slices.Equal(left, want) {
		t.Errorf("left %q, want %q", left, want)
	}
	if res[1].Ops != 42 || res[2].Found > res[2].Ops/10 {
		t.Errorf("deleterange ops %d; readrandom found %d of %d", res[1].Ops, res[2].Found, res[2].Ops)
	}
}

func TestDeleteRangeNoCompact(t *testing.T) {
	o := testOptions(t, "fillseq", "deleterange")
	o.DeleteRangeNoCompact = true
	rep, err := Run(o)
	if err != nil {
		t.Fatal(err)
	}
	if sp := rep.Results[1].Space; sp == nil || sp.AfterCompact != nil || sp.AfterDeletes.LiveBytes == 0 {
		t.Fatalf("space %+v", sp)
	}
	var b strings.Builder
	if err := WriteTable(&b, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "not compacted: -deleterange_compact=false") ||
		!strings.Contains(b.String(), "deleterange_compact=false") {
		t.Errorf("table:\n%s", b.String())
	}
}

// rangeRecorder is the map engine recording the ranges it deletes.
type rangeRecorder struct {
	*mapEngine
	mu     sync.Mutex
	ranges [][2]string
}

func (e *rangeRecorder) DeleteRange(start, end []byte) error {
	e.mu.Lock()
	e.ranges = append(e.ranges, [2]string{string(start), string(end)})
	e.mu.Unlock()
	return e.mapEngine.DeleteRange(start, end)
}

// TestRangeTombstonesDeleteNothing checks that rangetombstones writes the
// number asked for, distinct, each holding no key any workload uses, so
// that reads find what they find without them.
func TestRangeTombstonesDeleteNothing(t *testing.T) {
	o := testOptions(t, "fillseq", "rangetombstones", "readseq")
	o.Threads, o.RangeTombstones = 2, 120
	var rec *rangeRecorder
	res, err := runAll(&o, func(Config) (Engine, error) {
		rec = &rangeRecorder{mapEngine: newMapEngine()}
		return rec, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if res[1].Ops != 120 || res[1].RangeDel != RangeDelNative || res[2].Found != o.Num || rec.Len() != int(o.Num) {
		t.Fatalf("rangetombstones ops %d method %q; readseq found %d; %d keys", res[1].Ops, res[1].RangeDel, res[2].Found, rec.Len())
	}
	seen := map[[2]string]bool{}
	for _, r := range rec.ranges {
		if seen[r] || r[0] >= r[1] {
			t.Errorf("range %q repeated or empty", r)
		}
		seen[r] = true
		for idx := int64(0); idx <= o.Num; idx++ {
			for _, k := range []string{string(appendKey(nil, idx, o.KeySize)), string(appendMissingKey(nil, idx, o.KeySize))} {
				if k >= r[0] && k < r[1] {
					t.Fatalf("range %q holds key %q", r, k)
				}
			}
		}
	}
	if len(seen) != 120 || rec.ranges[0] == rec.ranges[len(rec.ranges)-1] {
		t.Errorf("%d distinct ranges", len(seen))
	}
}

// TestRangeTombstonesSweep is the measurement of readrandom against N
// live range tombstones, on the map engine: every read phase finds the
// same keys whatever N, and engines without DeleteRange skip the phase.
func TestRangeTombstonesSweep(t *testing.T) {
	o := testOptions(t, "fillrandom", "rangetombstones", "readrandom", "seekrandom", "readmissing")
	sw, err := ParseSweep("range_tombstones=0,300")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := RunSweep(o, sw)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 10 || rep.Results[1].Ops != 0 || rep.Results[6].Ops != 300 {
		t.Fatalf("results %+v", rep.Results)
	}
	for i := 2; i < 5; i++ {
		if a, b := rep.Results[i], rep.Results[i+5]; a.Found != b.Found || a.Ops != b.Ops {
			t.Errorf("%s: found %d with no tombstones, %d with 300", a.Name, a.Found, b.Found)
		}
	}
	var b strings.Builder
	if err := WriteTable(&b, rep); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); !strings.Contains(out, "range_tombstones={0,300}") ||
		!strings.Contains(out, "rangetombstones (range_tombstones=300): native DeleteRange, 300 range tombstones") {
		t.Errorf("table:\n%s", out)
	}

	open, _ := openCapturing(false)
	o.Engine.Dir = t.TempDir()
	res, err := runAll(&o, open)
	if err != nil {
		t.Fatal(err)
	}
	if r := res[1]; !r.Skipped || r.RangeDel != RangeDelPoint {
		t.Errorf("point-only engine: rangetombstones %+v", r)
	}
}

func TestRangeDelNotes(t *testing.T) {
	rep := sampleReport()
	rep.Options.Num, rep.Options.DeleteRangeSpan = 1000, 10
	rep.Results = append(rep.Results,
		PhaseResult{Name: "deleterange", Ops: 50, RangeDel: RangeDelPoint, Space: &SpaceReport{
			Before:       SpaceSample{LiveBytes: 2 << 20, DiskBytes: 3 << 20, SpaceAmp: 1.5},
			AfterDeletes: SpaceSample{LiveBytes: 1 << 20, DiskBytes: 3 << 20, SpaceAmp: 3},
			AfterCompact: &SpaceSample{LiveBytes: 1 << 20, DiskBytes: 1536 << 10, SpaceAmp: 1.5}, CompactElapsed: 1500e6}},
		PhaseResult{Name: "rangetombstones", Skipped: true, RangeDel: RangeDelPoint})
	var b strings.Builder
	if err := WriteTable(&b, rep); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range [][]string{
		{"deleterange:", "point", "deletes", "(the", "engine", "has", "no", "DeleteRange),", "50", "spans", "of", "10", "keys", "(50.0%", "of", "the", "keys)"},
		{"space", "live", "disk", "space-amp"},
		{"before", "2.0", "MiB", "3.0", "MiB", "1.50"},
		{"after", "deletes", "1.0", "MiB", "3.0", "MiB", "3.00"},
		{"after", "compact", "1.0", "MiB", "1.5", "MiB", "1.50", "compaction", "took", "1.5s"},
		{"rangetombstones:", "skipped:", "the", "engine", "has", "no", "DeleteRange,", "and", "point", "deletes", "of", "ranges", "holding", "no", "key", "delete", "nothing"},
	} {
		found := false
		for _, line := range strings.Split(out, "\n") {
			found = found || slices.Equal(strings.Fields(line), want)
		}
		if !found {
			t.Errorf("no line %q in:\n%s", want, out)
		}
	}
	var h strings.Builder
	if err := WriteHTML(&h, rep); err != nil || !strings.Contains(h.String(), "<pre>deleterange: point deletes") {
		t.Errorf("HTML lacks the notes: %v", err)
	}
	if got := fmt.Sprint(byteSize(0), " ", byteSize(1536), " ", byteSize(3<<30)); got != "- 1.5 KiB 3.00 GiB" {
		t.Errorf("byteSize: %s", got)
	}
}
