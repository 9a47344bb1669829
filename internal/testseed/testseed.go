// Package testseed gives randomized tests a seed they log, so that any
// failure can be replayed: go test ./pkg -run TestX -seed=N (or with the
// environment variable LSMKV_SEED=N). With neither, the seed comes from the
// clock. Only tests import this package.
package testseed

import (
	"flag"
	"os"
	"strconv"
	"testing"
	"time"
)

var seedFlag = flag.Uint64("seed", 0, "seed for randomized tests (0: $LSMKV_SEED, else the clock)")

// Seed returns the seed for a randomized test and logs it.
func Seed(t testing.TB) uint64 {
	t.Helper()
	seed := *seedFlag
	if seed == 0 {
		if v, err := strconv.ParseUint(os.Getenv("LSMKV_SEED"), 10, 64); err == nil {
			seed = v
		}
	}
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed=%d (replay with -seed=%d or LSMKV_SEED=%d)", seed, seed, seed)
	return seed
}
