package main

import (
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

// TestWorkloadShape: batch lengths, value sizes, syncs and deletes stay
// within the configuration, and every value names its writer uniquely.
func TestWorkloadShape(t *testing.T) {
	cfg := workloadConfig{Keys: 30, BatchMax: 4, ValueMin: 25, ValueMax: 60, SyncRatio: 0.5}
	seen := map[string]bool{}
	var syncs, dels, entries int
	for i, b := range newWorkload(9, 2, cfg).batches(500) {
		if n := len(b.entries); n < 1 || n > cfg.BatchMax {
			t.Fatalf("batch %d has %d entries", i, n)
		}
		if b.sync {
			syncs++
		}
		for _, e := range b.entries {
			entries++
			if e.del {
				dels++
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
}
