package rangedel

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/internal/testseed"
)

func ts(start, end string, seq keys.SeqNum) Tombstone {
	return Tombstone{Start: []byte(start), End: []byte(end), Seq: seq}
}

func (l List) String() string {
	var parts []string
	for _, f := range l {
		parts = append(parts, fmt.Sprintf("[%s,%s)%v", f.Start, f.End, f.Seqs))
	}
	return strings.Join(parts, " ")
}

func TestBuild(t *testing.T) {
	tests := []struct {
		name string
		in   []Tombstone
		want string
	}{
		{"none", nil, ""},
		{"empty span dropped", []Tombstone{ts("b", "b", 3), ts("c", "a", 4)}, ""},
		{"one", []Tombstone{ts("a", "c", 3)}, "[a,c)[3]"},
		{"overlap", []Tombstone{ts("a", "m", 7), ts("f", "z", 9)}, "[a,f)[7] [f,m)[9 7] [m,z)[9]"},
		{"nested", []Tombstone{ts("a", "z", 2), ts("c", "d", 5)}, "[a,c)[2] [c,d)[5 2] [d,z)[2]"},
		{"adjacent", []Tombstone{ts("c", "d", 1), ts("a", "c", 2)}, "[a,c)[2] [c,d)[1]"},
		{"gap", []Tombstone{ts("a", "b", 1), ts("x", "y", 2)}, "[a,b)[1] [x,y)[2]"},
		{"same span twice", []Tombstone{ts("a", "b", 1), ts("a", "b", 1), ts("a", "b", 4)}, "[a,b)[4 1]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := Build(tc.in)
			require.Equal(t, tc.want, l.String())
			require.Empty(t, l.Check())
		})
	}
}

// TestBuildMatchesModel compares Covering on random tombstones with a
// brute-force scan of the tombstones themselves.
func TestBuildMatchesModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(testseed.Seed(t), 1))
	key := func() string { return fmt.Sprintf("k%02d", rng.IntN(30)) }
	for round := 0; round < 300; round++ {
		var in []Tombstone
		for i := rng.IntN(12); i > 0; i-- {
			in = append(in, ts(key(), key(), keys.SeqNum(1+rng.IntN(20))))
		}
		l := Build(in)
		require.Empty(t, l.Check(), "round %d: %v", round, l)
		for probe := 0; probe < 40; probe++ {
			k, seq := key(), keys.SeqNum(rng.IntN(22))
			var want keys.SeqNum
			for _, t := range in {
				if t.Seq <= seq && string(t.Start) <= k && k < string(t.End) {
					want = max(want, t.Seq)
				}
			}
			require.Equal(t, want, l.Covering([]byte(k), seq), "round %d: Covering(%s, %d) in %v", round, k, seq, l)
		}
		require.Equal(t, l.String(), Merge(l).String(), "fragmenting fragments changes nothing")
	}
}

func TestTruncate(t *testing.T) {
	l := Build([]Tombstone{ts("a", "m", 7), ts("f", "z", 9)})
	tests := []struct {
		lo, hi string // "" is unbounded
		want   string
	}{
		{"", "", "[a,f)[7] [f,m)[9 7] [m,z)[9]"},
		{"c", "", "[c,f)[7] [f,m)[9 7] [m,z)[9]"},
		{"", "g", "[a,f)[7] [f,g)[9 7]"},
		{"f", "m", "[f,m)[9 7]"},
		{"n", "p", "[n,p)[9]"},
		{"z", "", ""},
		{"", "a", ""},
	}
	b := func(s string) []byte {
		if s == "" {
			return nil
		}
		return []byte(s)
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, l.Truncate(b(tc.lo), b(tc.hi)).String(), "Truncate(%q, %q)", tc.lo, tc.hi)
	}
}

func TestCheckFindsBrokenLists(t *testing.T) {
	bad := map[string]List{
		"empty span": {{Start: []byte("b"), End: []byte("b"), Seqs: []keys.SeqNum{1}}},
		"no seqs":    {{Start: []byte("a"), End: []byte("b")}},
		"overlap": {{Start: []byte("a"), End: []byte("c"), Seqs: []keys.SeqNum{1}},
			{Start: []byte("b"), End: []byte("d"), Seqs: []keys.SeqNum{1}}},
		"seqs ascending": {{Start: []byte("a"), End: []byte("b"), Seqs: []keys.SeqNum{1, 2}}},
	}
	for name, l := range bad {
		require.NotEmpty(t, l.Check(), name)
	}
}
