package main

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
)

func put(k, v string) entry            { return entry{key: k, value: v} }
func del(k string) entry               { return entry{kind: entryDelete, key: k} }
func delRange(start, end string) entry { return entry{kind: entryDeleteRange, key: start, end: end} }
func bat(es ...entry) batch            { return batch{entries: es} }

// TestExpectationCheck feeds the checker recovered states, good and bad.
// The bad ones prove it can fail: a lost acknowledged batch, half a batch,
// a resurrected delete, a foreign key, a lost base key, a damaged value.
func TestExpectationCheck(t *testing.T) {
	base := state{"a": "1"}
	batches := []batch{
		bat(put("b", "2"), put("c", "3")), // 0
		bat(del("a")),                     // 1
		bat(put("b", "4")),                // 2
		bat(del("z")),                     // 3: deletes a key that is not there
	}
	tests := []struct {
		name     string
		required int
		got      state
		want     int    // the prefix found, when ok
		wantErr  string // substring of the violation, "" when ok
	}{
		{"nothing written, nothing required", 0, state{"a": "1"}, 0, ""},
		{"exactly the required prefix", 2, state{"b": "2", "c": "3"}, 2, ""},
		{"more than required", 1, state{"b": "2", "c": "3"}, 2, ""},
		{"the longest of equal prefixes", 2, state{"b": "4", "c": "3"}, 4, ""},
		{"lost an acknowledged batch", 3, state{"b": "2", "c": "3"}, 0, "only 2 of the 3 batches that had to survive (acknowledged)"},
		{"lost every batch", 1, state{"a": "1"}, 0, "only 0 of the 1 batches that had to survive"},
		{"half a batch", 0, state{"a": "1", "b": "2"}, 0, "not a whole-batch prefix"},
		{"a delete undone", 0, state{"a": "1", "b": "4", "c": "3"}, 0, "not a whole-batch prefix"},
		{"a key nobody wrote", 0, state{"a": "1", "zz": "x"}, 0, "zz: want absent"},
		{"a base key lost", 0, state{}, 0, `a: want "1" (1 bytes, no header), got absent`},
		{"a damaged value", 0, state{"a": "1x"}, 0, "differs in 1 keys"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := expectation{base: base, batches: batches, required: tc.required, why: "acknowledged"}
			p, err := e.check(tc.got)
			if tc.wantErr == "" {
				if err != nil || p != tc.want {
					t.Fatalf("check = %d, %v; want %d, nil", p, err, tc.want)
				}
				return
			}
			if !errors.Is(err, errViolation) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("check = %d, %v; want a violation containing %q", p, err, tc.wantErr)
			}
		})
	}
}

// TestExpectationCheckRangeDels feeds the checker states after range
// deletions, good and bad: a range deletion that is lost, applied in part,
// applied past its (exclusive) end, or reordered with the writes around
// it in its batch must be reported.
func TestExpectationCheckRangeDels(t *testing.T) {
	base := state{"a": "1", "b": "1", "c": "1", "d": "1"}
	batches := []batch{
		bat(delRange("b", "d")), // 0: deletes b and c, not d
		bat(put("e", "2")),      // 1
		bat(put("b", "3"), delRange("a", "c"), put("a", "4")), // 2: the put of b is deleted, a is rewritten
		bat(delRange("c", "c/")),                              // 3: c is gone already: no change
		bat(delRange("0", "z")),                               // 4: everything
	}
	tests := []struct {
		name     string
		required int
		got      state
		want     int    // the prefix found, when ok
		wantErr  string // substring of the violation, "" when ok
	}{
		{"the range deletion applied", 1, state{"a": "1", "d": "1"}, 1, ""},
		{"a batch ordering writes around a range deletion", 3, state{"a": "4", "d": "1", "e": "2"}, 4, ""},
		{"everything deleted", 5, state{}, 5, ""},
		{"a range deletion lost, a later batch kept", 0, state{"a": "1", "b": "1", "c": "1", "d": "1", "e": "2"}, 0, "not a whole-batch prefix"},
		{"a required range deletion lost", 1, base, 0, "only 0 of the 1 batches that had to survive (acknowledged) were recovered: the state is exactly the first 0; lost batch 0 (1 entries, first on [b, d))"},
		{"a range deletion applied in part", 0, state{"a": "1", "c": "1", "d": "1"}, 0, "not a whole-batch prefix"},
		{"a range deletion past its end", 0, state{"a": "1"}, 0, `d: want "1"`},
		{"the put before a range deletion in its batch kept", 3, state{"a": "4", "b": "3", "d": "1", "e": "2"}, 0, "b: want absent"},
		{"the last range deletion applied in part", 5, state{"d": "1"}, 0, "not a whole-batch prefix"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := expectation{base: base, batches: batches, required: tc.required, why: "acknowledged"}
			p, err := e.check(tc.got)
			if tc.wantErr == "" {
				if err != nil || p != tc.want {
					t.Fatalf("check = %d, %v; want %d, nil", p, err, tc.want)
				}
				return
			}
			if !errors.Is(err, errViolation) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("check = %d, %v; want a violation containing %q", p, err, tc.wantErr)
			}
		})
	}
}

// TestExpectationRequiresAttempted: asking for more batches than were
// attempted is a bug in kvstress, not a violation by the engine.
func TestExpectationRequiresAttempted(t *testing.T) {
	e := expectation{batches: []batch{bat(put("a", "1"))}, required: 2}
	if _, err := e.check(state{"a": "1"}); err == nil || errors.Is(err, errViolation) {
		t.Fatalf("check = %v, want an error that is not a violation", err)
	}
}

// TestCheckAgainstWorkload runs the checker on real batches, range
// deletions among them: the model's state after every prefix is the one an
// independent reference computes; that state is accepted, with that
// prefix's length or a longer one leaving the same state; and when all
// attempted batches were required, losing any one key of that state is
// caught, as is any one range deletion lost or cut short.
func TestCheckAgainstWorkload(t *testing.T) {
	cfg := workloadConfig{Keys: 50, BatchMax: 5, ValueMin: 0, ValueMax: 40, SyncRatio: 0.2, RangeDelRatio: 0.3, RangeDelSpan: 8}
	batches := newWorkload(7, 3, cfg).batches(60)
	for p := 0; p <= len(batches); p += 7 {
		e := expectation{base: state{}, batches: batches, required: p, why: "acknowledged"}
		got := e.stateAfter(p)
		if want := referenceState(batches[:p], -1, nil); !maps.Equal(got, want) {
			t.Fatalf("prefix %d: the model differs from the reference: %v", p, diffStates(want, got, 5))
		}
		found, err := e.check(got)
		if err != nil || found < p || !maps.Equal(e.stateAfter(found), got) {
			t.Fatalf("prefix %d: check = %d, %v", p, found, err)
		}
		all := expectation{base: state{}, batches: batches[:p], required: p, why: "acknowledged"}
		for k := range got {
			damaged := maps.Clone(got)
			delete(damaged, k)
			if _, err := all.check(damaged); !errors.Is(err, errViolation) {
				t.Fatalf("prefix %d without %s: check = %v, want a violation", p, k, err)
			}
		}
		checkRangeDelsDamaged(t, batches[:p])
	}
}

// checkRangeDelsDamaged requires a violation for the state that batches
// leave with one of their range deletions lost, or cut short to its first
// key, whenever that changes the state.
func checkRangeDelsDamaged(t *testing.T, batches []batch) {
	t.Helper()
	all := expectation{base: state{}, batches: batches, required: len(batches), why: "acknowledged"}
	want := all.stateAfter(len(batches))
	damages := map[string]func(entry) (entry, bool){
		"lost":      func(e entry) (entry, bool) { return e, false },
		"cut short": func(e entry) (entry, bool) { e.end = e.key + "\x00"; return e, true },
	}
	changed := 0
	for i := range batches {
		if batches[i].rangeDels() == 0 {
			continue
		}
		for name, fn := range damages {
			damaged := referenceState(batches, i, fn)
			if maps.Equal(damaged, want) {
				continue // the damage deleted nothing present, or later writes undid it
			}
			changed++
			if _, err := all.check(damaged); !errors.Is(err, errViolation) {
				t.Fatalf("%d batches, the range deletion of batch %d %s: check = %v, want a violation", len(batches), i, name, err)
			}
		}
	}
	if len(batches) > 20 && changed == 0 {
		t.Fatalf("%d batches: no damaged range deletion changed the state; the test proves nothing", len(batches))
	}
}

// referenceState applies batches to an empty state the plain way, with
// the range deletions of batch damaged (if any) passed through fn: a
// reference for the checker's model, written without it.
func referenceState(batches []batch, damaged int, fn func(entry) (entry, bool)) state {
	s := state{}
	for i := range batches {
		b := &batches[i]
		if i == damaged {
			b = b.mapRangeDels(fn)
		}
		for _, e := range b.entries {
			switch e.kind {
			case entryPut:
				s[e.key] = e.value
			case entryDelete:
				delete(s, e.key)
			case entryDeleteRange:
				for _, k := range slices.Collect(maps.Keys(s)) {
					if strings.Compare(e.key, k) <= 0 && strings.Compare(k, e.end) < 0 {
						delete(s, k)
					}
				}
			}
		}
	}
	return s
}
