package lsmkv

import (
	"bytes"
	"fmt"

	"github.com/lsmkv/lsmkv/internal/corruption"
	"github.com/lsmkv/lsmkv/internal/iterator"
	"github.com/lsmkv/lsmkv/internal/keys"
)

// dbIterOptions says what a dbIter iterator shows.
type dbIterOptions struct {
	Seq        keys.SeqNum // read at this snapshot: entries with seq > Seq are invisible
	LowerBound []byte      // user keys >= LowerBound (nil: unbounded)
	UpperBound []byte      // user keys <  UpperBound (nil: unbounded)
	// RangeDels and Merging: the range tombstones of in's children, and in
	// itself as the Merging those children make up, which the iterator
	// repositions to step over a tombstone's span in one move. Nil when no
	// child has range tombstones.
	RangeDels *rangeDels
	Merging   *iterator.Merging
}

// dbIter turns an internal iterator (the merge of memtables and tables)
// into what a user sees at one snapshot: each live user key once, with its
// newest value whose seq <= Seq, within the bounds. This is the logic
// behind the public lsmkv.Iterator; it follows LevelDB's DBIter.
//
// Invariants, while Valid:
//   - forward: in is at the newest visible entry of the current user key, a
//     Set; Key and Value are read from in.
//   - backward: in is at the last entry before every entry of the current
//     user key (or exhausted); Key and Value are copies in savedKey and
//     savedValue, because to find the newest version of a key while moving
//     backward one must step over it to the older key before.
//
// Concurrency: not safe for concurrent use.
type dbIter struct {
	in         iterator.Iterator
	opts       dbIterOptions
	dir        direction
	valid      bool
	err        error  // a malformed internal key; once set, stays
	savedKey   []byte // user key: the current one (backward) or the one to skip (forward)
	savedValue []byte // the current value (backward)
	seekKey    []byte // reused buffer for internal seek keys
}

// newDBIter returns a dbIter over in, which it owns: Close closes in.
// The bounds in opts are not copied; the caller must not modify them.
func newDBIter(in iterator.Iterator, opts dbIterOptions) *dbIter {
	return &dbIter{in: in, opts: opts}
}

// SeekGE moves to the first visible user key >= ukey, or >= LowerBound if
// ukey is below it.
func (v *dbIter) SeekGE(ukey []byte) bool {
	if lo := v.opts.LowerBound; lo != nil && bytes.Compare(ukey, lo) < 0 {
		ukey = lo
	}
	v.dir = forward
	// Versions of ukey newer than Seq sort before this seek key: skip them.
	v.seekKey = keys.AppendSeekKey(v.seekKey[:0], ukey, v.opts.Seq)
	v.in.SeekGE(v.seekKey)
	return v.findNext(false)
}

// SeekLT moves to the last visible user key < ukey, or < UpperBound if ukey
// is above it.
func (v *dbIter) SeekLT(ukey []byte) bool {
	if hi := v.opts.UpperBound; hi != nil && bytes.Compare(ukey, hi) > 0 {
		ukey = hi
	}
	v.dir = backward
	// The smallest internal key of ukey: everything before it has a smaller
	// user key.
	v.seekKey = keys.AppendSeekKey(v.seekKey[:0], ukey, keys.MaxSeqNum)
	v.in.SeekLT(v.seekKey)
	return v.findPrev()
}

// First moves to the first visible user key (>= LowerBound).
func (v *dbIter) First() bool {
	if v.opts.LowerBound != nil {
		return v.SeekGE(v.opts.LowerBound)
	}
	v.dir = forward
	v.in.First()
	return v.findNext(false)
}

// Last moves to the last visible user key (< UpperBound).
func (v *dbIter) Last() bool {
	if v.opts.UpperBound != nil {
		return v.SeekLT(v.opts.UpperBound)
	}
	v.dir = backward
	v.in.Last()
	return v.findPrev()
}

// Next moves to the next visible user key. On an invalid iterator it
// returns false.
func (v *dbIter) Next() bool {
	if !v.Valid() {
		return false
	}
	if v.dir == backward {
		// savedKey holds the current key. Go back to its first entry and
		// let findNext skip all of its versions.
		v.dir = forward
		v.seekKey = keys.AppendSeekKey(v.seekKey[:0], v.savedKey, keys.MaxSeqNum)
		v.in.SeekGE(v.seekKey)
		return v.findNext(true)
	}
	v.savedKey = append(v.savedKey[:0], keys.UserKey(v.in.Key())...)
	v.in.Next()
	return v.findNext(true)
}

// Prev moves to the previous visible user key. On an invalid iterator it
// returns false.
func (v *dbIter) Prev() bool {
	if !v.Valid() {
		return false
	}
	if v.dir == forward {
		// Move the input back to just before the current key's entries,
		// the starting point findPrev expects.
		v.dir = backward
		v.seekKey = keys.AppendSeekKey(v.seekKey[:0], keys.UserKey(v.in.Key()), keys.MaxSeqNum)
		v.in.SeekLT(v.seekKey)
	}
	return v.findPrev()
}

// findNext moves the input forward to the newest visible Set of a user key whose
// newest visible entry is not a tombstone. If skipping, entries whose user
// key is <= savedKey are passed over: they belong to keys already shown or
// deleted.
func (v *dbIter) findNext(skipping bool) bool {
	v.valid = false
	for v.in.Valid() {
		ukey, seq, kind, ok := v.decode()
		if !ok {
			return false
		}
		if hi := v.opts.UpperBound; hi != nil && bytes.Compare(ukey, hi) >= 0 {
			return false
		}
		if seq > v.opts.Seq || (skipping && bytes.Compare(ukey, v.savedKey) <= 0) {
			v.in.Next()
			continue
		}
		deleted, from, end := v.rangeDeletedForward(ukey, seq)
		if v.err != nil {
			return false
		}
		if kind == keys.KindDelete || deleted {
			// Hide the older versions of this key too.
			v.savedKey = append(v.savedKey[:0], ukey...)
			skipping = true
			if end != nil {
				// ukey aliases the input: saved above, before it moves.
				v.seekKey = keys.AppendSeekKey(v.seekKey[:0], end, keys.MaxSeqNum)
				v.opts.Merging.SkipForward(from, v.seekKey)
			} else {
				v.in.Next()
			}
			continue
		}
		v.valid = true
		return v.Valid()
	}
	return false
}

// rangeDeletedForward reports whether a range tombstone deletes the current
// entry (ukey, seq). If the tombstone belongs to a newer source than the
// entry's, every entry of the sources after it (from) is deleted up to the
// tombstone fragment's end, which it returns so the caller can skip there
// in one move; end is nil otherwise.
func (v *dbIter) rangeDeletedForward(ukey []byte, seq keys.SeqNum) (deleted bool, from int, end []byte) {
	rd := v.opts.RangeDels
	if rd == nil {
		return false, 0, nil
	}
	cur := v.opts.Merging.Current()
	deleted, from, end, err := rd.covering(ukey, seq, cur)
	if err != nil {
		v.err = err
		return false, 0, nil
	}
	if !deleted || from == cur {
		return deleted, 0, nil
	}
	return true, from, end
}

// findPrev moves the input backward over the entries of the previous user key,
// keeping a copy of the newest visible one, and stops on the entry before
// them. Keys whose newest visible entry is a tombstone (point or range) are
// passed over.
func (v *dbIter) findPrev() bool {
	v.valid = false
	found := false // savedKey and savedValue hold a visible Set
	for v.in.Valid() {
		ukey, seq, kind, ok := v.decode()
		if !ok {
			return false
		}
		if lo := v.opts.LowerBound; lo != nil && bytes.Compare(ukey, lo) < 0 {
			break
		}
		if seq > v.opts.Seq {
			v.in.Prev()
			continue
		}
		if found && bytes.Compare(ukey, v.savedKey) < 0 {
			// An older user key: the one saved is complete.
			break
		}
		deleted, skipped := v.rangeDeletedBackward(ukey, seq)
		if v.err != nil {
			return false
		}
		// A newer version of the saved key, or of a key after a tombstone.
		found = kind != keys.KindDelete && !deleted
		if found {
			v.savedKey = append(v.savedKey[:0], ukey...)
			v.savedValue = append(v.savedValue[:0], v.in.Value()...)
		}
		if !skipped {
			v.in.Prev()
		}
	}
	v.valid = found && v.in.Error() == nil
	return v.Valid()
}

// rangeDeletedBackward is rangeDeletedForward for backward moves: the
// older sources skip to before the tombstone's span. The entry itself
// counts as visited (the caller does not step over it again).
func (v *dbIter) rangeDeletedBackward(ukey []byte, seq keys.SeqNum) (deleted, skipped bool) {
	rd := v.opts.RangeDels
	if rd == nil {
		return false, false
	}
	cur := v.opts.Merging.Current()
	deleted, from, _, err := rd.covering(ukey, seq, cur)
	if err != nil {
		v.err = err
		return false, false
	}
	if !deleted || from == cur {
		return deleted, false
	}
	f, _ := rd.sources[from].fragment(ukey) // found just now: no error
	v.seekKey = keys.AppendSeekKey(v.seekKey[:0], f.Start, keys.MaxSeqNum)
	v.opts.Merging.SkipBackward(from, v.seekKey)
	return true, true
}

// decode splits in's current key, recording a corruption error if it is
// too short to be an internal key.
func (v *dbIter) decode() (ukey []byte, seq keys.SeqNum, kind keys.Kind, ok bool) {
	ikey := v.in.Key()
	ukey, seq, kind, ok = keys.Decode(ikey)
	if !ok && v.err == nil {
		v.err = fmt.Errorf("lsmkv/iterator: %w",
			corruption.Errorf("internal iterator", -1, "internal key %x shorter than its %d-byte trailer", ikey, keys.TrailerLen))
	}
	return ukey, seq, kind, ok
}

// Valid reports whether the iterator is positioned at a visible key.
func (v *dbIter) Valid() bool { return v.valid && v.err == nil }

// Key returns the current user key, valid until the next move, or nil if
// not Valid.
func (v *dbIter) Key() []byte {
	switch {
	case !v.Valid():
		return nil
	case v.dir == backward:
		return v.savedKey
	}
	return keys.UserKey(v.in.Key())
}

// Value returns the current value, valid until the next move, or nil if not
// Valid.
func (v *dbIter) Value() []byte {
	switch {
	case !v.Valid():
		return nil
	case v.dir == backward:
		return v.savedValue
	}
	return v.in.Value()
}

// Error returns the first error met: a malformed key or in's error.
func (v *dbIter) Error() error {
	if v.err != nil {
		return v.err
	}
	return v.in.Error()
}

// Close closes the underlying iterator and returns the first error met.
func (v *dbIter) Close() error {
	err := v.in.Close()
	if v.err != nil {
		return v.err
	}
	return err
}

// direction records which way a dbIter last moved; it keeps different
// invariants for each (see dbIter).
type direction int8

const (
	forward direction = iota
	backward
)
