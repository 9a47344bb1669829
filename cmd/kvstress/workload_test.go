package main

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestWorkloadIsAFunctionOfSeedAndCycle: the parent regenerates what a
// child attempted only if the same (seed, cycle) gives the same batches.
func TestWorkloadIsAFunctionOfSeedAndCycle(t *testing.T) {
	cfg := workloadConfig{Keys: 100, BatchMax: 6, ValueMin: 10, ValueMax: 90, SyncRatio: 0.3}
	a := newWorkload(42, 5, cfg).batches(200)
	if b := newWorkload(42, 5, cfg).batches(200); !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed and cycle gave different batches")
	}
	if c := newWorkload(42, 6, cfg).batches(200); reflect.DeepEqual(a, c) {
		t.Fatal("two cycles gave the same batches")
	}
}

// TestWorkloadShape: batch lengths, value sizes, syncs, deletes and range
// deletions stay within the configuration, and every value names its
// writer uniquely.
func TestWorkloadShape(t *testing.T) {
	cfg := workloadConfig{Keys: 30, BatchMax: 4, ValueMin: 25, ValueMax: 60, SyncRatio: 0.5, RangeDelRatio: 0.2, RangeDelSpan: 5}
	seen := map[string]bool{}
	var syncs, dels, entries, rangeBatches, standalone int
	for i, b := range newWorkload(9, 2, cfg).batches(500) {
		if n := len(b.entries); n < 1 || n > cfg.BatchMax {
			t.Fatalf("batch %d has %d entries", i, n)
		}
		if b.sync {
			syncs++
		}
		if n := b.rangeDels(); n > 1 {
			t.Fatalf("batch %d has %d range deletions", i, n)
		} else if n == 1 {
			rangeBatches++
			if len(b.entries) == 1 {
				standalone++
			}
		}
		for _, e := range b.entries {
			entries++
			switch e.kind {
			case entryDelete:
				dels++
				continue
			case entryDeleteRange:
				checkRangeDelShape(t, i, e, cfg)
				continue
			}
			header, _, _ := strings.Cut(e.value, ":")
			if len(e.value) > cfg.ValueMax || len(e.value) < max(cfg.ValueMin, len(header)+1) || seen[header] {
				t.Fatalf("batch %d: value %q (%d bytes)", i, header, len(e.value))
			}
			seen[header] = true
		}
	}
	if syncs < 200 || syncs > 300 || dels == 0 || dels > entries/3 {
		t.Errorf("%d synced batches of 500, %d deletes of %d entries", syncs, dels, entries)
	}
	// 100 expected, half of them standalone (some single-entry batches
	// hold a range deletion among the others, by chance).
	if rangeBatches < 70 || rangeBatches > 130 || standalone < rangeBatches/3 || standalone == rangeBatches {
		t.Errorf("%d of 500 batches hold a range deletion, %d of them alone", rangeBatches, standalone)
	}
}

// checkRangeDelShape: a range deletion covers 1..RangeDelSpan consecutive
// key names, from one inside the key space.
func checkRangeDelShape(t *testing.T, batch int, e entry, cfg workloadConfig) {
	t.Helper()
	var lo int
	if _, err := fmt.Sscanf(e.key, "key%08d", &lo); err != nil || keyName(lo) != e.key || lo >= cfg.Keys {
		t.Fatalf("batch %d: range deletion %s starts at no key of the key space", batch, e)
	}
	covered := 0
	for k := lo; keyName(k) < e.end; k++ {
		covered++
	}
	if covered < 1 || covered > cfg.RangeDelSpan {
		t.Fatalf("batch %d: range deletion %s covers %d keys, want 1..%d", batch, e, covered, cfg.RangeDelSpan)
	}
}

// TestMapRangeDels: a test hook sees each range deletion and may drop or
// change it; the batch it was given stays as it was.
func TestMapRangeDels(t *testing.T) {
	b := batch{entries: []entry{{key: "a", value: "1"}, {kind: entryDeleteRange, key: "b", end: "d"}, {kind: entryDelete, key: "e"}}}
	orig := fmt.Sprint(b.entries)
	dropped := b.mapRangeDels(func(e entry) (entry, bool) { return e, false })
	if len(dropped.entries) != 2 || dropped.rangeDels() != 0 {
		t.Errorf("dropped: %v", dropped.entries)
	}
	short := b.mapRangeDels(func(e entry) (entry, bool) { e.end = "c"; return e, true })
	if short.entries[1].end != "c" || fmt.Sprint(b.entries) != orig {
		t.Errorf("shortened: %v; original now %v", short.entries, b.entries)
	}
}
