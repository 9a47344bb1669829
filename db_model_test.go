package lsmkv

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/lsmkv/lsmkv/vfs"
)

// model is the expected state: a map, plus frozen copies for snapshots.
type model map[string]string

func (m model) clone() model {
	c := make(model, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// sortedRange returns the model's keys in [lo, hi) in order.
func (m model) sortedRange(lo, hi []byte) []string {
	var out []string
	for k := range m {
		if (lo == nil || k >= string(lo)) && (hi == nil || k < string(hi)) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

type modelSnap struct {
	snap  *Snapshot
	state model
}

// modelRun drives random operations against a DB and the model.
type modelRun struct {
	t     *testing.T
	rng   *rand.Rand
	fs    *vfs.MemFS
	opts  *Options
	db    *DB
	m     model
	snaps []modelSnap
}

func (r *modelRun) key() []byte {
	// A small key space so that overwrites and deletes hit existing keys.
	return []byte(fmt.Sprintf("key%05d", r.rng.IntN(2000)))
}

func (r *modelRun) value() []byte {
	n := r.rng.IntN(64)
	if r.rng.IntN(50) == 0 {
		n = r.rng.IntN(4000) // now and then a value bigger than a block
	}
	v := make([]byte, n)
	for i := range v {
		v[i] = byte('a' + r.rng.IntN(26))
	}
	return v
}

func (r *modelRun) fatalf(format string, args ...any) {
	r.t.Helper()
	r.t.Fatalf(format, args...)
}

func (r *modelRun) step() {
	switch op := r.rng.IntN(100); {
	case op < 40:
		k, v := r.key(), r.value()
		r.must(r.db.Put(k, v), "Put")
		r.m[string(k)] = string(v)
	case op < 48:
		k := r.key()
		r.must(r.db.Delete(k), "Delete")
		delete(r.m, string(k))
	case op < 50:
		lo, hi := r.rangeToDelete()
		r.must(r.db.DeleteRange(lo, hi), "DeleteRange")
		r.m.deleteRange(lo, hi)
	case op < 58:
		r.batch()
	case op < 80:
		r.checkGet(r.db.Get, r.m, r.key())
	case op < 88:
		r.checkIter(nil, r.m)
	case op < 91:
		r.snapshotOp()
	case op < 93:
		r.must(r.db.Flush(), "Flush")
	case op < 94:
		lo, hi := r.bounds()
		r.must(r.db.Compact(lo, hi), "Compact")
	case op < 95:
		r.reopen()
	default:
		r.checkMetrics()
	}
}

func (r *modelRun) must(err error, what string) {
	r.t.Helper()
	if err != nil {
		r.fatalf("%s: %v", what, err)
	}
}

func (r *modelRun) batch() {
	var b Batch
	pending := map[string]*string{}
	for i := r.rng.IntN(20); i >= 0; i-- {
		k := r.key()
		switch r.rng.IntN(12) {
		case 0, 1, 2:
			b.Delete(k)
			pending[string(k)] = nil
			continue
		case 3:
			lo, hi := r.rangeToDelete()
			b.DeleteRange(lo, hi)
			for pk := range pending { // later writes in the batch win; earlier ones die
				if pk >= string(lo) && pk < string(hi) {
					pending[pk] = nil
				}
			}
			r.m.deleteRange(lo, hi)
			continue
		default:
		}
		v := string(r.value())
		b.Put(k, []byte(v))
		pending[string(k)] = &v
	}
	r.must(r.db.Write(&b, &WriteOptions{Sync: r.rng.IntN(10) == 0}), "Write")
	for k, v := range pending {
		if v == nil {
			delete(r.m, k)
		} else {
			r.m[k] = *v
		}
	}
}

func (r *modelRun) checkGet(get func([]byte) ([]byte, error), m model, k []byte) {
	r.t.Helper()
	got, err := get(k)
	want, ok := m[string(k)]
	switch {
	case !ok && !errors.Is(err, ErrNotFound):
		r.fatalf("Get(%s) = %q, %v; want ErrNotFound", k, got, err)
	case ok && err != nil:
		r.fatalf("Get(%s): %v; want %q", k, err, want)
	case ok && string(got) != want:
		r.fatalf("Get(%s) = %q; want %q", k, got, want)
	}
}

// rangeToDelete returns a random non-empty range [lo, hi): mostly a few
// keys wide, sometimes wide or empty of keys.
func (r *modelRun) rangeToDelete() (lo, hi []byte) {
	for {
		lo, hi = r.key(), r.key()
		if c := bytes.Compare(lo, hi); c < 0 {
			return lo, hi
		} else if c > 0 {
			return hi, lo
		}
	}
}

// deleteRange removes the keys in [lo, hi) from the model.
func (m model) deleteRange(lo, hi []byte) {
	for k := range m {
		if k >= string(lo) && k < string(hi) {
			delete(m, k)
		}
	}
}

func (r *modelRun) bounds() (lo, hi []byte) {
	if r.rng.IntN(3) > 0 {
		lo = r.key()
	}
	if r.rng.IntN(3) > 0 {
		hi = r.key()
	}
	if lo != nil && hi != nil && bytes.Compare(lo, hi) > 0 {
		lo, hi = hi, lo
	}
	return lo, hi
}

// checkIter compares a random walk of an iterator with the model.
func (r *modelRun) checkIter(snap *Snapshot, m model) {
	r.t.Helper()
	lo, hi := r.bounds()
	it, err := r.db.NewIterator(&IterOptions{LowerBound: lo, UpperBound: hi, Snapshot: snap})
	r.must(err, "NewIterator")
	defer func() { r.must(it.Close(), "Iterator.Close") }()
	want := m.sortedRange(lo, hi)
	pos := -1 // index into want; -1 or len(want) when not valid
	for i := 0; i < 30; i++ {
		var ok bool
		switch r.rng.IntN(6) {
		case 0:
			ok, pos = it.First(), 0
		case 1:
			ok, pos = it.Last(), len(want)-1
		case 2:
			k := r.key()
			ok, pos = it.SeekGE(k), sort.SearchStrings(want, string(k))
		case 3:
			k := r.key()
			ok, pos = it.SeekLT(k), sort.SearchStrings(want, string(k))-1
		default:
			if pos < 0 || pos >= len(want) {
				continue // Next/Prev on an invalid iterator: unspecified
			}
			if r.rng.IntN(2) == 0 {
				ok, pos = it.Next(), pos+1
			} else {
				ok, pos = it.Prev(), pos-1
			}
		}
		r.checkIterPos(it, ok, want, pos, m)
		if !ok {
			pos = -1
		}
	}
}

func (r *modelRun) checkIterPos(it *Iterator, ok bool, want []string, pos int, m model) {
	r.t.Helper()
	r.must(it.Error(), "Iterator.Error")
	wantOK := pos >= 0 && pos < len(want)
	if ok != wantOK || it.Valid() != ok {
		r.fatalf("iterator valid=%v (Valid()=%v), want %v (pos %d of %d)", ok, it.Valid(), wantOK, pos, len(want))
	}
	if ok && (string(it.Key()) != want[pos] || string(it.Value()) != m[want[pos]]) {
		r.fatalf("iterator at %q=%q, want %q=%q", it.Key(), it.Value(), want[pos], m[want[pos]])
	}
}

func (r *modelRun) snapshotOp() {
	if len(r.snaps) > 0 && r.rng.IntN(2) == 0 {
		i := r.rng.IntN(len(r.snaps))
		s := r.snaps[i]
		for j := 0; j < 5; j++ {
			r.checkGet(s.snap.Get, s.state, r.key())
		}
		r.checkIter(s.snap, s.state)
		if r.rng.IntN(2) == 0 {
			r.must(s.snap.Close(), "Snapshot.Close")
			r.snaps = append(r.snaps[:i], r.snaps[i+1:]...)
		}
		return
	}
	if len(r.snaps) < 4 {
		r.snaps = append(r.snaps, modelSnap{r.db.NewSnapshot(), r.m.clone()})
	}
}

func (r *modelRun) reopen() {
	for _, s := range r.snaps {
		r.must(s.snap.Close(), "Snapshot.Close")
	}
	r.snaps = nil
	r.must(r.db.Close(), "Close")
	db, err := Open("db", r.opts)
	r.must(err, "reopen")
	r.db = db
}

func (r *modelRun) checkMetrics() {
	m := r.db.Metrics()
	if m.String() == "" || len(m.Levels) != 7 {
		r.fatalf("bad metrics: %+v", m)
	}
}

// checkAll compares every key, forwards and backwards.
func (r *modelRun) checkAll() {
	want := r.m.sortedRange(nil, nil)
	it, err := r.db.NewIterator(nil)
	r.must(err, "NewIterator")
	defer it.Close()
	i := 0
	for ok := it.First(); ok; ok = it.Next() {
		if i >= len(want) || string(it.Key()) != want[i] || string(it.Value()) != r.m[want[i]] {
			r.fatalf("full scan at %d: got %q", i, it.Key())
		}
		i++
	}
	r.must(it.Error(), "scan")
	if i != len(want) {
		r.fatalf("full scan saw %d keys, want %d", i, len(want))
	}
	for ok := it.Last(); ok; ok = it.Prev() {
		i--
		if string(it.Key()) != want[i] {
			r.fatalf("reverse scan at %d: got %q want %q", i, it.Key(), want[i])
		}
	}
}

func TestRandomizedAgainstModel(t *testing.T) {
	variants := []struct {
		name string
		mod  func(*Options)
	}{
		{"default", func(*Options) {}},
		{"no-compression", func(o *Options) { o.Compression = NoCompression }},
		{"no-filters", func(o *Options) { o.BloomBitsPerKey = -1 }},
		{"tiered", func(o *Options) { o.Compaction = TieredCompaction }},
		{"sync", func(o *Options) { o.Sync = true }},
	}
	steps := 3000
	if testing.Short() {
		steps = 600
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			seed := testSeed(t)
			fs := vfs.NewMem()
			opts := tinyOptions(fs)
			v.mod(opts)
			db, err := Open("db", opts)
			if err != nil {
				t.Fatal(err)
			}
			r := &modelRun{t: t, rng: rand.New(rand.NewPCG(seed, 0)), fs: fs, opts: opts, db: db, m: model{}}
			for i := 0; i < steps; i++ {
				r.step()
			}
			r.checkAll()
			r.reopen()
			r.checkAll()
			if err := r.db.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}
