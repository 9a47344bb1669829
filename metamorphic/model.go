package metamorphic

import (
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"sort"
	"strings"
)

// model is the reference: a map, and a frozen copy per snapshot. It
// produces each operation's output in the format the runner must match.
type model struct {
	state map[string][]byte
	snaps map[int]map[string][]byte
}

func newModel() *model {
	return &model{state: map[string][]byte{}, snaps: map[int]map[string][]byte{}}
}

// apply runs o and returns its output.
func (m *model) apply(o op) string {
	switch o.kind {
	case opPut:
		m.state[string(o.key)] = o.value
	case opDelete:
		delete(m.state, string(o.key))
	case opBatch:
		for _, e := range o.entries {
			switch {
			case e.rangeEnd != nil:
				m.deleteRange(e.key, e.rangeEnd)
			case e.value == nil:
				delete(m.state, string(e.key))
			default:
				m.state[string(e.key)] = e.value
			}
		}
	case opDeleteRange:
		m.deleteRange(o.key, o.key2)
	case opGet:
		return getOutput(m.state, o.key)
	case opIter:
		return iterOutput(m.state, o)
	case opNewSnapshot:
		m.snaps[o.snap] = maps.Clone(m.state)
	case opSnapshotGet, opSnapshotIter, opCloseSnapshot:
		s, ok := m.snaps[o.snap]
		if !ok {
			return noSnapshot
		}
		switch o.kind {
		case opSnapshotGet:
			return getOutput(s, o.key)
		case opSnapshotIter:
			return iterOutput(s, o)
		}
		delete(m.snaps, o.snap)
	case opReopen:
		clear(m.snaps)
	case opCrash:
		clear(m.snaps)
		m.state[string(crashMarker)] = []byte{}
	}
	return "ok"
}

// deleteRange removes the keys in [start, end).
func (m *model) deleteRange(start, end []byte) {
	for k := range m.state {
		if k >= string(start) && k < string(end) {
			delete(m.state, k)
		}
	}
}

const (
	noSnapshot = "no snapshot"
	notFound   = "not found"
)

func getOutput(state map[string][]byte, key []byte) string {
	v, ok := state[string(key)]
	if !ok {
		return notFound
	}
	return fmtBytes(v)
}

// iterOutput walks a sorted copy of state's keys within the bounds the way
// the iterator contract says: Next and Prev on an invalid iterator stay
// invalid; seeks and First/Last reposition.
func iterOutput(state map[string][]byte, o op) string {
	var ks []string
	for k := range state {
		if (o.lower == nil || k >= string(o.lower)) && (o.upper == nil || k < string(o.upper)) {
			ks = append(ks, k)
		}
	}
	slices.Sort(ks)
	pos := -1
	valid := func() bool { return pos >= 0 && pos < len(ks) }
	out := make([]string, 0, len(o.moves)+1)
	for _, mv := range o.moves {
		switch mv.kind {
		case moveFirst:
			pos = 0
		case moveLast:
			pos = len(ks) - 1
		case moveNext:
			if valid() {
				pos++
			}
		case movePrev:
			if valid() {
				pos--
			}
		case moveSeekGE:
			pos = sort.SearchStrings(ks, string(mv.key))
		case moveSeekLT:
			pos = sort.SearchStrings(ks, string(mv.key)) - 1
		}
		if valid() {
			out = append(out, fmtBytes([]byte(ks[pos]))+"="+fmtBytes(state[ks[pos]]))
		} else {
			pos = -1 // stays invalid: a later Next or Prev must not revive it
			out = append(out, ".")
		}
	}
	return strings.Join(append(out, "err=<nil>"), " ")
}

// fmtBytes prints a key or value briefly but unambiguously: whole when
// short, else its start, length and hash.
func fmtBytes(v []byte) string {
	if len(v) <= 24 {
		return fmt.Sprintf("%q", v)
	}
	h := fnv.New64a()
	h.Write(v)
	return fmt.Sprintf("%q...(%d bytes, fnv %x)", v[:12], len(v), h.Sum64())
}
