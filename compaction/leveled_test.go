package compaction

import (
	"bytes"
	"fmt"
	"github.com/stretchr/testify/require"
	"slices"
	"testing"

	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/manifest"
)

// testOpts are small sizes so that test versions stay readable: L1's target
// is 100 bytes, L2's 1000, and so on.
func testOpts() Options {
	o := Options{BaseLevelSize: 100, TargetFileSize: 10, LevelSizeMultiplier: 10, L0CompactionTrigger: 4}
	o.EnsureDefaults()
	return o
}

// l0 returns n L0 tables covering lo..hi, newest (highest number) first.
func l0(firstNum uint64, n int, lo, hi string, size uint64) []*manifest.FileMeta {
	var files []*manifest.FileMeta
	for i := n - 1; i >= 0; i-- {
		num := firstNum + uint64(i)
		seq := keys.SeqNum(1000 + 10*num)
		files = append(files, fm(num, lo, hi, size, seq, seq+5))
	}
	return files
}

// run returns n disjoint tables with user keys "<prefix>00".."<prefix>NN",
// two keys each, of size bytes each, for one L1+ level.
func level(firstNum uint64, n int, prefix string, size uint64) []*manifest.FileMeta {
	var files []*manifest.FileMeta
	for i := 0; i < n; i++ {
		lo, hi := fmt.Sprintf("%s%02d", prefix, 2*i), fmt.Sprintf("%s%02d", prefix, 2*i+1)
		files = append(files, fm(firstNum+uint64(i), lo, hi, size, 1, 10))
	}
	return files
}

var l0PickCases = []struct {
	name       string
	levels     map[int][]*manifest.FileMeta
	wantNil    bool
	wantIn0    []uint64
	wantIn1    []uint64
	wantReason string
}{
	{
		name:    "below trigger",
		levels:  map[int][]*manifest.FileMeta{0: l0(10, 3, "a", "z", 5)},
		wantNil: true,
	},
	{
		name: "at trigger takes all overlapping L0 and L1",
		levels: map[int][]*manifest.FileMeta{
			0: l0(10, 4, "b", "k", 5),
			1: {fm(1, "a", "a", 5, 1, 1), fm(2, "c", "d", 5, 1, 1), fm(3, "j", "m", 5, 1, 1), fm(4, "x", "y", 5, 1, 1)},
		},
		wantIn0:    []uint64{13, 12, 11, 10},
		wantIn1:    []uint64{2, 3},
		wantReason: "L0 file count 4 >= 4",
	},
	{
		name: "closure from the oldest table leaves disjoint newer tables",
		levels: map[int][]*manifest.FileMeta{
			0: {
				fm(15, "x", "z", 5, 150, 159),
				fm(14, "c", "f", 5, 140, 149), // overlaps 12, which overlaps 10
				fm(13, "m", "p", 5, 130, 139),
				fm(12, "b", "d", 5, 120, 129),
				fm(11, "q", "r", 5, 110, 119),
				fm(10, "a", "b", 5, 100, 109), // oldest: the seed
			},
		},
		wantIn0:    []uint64{14, 12, 10},
		wantIn1:    []uint64{},
		wantReason: "L0 file count 6 >= 4",
	},
}

func TestLeveledPickByL0Count(t *testing.T) {
	for _, tt := range l0PickCases {
		t.Run(tt.name, func(t *testing.T) {
			v := newVersion(t, tt.levels)
			c := Pick(v, testOpts())
			if tt.wantNil {
				require.Nil(t, c)
				return
			}
			require.NotNil(t, c)
			require.Equal(t, 0, c.Level)
			require.Equal(t, 1, c.OutputLevel)
			require.Equal(t, tt.wantIn0, nums(c.Inputs[0]))
			require.Equal(t, tt.wantIn1, nums(c.Inputs[1]))
			require.Equal(t, tt.wantReason, c.Reason)
			checkCompaction(t, v, c)
		})
	}
}

var levelSizePickCases = []struct {
	name       string
	levels     map[int][]*manifest.FileMeta
	wantLevel  int // -1: no compaction
	wantIn0    []uint64
	wantIn1    []uint64
	wantScore  float64
	wantReason string
}{
	{
		name:      "L1 under target",
		levels:    map[int][]*manifest.FileMeta{1: level(1, 3, "k", 30)},
		wantLevel: -1,
	},
	{
		// Table 1 pulls in L2 tables 20 and 21; 21 reaches k02, so L1
		// table 2 comes along for free (expansion).
		name: "L1 over target picks its first table and overlapping L2",
		levels: map[int][]*manifest.FileMeta{
			1: level(1, 5, "k", 30), // k00-k01, k02-k03, ...
			2: {fm(20, "a", "k00", 10, 1, 1), fm(21, "k01", "k02", 10, 1, 1), fm(22, "k05", "z", 10, 1, 1)},
		},
		wantLevel:  1,
		wantIn0:    []uint64{1, 2},
		wantIn1:    []uint64{20, 21},
		wantScore:  1.5,
		wantReason: "L1 size 150B / target 100B",
	},
	{
		name: "L3 over target",
		levels: map[int][]*manifest.FileMeta{
			3: level(1, 4, "k", 5000),
			4: {fm(9, "k00", "k00", 10, 1, 1)},
		},
		wantLevel:  3,
		wantIn0:    []uint64{1},
		wantIn1:    []uint64{9},
		wantScore:  2,
		wantReason: "L3 size 19.5KiB / target 9.8KiB",
	},
	{
		name:      "the last level never scores",
		levels:    map[int][]*manifest.FileMeta{6: level(1, 4, "k", 1<<40)},
		wantLevel: -1,
	},
}

func TestLeveledPickByLevelSize(t *testing.T) {
	for _, tt := range levelSizePickCases {
		t.Run(tt.name, func(t *testing.T) {
			v := newVersion(t, tt.levels)
			c := Pick(v, testOpts())
			if tt.wantLevel < 0 {
				require.Nil(t, c)
				return
			}
			require.NotNil(t, c)
			require.Equal(t, tt.wantLevel, c.Level)
			require.Equal(t, tt.wantLevel+1, c.OutputLevel)
			require.Equal(t, tt.wantIn0, nums(c.Inputs[0]))
			require.Equal(t, tt.wantIn1, nums(c.Inputs[1]))
			require.InDelta(t, tt.wantScore, c.Score, 1e-9)
			require.Equal(t, tt.wantReason, c.Reason)
			checkCompaction(t, v, c)
		})
	}
}

func TestLeveledPickHighestScore(t *testing.T) {
	tests := []struct {
		name      string
		levels    map[int][]*manifest.FileMeta
		wantLevel int
	}{
		{"L2 (2.0) beats L0 (1.25)", map[int][]*manifest.FileMeta{0: l0(50, 5, "a", "b", 1), 2: level(1, 4, "k", 500)}, 2},
		{"L0 wins a tie with L1", map[int][]*manifest.FileMeta{0: l0(50, 4, "a", "b", 1), 1: level(1, 4, "k", 25)}, 0},
		{"L2 (1.5) beats L1 (1.2)", map[int][]*manifest.FileMeta{1: level(1, 4, "k", 30), 2: level(10, 3, "m", 500)}, 2},
		{"L1 (3.0) beats L5", map[int][]*manifest.FileMeta{1: level(1, 3, "k", 100), 5: level(10, 3, "m", 1e6)}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newVersion(t, tt.levels)
			c := Pick(v, testOpts())
			require.NotNil(t, c)
			require.Equal(t, tt.wantLevel, c.Level, "scores %v", Scores(v, testOpts()))
			checkCompaction(t, v, c)
		})
	}
}

func TestScores(t *testing.T) {
	v := newVersion(t, map[int][]*manifest.FileMeta{
		0: l0(50, 2, "a", "b", 1),
		1: level(1, 2, "k", 25),
		3: level(10, 2, "k", 15000),
		6: level(20, 2, "k", 1e9),
	})
	got := Scores(v, testOpts())
	require.Equal(t, [manifest.NumLevels]float64{0.5, 0.5, 0, 3, 0, 0, 0}, got)
}

func TestPickerRotatesThroughLevel(t *testing.T) {
	v := newVersion(t, map[int][]*manifest.FileMeta{1: level(1, 5, "k", 30)})
	p := NewPicker(testOpts())
	var got []uint64
	for range 7 {
		c := p.Pick(v) // v is not changed: the pointer alone moves
		require.NotNil(t, c)
		got = append(got, nums(c.Inputs[0])...)
	}
	require.Equal(t, []uint64{1, 2, 3, 4, 5, 1, 2}, got)
}

func TestLeveledExpandsInputsForFree(t *testing.T) {
	// L1 table 1 overlaps L2 table 10, whose range also covers L1 table 2;
	// taking table 2 too pulls in no more L2 tables.
	v := newVersion(t, map[int][]*manifest.FileMeta{
		1: {fm(1, "b", "c", 60, 1, 1), fm(2, "d", "e", 60, 1, 1), fm(3, "g", "h", 60, 1, 1)},
		2: {fm(10, "a", "e", 10, 1, 1), fm(11, "f", "z", 10, 1, 1)},
	})
	c := Pick(v, testOpts())
	require.NotNil(t, c)
	require.Equal(t, []uint64{1, 2}, nums(c.Inputs[0]))
	require.Equal(t, []uint64{10}, nums(c.Inputs[1]))
	checkCompaction(t, v, c)
}

func TestPickManual(t *testing.T) {
	v := newVersion(t, map[int][]*manifest.FileMeta{
		0: {fm(30, "m", "n", 5, 300, 309), fm(31, "a", "c", 5, 200, 209), fm(32, "b", "d", 5, 100, 109)},
		1: level(1, 5, "k", 30), // k00-k01 .. k08-k09
		2: {fm(20, "k02", "k03", 10, 1, 1), fm(21, "k07", "k09", 10, 1, 1)},
	})
	tests := []struct {
		name       string
		level      int
		start, end string // "" means nil
		wantNil    bool
		wantIn0    []uint64
		wantIn1    []uint64
		wantMove   bool // nothing below overlaps: moved, not rewritten
	}{
		{name: "L1 sub-range", level: 1, start: "k02", end: "k05", wantIn0: []uint64{2, 3}, wantIn1: []uint64{20}},
		{name: "L1 unbounded", level: 1, wantIn0: []uint64{1, 2, 3, 4, 5}, wantIn1: []uint64{20, 21}},
		{name: "L1 open start", level: 1, end: "k00", wantIn0: []uint64{1}, wantIn1: []uint64{}, wantMove: true},
		// L2 table 21 reaches back to k07, so L1 table 4 comes along.
		{name: "L1 open end", level: 1, start: "k08", wantIn0: []uint64{4, 5}, wantIn1: []uint64{21}},
		{name: "L1 gap", level: 1, start: "z", end: "zz", wantNil: true},
		// Two overlapping L0 tables must be merged, never moved.
		{name: "L0 closure", level: 0, start: "d", end: "d", wantIn0: []uint64{31, 32}, wantIn1: []uint64{}},
		{name: "L0 single table", level: 0, start: "m", end: "m", wantIn0: []uint64{30}, wantIn1: []uint64{}, wantMove: true},
		{name: "empty level", level: 3, wantNil: true},
		{name: "last level", level: 6, wantNil: true},
		{name: "negative level", level: -1, wantNil: true},
	}
	bs := func(s string) []byte {
		if s == "" {
			return nil
		}
		return []byte(s)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := PickManual(v, testOpts(), tt.level, bs(tt.start), bs(tt.end))
			if tt.wantNil {
				require.Nil(t, c)
				return
			}
			require.NotNil(t, c)
			require.Equal(t, tt.wantIn0, nums(c.Inputs[0]))
			require.Equal(t, tt.wantIn1, nums(c.Inputs[1]))
			require.Equal(t, "manual", c.Reason)
			require.True(t, c.Manual)
			require.Equal(t, tt.wantMove, c.IsTrivialMove(), "manual compactions rewrite unless nothing would change")
			checkCompaction(t, v, c)
		})
	}
}

func TestIsTrivialMove(t *testing.T) {
	tests := []struct {
		name   string
		levels map[int][]*manifest.FileMeta
		want   bool
	}{
		{"one table, nothing below", map[int][]*manifest.FileMeta{1: level(1, 1, "k", 200)}, true},
		{"one table, overlap at output level", map[int][]*manifest.FileMeta{
			1: level(1, 1, "k", 200), 2: {fm(9, "k01", "k05", 1, 1, 1)}}, false},
		{"one table, small grandparent overlap", map[int][]*manifest.FileMeta{
			1: level(1, 1, "k", 200), 3: {fm(9, "k00", "k05", 100, 1, 1)}}, true},
		{"one table, grandparent overlap above the limit", map[int][]*manifest.FileMeta{
			1: level(1, 1, "k", 200), 3: {fm(9, "k00", "k05", 101, 1, 1)}}, false},
		{"one L0 table over a trigger of 1", map[int][]*manifest.FileMeta{0: l0(5, 1, "a", "b", 1)}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newVersion(t, tt.levels)
			opts := testOpts()
			opts.L0CompactionTrigger = 1
			c := Pick(v, opts)
			require.NotNil(t, c)
			require.Equal(t, tt.want, c.IsTrivialMove())
			if c.IsTrivialMove() {
				nv, err := v.Apply(c.Edit(c.Inputs[0]))
				require.NoError(t, err)
				require.Equal(t, nums(c.Inputs[0]), nums(nv.Levels[c.OutputLevel]))
			}
		})
	}
}

func TestEditDeletesInputsAddsOutputs(t *testing.T) {
	c := &Compaction{Level: 0, OutputLevel: 3,
		Inputs:  [2][]*manifest.FileMeta{{fm(7, "a", "b", 1, 5, 6)}, {fm(2, "a", "c", 1, 1, 2)}},
		Between: []InputLevel{{Level: 1, Files: []*manifest.FileMeta{fm(4, "a", "a", 1, 3, 4)}}},
	}
	e := c.Edit([]*manifest.FileMeta{fm(9, "a", "c", 3, 1, 6)})
	require.Equal(t, []manifest.DeletedFile{{Level: 0, Num: 7}, {Level: 1, Num: 4}, {Level: 3, Num: 2}}, e.Deleted)
	require.Len(t, e.Added, 1)
	require.Equal(t, 3, e.Added[0].Level)
	require.Equal(t, uint64(9), e.Added[0].Meta.Num)
	require.Equal(t, uint64(3), c.InputBytes())
}

// checkCompaction checks the invariants every picked compaction must meet,
// then installs it with a worst-case output (one table spanning the whole
// input range) and checks that the version stays valid.
func checkCompaction(t *testing.T, v *manifest.Version, c *Compaction) {
	t.Helper()
	require.Less(t, c.Level, c.OutputLevel)
	require.GreaterOrEqual(t, c.OutputLevel, 1)
	var all []*manifest.FileMeta
	for _, in := range c.InputLevels() {
		all = append(all, in.Files...)
	}
	require.NotEmpty(t, all)
	lo, hi := keyRange(all)
	// A table left at the output level must be outside the output range,
	// or the level would overlap itself. A table left at an input level
	// must be outside that level's inputs' range, or it would hold a
	// version of a key older than the one moved below it. (It may overlap
	// the range that OutputLevel inputs add: those are older still.)
	for _, in := range append(c.InputLevels(), InputLevel{Level: c.OutputLevel}) {
		rlo, rhi := lo, hi
		if in.Level != c.OutputLevel {
			rlo, rhi = keyRange(in.Files)
		}
		for _, f := range v.Levels[in.Level] {
			if !slices.Contains(all, f) {
				require.False(t, overlaps(f, rlo, rhi), "table %d left at L%d overlaps [%s, %s]", f.Num, in.Level, rlo, rhi)
			}
		}
	}
	out := fm(1<<40, string(lo), string(hi), 1, 0, 0)
	out.SmallestSeq, out.LargestSeq = minSeq(all), maxSeq(all)
	nv, err := v.Apply(c.Edit([]*manifest.FileMeta{out}))
	require.NoError(t, err, "%s\ninstalling %+v", v, c)
	require.NoError(t, nv.CheckInvariants())
}

func overlaps(f *manifest.FileMeta, lo, hi []byte) bool {
	return bytes.Compare(keys.UserKey(f.Largest), lo) >= 0 && bytes.Compare(keys.UserKey(f.Smallest), hi) <= 0
}

func minSeq(files []*manifest.FileMeta) keys.SeqNum {
	m := keys.MaxSeqNum
	for _, f := range files {
		m = min(m, f.SmallestSeq)
	}
	return m
}

func maxSeq(files []*manifest.FileMeta) keys.SeqNum {
	var m keys.SeqNum
	for _, f := range files {
		m = max(m, f.LargestSeq)
	}
	return m
}

// TestManualMoveNeverIntoTheBottomLevel: a manual compaction into the last
// level rewrites even when nothing there overlaps, since the rewrite is
// what drops tombstones and shadowed versions.
func TestManualMoveNeverIntoTheBottomLevel(t *testing.T) {
	for _, tt := range []struct {
		level    int
		wantMove bool
	}{{4, true}, {5, false}} {
		v := newVersion(t, map[int][]*manifest.FileMeta{tt.level: level(uint64(tt.level)*10, 2, "k", 30)})
		c := PickManual(v, testOpts(), tt.level, nil, nil)
		require.NotNil(t, c)
		require.Equal(t, tt.level+1, c.OutputLevel)
		require.Equal(t, tt.wantMove, c.IsTrivialMove(), "L%d -> L%d", tt.level, tt.level+1)
	}
}
