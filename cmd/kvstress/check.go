package main

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// The checker decides whether a recovered state keeps the durability
// contract. It is pure: both modes, and the tests, feed it states.

// errViolation is wrapped by every report of a broken contract, as opposed
// to a failure of kvstress itself.
var errViolation = errors.New("durability contract violated")

// state is what a DB holds: key to value.
type state map[string]string

// expectation is what a crash may leave behind: base, then a whole-batch
// prefix batches[:p] of the batches attempted since base, with
// required <= p <= len(batches).
type expectation struct {
	base     state
	batches  []batch // attempted since base, in commit order
	required int     // batches[:required] were acknowledged (kill) or synced (power loss)
	// why says which batches had to survive, for messages:
	// "acknowledged", "up to the last synced one", ...
	why string
}

// check returns the longest p that explains got, or an error wrapping
// errViolation that says what is wrong.
func (e *expectation) check(got state) (int, error) {
	if e.required > len(e.batches) {
		return 0, fmt.Errorf("kvstress: %d batches required but only %d attempted", e.required, len(e.batches))
	}
	m := newMatcher(e.base, got)
	match, closest, fewest := -1, 0, m.differ
	if m.differ == 0 && e.required == 0 {
		match = 0
	}
	for i := range e.batches {
		m.apply(&e.batches[i])
		p := i + 1
		if m.differ == 0 && p >= e.required {
			match = p
		}
		if m.differ < fewest {
			closest, fewest = p, m.differ
		}
	}
	if match >= 0 {
		return match, nil
	}
	return 0, e.explain(got, closest, fewest)
}

// explain describes why no allowed prefix matches: either the state is an
// exact prefix that is too short (required batches lost), or it is no
// prefix at all, shown against the closest one.
func (e *expectation) explain(got state, closest, differ int) error {
	if differ == 0 {
		lost := &e.batches[closest]
		return fmt.Errorf("%w: only %d of the %d batches that had to survive (%s) were recovered: the state is exactly the first %d; lost batch %d (%d entries, first on %s)",
			errViolation, closest, e.required, e.why, closest, closest, len(lost.entries), lost.entries[0])
	}
	want := e.stateAfter(closest)
	diffs := diffStates(want, got, 5)
	return fmt.Errorf("%w: the state is not a whole-batch prefix of the %d batches attempted (%d had to survive: %s): the closest, the first %d batches, differs in %d keys: %s",
		errViolation, len(e.batches), e.required, e.why, closest, differ, strings.Join(diffs, "; "))
}

// stateAfter is base with batches[:p] applied.
func (e *expectation) stateAfter(p int) state {
	m := newMatcher(e.base, nil)
	for i := range e.batches[:p] {
		m.apply(&e.batches[i])
	}
	return m.model
}

// diffStates lists up to limit keys on which want and got disagree, in key
// order.
func diffStates(want, got state, limit int) []string {
	var keys []string
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			keys = append(keys, k)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []string
	for _, k := range keys[:min(limit, len(keys))] {
		w, wok := want[k]
		g, gok := got[k]
		out = append(out, fmt.Sprintf("%s: want %s, got %s", k, describe(w, wok), describe(g, gok)))
	}
	return out
}

// matcher applies batches to a model of the DB and keeps count of the keys
// on which the model and got differ, so that trying every prefix costs one
// pass over the batches rather than one comparison of states per prefix.
type matcher struct {
	model, got state
	differ     int
}

func newMatcher(base, got state) *matcher {
	m := &matcher{model: maps.Clone(base), got: got}
	if m.model == nil {
		m.model = state{}
	}
	for k := range base {
		if !m.agree(k) {
			m.differ++
		}
	}
	for k := range got {
		if _, ok := base[k]; !ok {
			m.differ++
		}
	}
	return m
}

func (m *matcher) agree(k string) bool {
	mv, mok := m.model[k]
	gv, gok := m.got[k]
	return mok == gok && mv == gv
}

// apply applies b's entries to the model, in order. A range deletion
// removes every model key in its range: it looks at each key of the model
// (which holds at most the workload's key space), so the model never
// depends on the bounds being key names.
func (m *matcher) apply(b *batch) {
	for _, e := range b.entries {
		switch e.kind {
		case entryPut:
			m.set(e.key, e.value, true)
		case entryDelete:
			m.set(e.key, "", false)
		case entryDeleteRange:
			for k := range m.model { // deleting while ranging over a map is safe
				if e.key <= k && k < e.end {
					m.set(k, "", false)
				}
			}
		}
	}
}

// set gives the model's key k the value v (present) or removes it, and
// keeps count of the keys on which the model and got differ.
func (m *matcher) set(k, v string, present bool) {
	before := m.agree(k)
	if present {
		m.model[k] = v
	} else {
		delete(m.model, k)
	}
	switch after := m.agree(k); {
	case before && !after:
		m.differ++
	case !before && after:
		m.differ--
	}
}
