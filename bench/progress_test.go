package bench

import (
	"runtime"
	"testing"
)

// TestOnePointThroughputIsPhaseAverage is issue 9: the HTML chart drew
// nothing visible for phases with one throughput point, because that
// point divided the phase's ops by the time since the sampler goroutine
// happened to start rather than since the phase did, giving rates up to
// thousands of times too high that flattened every other line.
//
// A phase far shorter than throughputInterval has one point, covering
// from the phase's start to after its end, so it can be at most the
// phase's average rate. This compares two rates measured over nested
// spans of one clock; it holds however slow the machine is.
//
// GOMAXPROCS(1) makes the workers run before the sampler goroutine does,
// which is the late start that the old code mismeasured.
func TestOnePointThroughputIsPhaseAverage(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	o := testOptions(t, "fillseq", "readrandom", "deleterandom")
	results, err := runAll(&o, OpenMapEngine)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if len(r.Throughput) != 1 {
			continue // the machine was slow enough to give it a second point
		}
		if avg := r.OpsPerSec(); r.Throughput[0] > avg*(1+1e-9) {
			t.Errorf("%s: one throughput point %.0f ops/s above the phase average %.0f", r.Name, r.Throughput[0], avg)
		}
	}
}
