package lsmkv

import (
	"cmp"
	"iter"
)

// Scan is a range of the DB, or of a snapshot, to loop over with Go's
// range-over-func:
//
//	s := db.Scan(&lsmkv.IterOptions{LowerBound: lo, UpperBound: hi})
//	for key, value := range s.All() {
//		fmt.Printf("%s=%s\n", key, value)
//		if done {
//			break // releases the iterator
//		}
//	}
//	if err := s.Err(); err != nil {
//		return err
//	}
//
// Each loop over All (ascending) or Backward (descending) opens its own
// Iterator when it starts and closes it when it ends, however it ends:
// when the range runs out, at a break or return in the body, or when the
// body panics. Nothing is left to Close, so a loop cannot leak an iterator.
//
// key and value are valid only for the step that yields them: they alias
// the engine's buffers and blocks, and the next step may reuse them.
// Copy what you keep (bytes.Clone). Their capacity is their length, so
// appending to one copies it and cannot write into the engine's memory.
//
// Why this shape. The alternatives were a function returning the sequence
// and an error func, `Range(lo, hi) (iter.Seq2[K, V], func() error)`, and
// a sequence of (item, error) pairs, `iter.Seq2[KV, error]`. The first
// returns two things to name at every call site and makes the error
// function easy to drop; the second makes every loop body check an error
// that can only occur once, at the end, and gives up the (key, value)
// pair. Scan keeps the loop a plain `for k, v := range`, and its Err
// follows bufio.Scanner, which Go programmers already know: check it after
// the loop.
//
// Concurrency: a Scan may be looped over again, but not by two goroutines
// at once (Err belongs to the last loop).
type Scan struct {
	db   *DB
	opts IterOptions
	err  error
}

// Scan returns a Scan over opts' range and snapshot (nil: the whole DB, as
// it is when each loop starts).
func (db *DB) Scan(opts *IterOptions) *Scan {
	s := &Scan{db: db}
	if opts != nil {
		s.opts = *opts
	}
	return s
}

// Scan returns a Scan of the snapshot over opts' range (opts.Snapshot is
// ignored).
func (s *Snapshot) Scan(opts *IterOptions) *Scan {
	sc := s.db.Scan(opts)
	sc.opts.Snapshot = s
	return sc
}

// All yields the range's keys and values in ascending key order.
func (s *Scan) All() iter.Seq2[[]byte, []byte] {
	return func(yield func(key, value []byte) bool) { s.loop(yield, false) }
}

// Backward yields the range's keys and values in descending key order.
func (s *Scan) Backward() iter.Seq2[[]byte, []byte] {
	return func(yield func(key, value []byte) bool) { s.loop(yield, true) }
}

// Err returns the error that ended the last loop early, if any: the
// iterator could not be created (ErrClosed, ErrInvalidArgument), or a
// read failed (ErrCorruption, an I/O error). A loop the body ended with
// break is not an error.
func (s *Scan) Err() error { return s.err }

func (s *Scan) loop(yield func(key, value []byte) bool, backward bool) {
	s.err = nil
	it, err := s.db.NewIterator(&s.opts)
	if err != nil {
		s.err = err
		return
	}
	defer func() { s.err = cmp.Or(it.Error(), it.Close()) }()
	first, next := it.First, it.Next
	if backward {
		first, next = it.Last, it.Prev
	}
	for ok := first(); ok; ok = next() {
		if !yield(it.Key(), it.Value()) {
			return
		}
	}
}
