package memtable

import (
	"encoding/binary"
	"errors"
	"github.com/lsmkv/lsmkv/internal/testseed"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/lsmkv/lsmkv/internal/keys"
)

// testRand returns a generator for a randomized test and logs its seed so a
// failure can be replayed with -seed=N or LSMKV_SEED=N.
func testRand(t testing.TB) *rand.Rand {
	seed := testseed.Seed(t)
	return rand.New(rand.NewPCG(seed, seed))
}

func mustAdd(t testing.TB, m *Memtable, seq keys.SeqNum, kind keys.Kind, ukey, value string) {
	t.Helper()
	if err := m.Add(seq, kind, []byte(ukey), []byte(value)); err != nil {
		t.Fatalf("Add(%q#%d,%v): %v", ukey, seq, kind, err)
	}
}

func TestCapacity(t *testing.T) {
	tests := []struct {
		requested, want int64
	}{
		{-1, 0},
		{0, 0},
		{1, 8},
		{1000, 1000},
		{1001, 1008},
		{1 << 20, 1 << 20},
	}
	for _, tt := range tests {
		m := New(tt.requested)
		if got := m.Capacity(); got != tt.want {
			t.Errorf("New(%d).Capacity() = %d, want %d", tt.requested, got, tt.want)
		}
		if m.Size() != 0 {
			t.Errorf("New(%d).Size() = %d, want 0", tt.requested, m.Size())
		}
	}
	// Too large to allocate in a test: check the arena size New would use.
	for _, requested := range []int64{maxCapacity, 1 << 40} {
		if got := arenaSize(requested); got != maxCapacity {
			t.Errorf("arenaSize(%d) = %d, want %d", requested, got, int64(maxCapacity))
		}
	}
}

// TestNewEntrySizeFitsOneEntry checks the promise the DB relies on when an
// entry is larger than its usual memtable size: New(EntrySize(k, v)) takes
// one such entry.
func TestNewEntrySizeFitsOneEntry(t *testing.T) {
	for _, n := range []int{0, 1, 7, 100, 5000} {
		m := New(EntrySize(n, 2*n))
		if err := m.Add(1, keys.KindSet, make([]byte, n), make([]byte, 2*n)); err != nil {
			t.Errorf("key %d B, value %d B: %v", n, 2*n, err)
		}
	}
}

func TestEntrySize(t *testing.T) {
	tower := int64(maxHeight * linkSize)
	tests := []struct {
		keyLen, valueLen int
		want             int64
	}{
		{0, 0, nodeTowerOffset + tower + 8},
		{16, 100, nodeTowerOffset + tower + 24 + 100},
		{1, 0, nodeTowerOffset + tower + 12},    // 9 key bytes, padded to 12
		{0, 3, nodeTowerOffset + tower + 8 + 4}, // 3 value bytes, padded to 4
	}
	for _, tt := range tests {
		if got := EntrySize(tt.keyLen, tt.valueLen); got != tt.want {
			t.Errorf("EntrySize(%d, %d) = %d, want %d", tt.keyLen, tt.valueLen, got, tt.want)
		}
	}
}

// TestEntrySizeIsUpperBound checks that no Add uses more arena bytes than
// EntrySize promises, and at least the key and value it copies.
func TestEntrySizeIsUpperBound(t *testing.T) {
	rng := testRand(t)
	m := New(8 << 20)
	for i := range 5000 {
		ukey := randBytes(rng, rng.IntN(40))
		value := randBytes(rng, rng.IntN(200))
		before := m.Size()
		if err := m.Add(keys.SeqNum(i), keys.KindSet, ukey, value); err != nil {
			t.Fatalf("Add #%d: %v", i, err)
		}
		used := m.Size() - before
		if limit := EntrySize(len(ukey), len(value)); used > limit {
			t.Fatalf("Add #%d (key %d B, value %d B) used %d bytes > EntrySize %d", i, len(ukey), len(value), used, limit)
		}
		if floor := int64(len(ukey) + keys.TrailerLen + len(value)); used < floor {
			t.Fatalf("Add #%d used %d bytes, less than the %d it copies", i, used, floor)
		}
	}
}

func TestAddInvalidArguments(t *testing.T) {
	tests := []struct {
		name string
		seq  keys.SeqNum
		kind keys.Kind
	}{
		{"seq too large", keys.MaxSeqNum + 1, keys.KindSet},
		{"unknown kind", 1, keys.Kind(7)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New(1 << 10)
			size := m.Size()
			err := m.Add(tt.seq, tt.kind, []byte("k"), []byte("v"))
			if err == nil || errors.Is(err, ErrFull) {
				t.Fatalf("Add = %v, want an invalid-argument error", err)
			}
			if m.Len() != 0 || m.Size() != size || !m.Empty() {
				t.Fatalf("failed Add changed the memtable: Len %d, Size %d -> %d", m.Len(), size, m.Size())
			}
		})
	}
}

func TestEmptyKeysAndValues(t *testing.T) {
	m := New(1 << 12)
	mustAdd(t, m, 1, keys.KindSet, "", "")
	mustAdd(t, m, 2, keys.KindDelete, "", "")
	mustAdd(t, m, 3, keys.KindSet, "a", "")
	mustAdd(t, m, 4, keys.KindSet, "", "x")
	mustAdd(t, m, 5, keys.KindSet, "\x00", "nul")

	gets := []struct {
		ukey  string
		seq   keys.SeqNum
		value string
		kind  keys.Kind
		ok    bool
	}{
		{"", 0, "", 0, false},
		{"", 1, "", keys.KindSet, true},
		{"", 2, "", keys.KindDelete, true},
		{"", 3, "", keys.KindDelete, true},
		{"", keys.MaxSeqNum, "x", keys.KindSet, true},
		{"a", 2, "", 0, false},
		{"a", 3, "", keys.KindSet, true},
		{"\x00", 5, "nul", keys.KindSet, true},
		{"b", 9, "", 0, false},
		{"", keys.MaxSeqNum + 1, "x", keys.KindSet, true}, // clamped, not wrapped around
		{"", 1<<64 - 1, "x", keys.KindSet, true},
	}
	for _, g := range gets {
		value, kind, ok := m.Get([]byte(g.ukey), g.seq)
		if ok != g.ok || kind != g.kind || string(value) != g.value {
			t.Errorf("Get(%q, %d) = %q, %v, %v; want %q, %v, %v", g.ukey, g.seq, value, kind, ok, g.value, g.kind, g.ok)
		}
	}
	want := []string{`""#4,SET`, `""#2,DEL`, `""#1,SET`, `"\x00"#5,SET`, `"a"#3,SET`}
	checkKeys(t, m, want)
}

// checkKeys compares a full forward and backward scan with want, written
// with keys.String.
func checkKeys(t *testing.T, m *Memtable, want []string) {
	t.Helper()
	var got []string
	it := m.NewIter()
	for valid := it.First(); valid && len(got) <= len(want); valid = it.Next() {
		got = append(got, keys.String(it.Key()))
	}
	if !equalStrings(got, want) {
		t.Fatalf("forward scan = %q, want %q", got, want)
	}
	got = got[:0]
	for valid := it.Last(); valid && len(got) <= len(want); valid = it.Prev() {
		got = append([]string{keys.String(it.Key())}, got...)
	}
	if !equalStrings(got, want) {
		t.Fatalf("backward scan = %q, want %q", got, want)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestGetDistinguishesPrefixes(t *testing.T) {
	m := New(1 << 12)
	mustAdd(t, m, 1, keys.KindSet, "a", "1")
	mustAdd(t, m, 2, keys.KindSet, "abc", "2")
	for _, ukey := range []string{"ab", "abcd", "", "b"} {
		if v, _, ok := m.Get([]byte(ukey), keys.MaxSeqNum); ok {
			t.Errorf("Get(%q) found %q, want nothing", ukey, v)
		}
	}
}

func TestEmptyMemtable(t *testing.T) {
	m := New(0)
	if !m.Empty() || m.Len() != 0 {
		t.Fatalf("new memtable: Empty %v, Len %d", m.Empty(), m.Len())
	}
	if m.Size() != 0 || m.Capacity() != 0 {
		t.Fatalf("Size %d, Capacity %d", m.Size(), m.Capacity())
	}
	if _, _, ok := m.Get(nil, keys.MaxSeqNum); ok {
		t.Fatal("Get on an empty memtable found something")
	}
	it := m.NewIter()
	seek := keys.Make([]byte("k"), 1, keys.KindSet)
	for name, pos := range map[string]func() bool{
		"First": it.First, "Last": it.Last, "Next": it.Next, "Prev": it.Prev,
		"SeekGE": func() bool { return it.SeekGE(seek) },
		"SeekLT": func() bool { return it.SeekLT(seek) },
	} {
		if pos() || it.Valid() || it.Key() != nil || it.Value() != nil {
			t.Errorf("%s on an empty memtable is positioned", name)
		}
	}
	if it.Error() != nil || it.Close() != nil {
		t.Error("Error/Close returned an error")
	}
}

func TestIterUnpositionedAndClosed(t *testing.T) {
	m := New(1 << 12)
	mustAdd(t, m, 1, keys.KindSet, "a", "1")
	mustAdd(t, m, 2, keys.KindSet, "b", "2")
	it := m.NewIter()
	if it.Valid() || it.Next() || it.Prev() {
		t.Fatal("a fresh iterator moved without being positioned")
	}
	if !it.First() || !it.Next() || it.Next() {
		t.Fatal("First, Next, Next over two entries must give true, true, false")
	}
	if it.Valid() || it.Next() || it.Prev() {
		t.Fatal("an exhausted iterator must stay unpositioned")
	}
	if !it.Last() || it.Close() != nil || it.Valid() || it.Key() != nil {
		t.Fatal("Close must unposition the iterator")
	}
	if !it.SeekGE([]byte("b")) || string(it.Value()) != "2" {
		t.Fatal("a closed iterator can be positioned again")
	}
}

// TestShortSeekKeys checks that a seek key shorter than a trailer behaves as
// a bare user key that sorts before all of its versions.
func TestShortSeekKeys(t *testing.T) {
	m := New(1 << 12)
	mustAdd(t, m, 1, keys.KindSet, "ab", "1")
	mustAdd(t, m, 2, keys.KindSet, "ab", "2")
	mustAdd(t, m, 3, keys.KindSet, "b", "3")
	it := m.NewIter()
	if !it.SeekGE([]byte("ab")) || keys.String(it.Key()) != `"ab"#2,SET` {
		t.Errorf("SeekGE(\"ab\") at %s, want \"ab\"#2,SET", keys.String(it.Key()))
	}
	if !it.SeekLT([]byte("b")) || keys.String(it.Key()) != `"ab"#1,SET` {
		t.Errorf("SeekLT(\"b\") at %s, want \"ab\"#1,SET", keys.String(it.Key()))
	}
	if it.SeekLT(nil) {
		t.Errorf("SeekLT(nil) at %s, want nothing", keys.String(it.Key()))
	}
}

// TestKeyAndValueAreClipped checks that appending to Key or Value cannot
// overwrite the bytes that follow them in the arena.
func TestKeyAndValueAreClipped(t *testing.T) {
	m := New(1 << 12)
	mustAdd(t, m, 1, keys.KindSet, "k", "v")
	it := m.NewIter()
	it.First()
	_ = append(it.Key(), 'X')
	_ = append(it.Value(), 'Y')
	if v, _, _ := m.Get([]byte("k"), 1); string(v) != "v" || keys.String(it.Key()) != `"k"#1,SET` {
		t.Fatalf("arena modified through Key/Value: %s = %q", keys.String(it.Key()), v)
	}
}

func TestCompareMatchesKeysCompare(t *testing.T) {
	rng := testRand(t)
	for range 20000 {
		a := keys.Make(randUserKey(rng), randSeq(rng), keys.Kind(rng.IntN(2)))
		ukey, seq, kind := randUserKey(rng), randSeq(rng), keys.Kind(rng.IntN(2))
		b := keys.Make(ukey, seq, kind)
		if got, want := compare(a, ukey, keys.MakeTrailer(seq, kind)), keys.Compare(a, b); got != want {
			t.Fatalf("compare(%s, %s) = %d, keys.Compare = %d", keys.String(a), keys.String(b), got, want)
		}
	}
}

func TestNoAllocations(t *testing.T) {
	m := New(1 << 20)
	for i := range 1000 {
		mustAdd(t, m, keys.SeqNum(i), keys.KindSet, strconv.Itoa(i), "value")
	}
	ukey := []byte("500")
	seek := keys.Make(ukey, 10000, keys.KindSet)
	it := m.NewIter()
	seq := keys.SeqNum(1000)
	ops := []struct {
		name string
		f    func()
	}{
		{"Get", func() { m.Get(ukey, 10000) }},
		{"SeekGE", func() { it.SeekGE(seek) }},
		{"SeekLT", func() { it.SeekLT(seek) }},
		{"Next", func() { it.SeekGE(seek); it.Next() }},
		{"Prev", func() { it.SeekGE(seek); it.Prev() }},
		{"Key", func() { it.SeekGE(seek); _, _ = it.Key(), it.Value() }},
		{"Add", func() { seq++; _ = m.Add(seq, keys.KindSet, ukey, ukey) }},
	}
	for _, op := range ops {
		if n := testing.AllocsPerRun(100, op.f); n != 0 {
			t.Errorf("%s: %v allocations per call, want 0", op.name, n)
		}
	}
}

func randBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.UintN(256))
	}
	return b
}

// randUserKey returns a short key over a small alphabet, so that keys repeat
// and share prefixes often.
func randUserKey(rng *rand.Rand) []byte {
	b := make([]byte, rng.IntN(5))
	for i := range b {
		b[i] = "abc\x00\xff"[rng.IntN(5)]
	}
	return b
}

func randSeq(rng *rand.Rand) keys.SeqNum {
	if rng.IntN(20) == 0 {
		return keys.MaxSeqNum - keys.SeqNum(rng.IntN(2))
	}
	return keys.SeqNum(rng.IntN(50))
}

// checkStructure checks the skiplist invariants: every level is strictly
// sorted, every node linked at level i is linked at level i-1, no level at
// or above the height is used, and towers are as tall as their nodes say.
// For large lists it also checks that upper levels exist at all, so that
// searches stay logarithmic.
func checkStructure(t testing.TB, m *Memtable) {
	t.Helper()
	height := int(m.height.Load())
	below := map[uint32]bool{} // nodes on the level below
	counts := make([]int, maxHeight)
	for level := 0; level < maxHeight; level++ {
		var prev []byte
		on := map[uint32]bool{}
		for n := m.next(m.head, level); n != nilOffset; n = m.next(n, level) {
			if level >= height {
				t.Fatalf("level %d is in use but the height is %d", level, height)
			}
			if level > 0 && !below[n] {
				t.Fatalf("%s is on level %d but not on level %d", keys.String(m.key(n)), level, level-1)
			}
			if h := int(binary.LittleEndian.Uint32(m.arena.buf[n+nodeHeightOffset:])); level >= h {
				t.Fatalf("%s has height %d but is linked on level %d", keys.String(m.key(n)), h, level)
			}
			if prev != nil && keys.Compare(prev, m.key(n)) >= 0 {
				t.Fatalf("level %d out of order: %s then %s", level, keys.String(prev), keys.String(m.key(n)))
			}
			prev = m.key(n)
			on[n] = true
			counts[level]++
		}
		below = on
	}
	if points := m.Len() - int(m.rdCount.Load()); counts[0] != points {
		t.Fatalf("level 0 has %d nodes, %d point entries were added", counts[0], points)
	}
	// With p = 1/4, 1000 nodes leave level 2 empty with probability
	// (1 - 1/16)^1000 < 1e-28.
	if m.Len() >= 1000 && counts[2] == 0 {
		t.Fatalf("%d entries but level 2 is empty: levels %v", m.Len(), counts)
	}
}
