package iterator

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/lsmkv/lsmkv/internal/testseed"
	"math/rand"
	"sort"
	"strings"
	"testing"

	"github.com/lsmkv/lsmkv/internal/keys"
)

// newRand returns a seeded generator and logs the seed.
func newRand(t testing.TB) *rand.Rand {
	return rand.New(rand.NewSource(int64(testseed.Seed(t))))
}

// ukey is the i-th user key of the test key space. Keys sort like i.
func ukey(i int) []byte { return []byte(fmt.Sprintf("k%03d", i)) }

// ikey builds an internal key.
func ikey(uk string, seq keys.SeqNum, kind keys.Kind) []byte {
	return keys.Make([]byte(uk), seq, kind)
}

// kvString formats a pair for failure messages.
func kvString(k, v []byte) string {
	if len(k) < keys.TrailerLen {
		return fmt.Sprintf("%q=%q", k, v)
	}
	return fmt.Sprintf("%s=%q", keys.String(k), v)
}

// randomEntries returns n internal entries over user keys 0..nkeys-1 with
// distinct sequence numbers 1..n and random kinds, sorted. Each value names
// its sequence number.
func randomEntries(rng *rand.Rand, n, nkeys int) []KV {
	kvs := make([]KV, n)
	for i, seq := range rng.Perm(n) {
		kind := keys.KindSet
		if rng.Intn(4) == 0 {
			kind = keys.KindDelete
		}
		kvs[i] = KV{
			Key:   keys.Make(ukey(rng.Intn(nkeys)), keys.SeqNum(seq+1), kind),
			Value: []byte(fmt.Sprintf("v%d", seq+1)),
		}
	}
	sortKVs(kvs)
	return kvs
}

func sortKVs(kvs []KV) {
	sort.SliceStable(kvs, func(i, j int) bool { return keys.Compare(kvs[i].Key, kvs[j].Key) < 0 })
}

// randomSeekKey returns an internal key near the test key space: existing
// or missing user keys, below and above every key, with any trailer.
func randomSeekKey(rng *rand.Rand, nkeys, maxSeq int) []byte {
	uk := ukey(rng.Intn(nkeys+2) - 1)
	if rng.Intn(4) == 0 {
		uk = append(uk, 'x') // between two keys of the space
	}
	return keys.Make(uk, keys.SeqNum(rng.Intn(maxSeq+2)), keys.Kind(rng.Intn(2)))
}

// model is the reference for internal iterators: a sorted slice searched
// linearly, so it shares no code with the iterators under test.
type model struct {
	kvs []KV
	pos int
}

func (m *model) valid() bool { return m.pos >= 0 && m.pos < len(m.kvs) }

func (m *model) seekGE(k []byte) bool {
	for m.pos = 0; m.pos < len(m.kvs) && keys.Compare(m.kvs[m.pos].Key, k) < 0; m.pos++ {
	}
	return m.valid()
}

func (m *model) seekLT(k []byte) bool {
	for m.pos = len(m.kvs) - 1; m.pos >= 0 && keys.Compare(m.kvs[m.pos].Key, k) >= 0; m.pos-- {
	}
	return m.valid()
}

func (m *model) step(d int) bool {
	if !m.valid() {
		return false
	}
	m.pos += d
	return m.valid()
}

// checkOps applies nops random operations to it and to a model over want,
// failing at the first difference. after, if not nil, is called after each
// operation for extra checks.
func checkOps(t *testing.T, rng *rand.Rand, it Iterator, want []KV, nops, nkeys int, after func(op string)) {
	t.Helper()
	m := &model{kvs: want, pos: -1}
	var history []string
	for i := 0; i < nops; i++ {
		var op string
		var got, exp bool
		switch r := rng.Intn(10); {
		case r < 3:
			op, got, exp = "Next", it.Next(), m.step(1)
		case r < 6:
			op, got, exp = "Prev", it.Prev(), m.step(-1)
		case r < 7:
			k := randomSeekKey(rng, nkeys, len(want))
			op, got, exp = "SeekGE "+keys.String(k), it.SeekGE(k), m.seekGE(k)
		case r < 8:
			k := randomSeekKey(rng, nkeys, len(want))
			op, got, exp = "SeekLT "+keys.String(k), it.SeekLT(k), m.seekLT(k)
		case r < 9:
			m.pos = 0
			op, got, exp = "First", it.First(), m.valid()
		default:
			m.pos = len(want) - 1
			op, got, exp = "Last", it.Last(), m.valid()
		}
		history = append(history, op)
		if len(history) > 12 {
			history = history[1:]
		}
		var wk, wv []byte
		if exp {
			wk, wv = m.kvs[m.pos].Key, m.kvs[m.pos].Value
		}
		if got != exp || it.Valid() != exp || !bytes.Equal(it.Key(), wk) || !bytes.Equal(it.Value(), wv) {
			t.Fatalf("op %d: after %s\ngot  valid=%v %s\nwant valid=%v %s", i,
				strings.Join(history, ", "), got, kvString(it.Key(), it.Value()), exp, kvString(wk, wv))
		}
		if err := it.Error(); err != nil {
			t.Fatalf("op %d %s: unexpected error %v", i, op, err)
		}
		if after != nil {
			after(op)
		}
	}
}

var errInjected = errors.New("injected error")

// failingIter wraps an Iterator and, once failAt positioning calls have
// been made, fails: it becomes invalid and reports errInjected. closeErr is
// returned by Close.
type failingIter struct {
	Iterator
	calls, failAt int
	err, closeErr error
}

func (f *failingIter) move(ok bool) bool {
	f.calls++
	if f.calls >= f.failAt {
		f.err = errInjected
	}
	return ok && f.err == nil
}

func (f *failingIter) SeekGE(k []byte) bool { return f.move(f.Iterator.SeekGE(k)) }
func (f *failingIter) SeekLT(k []byte) bool { return f.move(f.Iterator.SeekLT(k)) }
func (f *failingIter) First() bool          { return f.move(f.Iterator.First()) }
func (f *failingIter) Last() bool           { return f.move(f.Iterator.Last()) }
func (f *failingIter) Next() bool           { return f.move(f.Valid() && f.Iterator.Next()) }
func (f *failingIter) Prev() bool           { return f.move(f.Valid() && f.Iterator.Prev()) }
func (f *failingIter) Valid() bool          { return f.err == nil && f.Iterator.Valid() }
func (f *failingIter) Error() error         { return f.err }
func (f *failingIter) Close() error {
	f.Iterator.Close()
	return f.closeErr
}
