package manifest

import (
	"github.com/stretchr/testify/require"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/lsmkv/lsmkv/internal/keys"
)

// nums returns the file numbers at each non-empty level, for compact
// comparisons.
func nums(v *Version) map[int][]uint64 {
	out := make(map[int][]uint64)
	for level, files := range v.Levels {
		for _, f := range files {
			out[level] = append(out[level], f.Num)
		}
	}
	return out
}

func add(level int, m FileMeta) NewFile { return NewFile{Level: level, Meta: m} }

func mustApply(t *testing.T, v *Version, e *VersionEdit) *Version {
	t.Helper()
	next, err := v.Apply(e)
	require.NoError(t, err)
	return next
}

func TestApply(t *testing.T) {
	base := mustApply(t, &Version{}, &VersionEdit{Added: []NewFile{
		add(0, meta(1, "a", "m", 1, 5)),
		add(1, meta(2, "a", "c", 1, 1)),
		add(1, meta(3, "e", "g", 1, 1)),
	}})
	tests := []struct {
		name    string
		edit    VersionEdit
		want    map[int][]uint64
		wantErr string
	}{
		{"empty edit", VersionEdit{}, map[int][]uint64{0: {1}, 1: {2, 3}}, ""},
		{"L0 newest first by largest seq", VersionEdit{Added: []NewFile{
			add(0, meta(9, "a", "b", 6, 7)), add(0, meta(4, "a", "b", 1, 2))}},
			map[int][]uint64{0: {9, 1, 4}, 1: {2, 3}}, ""},
		{"L0 ties broken by file number", VersionEdit{Added: []NewFile{
			add(0, meta(7, "a", "b", 5, 5)), add(0, meta(8, "x", "y", 5, 5))}},
			map[int][]uint64{0: {8, 7, 1}, 1: {2, 3}}, ""},
		{"L1 sorted by smallest", VersionEdit{Added: []NewFile{
			add(1, meta(9, "x", "z", 1, 1)), add(1, meta(8, "d", "d", 1, 1))}},
			map[int][]uint64{0: {1}, 1: {2, 8, 3, 9}}, ""},
		{"delete then add moves a table", VersionEdit{
			Deleted: []DeletedFile{{1, 3}}, Added: []NewFile{add(2, meta(3, "e", "g", 1, 1))}},
			map[int][]uint64{0: {1}, 1: {2}, 2: {3}}, ""},
		{"compaction replaces inputs", VersionEdit{
			Deleted: []DeletedFile{{0, 1}, {1, 2}, {1, 3}},
			Added:   []NewFile{add(1, meta(10, "a", "f", 1, 5)), add(1, meta(11, "g", "m", 1, 5))}},
			map[int][]uint64{1: {10, 11}}, ""},
		{"overlap in L1 rejected", VersionEdit{Added: []NewFile{add(1, meta(9, "b", "d", 1, 1))}},
			nil, "overlaps"},
		{"shared boundary user key rejected", VersionEdit{Added: []NewFile{add(1, meta(9, "c", "d", 1, 1))}},
			nil, "overlaps"},
		{"overlap in L0 allowed", VersionEdit{Added: []NewFile{add(0, meta(9, "a", "z", 6, 6))}},
			map[int][]uint64{0: {9, 1}, 1: {2, 3}}, ""},
		{"delete missing table", VersionEdit{Deleted: []DeletedFile{{1, 42}}}, nil, "not there"},
		{"delete at wrong level", VersionEdit{Deleted: []DeletedFile{{2, 3}}}, nil, "not there"},
		{"delete twice", VersionEdit{Deleted: []DeletedFile{{1, 3}, {1, 3}}}, nil, "not there"},
		{"add existing number", VersionEdit{Added: []NewFile{add(3, meta(2, "q", "r", 1, 1))}}, nil, "already at L1"},
		{"add same number twice", VersionEdit{Added: []NewFile{add(3, meta(9, "q", "r", 1, 1)), add(4, meta(9, "q", "r", 1, 1))}}, nil, "already at L3"},
		{"bad level", VersionEdit{Added: []NewFile{add(NumLevels, meta(9, "q", "r", 1, 1))}}, nil, "invalid level"},
		{"bad keys", VersionEdit{Added: []NewFile{add(2, FileMeta{Num: 9, Smallest: []byte("x")})}}, nil, "shorter than 8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := base.String()
			next, err := base.Apply(&tc.edit)
			require.Equal(t, before, base.String(), "Apply must not change its receiver")
			if tc.wantErr != "" {
				require.Error(t, err)
				require.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, nums(next))
			require.NoError(t, next.CheckInvariants())
		})
	}
}

func TestApplyCopiesKeys(t *testing.T) {
	m := meta(1, "a", "b", 1, 1)
	v := mustApply(t, &Version{}, &VersionEdit{Added: []NewFile{add(1, m)}})
	m.Smallest[0] = 'z'
	require.Equal(t, ik("a", 1), v.Levels[1][0].Smallest)
}

func TestApplySharesUntouchedLevels(t *testing.T) {
	v := mustApply(t, &Version{}, &VersionEdit{Added: []NewFile{add(1, meta(1, "a", "b", 1, 1)), add(2, meta(2, "a", "b", 1, 1))}})
	next := mustApply(t, v, &VersionEdit{Added: []NewFile{add(2, meta(3, "c", "d", 1, 1))}})
	require.True(t, &v.Levels[1][0] == &next.Levels[1][0], "untouched L1 slice is shared")
	require.True(t, v.Levels[2][0] == next.Levels[2][0], "unchanged FileMeta is shared")
}

// TestApplyRandom applies random flush/compaction-shaped edits and checks
// the result against a model (a map from file number to level).
func TestApplyRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(testSeed(t), 3))
	v := &Version{}
	model := map[uint64]int{}
	nextNum := uint64(1)
	for step := range 300 {
		e := randomShapedEdit(rng, v, &nextNum)
		next, err := v.Apply(e)
		require.NoError(t, err, "step %d", step)
		for _, d := range e.Deleted {
			delete(model, d.Num)
		}
		for _, a := range e.Added {
			model[a.Meta.Num] = a.Level
		}
		got := map[uint64]int{}
		for level, files := range next.Levels {
			for _, f := range files {
				got[f.Num] = level
			}
		}
		require.Equal(t, model, got, "step %d", step)
		require.NoError(t, next.CheckInvariants(), "step %d", step)
		v = next
	}
}

// randomShapedEdit returns a valid edit: a flush to L0, or a "compaction"
// that replaces every table of one level i and the overlapping tables of
// level i+1 with fresh disjoint tables at i+1.
func randomShapedEdit(rng *rand.Rand, v *Version, nextNum *uint64) *VersionEdit {
	e := &VersionEdit{}
	if rng.IntN(3) == 0 {
		a, b := randKey(rng), randKey(rng)
		seq := keys.SeqNum(*nextNum)
		e.Added = append(e.Added, add(0, meta(*nextNum, min(a, b), max(a, b), seq, seq)))
		*nextNum++
		return e
	}
	level := rng.IntN(NumLevels - 1)
	if len(v.Levels[level]) == 0 {
		return e
	}
	lo, hi := "\xff", ""
	for _, f := range v.Levels[level] {
		e.Deleted = append(e.Deleted, DeletedFile{level, f.Num})
		lo, hi = min(lo, string(f.SmallestUserKey())), max(hi, string(f.LargestUserKey()))
	}
	for _, f := range v.Overlaps(level+1, []byte(lo), []byte(hi)) {
		e.Deleted = append(e.Deleted, DeletedFile{level + 1, f.Num})
		lo, hi = min(lo, string(f.SmallestUserKey())), max(hi, string(f.LargestUserKey()))
	}
	// Cover [lo, hi] with up to three disjoint tables.
	cuts := []string{lo, hi}
	for range rng.IntN(3) {
		if k := randKey(rng); k > lo && k < hi {
			cuts = append(cuts, k)
		}
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	for i := 0; i+1 < len(cuts) || i == 0; i += 2 {
		end := cuts[min(i+1, len(cuts)-1)]
		e.Added = append(e.Added, add(level+1, meta(*nextNum, cuts[i], end, 1, 1)))
		*nextNum++
	}
	return e
}

func randKey(rng *rand.Rand) string {
	return string([]byte{byte('a' + rng.IntN(26)), byte('a' + rng.IntN(26))})
}

func TestOverlapsAndFindFile(t *testing.T) {
	v := mustApply(t, &Version{}, &VersionEdit{Added: []NewFile{
		add(0, meta(1, "c", "e", 3, 3)),
		add(0, meta(2, "a", "b", 2, 2)),
		add(0, meta(3, "e", "h", 1, 1)),
		add(0, meta(4, "x", "z", 4, 4)),
		add(1, meta(5, "b", "d", 1, 1)),
		add(1, meta(6, "f", "h", 1, 1)),
		add(1, meta(7, "m", "p", 1, 1)),
	}})
	fileNums := func(fs []*FileMeta) []uint64 {
		var out []uint64
		for _, f := range fs {
			out = append(out, f.Num)
		}
		return out
	}
	tests := []struct {
		level      int
		lo, hi     string
		overlaps   []uint64
		transitive []uint64
	}{
		{0, "d", "d", []uint64{1}, []uint64{1, 3}},
		{0, "b", "c", []uint64{1, 2}, []uint64{1, 2, 3}},
		{0, "i", "w", nil, nil},
		{0, "", "a", []uint64{2}, []uint64{2}},
		{0, "z", "zz", []uint64{4}, []uint64{4}},
		{0, "d", "c", nil, nil}, // empty range
		{1, "a", "a", nil, nil},
		{1, "d", "f", []uint64{5, 6}, []uint64{5, 6}},
		{1, "e", "e", nil, nil},
		{1, "h", "m", []uint64{6, 7}, []uint64{6, 7}},
		{1, "", "zz", []uint64{5, 6, 7}, []uint64{5, 6, 7}},
		{1, "q", "z", nil, nil},
	}
	for _, tc := range tests {
		got := fileNums(v.Overlaps(tc.level, []byte(tc.lo), []byte(tc.hi)))
		require.Equal(t, tc.overlaps, got, "Overlaps(L%d, %q, %q)", tc.level, tc.lo, tc.hi)
		got = fileNums(v.OverlapsTransitive(tc.level, []byte(tc.lo), []byte(tc.hi)))
		require.Equal(t, tc.transitive, got, "OverlapsTransitive(L%d, %q, %q)", tc.level, tc.lo, tc.hi)
	}
	find := []struct {
		key  string
		want int
	}{{"", 0}, {"b", 0}, {"d", 0}, {"e", 1}, {"h", 1}, {"i", 2}, {"p", 2}, {"q", 3}}
	for _, tc := range find {
		require.Equal(t, tc.want, v.FindFile(1, []byte(tc.key)), "FindFile(1, %q)", tc.key)
	}
	require.Equal(t, uint64(100+200+300+400+500+600+700), v.TotalSize())
}

func TestVersionString(t *testing.T) {
	require.Equal(t, "(empty)\n", (&Version{}).String())
	v := mustApply(t, &Version{}, &VersionEdit{Added: []NewFile{
		add(0, meta(12, "a", "z", 3, 5)), add(2, meta(7, "k", "m", 1, 1))}})
	want := "L0:\n" +
		"  000012 size=1200 seq=[3,5] \"a\"#5,SET .. \"z\"#3,SET\n" +
		"L2:\n" +
		"  000007 size=700 seq=[1,1] \"k\"#1,SET .. \"m\"#1,SET\n"
	require.Equal(t, want, v.String())
}

func TestCheckInvariants(t *testing.T) {
	m := func(num uint64, lo, hi string, seq keys.SeqNum) *FileMeta {
		f := meta(num, lo, hi, seq, seq)
		return &f
	}
	tests := []struct {
		name string
		v    *Version
		want string
	}{
		{"L0 out of order", &Version{Levels: [NumLevels][]*FileMeta{{m(1, "a", "b", 1), m(2, "a", "b", 2)}}}, "before newer"},
		{"L0 same seq, lower number first", &Version{Levels: [NumLevels][]*FileMeta{{m(1, "a", "b", 1), m(2, "a", "b", 1)}}}, "before newer"},
		{"L1 unsorted", &Version{Levels: [NumLevels][]*FileMeta{1: {m(1, "c", "d", 1), m(2, "a", "b", 1)}}}, "overlaps"},
		{"duplicate number", &Version{Levels: [NumLevels][]*FileMeta{1: {m(1, "a", "b", 1)}, 2: {m(1, "a", "b", 1)}}}, "both L1 and L2"},
		{"bad key", &Version{Levels: [NumLevels][]*FileMeta{3: {{Num: 1, Smallest: []byte("a")}}}}, "shorter"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.v.CheckInvariants()
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestKeyRangeQueries(t *testing.T) {
	m := meta(7, "c", "f", 1, 1)
	f := &m
	for _, tc := range []struct {
		ukey string
		want bool
	}{{"b", false}, {"c", true}, {"d", true}, {"f", true}, {"fa", false}} {
		require.Equal(t, tc.want, f.ContainsUserKey([]byte(tc.ukey)), "ContainsUserKey(%q)", tc.ukey)
	}
	v := &Version{}
	for i, r := range [][2]string{{"a", "b"}, {"d", "f"}, {"h", "h"}} {
		m := meta(uint64(i+1), r[0], r[1], 1, 1)
		v.Levels[1] = append(v.Levels[1], &m)
	}
	for _, tc := range []struct {
		ukey string
		want uint64 // 0: no table
	}{{"", 0}, {"a", 1}, {"b", 1}, {"c", 0}, {"e", 2}, {"g", 0}, {"h", 3}, {"i", 0}} {
		var got uint64
		if f := v.FileFor(1, []byte(tc.ukey)); f != nil {
			got = f.Num
		}
		require.Equal(t, tc.want, got, "FileFor(%q)", tc.ukey)
	}
}

// TestExclusiveSentinelOrder: a table whose largest key is a range
// tombstone's exclusive end sentinel holds nothing at that user key, so the
// next table of its level may start there, and lookups there go to it.
func TestExclusiveSentinelOrder(t *testing.T) {
	left := meta(1, "a", "m", 1, 5)
	left.Largest = keys.RangeDeleteSentinel([]byte("m"))
	right := meta(2, "m", "z", 1, 5)
	require.True(t, left.LargestExclusive())
	require.True(t, left.EndsBefore([]byte("m")))
	require.False(t, left.ContainsUserKey([]byte("m")))
	require.True(t, left.ContainsUserKey([]byte("l")))
	require.NoError(t, checkOrder(1, &left, &right), "adjacent at the sentinel")

	inclusive := meta(3, "a", "m", 1, 5) // holds m itself
	require.Error(t, checkOrder(1, &inclusive, &right), "overlap at m")

	v := &Version{}
	v.Levels[1] = []*FileMeta{&left, &right}
	require.Equal(t, uint64(2), v.FileFor(1, []byte("m")).Num)
	require.Equal(t, uint64(1), v.FileFor(1, []byte("b")).Num)
	require.Equal(t, []*FileMeta{&right}, v.Overlaps(1, []byte("m"), []byte("n")))
}
