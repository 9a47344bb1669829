package bench

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

func testOptions(t *testing.T, benchmarks ...string) Options {
	o := Options{EngineName: "map", Engine: Config{Dir: t.TempDir()}, Benchmarks: benchmarks,
		Num: 300, Seed: testSeed(t), RangeTombstones: 50}
	o.EnsureDefaults()
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	return o
}

// TestEveryWorkload runs each benchmark after fillseq against mapEngine
// and checks its counters against what the workload must have done.
// mapEngine reports its exact contents as DiskBytes, so DiskBytes ==
// LiveBytes checks the runner's live-key accounting too.
func TestEveryWorkload(t *testing.T) {
	for _, name := range WorkloadNames() {
		if workloadDescription(name) == "" {
			t.Errorf("%s: no description", name)
		}
		for _, threads := range []int{1, 3} {
			o := testOptions(t, "fillseq", name)
			o.Threads, o.Reads, o.BatchSize = threads, 200, 7
			results, err := runAll(&o, OpenMapEngine)
			if err != nil {
				t.Fatalf("%s threads=%d: %v", name, threads, err)
			}
			checkWorkload(t, &o, results[1])
			for _, r := range results {
				if r.DiskBytes != r.LiveBytes || (r.LiveBytes > 0 && r.SpaceAmp != 1) {
					t.Errorf("%s threads=%d after %s: disk %d live %d space amp %v", name, threads, r.Name, r.DiskBytes, r.LiveBytes, r.SpaceAmp)
				}
			}
		}
	}
}

func checkWorkload(t *testing.T, o *Options, r PhaseResult) {
	t.Helper()
	// Reads < Num, so even the scans never reach the end of the data.
	if wantOps := workloads[r.Name].ops(o); r.Ops != wantOps {
		t.Errorf("%s: ops %d, want %d", r.Name, r.Ops, wantOps)
	}
	if r.Ops == 0 || r.Latency.Count == 0 || r.Elapsed <= 0 || len(r.Throughput) == 0 {
		t.Errorf("%s: ops %d latency count %d elapsed %v throughput %v", r.Name, r.Ops, r.Latency.Count, r.Elapsed, r.Throughput)
	}
	found := map[string]int64{"readrandom": o.Reads, "readhot": o.Reads, "readmissing": 0,
		"seekrandom": o.Reads, "ycsb-c": o.Reads, "readseq": r.Ops, "readreverse": r.Ops}
	if want, ok := found[r.Name]; ok && r.Found != want {
		t.Errorf("%s: found %d, want %d", r.Name, r.Found, want)
	}
	if r.Name == "fillseq" && r.Bytes != o.Num*int64(o.KeySize+o.ValueSize) {
		t.Errorf("fillseq: bytes %d", r.Bytes)
	}
}

// A scan stops at the end of the data, doing fewer ops than asked.
func TestScanStopsAtEnd(t *testing.T) {
	o := testOptions(t, "fillseq", "readseq", "readreverse")
	o.Reads = 3 * o.Num
	results, err := runAll(&o, OpenMapEngine)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results[1:] {
		if r.Ops != o.Num || r.Found != o.Num {
			t.Errorf("%s: ops %d found %d, want %d", r.Name, r.Ops, r.Found, o.Num)
		}
	}
}

// Fill phases start from an empty store, so a fillseq after a fillrandom
// holds exactly num keys.
func TestFillResetsStore(t *testing.T) {
	o := testOptions(t, "fillrandom", "ycsb-d", "fillseq")
	o.Threads = 2
	var opened atomic.Int32
	open := func(cfg Config) (Engine, error) { opened.Add(1); return newMapEngine(), nil }
	results, err := runAll(&o, open)
	if err != nil {
		t.Fatal(err)
	}
	if opened.Load() != 3 {
		t.Errorf("opened %d times, want 3 (initial + one per fill)", opened.Load())
	}
	last := results[2]
	if want := o.Num * int64(o.KeySize+o.ValueSize); last.LiveBytes != want || last.DiskBytes != want {
		t.Errorf("after fillseq live %d disk %d, want %d", last.LiveBytes, last.DiskBytes, want)
	}
}

func TestUseExistingDB(t *testing.T) {
	o := testOptions(t, "fillseq", "readrandom")
	if err := os.WriteFile(filepath.Join(o.Engine.Dir, "data"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := runAll(&o, OpenMapEngine); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("non-empty dir: err = %v", err)
	}
	o.UseExistingDB = true
	results, err := runAll(&o, OpenMapEngine)
	if err != nil {
		t.Fatal(err)
	}
	if !results[0].Skipped || results[1].Skipped || results[1].Ops != o.Reads {
		t.Errorf("results %+v", results)
	}
	if _, err := os.Stat(filepath.Join(o.Engine.Dir, "data")); err != nil {
		t.Errorf("existing data removed: %v", err)
	}
}

var errInjected = errors.New("injected")

// failingEngine fails every write after the first `after`.
type failingEngine struct {
	*mapEngine
	after, n atomic.Int64
}

func (e *failingEngine) Put(k, v []byte) error {
	if e.n.Add(1) > e.after.Load() {
		return errInjected
	}
	return e.mapEngine.Put(k, v)
}

func TestEngineErrorStopsRun(t *testing.T) {
	o := testOptions(t, "fillseq", "overwrite", "readrandom")
	o.Threads = 2
	open := func(Config) (Engine, error) {
		e := &failingEngine{mapEngine: newMapEngine()}
		e.after.Store(o.Num + 10) // fail during overwrite
		return e, nil
	}
	results, err := runAll(&o, open)
	if !errors.Is(err, errInjected) || !strings.Contains(err.Error(), "overwrite") {
		t.Fatalf("err = %v", err)
	}
	if len(results) != 1 || results[0].Name != "fillseq" {
		t.Errorf("results %+v", results)
	}
}

// meteredEngine reports fixed ratios so the runner's arithmetic is visible.
type meteredEngine struct{ *mapEngine }

func (e meteredEngine) Metrics() EngineMetrics {
	m := e.mapEngine.Metrics()
	return EngineMetrics{WriteAmp: 3.5, Gets: m.Gets, TablesProbed: 2 * m.Gets,
		FilterChecks: 4 * m.Gets, FilterNegatives: m.Gets,
		Levels: []LevelShape{{NumFiles: 2, Size: 100}}, Text: "metered\n"}
}

func TestAmplificationFromMetrics(t *testing.T) {
	o := testOptions(t, "fillseq", "readrandom")
	o.Verbose = true
	open := func(cfg Config) (Engine, error) {
		// DiskBytes is zero, so the runner must measure the directory.
		err := os.WriteFile(filepath.Join(cfg.Dir, "f"), make([]byte, 1000), 0o644)
		return meteredEngine{newMapEngine()}, err
	}
	results, err := runAll(&o, open)
	if err != nil {
		t.Fatal(err)
	}
	r := results[1]
	live := o.Num * int64(o.KeySize+o.ValueSize)
	if r.WriteAmp != 3.5 || r.ReadAmp != 2 || r.FilterUsefulRate != 0.25 || r.DiskBytes != 1000 ||
		r.LiveBytes != live || r.SpaceAmp != 1000/float64(live) || r.EngineText != "metered\n" || len(r.Levels) != 1 {
		t.Errorf("result %+v", r)
	}
	if results[0].ReadAmp != 0 {
		t.Errorf("fillseq did no gets but read amp %v", results[0].ReadAmp)
	}
}

func TestRunValidatesAndLooksUp(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Options)
		want string
	}{
		{"unknown engine", func(o *Options) { o.EngineName = "nope" }, "unknown engine"},
		{"unknown benchmark", func(o *Options) { o.Benchmarks = []string{"fillseq", "readfast"} }, "unknown benchmark"},
		{"key too short", func(o *Options) { o.KeySize = 2 }, "key_size"},
		{"no dir", func(o *Options) { o.Engine.Dir = "" }, "no directory"},
		{"bad compression", func(o *Options) { o.Engine.Compression = "zstd" }, "compression"},
		{"bad compaction", func(o *Options) { o.Engine.Compaction = "fifo" }, "compaction"},
		{"bad theta", func(o *Options) { o.ZipfTheta = 1 }, "theta"},
		{"bad fraction", func(o *Options) { o.DeleteRangeFraction = 1.5 }, "deleterange_fraction"},
		{"negative tombstones", func(o *Options) { o.RangeTombstones = -1 }, "range_tombstones"},
		{"more tombstones than gaps", func(o *Options) {
			o.Benchmarks, o.RangeTombstones = []string{"fillseq", "rangetombstones"}, 100_001
		}, "range_tombstones"},
	} {
		o := Options{EngineName: "map", Engine: Config{Dir: t.TempDir()}}
		tc.edit(&o)
		if _, err := Run(o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestDirSize(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "a", "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	for path, n := range map[string]int{"x": 10, "a/y": 200, "a/b/z": 3000} {
		if err := os.WriteFile(filepath.Join(dir, path), make([]byte, n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := dirSize(dir); err != nil || got != 3210 {
		t.Errorf("dirSize = %d, %v; want 3210", got, err)
	}
	if _, err := dirSize(filepath.Join(dir, "missing")); err == nil {
		t.Error("dirSize of a missing dir: no error")
	}
}

func TestPrintProgress(t *testing.T) {
	var b strings.Builder
	printProgress(&b, "fillrandom", 500, 1000, 2e9, false)
	if got := b.String(); !strings.Contains(got, "fillrandom: 500/1000 ops, 250 ops/s, ETA 2s") {
		t.Errorf("progress line %q", got)
	}
}

func BenchmarkRunFillrandomMap(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		o := Options{EngineName: "map", Engine: Config{Dir: b.TempDir()}, Benchmarks: []string{"fillrandom"}, Num: 10000}
		o.EnsureDefaults()
		if _, err := runAll(&o, OpenMapEngine); err != nil {
			b.Fatal(err)
		}
	}
}
