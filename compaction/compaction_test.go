package compaction

import (
	"github.com/stretchr/testify/require"
	"testing"

	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/manifest"
)

func TestElideTombstone(t *testing.T) {
	v := newVersion(t, map[int][]*manifest.FileMeta{
		1: {fm(1, "a", "z", 1, 1, 1)}, // the output level's own tables never matter
		2: {fm(2, "c", "e", 1, 1, 1), fm(3, "h", "j", 1, 1, 1)},
		3: {fm(4, "a", "b", 1, 1, 1)},
		6: {fm(5, "p", "p", 1, 1, 1)},
	})
	type call struct {
		ukey string
		want bool
	}
	tests := []struct {
		name        string
		outputLevel int
		calls       []call // increasing keys, as a compaction makes them
	}{
		{"output L1", 1, []call{
			{"a", false}, {"a", false}, {"b", false}, {"bb", true}, {"c", false}, {"d", false},
			{"e", false}, {"f", true}, {"h", false}, {"k", true}, {"p", false}, {"q", true}, {"z", true},
		}},
		{"output L2 ignores L2", 2, []call{{"a", false}, {"d", true}, {"i", true}, {"p", false}, {"pp", true}}},
		{"output L6 has nothing below", 6, []call{{"a", true}, {"p", true}}},
		{"keys past the last table", 1, []call{{"zz", true}, {"zzz", true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOpts()
			c := newCompaction(v, &opts, tt.outputLevel-1, tt.outputLevel)
			for _, call := range tt.calls {
				require.Equal(t, call.want, c.ElideTombstone([]byte(call.ukey)), "ElideTombstone(%q)", call.ukey)
			}
		})
	}
}

func TestShouldStopBefore(t *testing.T) {
	gps := []*manifest.FileMeta{
		fm(1, "a", "b", 60, 1, 1), fm(2, "c", "d", 60, 1, 1),
		fm(3, "e", "f", 60, 1, 1), fm(4, "g", "h", 60, 1, 1),
	}
	type call struct {
		ukey string
		seq  keys.SeqNum
		want bool
	}
	tests := []struct {
		name  string
		calls []call
	}{
		{"stops once overlap exceeds 100 bytes", []call{
			{"a", 9, false}, {"b", 9, false},
			{"c", 9, false}, // past table 1: 60 bytes
			{"c", 8, false},
			{"e", 9, true},  // past table 2: 120 > 100, start a new output
			{"e", 8, false}, // same user key: never split it
			{"g", 9, false}, // past table 3: 60
			{"i", 9, true},  // past table 4: 120
			{"j", 9, false},
		}},
		{"grandparents before the first key do not count", []call{
			{"e", 9, false}, {"g", 9, false}, {"i", 9, true},
		}},
		{"no grandparents overlapped", []call{{"a", 1, false}, {"b", 1, false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Compaction{Grandparents: gps, maxGPOverlap: 100}
			for _, call := range tt.calls {
				ikey := keys.Make([]byte(call.ukey), call.seq, keys.KindSet)
				require.Equal(t, call.want, c.ShouldStopBefore(ikey), "ShouldStopBefore(%s)", keys.String(ikey))
			}
		})
	}
}

func TestOptionsDefaults(t *testing.T) {
	var o Options
	o.EnsureDefaults()
	require.Equal(t, Options{
		L0CompactionTrigger: 4, LevelSizeMultiplier: 10, BaseLevelSize: 64 << 20,
		TargetFileSize: 2 << 20, MaxGrandparentOverlap: 20 << 20,
		SizeRatioPercent: 10, MaxSizeAmplificationPercent: 200,
	}, o)
	require.Equal(t, 64.0*(1<<20)*100, o.levelTarget(3))
}
