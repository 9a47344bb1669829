package bench

import (
	"flag"
	"math/rand/v2"
	"testing"
	"time"
)

// -bench.seed replays a randomized test: each prints its seed.
var seedFlag = flag.Uint64("bench.seed", 0, "seed for randomized tests (0: time-based)")

func testSeed(t testing.TB) uint64 {
	s := *seedFlag
	if s == 0 {
		s = uint64(time.Now().UnixNano())
	}
	t.Logf("seed=%d (replay with -bench.seed=%d)", s, s)
	return s
}

// fixedRand is for statistical tests: a fixed seed keeps them from
// flaking, at the cost of testing one sample.
func fixedRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0)) }
