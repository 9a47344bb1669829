package rangedel

import (
	"bytes"
	"cmp"
	"slices"
	"sort"

	"github.com/lsmkv/lsmkv/internal/keys"
)

// Tombstone deletes [Start, End) as of Seq.
type Tombstone struct {
	Start, End []byte
	Seq        keys.SeqNum
}

// Fragment is a piece of key space and the tombstones that cover all of it.
type Fragment struct {
	Start, End []byte
	Seqs       []keys.SeqNum // descending, distinct, at least one
}

// List is a fragmented set of tombstones (see the package invariants).
type List []Fragment

// Build fragments ts, which may overlap and come in any order; tombstones
// with Start >= End delete nothing and are dropped. The result shares the
// key bytes of ts.
func Build(ts []Tombstone) List {
	ts = slices.DeleteFunc(slices.Clone(ts), func(t Tombstone) bool { return bytes.Compare(t.Start, t.End) >= 0 })
	if len(ts) == 0 {
		return nil
	}
	sort.Slice(ts, func(i, j int) bool { return bytes.Compare(ts[i].Start, ts[j].Start) < 0 })
	bounds := make([][]byte, 0, 2*len(ts))
	for _, t := range ts {
		bounds = append(bounds, t.Start, t.End)
	}
	slices.SortFunc(bounds, bytes.Compare)
	bounds = slices.CompactFunc(bounds, bytes.Equal)

	var out List
	var active []Tombstone
	next := 0 // next tombstone of ts to activate
	for i := 0; i+1 < len(bounds); i++ {
		lo, hi := bounds[i], bounds[i+1]
		active = slices.DeleteFunc(active, func(t Tombstone) bool { return bytes.Compare(t.End, lo) <= 0 })
		for next < len(ts) && bytes.Compare(ts[next].Start, lo) <= 0 {
			active = append(active, ts[next])
			next++
		}
		if len(active) == 0 {
			continue
		}
		seqs := make([]keys.SeqNum, len(active))
		for j, t := range active {
			seqs[j] = t.Seq
		}
		slices.SortFunc(seqs, func(a, b keys.SeqNum) int { return cmp.Compare(b, a) }) // newest first
		out = append(out, Fragment{Start: lo, End: hi, Seqs: slices.Compact(seqs)})
	}
	return out
}

// Find returns the index of the fragment containing ukey, or -1.
func (l List) Find(ukey []byte) int {
	// The first fragment ending after ukey is the only candidate.
	i := sort.Search(len(l), func(i int) bool { return bytes.Compare(l[i].End, ukey) > 0 })
	if i < len(l) && bytes.Compare(l[i].Start, ukey) <= 0 {
		return i
	}
	return -1
}

// Covering returns the sequence number of the newest tombstone covering
// ukey that a read at seq sees (its Seq <= seq), or 0 if there is none.
func (l List) Covering(ukey []byte, seq keys.SeqNum) keys.SeqNum {
	if i := l.Find(ukey); i >= 0 {
		return l[i].Visible(seq)
	}
	return 0
}

// Visible returns the newest of f's sequence numbers <= seq, or 0.
func (f *Fragment) Visible(seq keys.SeqNum) keys.SeqNum {
	for _, s := range f.Seqs { // descending: the first one <= seq is the newest
		if s <= seq {
			return s
		}
	}
	return 0
}

// Truncate returns the fragments restricted to [lo, hi), cut where they
// cross lo or hi; a nil bound is unbounded. The result shares l's
// sequence slices.
func (l List) Truncate(lo, hi []byte) List {
	var out List
	for _, f := range l {
		if lo != nil && bytes.Compare(f.End, lo) <= 0 {
			continue
		}
		if hi != nil && bytes.Compare(f.Start, hi) >= 0 {
			break
		}
		if lo != nil && bytes.Compare(f.Start, lo) < 0 {
			f.Start = lo
		}
		if hi != nil && bytes.Compare(f.End, hi) > 0 {
			f.End = hi
		}
		out = append(out, f)
	}
	return out
}

// Tombstones flattens l into one tombstone per fragment and sequence
// number, ordered by Start, then Seq descending: the order of a
// range-deletion block.
func (l List) Tombstones() []Tombstone {
	var out []Tombstone
	for _, f := range l {
		for _, s := range f.Seqs {
			out = append(out, Tombstone{Start: f.Start, End: f.End, Seq: s})
		}
	}
	return out
}

// Merge fragments the union of several lists.
func Merge(lists ...List) List {
	var all []Tombstone
	for _, l := range lists {
		all = append(all, l.Tombstones()...)
	}
	return Build(all)
}

// Check returns a description of the first broken invariant of l, or "".
// Decoders of on-disk range-deletion blocks run it on what they read.
func (l List) Check() string {
	for i, f := range l {
		switch {
		case bytes.Compare(f.Start, f.End) >= 0:
			return "fragment start is not below its end"
		case len(f.Seqs) == 0:
			return "fragment without a sequence number"
		case i > 0 && bytes.Compare(l[i-1].End, f.Start) > 0:
			return "fragments overlap or are out of order"
		}
		for j := 1; j < len(f.Seqs); j++ {
			if f.Seqs[j] >= f.Seqs[j-1] {
				return "fragment sequence numbers are not strictly descending"
			}
		}
	}
	return ""
}
