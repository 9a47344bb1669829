package lsmkv

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lsmkv/lsmkv/vfs"
)

// recorder is an EventListener that keeps every event as a line.
type recorder struct {
	mu                                                sync.Mutex
	events                                            []string
	flushOut, compactions, moves, stalls, stallBegins int
	created, deleted                                  map[uint64]bool
	errs                                              []BackgroundErrorInfo
}

func (r *recorder) add(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, fmt.Sprintf(format, args...))
}

func (r *recorder) listener() EventListener {
	r.created, r.deleted = map[uint64]bool{}, map[uint64]bool{}
	return EventListener{
		FlushBegin: func(i FlushInfo) { r.add("flush-begin %d", i.JobID) },
		FlushEnd: func(i FlushInfo) {
			r.add("flush-end %d", i.JobID)
			if i.Output != nil {
				r.mu.Lock()
				r.flushOut++
				r.mu.Unlock()
			}
		},
		CompactionBegin: func(i CompactionInfo) { r.add("compaction-begin %d", i.JobID) },
		CompactionEnd: func(i CompactionInfo) {
			r.add("compaction-end %d", i.JobID)
			r.mu.Lock()
			defer r.mu.Unlock()
			switch i.Kind {
			case "rewrite":
				r.compactions++
			case "move":
				r.moves++
			}
		},
		WriteStallBegin: func(WriteStallInfo) { r.mu.Lock(); r.stallBegins++; r.mu.Unlock() },
		WriteStallEnd:   func(WriteStallInfo) { r.mu.Lock(); r.stalls++; r.mu.Unlock() },
		TableCreated: func(i TableInfo) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.created[i.FileNum] = true
		},
		TableDeleted: func(i TableInfo) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.deleted[i.FileNum] = true
		},
		WALCreated:      func(i WALInfo) { r.add("wal-created %d", i.FileNum) },
		ManifestCreated: func(i ManifestInfo) { r.add("manifest %d", i.FileNum) },
		BackgroundError: func(i BackgroundErrorInfo) { r.mu.Lock(); r.errs = append(r.errs, i); r.mu.Unlock() },
	}
}

// TestEventsMatchMetrics: after a workload with flushes, compactions and
// stalls, and Close, the listener has had one begin and one end per job,
// ends after begins, a TableCreated for every table written, a
// TableDeleted only for tables created earlier, and counts that agree
// with Metrics.
func TestEventsMatchMetrics(t *testing.T) {
	var r recorder
	opts := tinyOptions(vfs.NewMem())
	opts.EventListener = r.listener()
	db, err := Open("db", opts)
	require.NoError(t, err)
	for i := range 3000 {
		require.NoError(t, db.Put([]byte(keyN(i%700)), []byte(valueN("v", i))))
	}
	require.NoError(t, db.Compact(nil, nil))
	m := db.Metrics()
	require.NoError(t, db.Close())

	require.Equal(t, int(m.Flushes), r.flushOut)
	require.Equal(t, int(m.Compactions), r.compactions)
	require.Equal(t, int(m.Stalls), r.stalls)
	require.Equal(t, r.stallBegins, r.stalls)
	require.Positive(t, r.compactions)
	for num := range r.deleted {
		require.True(t, r.created[num], "table %d deleted but never reported created", num)
	}
	begun := map[string]bool{}
	manifests, wals := 0, 0
	for _, e := range r.events {
		kind, job, _ := strings.Cut(e, " ")
		switch {
		case strings.HasSuffix(kind, "-begin"):
			begun[strings.TrimSuffix(kind, "-begin")+job] = true
		case strings.HasSuffix(kind, "-end"):
			key := strings.TrimSuffix(kind, "-end") + job
			require.True(t, begun[key], "%s before its begin", e)
			delete(begun, key)
		case kind == "manifest":
			manifests++
		case kind == "wal-created":
			wals++
		}
	}
	require.Empty(t, begun, "jobs begun and never ended")
	require.Positive(t, manifests)
	require.Greater(t, wals, int(m.Flushes)/2)
}

// TestSlowListenerDoesNotStallWrites blocks the listener on its first
// event until the test ends: writes, flushes and compactions must go on
// regardless (if the engine waited for the listener this would hang), and
// Close delivers what was queued once the listener wakes.
func TestSlowListenerDoesNotStallWrites(t *testing.T) {
	release := make(chan struct{})
	var delivered sync.WaitGroup
	var mu sync.Mutex
	flushes := 0
	opts := tinyOptions(vfs.NewMem())
	opts.EventListener = EventListener{
		FlushEnd: func(FlushInfo) {
			<-release
			mu.Lock()
			flushes++
			mu.Unlock()
		},
	}
	db, err := Open("db", opts)
	require.NoError(t, err)
	writeKeys(t, db, 0, 3000, "a")
	require.NoError(t, db.Flush())
	m := db.Metrics()
	require.Greater(t, m.Flushes, int64(5), "flushes went on while the listener was stuck")
	mu.Lock()
	require.Zero(t, flushes)
	mu.Unlock()
	delivered.Add(1)
	go func() { defer delivered.Done(); require.NoError(t, db.Close()) }()
	close(release)
	delivered.Wait()
	require.Equal(t, int(db.Metrics().Flushes), flushes, "Close delivered every queued event")
}

// TestEventQueueDrops: a listener that falls more than eventQueueLen
// events behind loses the newest ones, and they are counted.
func TestEventQueueDrops(t *testing.T) {
	release := make(chan struct{})
	var got int
	e := newEvents(EventListener{WALCreated: func(WALInfo) { <-release; got++ }})
	const n = 2*eventQueueLen + 100
	for i := range n {
		e.walCreated(WALInfo{FileNum: uint64(i)})
	}
	close(release)
	e.close()
	// The deliverer takes what is queued when it wakes (at most a full
	// queue) and blocks on its first event; the queue then fills again.
	require.GreaterOrEqual(t, e.droppedCount(), int64(100))
	require.Equal(t, n, got+int(e.droppedCount()), "every event delivered or counted")
}

// logCounter is a slog.Handler that counts records by message.
type logCounter struct {
	mu   sync.Mutex
	msgs map[string]int
}

func (h *logCounter) Enabled(context.Context, slog.Level) bool { return true }
func (h *logCounter) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.msgs[r.Message]++
	return nil
}
func (h *logCounter) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *logCounter) WithGroup(string) slog.Handler      { return h }

// TestLoggerFromEvents: the log has one line per flush and compaction and
// none per write.
func TestLoggerFromEvents(t *testing.T) {
	h := &logCounter{msgs: map[string]int{}}
	opts := tinyOptions(vfs.NewMem())
	opts.Logger = slog.New(h)
	db, err := Open("db", opts)
	require.NoError(t, err)
	writeKeys(t, db, 0, 2000, "a")
	require.NoError(t, db.Flush())
	m := db.Metrics()
	require.NoError(t, db.Close())
	require.Equal(t, int(m.Flushes), h.msgs["flushed memtable to L0"])
	require.GreaterOrEqual(t, h.msgs["compacted"], int(m.Compactions))
	require.Equal(t, int(m.Stalls), h.msgs["write stall"])
	total := 0
	for _, n := range h.msgs {
		total += n
	}
	require.Less(t, total, 2000/4, "lines per write: %v", h.msgs)
}

// TestBackgroundErrorEvent: a failed flush is reported once, as not
// retryable for an I/O error.
func TestBackgroundErrorEvent(t *testing.T) {
	var r recorder
	inj := vfs.OnNth(vfs.OpCreate, 1, syscall.EIO)
	inj.Disable()
	opts := tinyOptions(vfs.WithErrors(vfs.NewMem(), vfs.InjectorFunc(func(op vfs.Op, path string) error {
		if strings.HasSuffix(path, ".sst") {
			return inj.MaybeError(op, path)
		}
		return nil
	})))
	opts.EventListener = r.listener()
	db, err := Open("db", opts)
	require.NoError(t, err)
	inj.Enable()
	writeKeys(t, db, 0, 10, "a")
	require.Error(t, db.Flush())
	db.Close()
	require.Len(t, r.errs, 1)
	require.True(t, errors.Is(r.errs[0].Err, syscall.EIO))
	require.False(t, r.errs[0].Retryable)
}
