package lsmkvengine

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lsmkv/lsmkv/bench"
)

// TestEveryWorkloadOnLsmkv runs each kvbench workload on lsmkv with a tiny
// key count and checks what the runner saw: reads after a fill find every
// key, missing-key reads find none, and lsmkv reports its metrics.
func TestEveryWorkloadOnLsmkv(t *testing.T) {
	const num = 500
	rep, err := bench.Run(bench.Options{
		EngineName: "lsmkv",
		Engine:     bench.Config{Dir: t.TempDir(), BloomBits: 10, MemtableSize: 16 << 10},
		Benchmarks: append([]string{"fillrandom"}, bench.WorkloadNames()...),
		Num:        num,
	})
	require.NoError(t, err)
	byName := map[string]bench.PhaseResult{}
	for _, r := range rep.Results {
		byName[r.Name] = r
		require.Positive(t, r.Ops, r.Name)
	}
	require.EqualValues(t, num, byName["fillrandom"].Ops)
	require.Greater(t, byName["fillrandom"].WriteAmp, 1.0, "write amp comes from lsmkv's Metrics")
	require.Zero(t, byName["readmissing"].Found)
	require.Positive(t, byName["readhot"].Found)
	require.Len(t, byName["fillrandom"].Levels, 7)
}
