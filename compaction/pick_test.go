package compaction

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/manifest"
)

// randomVersion builds a valid version with random tables over user keys
// "k00".."k99": deeper levels hold older sequence numbers, L0 the newest.
func randomVersion(r *rand.Rand) *manifest.Version {
	v := &manifest.Version{}
	num := uint64(1)
	seq := keys.SeqNum(1)
	for level := manifest.NumLevels - 1; level >= 1; level-- {
		if r.IntN(3) == 0 {
			continue
		}
		bounds := r.Perm(100)[:2*(1+r.IntN(5))]
		slices.Sort(bounds)
		for i := 0; i < len(bounds); i += 2 {
			lo, hi := fmt.Sprintf("k%02d", bounds[i]), fmt.Sprintf("k%02d", bounds[i+1])
			v.Levels[level] = append(v.Levels[level], fm(num, lo, hi, 1+r.Uint64N(300), seq, seq+9))
			num++
		}
		seq += 10
	}
	for range r.IntN(8) {
		a, b := r.IntN(100), r.IntN(100)
		lo, hi := fmt.Sprintf("k%02d", min(a, b)), fmt.Sprintf("k%02d", max(a, b))
		f := fm(num, lo, hi, 1+r.Uint64N(30), seq, seq+9)
		v.Levels[0] = append([]*manifest.FileMeta{f}, v.Levels[0]...)
		num++
		seq += 10
	}
	return v
}

// TestPickInvariantsRandom checks, on random versions, that every
// compaction any picker returns leaves a valid version when installed with
// a worst-case output, and that leveled picks only fire on a score >= 1.
func TestPickInvariantsRandom(t *testing.T) {
	r := newRand(t)
	for i := range 2000 {
		v := randomVersion(r)
		if err := v.CheckInvariants(); err != nil {
			t.Fatalf("generator: %v\n%s", err, v)
		}
		opts := testOpts()
		opts.L0CompactionTrigger = 1 + r.IntN(5)
		opts.Style = Style(r.IntN(2))
		if c := Pick(v, opts); c != nil {
			t.Run("", func(t *testing.T) { checkCompaction(t, v, c) })
			if opts.Style == Tiered {
				checkRunsOrdered(t, applyOneOutput(t, v, c))
			} else if c.Score < 1 {
				t.Fatalf("case %d: picked with score %v", i, c.Score)
			}
		}
		level := r.IntN(manifest.NumLevels)
		a, b := []byte(fmt.Sprintf("k%02d", r.IntN(100))), []byte(fmt.Sprintf("k%02d", r.IntN(100)))
		if r.IntN(4) == 0 {
			a = nil
		}
		if r.IntN(4) == 0 {
			b = nil
		}
		if c := PickManual(v, opts, level, a, b); c != nil {
			checkCompaction(t, v, c)
		}
		if t.Failed() {
			t.Fatalf("case %d:\n%s", i, v)
		}
	}
}
