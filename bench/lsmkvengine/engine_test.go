package lsmkvengine

import (
	"path/filepath"
	"strings"
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
		EngineName:      "lsmkv",
		Engine:          bench.Config{Dir: t.TempDir(), BloomBits: 10, MemtableSize: 16 << 10},
		Benchmarks:      append([]string{"fillrandom"}, bench.WorkloadNames()...),
		Num:             num,
		RangeTombstones: 50,
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

func init() { bench.Register("map", bench.OpenMapEngine) }

// TestRangeDeletionsOnLsmkv runs the range deletion workloads on lsmkv and
// on the reference map engine with the same seed: every phase must do the
// same ops and find the same keys, so the deleted spans are gone and the
// empty-range tombstones deleted nothing. lsmkv deletes natively, and its
// compaction gives the deleted data's space back.
func TestRangeDeletionsOnLsmkv(t *testing.T) {
	benchmarks := []string{"fillrandom", "deleterange", "readrandom", "seekrandom", "readseq",
		"rangetombstones", "readrandom", "readmissing", "readseq"}
	run := func(engine string) *bench.Report {
		rep, err := bench.Run(bench.Options{
			EngineName: engine,
			Engine:     bench.Config{Dir: filepath.Join(t.TempDir(), engine), BloomBits: 10, MemtableSize: 16 << 10},
			Benchmarks: benchmarks, Num: 2000, Threads: 2, RangeTombstones: 300, DeleteRangeSpan: 20,
		})
		require.NoError(t, err, engine)
		return rep
	}
	want, got := run("map"), run("lsmkv")
	for i, w := range want.Results {
		g := got.Results[i]
		require.Equal(t, w.Name, g.Name)
		require.Equal(t, w.Ops, g.Ops, "%s ops", w.Name)
		require.Equal(t, w.Found, g.Found, "%s found", w.Name)
		require.Equal(t, w.LiveBytes, g.LiveBytes, "%s live bytes", w.Name)
		require.Equal(t, w.RangeDel, g.RangeDel, w.Name)
	}
	dr := got.Results[1]
	require.Equal(t, bench.RangeDelNative, dr.RangeDel)
	require.EqualValues(t, 50, dr.Ops, "half of 100 spans of 20 keys")
	require.Less(t, dr.Space.AfterDeletes.LiveBytes, dr.Space.Before.LiveBytes)
	require.NotNil(t, dr.Space.AfterCompact)
	require.Less(t, dr.Space.AfterCompact.DiskBytes, dr.Space.AfterDeletes.DiskBytes, "compaction gave space back")
	require.EqualValues(t, 300, got.Results[5].Ops)
}

// TestTimelineOnLsmkv: lsmkv's flushes and compactions reach the report's
// phases as timeline events inside the phase's span, and the HTML report
// draws them.
func TestTimelineOnLsmkv(t *testing.T) {
	rep, err := bench.Run(bench.Options{
		EngineName: "lsmkv",
		Engine:     bench.Config{Dir: t.TempDir(), BloomBits: 10, MemtableSize: 16 << 10},
		Benchmarks: []string{"fillrandom", "overwrite"},
		Num:        20000,
	})
	require.NoError(t, err)
	kinds := map[bench.EventKind]int{}
	for _, r := range rep.Results {
		for _, e := range r.Events {
			kinds[e.Kind]++
			require.LessOrEqual(t, e.Start, e.End, "%+v", e)
			require.NotEmpty(t, e.Label)
		}
	}
	require.Positive(t, kinds[bench.EventFlush], "flushes: %v", kinds)
	require.Positive(t, kinds[bench.EventCompaction], "compactions: %v", kinds)
	var html strings.Builder
	require.NoError(t, bench.WriteHTML(&html, rep))
	require.Contains(t, html.String(), "Background work over time")
	require.Contains(t, html.String(), `class="event flush"`)
	require.Contains(t, html.String(), `class="event compaction"`)
}
