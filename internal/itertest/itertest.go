package itertest

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"

	"github.com/lsmkv/lsmkv/internal/iterator"
	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/internal/testseed"
)

// NewRand returns a seeded generator and logs the seed.
func NewRand(t testing.TB) *rand.Rand {
	return rand.New(rand.NewSource(int64(testseed.Seed(t))))
}

// UserKey is the i-th user key of the test key space. Keys sort like i.
func UserKey(i int) []byte { return []byte(fmt.Sprintf("k%03d", i)) }

// IKey builds an internal key.
func IKey(uk string, seq keys.SeqNum, kind keys.Kind) []byte {
	return keys.Make([]byte(uk), seq, kind)
}

// KVString formats a pair for failure messages.
func KVString(k, v []byte) string {
	if len(k) < keys.TrailerLen {
		return fmt.Sprintf("%q=%q", k, v)
	}
	return fmt.Sprintf("%s=%q", keys.String(k), v)
}

// RandomEntries returns n internal entries over user keys 0..nkeys-1 with
// distinct sequence numbers 1..n and random kinds, sorted. Each value names
// its sequence number.
func RandomEntries(rng *rand.Rand, n, nkeys int) []iterator.KV {
	kvs := make([]iterator.KV, n)
	for i, seq := range rng.Perm(n) {
		kind := keys.KindSet
		if rng.Intn(4) == 0 {
			kind = keys.KindDelete
		}
		kvs[i] = iterator.KV{
			Key:   keys.Make(UserKey(rng.Intn(nkeys)), keys.SeqNum(seq+1), kind),
			Value: []byte(fmt.Sprintf("v%d", seq+1)),
		}
	}
	SortKVs(kvs)
	return kvs
}

func SortKVs(kvs []iterator.KV) {
	sort.SliceStable(kvs, func(i, j int) bool { return keys.Compare(kvs[i].Key, kvs[j].Key) < 0 })
}

// RandomSeekKey returns an internal key near the test key space: existing
// or missing user keys, below and above every key, with any trailer.
func RandomSeekKey(rng *rand.Rand, nkeys, maxSeq int) []byte {
	uk := UserKey(rng.Intn(nkeys+2) - 1)
	if rng.Intn(4) == 0 {
		uk = append(uk, 'x') // between two keys of the space
	}
	return keys.Make(uk, keys.SeqNum(rng.Intn(maxSeq+2)), keys.Kind(rng.Intn(2)))
}

// Model is the reference for internal iterators: a sorted slice searched
// linearly, so it shares no code with the iterators under test.
type Model struct {
	KVs []iterator.KV
	Pos int
}

func (m *Model) Valid() bool { return m.Pos >= 0 && m.Pos < len(m.KVs) }

func (m *Model) SeekGE(k []byte) bool {
	for m.Pos = 0; m.Pos < len(m.KVs) && keys.Compare(m.KVs[m.Pos].Key, k) < 0; m.Pos++ {
	}
	return m.Valid()
}

func (m *Model) SeekLT(k []byte) bool {
	for m.Pos = len(m.KVs) - 1; m.Pos >= 0 && keys.Compare(m.KVs[m.Pos].Key, k) >= 0; m.Pos-- {
	}
	return m.Valid()
}

func (m *Model) Step(d int) bool {
	if !m.Valid() {
		return false
	}
	m.Pos += d
	return m.Valid()
}

// CheckOps applies nops random operations to it and to a Model over want,
// failing at the first difference. after, if not nil, is called after each
// operation for extra checks.
func CheckOps(t *testing.T, rng *rand.Rand, it iterator.Iterator, want []iterator.KV, nops, nkeys int, after func(op string)) {
	t.Helper()
	m := &Model{KVs: want, Pos: -1}
	var history []string
	for i := 0; i < nops; i++ {
		var op string
		var got, exp bool
		switch r := rng.Intn(10); {
		case r < 3:
			op, got, exp = "Next", it.Next(), m.Step(1)
		case r < 6:
			op, got, exp = "Prev", it.Prev(), m.Step(-1)
		case r < 7:
			k := RandomSeekKey(rng, nkeys, len(want))
			op, got, exp = "SeekGE "+keys.String(k), it.SeekGE(k), m.SeekGE(k)
		case r < 8:
			k := RandomSeekKey(rng, nkeys, len(want))
			op, got, exp = "SeekLT "+keys.String(k), it.SeekLT(k), m.SeekLT(k)
		case r < 9:
			m.Pos = 0
			op, got, exp = "First", it.First(), m.Valid()
		default:
			m.Pos = len(want) - 1
			op, got, exp = "Last", it.Last(), m.Valid()
		}
		history = append(history, op)
		if len(history) > 12 {
			history = history[1:]
		}
		var wk, wv []byte
		if exp {
			wk, wv = m.KVs[m.Pos].Key, m.KVs[m.Pos].Value
		}
		if got != exp || it.Valid() != exp || !bytes.Equal(it.Key(), wk) || !bytes.Equal(it.Value(), wv) {
			t.Fatalf("op %d: after %s\ngot  valid=%v %s\nwant valid=%v %s", i,
				strings.Join(history, ", "), got, KVString(it.Key(), it.Value()), exp, KVString(wk, wv))
		}
		if err := it.Error(); err != nil {
			t.Fatalf("op %d %s: unexpected error %v", i, op, err)
		}
		if after != nil {
			after(op)
		}
	}
}

var ErrInjected = errors.New("injected error")

// FailingIter wraps an iterator.Iterator and, once failAt positioning calls have
// been made, fails: it becomes invalid and reports ErrInjected. closeErr is
// returned by Close.
type FailingIter struct {
	iterator.Iterator
	Calls, FailAt int
	Err, CloseErr error
}

func (f *FailingIter) move(ok bool) bool {
	f.Calls++
	if f.Calls >= f.FailAt {
		f.Err = ErrInjected
	}
	return ok && f.Err == nil
}

func (f *FailingIter) SeekGE(k []byte) bool { return f.move(f.Iterator.SeekGE(k)) }
func (f *FailingIter) SeekLT(k []byte) bool { return f.move(f.Iterator.SeekLT(k)) }
func (f *FailingIter) First() bool          { return f.move(f.Iterator.First()) }
func (f *FailingIter) Last() bool           { return f.move(f.Iterator.Last()) }
func (f *FailingIter) Next() bool           { return f.move(f.Valid() && f.Iterator.Next()) }
func (f *FailingIter) Prev() bool           { return f.move(f.Valid() && f.Iterator.Prev()) }
func (f *FailingIter) Valid() bool          { return f.Err == nil && f.Iterator.Valid() }
func (f *FailingIter) Error() error         { return f.Err }
func (f *FailingIter) Close() error {
	f.Iterator.Close()
	return f.CloseErr
}

// SplitRandomly deals kvs out to k sorted children at random.
func SplitRandomly(rng *rand.Rand, kvs []iterator.KV, k int) [][]iterator.KV {
	children := make([][]iterator.KV, k)
	for _, kv := range kvs {
		i := rng.Intn(k)
		children[i] = append(children[i], kv)
	}
	return children
}

// Slices returns one Slice iterator per child.
func Slices(children [][]iterator.KV) []iterator.Iterator {
	iters := make([]iterator.Iterator, len(children))
	for i, c := range children {
		iters[i] = iterator.NewSlice(c)
	}
	return iters
}
