package bench

import (
	"github.com/lsmkv/lsmkv/internal/testseed"
	"math/rand/v2"
	"testing"
)

func testSeed(t testing.TB) uint64 {
	return testseed.Seed(t)
}

// fixedRand is for statistical tests: a fixed seed keeps them from
// flaking, at the cost of testing one sample.
func fixedRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0)) }
