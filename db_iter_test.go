package lsmkv

import (
	"bytes"
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lsmkv/lsmkv/internal/corruption"
	"github.com/lsmkv/lsmkv/internal/iterator"
	"github.com/lsmkv/lsmkv/internal/itertest"
	"github.com/lsmkv/lsmkv/internal/keys"
)

// scan collects "key=value" for every position reached by moving with step
// from start.
func scan(v *dbIter, start, step func() bool) string {
	var out []string
	for ok := start(); ok; ok = step() {
		out = append(out, fmt.Sprintf("%s=%s", v.Key(), v.Value()))
	}
	return strings.Join(out, " ")
}

func TestDBIterScans(t *testing.T) {
	// a: set@2, overwritten @5; b: set@3, deleted @6, set again @8;
	// c: deleted @4; d: set @7; e: set @1, deleted @9.
	kvs := []iterator.KV{
		{Key: itertest.IKey("a", 5, keys.KindSet), Value: []byte("a5")},
		{Key: itertest.IKey("a", 2, keys.KindSet), Value: []byte("a2")},
		{Key: itertest.IKey("b", 8, keys.KindSet), Value: []byte("b8")},
		{Key: itertest.IKey("b", 6, keys.KindDelete)},
		{Key: itertest.IKey("b", 3, keys.KindSet), Value: []byte("b3")},
		{Key: itertest.IKey("c", 4, keys.KindDelete)},
		{Key: itertest.IKey("d", 7, keys.KindSet), Value: []byte("d7")},
		{Key: itertest.IKey("e", 9, keys.KindDelete)},
		{Key: itertest.IKey("e", 1, keys.KindSet), Value: []byte("e1")},
	}
	tests := []struct {
		seq    keys.SeqNum
		lo, hi string // "" means nil
		want   string // forward scan; the backward scan must be its reverse
	}{
		{9, "", "", "a=a5 b=b8 d=d7"},
		{8, "", "", "a=a5 b=b8 d=d7 e=e1"},
		{7, "", "", "a=a5 d=d7 e=e1"},
		{5, "", "", "a=a5 b=b3 e=e1"},
		{2, "", "", "a=a2 e=e1"},
		{0, "", "", ""},
		{keys.MaxSeqNum, "b", "e", "b=b8 d=d7"},
		{8, "a0", "e", "b=b8 d=d7"},
		{8, "", "b", "a=a5"},
		{8, "c", "", "d=d7 e=e1"},
		{8, "e", "e", ""},
		{8, "d", "b", ""},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("seq=%d,lo=%q,hi=%q", tt.seq, tt.lo, tt.hi)
		t.Run(name, func(t *testing.T) {
			opts := dbIterOptions{Seq: tt.seq}
			if tt.lo != "" {
				opts.LowerBound = []byte(tt.lo)
			}
			if tt.hi != "" {
				opts.UpperBound = []byte(tt.hi)
			}
			v := newDBIter(iterator.NewSlice(kvs), opts)
			require.Equal(t, tt.want, scan(v, v.First, v.Next), "forward")
			require.Equal(t, reverse(tt.want), scan(v, v.Last, v.Prev), "backward")
			require.NoError(t, v.Close())
		})
	}
}

func reverse(s string) string {
	f := strings.Fields(s)
	for i, j := 0, len(f)-1; i < j; i, j = i+1, j-1 {
		f[i], f[j] = f[j], f[i]
	}
	return strings.Join(f, " ")
}

// dbIterModel is the reference for dbIter: the sorted list of user keys
// live at seq within the bounds, with their values.
type dbIterModel struct {
	keys, vals [][]byte
	pos        int
}

func newDBIterModel(kvs []iterator.KV, opts dbIterOptions) *dbIterModel {
	newest := map[string]iterator.KV{}
	for _, kv := range kvs {
		uk, seq, _, _ := keys.Decode(kv.Key)
		old, ok := newest[string(uk)]
		if seq <= opts.Seq && (!ok || seq > keys.Seq(old.Key)) {
			newest[string(uk)] = kv
		}
	}
	m := &dbIterModel{pos: -1}
	for uk, kv := range newest {
		if keys.KindOf(kv.Key) == keys.KindDelete ||
			opts.LowerBound != nil && uk < string(opts.LowerBound) ||
			opts.UpperBound != nil && uk >= string(opts.UpperBound) {
			continue
		}
		m.keys = append(m.keys, []byte(uk))
	}
	sort.Slice(m.keys, func(i, j int) bool { return bytes.Compare(m.keys[i], m.keys[j]) < 0 })
	for _, k := range m.keys {
		m.vals = append(m.vals, newest[string(k)].Value)
	}
	return m
}

func (m *dbIterModel) valid() bool { return m.pos >= 0 && m.pos < len(m.keys) }

func (m *dbIterModel) seekGE(k []byte) bool {
	m.pos = sort.Search(len(m.keys), func(i int) bool { return bytes.Compare(m.keys[i], k) >= 0 })
	return m.valid()
}

func (m *dbIterModel) seekLT(k []byte) bool {
	m.pos = sort.Search(len(m.keys), func(i int) bool { return bytes.Compare(m.keys[i], k) >= 0 }) - 1
	return m.valid()
}

func (m *dbIterModel) step(d int) bool {
	if !m.valid() {
		return false
	}
	m.pos += d
	return m.valid()
}

// randomUserKey returns a user key of the test space, or one between,
// before or after its keys.
func randomUserKey(rng *rand.Rand, nkeys int) []byte {
	k := itertest.UserKey(rng.Intn(nkeys+2) - 1)
	if rng.Intn(4) == 0 {
		k = append(k, 'x')
	}
	return k
}

func randomDBIterOptions(rng *rand.Rand, n, nkeys int) dbIterOptions {
	opts := dbIterOptions{Seq: keys.SeqNum(rng.Intn(n + 2))}
	if rng.Intn(5) == 0 {
		opts.Seq = keys.MaxSeqNum
	}
	if rng.Intn(2) == 0 {
		opts.LowerBound = randomUserKey(rng, nkeys)
	}
	if rng.Intn(2) == 0 {
		opts.UpperBound = randomUserKey(rng, nkeys)
	}
	return opts
}

func TestDBIterMatchesModel(t *testing.T) {
	rng := itertest.NewRand(t)
	for round := 0; round < 300; round++ {
		nkeys := 1 + rng.Intn(25)
		kvs := itertest.RandomEntries(rng, rng.Intn(150), nkeys)
		opts := randomDBIterOptions(rng, len(kvs), nkeys)
		m := newDBIterModel(kvs, opts)
		// The input is built as the DB builds it: a merge of "memtables"
		// (slices) and "levels" of several tables.
		children := itertest.SplitRandomly(rng, kvs, 1+rng.Intn(4))
		iters := make([]iterator.Iterator, len(children))
		for i, c := range children {
			iters[i] = iterator.NewSlice(c)
			if rng.Intn(2) == 0 {
				files, ft, _ := splitIntoFiles(rng, c, 1+rng.Intn(4))
				iters[i] = newLevelIter(files, ft.openTable)
			}
		}
		v := newDBIter(iterator.NewMerging(iters...), opts)
		ops := make([]dbIterOp, 200)
		for i := range ops {
			ops[i] = dbIterOp{kind: rng.Intn(10), key: randomUserKey(rng, nkeys)}
		}
		checkDBIterOps(t, v, m, ops)
		require.NoError(t, v.Close())
	}
}

// dbIterOp is one move in a model test: kind 0-2 Next, 3-5 Prev (the
// steps are weighted up), 6 SeekGE(key), 7 SeekLT(key), 8 First, 9 Last.
type dbIterOp struct {
	kind int
	key  []byte
}

func checkDBIterOps(t *testing.T, v *dbIter, m *dbIterModel, ops []dbIterOp) {
	t.Helper()
	var history []string
	for i, o := range ops {
		var op string
		var got, exp bool
		switch o.kind {
		case 0, 1, 2:
			op, got, exp = "Next", v.Next(), m.step(1)
		case 3, 4, 5:
			op, got, exp = "Prev", v.Prev(), m.step(-1)
		case 6:
			op, got, exp = fmt.Sprintf("SeekGE(%s)", o.key), v.SeekGE(o.key), m.seekGE(o.key)
		case 7:
			op, got, exp = fmt.Sprintf("SeekLT(%s)", o.key), v.SeekLT(o.key), m.seekLT(o.key)
		case 8:
			m.pos = 0
			op, got, exp = "First", v.First(), m.valid()
		default:
			m.pos = len(m.keys) - 1
			op, got, exp = "Last", v.Last(), m.valid()
		}
		history = append(history, op)
		var wk, wv []byte
		if exp {
			wk, wv = m.keys[m.pos], m.vals[m.pos]
		}
		if got != exp || v.Valid() != exp || !bytes.Equal(v.Key(), wk) || !bytes.Equal(v.Value(), wv) {
			t.Fatalf("op %d: after %s\ngot  valid=%v %q=%q\nwant valid=%v %q=%q", i,
				strings.Join(history[max(0, len(history)-12):], ", "), got, v.Key(), v.Value(), exp, wk, wv)
		}
		require.NoError(t, v.Error())
	}
}

// TestDBIterSeekKeyAliasing seeks to the iterator's own current key, which
// is dbIter's own buffer when moving backward and the input's memory when
// moving forward.
func TestDBIterSeekKeyAliasing(t *testing.T) {
	kvs := itertest.RandomEntries(rand.New(rand.NewSource(2)), 100, 20)
	m := newDBIterModel(kvs, dbIterOptions{Seq: keys.MaxSeqNum})
	v := newDBIter(iterator.NewSlice(kvs), dbIterOptions{Seq: keys.MaxSeqNum})
	for ok := v.Last(); ok; ok = v.Prev() {
		want := string(v.Key())
		require.True(t, v.SeekGE(v.Key()), "SeekGE to the current key (backward)")
		require.Equal(t, want, string(v.Key()))
		require.Equal(t, m.seekLT([]byte(want)), v.SeekLT(v.Key()), "SeekLT to the current key (forward)")
		if m.valid() {
			require.Equal(t, string(m.keys[m.pos]), string(v.Key()))
		}
		require.True(t, v.SeekGE([]byte(want)))
	}
}

func TestDBIterCorruptKey(t *testing.T) {
	kvs := []iterator.KV{{Key: itertest.IKey("a", 1, keys.KindSet), Value: []byte("x")}, {Key: []byte("short")}}
	for _, start := range []func(v *dbIter) bool{(*dbIter).First, (*dbIter).Last} {
		v := newDBIter(iterator.NewSlice(kvs), dbIterOptions{Seq: keys.MaxSeqNum})
		for ok := start(v); ok; ok = v.Next() {
		}
		require.ErrorIs(t, v.Error(), corruption.ErrCorruption)
		require.False(t, v.First(), "an error is sticky")
		require.ErrorIs(t, v.Close(), corruption.ErrCorruption)
	}
}

func TestDBIterInputError(t *testing.T) {
	rng := itertest.NewRand(t)
	for round := 0; round < 30; round++ {
		kvs := itertest.RandomEntries(rng, 100, 20)
		in := &itertest.FailingIter{Iterator: iterator.NewSlice(kvs), FailAt: 1 + rng.Intn(60)}
		v := newDBIter(in, dbIterOptions{Seq: keys.MaxSeqNum})
		ok := v.First()
		for i := 0; ok && i < 100; i++ {
			if rng.Intn(3) == 0 {
				ok = v.Prev()
			} else {
				ok = v.Next()
			}
		}
		if in.Err != nil {
			require.False(t, v.Valid())
			require.ErrorIs(t, v.Error(), itertest.ErrInjected)
		}
	}
}

// newBenchDBIter returns a dbIter over a Merging of 8 children holding n
// entries, about a quarter of them older versions or tombstones.
func newBenchDBIter(rng *rand.Rand, n int) *dbIter {
	children := itertest.SplitRandomly(rng, itertest.RandomEntries(rng, n, n/4), 8)
	return newDBIter(iterator.NewMerging(itertest.Slices(children)...), dbIterOptions{Seq: keys.MaxSeqNum})
}

func TestDBIterNoAllocPerStep(t *testing.T) {
	v := newBenchDBIter(rand.New(rand.NewSource(1)), 1000)
	for _, dir := range []struct {
		name        string
		start, step func() bool
	}{{"Next", v.First, v.Next}, {"Prev", v.Last, v.Prev}} {
		dir.start()
		allocs := testing.AllocsPerRun(1000, func() {
			if !dir.step() {
				dir.start()
			}
		})
		require.Zero(t, allocs, "allocations per "+dir.name)
	}
	// Alternating directions re-seeks the input; that must not allocate
	// either once the seek buffer has grown.
	v.SeekGE(itertest.UserKey(100))
	allocs := testing.AllocsPerRun(1000, func() {
		if !v.Next() || !v.Prev() {
			v.First()
		}
	})
	require.Zero(t, allocs, "allocations per Next+Prev")
}

func BenchmarkDBIterNext(b *testing.B) {
	v := newBenchDBIter(rand.New(rand.NewSource(1)), 100000)
	b.ReportAllocs()
	b.ResetTimer()
	v.First()
	for i := 0; i < b.N; i++ {
		if !v.Next() {
			v.First()
		}
	}
}
