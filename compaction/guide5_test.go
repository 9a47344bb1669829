package compaction

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/lsmkv/lsmkv/manifest"
)

// guide5Run is one style's run of the chapter 5 experiment in the
// simulator.
type guide5Run struct {
	s *simulator
	// l1Rewrites counts leveled compactions that merged L0 into an existing
	// L1 table (read it and wrote it again); others counts every other
	// leveled compaction.
	l1Rewrites, others int
}

// runGuide5 replays docs/guide/05-compaction.md's experiment in the
// simulator: 20,000 writes of random keys (with repeats) out of 20,000, in
// 44 flushes as kvbench's 64 KiB memtable makes, with the style's default
// options. The compaction goroutine of the real engine lags behind the
// flushes by a timing-dependent amount; here it runs to completion after
// every lag-th flush, so each (seed, lag) pair has one outcome.
func runGuide5(t *testing.T, style Style, seed uint64, lag int) guide5Run {
	const keySpace, writes, flushes = 20000, 20000, 44
	g := guide5Run{s: newSimulator(t, rand.New(rand.NewPCG(seed, 5)), Options{Style: style}, keySpace)}
	s := g.s
	drain := func() {
		for c := s.picker.Pick(s.v); c != nil; c = s.picker.Pick(s.v) {
			if style == Leveled {
				if c.Level == 0 && c.OutputLevel == 1 && len(c.Inputs[1]) > 0 {
					g.l1Rewrites++
				} else if c.Level != 0 || c.OutputLevel != 1 || s.v.NumFiles(1) > 0 {
					g.others++
				}
			}
			s.compact(c)
		}
		s.maxRuns = max(s.maxRuns, len(sortedRuns(s.v)))
	}
	for i := range flushes {
		s.flush(writes*(i+1)/flushes - writes*i/flushes)
		if (i+1)%lag == 0 {
			drain()
		}
	}
	drain()
	s.check()
	return g
}

// spaceAmp is the simulated tables' bytes over the live keys' bytes.
func (g guide5Run) spaceAmp() float64 {
	return float64(g.s.v.TotalSize()) / float64(g.s.written*simEntrySize)
}

// TestGuideChapter5Claims checks the claims that docs/guide/05-compaction.md
// makes about its experiment ("watch the tree take shape"): the shape of
// each style's tree, which style writes less, which keeps more bytes, and
// at most L0CompactionTrigger sorted runs once compaction has caught up.
// It runs on the simulator of simulate_test.go so that no claim rests on
// timing (kvbench's figures depend on how far the compaction goroutine
// lagged when the metrics were printed): each claim must hold for every
// seed and every lag, from compaction keeping up with each flush to
// compaction waking only every 12 flushes (the engine stops writes at 12
// L0 tables). Run
//
//	go test ./compaction -run TestGuideChapter5Claims -v
//
// to see the figures behind the claims.
func TestGuideChapter5Claims(t *testing.T) {
	for _, lag := range []int{1, 2, 3, 4, 6, 8, 12} {
		for seed := uint64(1); seed <= 2; seed++ {
			t.Run(fmt.Sprintf("lag=%d/seed=%d", lag, seed), func(t *testing.T) {
				lv, ti := runGuide5(t, Leveled, seed, lag), runGuide5(t, Tiered, seed, lag)
				t.Logf("leveled: %s", lv.s.summary())
				t.Logf("tiered:  %s", ti.s.summary())
				checkGuide5Leveled(t, lv)
				checkGuide5Tiered(t, ti.s.v)
				if lw, tw := lv.s.writeAmp(), ti.s.writeAmp(); tw >= lw {
					t.Errorf("tiered write amplification %.2f, not below leveled's %.2f", tw, lw)
				}
				if ls, ts := lv.spaceAmp(), ti.spaceAmp(); ts <= ls {
					t.Errorf("tiered space amplification %.2f, not above leveled's %.2f", ts, ls)
				}
				for _, g := range []guide5Run{lv, ti} {
					if trigger := g.s.opts.L0CompactionTrigger; g.s.maxRuns > trigger {
						t.Errorf("%v: %d sorted runs once compaction caught up, more than %d",
							g.s.opts.Style, g.s.maxRuns, trigger)
					}
				}
			})
		}
	}
}

// checkGuide5Leveled checks the chapter's leveled claims: far below L1's
// target, everything that leaves L0 goes to L1 and stays there, as one
// table with a tiny score, and every compaction after the first reads and
// rewrites that table.
func checkGuide5Leveled(t *testing.T, g guide5Run) {
	t.Helper()
	v := g.s.v
	if n := v.NumFiles(1); n != 1 {
		t.Errorf("leveled: L1 has %d tables, want 1\n%s", n, v)
	}
	for level := 2; level < manifest.NumLevels; level++ {
		if n := v.NumFiles(level); n != 0 {
			t.Errorf("leveled: L%d has %d tables, want none\n%s", level, n, v)
		}
	}
	if score := Scores(v, g.s.opts)[1]; score >= 0.05 {
		t.Errorf("leveled: L1 score %.3f, want < 0.05", score)
	}
	if g.others > 0 || g.l1Rewrites == 0 {
		t.Errorf("leveled: %d compactions rewrote the L1 table, %d did something else; want all but the first to rewrite it",
			g.l1Rewrites, g.others)
	}
}

// checkGuide5Tiered checks the chapter's tiered claims: below L0, one run
// per level in consecutive levels ending at the last, each at least as big
// as the run above it.
func checkGuide5Tiered(t *testing.T, v *manifest.Version) {
	t.Helper()
	first := manifest.NumLevels
	for level := manifest.NumLevels - 1; level >= 1 && v.NumFiles(level) > 0; level-- {
		first = level
	}
	if first == manifest.NumLevels {
		t.Fatalf("tiered: no run below L0\n%s", v)
	}
	for level := 1; level < first; level++ {
		if n := v.NumFiles(level); n != 0 {
			t.Errorf("tiered: L%d holds a run above an empty level\n%s", level, v)
		}
	}
	for level := first + 1; level < manifest.NumLevels; level++ {
		if v.LevelSize(level) < v.LevelSize(level-1) {
			t.Errorf("tiered: L%d (%d bytes) is smaller than L%d (%d bytes) above it\n%s",
				level, v.LevelSize(level), level-1, v.LevelSize(level-1), v)
		}
	}
}
