package compaction

import (
	"bytes"
	"fmt"
	"slices"
	"sort"

	"github.com/lsmkv/lsmkv/internal/iterator"
	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/internal/rangedel"
)

// Iter is the rewrite filter: it reduces the input of a compaction (or of a
// flush, whose input is one memtable) to the entries some reader can still
// see. No other code decides what a rewrite drops.
//
// Snapshots cut each user key's history into stripes: stripe i holds the
// sequence numbers in (snapshots[i-1], snapshots[i]], and the top stripe
// those above the newest snapshot, which only the latest reads see. A
// reader at any sequence number sees, in each stripe, only the stripe's
// newest entry for the key, so Iter keeps exactly that entry per (user key,
// stripe) and drops the rest. A tombstone that is the newest entry of the
// oldest stripe is dropped too when elide(ukey) says no deeper level holds
// the key: the oldest snapshot then reads "absent" either way.
//
// The engine does not need to pass its last sequence number as an extra
// snapshot: the top stripe already stands for it (passing it is harmless).
//
// Concurrency: not safe for concurrent use. Iter does not own in: the
// caller closes it.
type Iter struct {
	in        iterator.Iterator
	snapshots []keys.SeqNum // ascending
	elide     func(ukey []byte) bool
	rangeDels rangedel.List // the input's range tombstones (SetRangeDels)
	rdIndex   int           // cursor into rangeDels: keys only ascend

	key   []byte // the current output key, owned by Iter
	value []byte // the input's current value (Iter has not moved in since)
	valid bool
	err   error

	ukey    []byte      // user key of the last input entry seen, owned
	lastSeq keys.SeqNum // its sequence number, to check the input's order
	stripe  int         // stripe of the newest entry of ukey handled so far
	hasUkey bool

	dropped, tombstonesDropped, rangeDropped int
}

// SetRangeDels gives the iterator the range tombstones of its input (all of
// them, fragmented): a point entry covered by a newer range tombstone of
// the same snapshot stripe is invisible to every reader and is dropped.
// Call before First.
func (it *Iter) SetRangeDels(l rangedel.List) { it.rangeDels = l }

// coveredInStripe reports whether a range tombstone newer than (ukey, seq)
// covers it with no snapshot between them. The nearest newer tombstone
// decides: any newer one is in the same stripe or above.
func (it *Iter) coveredInStripe(ukey []byte, seq keys.SeqNum) bool {
	l := it.rangeDels
	for it.rdIndex < len(l) && bytes.Compare(l[it.rdIndex].End, ukey) <= 0 {
		it.rdIndex++
	}
	if it.rdIndex == len(l) || bytes.Compare(l[it.rdIndex].Start, ukey) > 0 {
		return false
	}
	seqs := l[it.rdIndex].Seqs // descending
	i := sort.Search(len(seqs), func(i int) bool { return seqs[i] <= seq }) - 1
	return i >= 0 && it.stripeOf(seqs[i]) == it.stripeOf(seq)
}

// NewIter returns an Iter over in, which must yield internal keys in
// order. snapshots are the sequence numbers of live snapshots (NewIter
// sorts a copy). elide may be nil, meaning never elide; the engine passes
// Compaction.ElideTombstone.
func NewIter(in iterator.Iterator, snapshots []keys.SeqNum, elide func(ukey []byte) bool) *Iter {
	s := slices.Clone(snapshots)
	slices.Sort(s)
	if elide == nil {
		elide = func([]byte) bool { return false }
	}
	return &Iter{in: in, snapshots: s, elide: elide}
}

// First positions the iterator at the first output entry.
func (it *Iter) First() bool {
	it.hasUkey, it.dropped, it.tombstonesDropped, it.rangeDropped, it.err = false, 0, 0, 0, nil
	it.rdIndex = 0
	it.in.First()
	return it.findNext()
}

// Next moves to the next output entry. REQUIRES: Valid().
func (it *Iter) Next() bool {
	it.in.Next()
	return it.findNext()
}

// Valid reports whether the iterator is at an entry.
func (it *Iter) Valid() bool { return it.valid }

// Key returns the current internal key; valid until the next move.
func (it *Iter) Key() []byte { return it.key }

// Value returns the current value; valid until the next move.
func (it *Iter) Value() []byte { return it.value }

// Error returns the input's error, or an out-of-order or malformed input
// key. An iterator with an error is not Valid.
func (it *Iter) Error() error { return it.err }

// Stats returns how many input entries were dropped so far, and how many
// of those were tombstones dropped because elide said nothing lies below
// (tombstones shadowed by a newer entry in their stripe count only in
// dropped).
func (it *Iter) Stats() (dropped, tombstonesDropped int) {
	return it.dropped, it.tombstonesDropped
}

// RangeDropped returns how many point entries were dropped because a range
// tombstone covered them.
func (it *Iter) RangeDropped() int { return it.rangeDropped }

// stripeOf returns the index of the stripe holding seq: the first snapshot
// >= seq, or len(snapshots) for the top stripe.
func (it *Iter) stripeOf(seq keys.SeqNum) int {
	return sort.Search(len(it.snapshots), func(i int) bool { return it.snapshots[i] >= seq })
}

// findNext advances the input from its current entry to the next entry to
// output, dropping the ones no reader can see.
func (it *Iter) findNext() bool {
	it.valid = false
	for ; it.in.Valid(); it.in.Next() {
		ikey := it.in.Key()
		ukey, seq, kind, ok := keys.Decode(ikey)
		if !ok {
			it.err = fmt.Errorf("lsmkv/compaction: malformed internal key %x in input", ikey)
			return false
		}
		if !it.advanceUkey(ukey, seq) {
			return false
		}
		stripe := it.stripeOf(seq)
		if stripe == it.stripe {
			it.dropped++ // an older entry in a stripe whose newest we handled
			continue
		}
		if it.rangeDels != nil && it.coveredInStripe(ukey, seq) {
			// Older entries of ukey in this stripe are covered too; the
			// stripe's newest is handled.
			it.stripe = stripe
			it.dropped++
			it.rangeDropped++
			continue
		}
		it.stripe = stripe
		if kind == keys.KindDelete && stripe == 0 && it.elide(ukey) {
			it.dropped++
			it.tombstonesDropped++
			continue // older entries of ukey are in stripe 0 too: dropped above
		}
		it.key = append(it.key[:0], ikey...)
		it.value = it.in.Value()
		it.valid = true
		return true
	}
	it.err = it.in.Error()
	return false
}

// advanceUkey records the input entry (ukey, seq), resetting the stripe
// when a new user key starts. It fails if the input is out of order, which
// would silently break the newest-first reasoning above.
func (it *Iter) advanceUkey(ukey []byte, seq keys.SeqNum) bool {
	if it.hasUkey {
		switch c := bytes.Compare(ukey, it.ukey); {
		case c == 0 && seq < it.lastSeq:
			it.lastSeq = seq
			return true
		case c <= 0:
			it.err = fmt.Errorf("lsmkv/compaction: input out of order: %s after %q#%d",
				keys.String(it.in.Key()), it.ukey, it.lastSeq)
			return false
		}
	}
	it.ukey = append(it.ukey[:0], ukey...)
	it.lastSeq, it.stripe, it.hasUkey = seq, -1, true
	return true
}
