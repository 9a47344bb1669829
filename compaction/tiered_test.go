package compaction

import (
	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/stretchr/testify/require"
	"strings"
	"testing"

	"github.com/lsmkv/lsmkv/manifest"
)

func tieredOpts() Options {
	o := testOpts()
	o.Style = Tiered
	return o
}

// runAt returns one L1+ sorted run of size bytes whose sequence numbers
// are [seqLo, seqLo+9], with the given first file number.
func runAt(num uint64, size uint64, seqLo uint64) []*manifest.FileMeta {
	s := keys.SeqNum(seqLo)
	return []*manifest.FileMeta{fm(num, "a", "m", size/2, s, s+9), fm(num+1, "n", "z", size-size/2, s, s+9)}
}

var tieredPickCases = []struct {
	name       string
	trigger    int
	levels     map[int][]*manifest.FileMeta
	wantNil    bool
	wantLevel  int
	wantOut    int
	wantIn0    []uint64
	wantMid    []int // levels of Between
	wantIn1    []uint64
	wantReason string
}{
	{
		name:    "fewer runs than the trigger",
		levels:  map[int][]*manifest.FileMeta{0: l0(10, 2, "a", "z", 10), 6: runAt(1, 1000, 1)},
		wantNil: true,
	},
	{
		name:      "similar L0 runs merge above the next run",
		levels:    map[int][]*manifest.FileMeta{0: l0(10, 3, "a", "z", 10), 6: runAt(1, 1000, 1)},
		wantLevel: 0, wantOut: 5, wantIn0: []uint64{12, 11, 10}, wantIn1: []uint64{},
		wantReason: "tiered: size ratio, 3 similar runs",
	},
	{
		name: "no similar runs at the trigger: wait for more",
		levels: map[int][]*manifest.FileMeta{
			0: l0(10, 1, "a", "z", 10), 1: runAt(1, 30, 100), 4: runAt(3, 100, 50), 6: runAt(5, 1000, 1)},
		wantNil: true,
	},
	{
		name: "no similar runs above the trigger: merge the newest two",
		levels: map[int][]*manifest.FileMeta{
			0: l0(10, 1, "a", "z", 10), 1: runAt(1, 30, 100), 2: runAt(3, 100, 80),
			4: runAt(5, 400, 50), 6: runAt(7, 2000, 1)},
		wantLevel: 0, wantOut: 1, wantIn0: []uint64{10}, wantIn1: []uint64{1, 2},
		wantReason: "tiered: run count 5 > 4",
	},
	{
		name: "similar runs below a dissimilar newest run",
		levels: map[int][]*manifest.FileMeta{
			0: l0(10, 1, "a", "z", 10), 2: runAt(1, 100, 100), 3: runAt(3, 100, 50), 6: runAt(5, 1000, 1)},
		wantLevel: 2, wantOut: 5, wantIn0: []uint64{1, 2}, wantMid: []int{3}, wantIn1: []uint64{},
		wantReason: "tiered: size ratio, 2 similar runs",
	},
	{
		name: "L0-only merge cannot land in L0: the L1 run joins",
		levels: map[int][]*manifest.FileMeta{
			0: l0(10, 2, "a", "z", 10), 1: runAt(1, 100, 100), 6: runAt(5, 1000, 1)},
		wantLevel: 0, wantOut: 5, wantIn0: []uint64{11, 10}, wantMid: []int{1}, wantIn1: []uint64{},
		wantReason: "tiered: size ratio, 2 similar runs",
	},
	{
		name: "size amplification forces a full merge into the last level",
		levels: map[int][]*manifest.FileMeta{
			0: l0(10, 2, "a", "z", 1), 1: runAt(1, 300, 100), 6: runAt(5, 100, 1)},
		wantLevel: 0, wantOut: 6, wantIn0: []uint64{11, 10}, wantMid: []int{1}, wantIn1: []uint64{5, 6},
		wantReason: "tiered: size amplification 302% >= 200%",
	},
	{
		name: "runs in L1+ only",
		levels: map[int][]*manifest.FileMeta{
			1: runAt(1, 10, 500), 2: runAt(3, 100, 400), 3: runAt(5, 1000, 300),
			4: runAt(7, 10000, 200), 5: runAt(9, 100000, 100)},
		wantLevel: 1, wantOut: 2, wantIn0: []uint64{1, 2}, wantIn1: []uint64{3, 4},
		wantReason: "tiered: run count 5 > 4",
	},
	{
		name:    "a trigger above 6 acts as 6",
		trigger: 8,
		levels: map[int][]*manifest.FileMeta{
			0: l0(20, 1, "a", "z", 10), 1: runAt(1, 30, 600), 2: runAt(3, 100, 500), 3: runAt(5, 400, 400),
			4: runAt(7, 1600, 300), 5: runAt(9, 6400, 200), 6: runAt(11, 25600, 100)},
		wantLevel: 0, wantOut: 1, wantIn0: []uint64{20}, wantIn1: []uint64{1, 2},
		wantReason: "tiered: run count 7 > 6",
	},
	{
		name:    "a trigger of 1 acts as 2",
		trigger: 1,
		levels:  map[int][]*manifest.FileMeta{6: runAt(5, 100, 1)},
		wantNil: true,
	},
}

func TestTieredPick(t *testing.T) {
	for _, tt := range tieredPickCases {
		t.Run(tt.name, func(t *testing.T) {
			v := newVersion(t, tt.levels)
			opts := tieredOpts()
			if tt.trigger != 0 {
				opts.L0CompactionTrigger = tt.trigger
			}
			c := Pick(v, opts)
			if tt.wantNil {
				require.Nil(t, c)
				return
			}
			require.NotNil(t, c)
			require.Equal(t, tt.wantLevel, c.Level)
			require.Equal(t, tt.wantOut, c.OutputLevel)
			require.Equal(t, tt.wantIn0, nums(c.Inputs[0]))
			var mid []int
			for _, in := range c.Between {
				mid = append(mid, in.Level)
			}
			require.Equal(t, tt.wantMid, mid)
			require.Equal(t, tt.wantIn1, nums(c.Inputs[1]))
			require.Equal(t, tt.wantReason, c.Reason)
			require.False(t, c.IsTrivialMove())
			checkCompaction(t, v, c)
			checkRunsOrdered(t, applyOneOutput(t, v, c))
		})
	}
}

func TestTieredScores(t *testing.T) {
	v := newVersion(t, map[int][]*manifest.FileMeta{0: l0(10, 3, "a", "z", 10), 6: runAt(1, 1000, 1)})
	require.Equal(t, [manifest.NumLevels]float64{1, 0, 0, 0, 0, 0, 0}, Scores(v, tieredOpts()))
}

// applyOneOutput installs c with a single output table spanning its inputs.
func applyOneOutput(t *testing.T, v *manifest.Version, c *Compaction) *manifest.Version {
	t.Helper()
	var all []*manifest.FileMeta
	for _, in := range c.InputLevels() {
		all = append(all, in.Files...)
	}
	lo, hi := keyRange(all)
	out := fm(1<<40, string(lo), string(hi), c.InputBytes(), minSeq(all), maxSeq(all))
	nv, err := v.Apply(c.Edit([]*manifest.FileMeta{out}))
	require.NoError(t, err)
	return nv
}

// checkRunsOrdered checks the tiered invariant: listed newest first, each
// sorted run holds only sequence numbers above those of every older run, so
// no newer write ever sits below an older one.
func checkRunsOrdered(t testing.TB, v *manifest.Version) {
	t.Helper()
	runs := sortedRuns(v)
	for i := 1; i < len(runs); i++ {
		newer, older := minSeq(runs[i-1].files), maxSeq(runs[i].files)
		if newer <= older {
			var sb strings.Builder
			for _, r := range runs {
				sb.WriteString(" L")
				sb.WriteByte(byte('0' + r.level))
			}
			t.Fatalf("run %d (L%d, min seq %d) is not newer than run %d (L%d, max seq %d); runs:%s\n%s",
				i-1, runs[i-1].level, newer, i, runs[i].level, older, sb.String(), v)
		}
	}
}
