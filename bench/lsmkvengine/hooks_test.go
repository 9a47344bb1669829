package lsmkvengine

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lsmkv/lsmkv"
	"github.com/lsmkv/lsmkv/bench"
)

// TestHooksFollowEveryOpen runs two fill phases (each reopens the store)
// through OpenWith and checks that the hooks saw each DB opened and then
// closed, that the extra listener got flushes while the report's timeline
// still got its events (chained, not replaced), and that the runner's
// live hooks counted every op and named every phase.
func TestHooksFollowEveryOpen(t *testing.T) {
	var (
		mu      sync.Mutex
		log     []string
		open    *lsmkv.DB
		flushes atomic.Int64
		ops     atomic.Int64
		phases  []string
	)
	h := Hooks{
		Listener: lsmkv.EventListener{FlushEnd: func(lsmkv.FlushInfo) { flushes.Add(1) }},
		Opened: func(db *lsmkv.DB) {
			mu.Lock()
			defer mu.Unlock()
			require.Nil(t, open, "opened before the previous DB was closed")
			open = db
			log = append(log, "open")
		},
		Closing: func(db *lsmkv.DB) {
			mu.Lock()
			defer mu.Unlock()
			require.Same(t, open, db)
			open = nil
			log = append(log, "close")
		},
	}
	const num = 2000
	rep, err := bench.Run(bench.Options{
		EngineName:   "lsmkv",
		Open:         OpenWith(h),
		OpsDone:      &ops,
		PhaseStarted: func(name string) { phases = append(phases, name) },
		Engine:       bench.Config{Dir: t.TempDir(), MemtableSize: 16 << 10},
		Benchmarks:   []string{"fillseq", "fillrandom"},
		Num:          num,
	})
	require.NoError(t, err)
	// Run's first open, then a reset per fill phase: close and reopen.
	require.Equal(t, []string{"open", "close", "open", "close", "open", "close"}, log)
	require.Equal(t, []string{"fillseq", "fillrandom"}, phases)
	require.EqualValues(t, 2*num, ops.Load())
	require.Positive(t, flushes.Load())
	var timeline int
	for _, r := range rep.Results {
		timeline += len(r.Events)
	}
	require.Positive(t, timeline, "the report's timeline lost its events")
}
