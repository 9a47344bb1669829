package main

import (
	"errors"
	"maps"
	"strings"
	"testing"
)

func put(k, v string) entry { return entry{key: k, value: v} }
func del(k string) entry    { return entry{key: k, del: true} }
func bat(es ...entry) batch { return batch{entries: es} }

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

// TestExpectationRequiresAttempted: asking for more batches than were
// attempted is a bug in kvstress, not a violation by the engine.
func TestExpectationRequiresAttempted(t *testing.T) {
	e := expectation{batches: []batch{bat(put("a", "1"))}, required: 2}
	if _, err := e.check(state{"a": "1"}); err == nil || errors.Is(err, errViolation) {
		t.Fatalf("check = %v, want an error that is not a violation", err)
	}
}

// TestCheckAgainstWorkload runs the checker on real batches: the state
// after every prefix is accepted, with that prefix's length or a longer one
// leaving the same state; and when all attempted batches were required,
// losing any one key of that state is caught.
func TestCheckAgainstWorkload(t *testing.T) {
	cfg := workloadConfig{Keys: 50, BatchMax: 5, ValueMin: 0, ValueMax: 40, SyncRatio: 0.2}
	batches := newWorkload(7, 3, cfg).batches(60)
	for p := 0; p <= len(batches); p += 7 {
		e := expectation{base: state{}, batches: batches, required: p, why: "acknowledged"}
		got := e.stateAfter(p)
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
	}
}
