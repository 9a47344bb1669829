package metamorphic

import (
	"flag"
	"testing"

	"github.com/lsmkv/lsmkv/internal/testseed"
)

var (
	opsFlag  = flag.Int("ops", 0, "operations per sequence (0: 3000, or 600 with -short)")
	runsFlag = flag.Int("runs", 1, "sequences to run, with seeds seed, seed+1, ...")
	setFlag  = flag.String("set", "", "run only the option set of this name")
)

// TestMetamorphic runs random sequences against the model and every option
// set; see the package doc.
func TestMetamorphic(t *testing.T) {
	n := *opsFlag
	if n == 0 {
		n = 3000
		if testing.Short() {
			n = 600
		}
	}
	base := testseed.Seed(t)
	for run := 0; run < *runsFlag; run++ {
		seed := base + uint64(run)
		ops := generate(seed, n)
		want := expected(ops)
		for _, set := range optionSets {
			if *setFlag != "" && set.name != *setFlag {
				continue
			}
			d, stats := runOpsStats(set, ops, want)
			if d == nil {
				t.Logf("seed %d %-18s ok: %d flushes, %d compactions", seed, set.name, stats.flushes, stats.compactions)
				continue
			}
			t.Logf("option set %q, seed %d: %v; shrinking", set.name, seed, d)
			small := shrink(set, ops[:d.index+1], 400)
			t.Fatalf("%s", report(set, seed, small, runOps(set, small, expected(small))))
		}
	}
	t.Logf("%d sequences of %d operations, %d option sets each", *runsFlag, n, len(optionSets))
}
