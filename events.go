package lsmkv

import (
	"bytes"
	"sync"
	"time"

	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/manifest"
)

// EventListener receives what the engine does in the background: flushes,
// compactions, write stalls, files created and deleted, background errors.
// Every field is optional; a nil func is skipped.
//
// Delivery rule: events are queued as they happen and delivered in that
// order, one at a time, by a goroutine of their own, never while the
// engine holds a lock. A slow listener therefore cannot stall writes or
// background work; it only falls behind. The queue holds eventQueueLen
// events; when a listener falls further behind than that, new events are
// dropped, and Metrics.EventsDropped counts them. Close delivers every
// queued event before it returns.
//
// Options.Logger is fed from the same events: one line per flush,
// compaction and write stall at Info, none per write.
type EventListener struct {
	FlushBegin      func(FlushInfo)
	FlushEnd        func(FlushInfo)
	CompactionBegin func(CompactionInfo)
	CompactionEnd   func(CompactionInfo)
	WriteStallBegin func(WriteStallInfo)
	WriteStallEnd   func(WriteStallInfo)
	TableCreated    func(TableInfo)
	TableDeleted    func(TableInfo)
	WALCreated      func(WALInfo)
	WALDeleted      func(WALInfo)
	ManifestCreated func(ManifestInfo)
	BackgroundError func(BackgroundErrorInfo)
}

// TableInfo describes one table. For a deleted table only FileNum is set
// and Level is -1.
type TableInfo struct {
	FileNum                 uint64
	Level                   int
	Size                    uint64
	Smallest, Largest       []byte // user keys (copies)
	SmallestSeq, LargestSeq uint64
	Entries, Deletions      uint64 // point entries, and the tombstones among them
	RangeDeletions          uint64
}

// tableInfo describes table f at level.
func tableInfo(f *manifest.FileMeta, level int) TableInfo {
	return TableInfo{
		FileNum: f.Num, Level: level, Size: f.Size,
		Smallest: bytes.Clone(keys.UserKey(f.Smallest)), Largest: bytes.Clone(keys.UserKey(f.Largest)),
		SmallestSeq: uint64(f.SmallestSeq), LargestSeq: uint64(f.LargestSeq),
		Entries: f.NumEntries, Deletions: f.NumDeletions, RangeDeletions: f.NumRangeDels,
	}
}

// levelTables describes the tables of one level of a compaction's input.
func levelTables(level int, files []*manifest.FileMeta) LevelTables {
	lt := LevelTables{Level: level, Tables: make([]TableInfo, len(files))}
	for i, f := range files {
		lt.Tables[i] = tableInfo(f, level)
	}
	return lt
}

// FlushInfo describes a flush of one memtable to L0. Begin events carry
// the memtable's size; End events the table written (none if every entry
// was dropped), the duration and any error.
type FlushInfo struct {
	JobID         int
	WAL           uint64 // the memtable's WAL
	Entries       int
	MemtableBytes int64
	Output        *TableInfo
	Duration      time.Duration
	Err           error
}

// CompactionInfo describes a compaction. Inputs holds one entry per input
// level. Kind is "rewrite", "move" (the tables changed level unread) or
// "delete-only" (tables dropped whole, covered by range tombstones).
type CompactionInfo struct {
	JobID        int
	Kind         string
	Reason       string
	Level        int
	OutputLevel  int
	Inputs       []LevelTables
	Outputs      []TableInfo
	BytesRead    uint64
	BytesWritten uint64
	Duration     time.Duration
	Err          error
}

// LevelTables is the tables of one level.
type LevelTables struct {
	Level  int
	Tables []TableInfo
}

// WriteStallInfo describes a stall: writers waiting for a flush or for L0
// to shrink. End events carry its duration.
type WriteStallInfo struct {
	Cause    string
	Duration time.Duration
}

// WALInfo describes a write-ahead log file.
type WALInfo struct{ FileNum uint64 }

// ManifestInfo describes a new manifest file.
type ManifestInfo struct{ FileNum uint64 }

// BackgroundErrorInfo reports an error of a flush, compaction or WAL write.
// Retryable errors (a full disk) stop writes until the engine's retries
// succeed; others stop them until the DB is reopened.
type BackgroundErrorInfo struct {
	Err       error
	Retryable bool
}

// eventQueueLen bounds the events waiting for a slow listener.
const eventQueueLen = 4096

// events queues events for the listener and the logger, and delivers them
// on its own goroutine.
//
// Concurrency: emit is safe from any goroutine and never blocks; mu guards
// the queue only, and is never held while a listener runs.
type events struct {
	ls      []EventListener // the logger's, then the user's
	mu      sync.Mutex
	cond    *sync.Cond
	queue   []func(*EventListener) // pending deliveries, oldest first
	closed  bool
	dropped int64
	done    chan struct{}
	nextJob int
}

func newEvents(ls ...EventListener) *events {
	e := &events{ls: ls, done: make(chan struct{})}
	e.cond = sync.NewCond(&e.mu)
	go e.run()
	return e
}

// jobID returns a new job number for a flush or compaction.
func (e *events) jobID() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.nextJob++
	return e.nextJob
}

// emit queues one delivery, or drops it if the queue is full or closed.
func (e *events) emit(deliver func(*EventListener)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed || len(e.queue) >= eventQueueLen {
		e.dropped++
		return
	}
	e.queue = append(e.queue, deliver)
	e.cond.Signal()
}

// droppedCount returns how many events were dropped.
func (e *events) droppedCount() int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.dropped
}

func (e *events) run() {
	defer close(e.done)
	for {
		e.mu.Lock()
		for len(e.queue) == 0 && !e.closed {
			e.cond.Wait()
		}
		if len(e.queue) == 0 {
			e.mu.Unlock()
			return
		}
		batch := e.queue
		e.queue = nil
		e.mu.Unlock()
		for _, deliver := range batch {
			for i := range e.ls {
				deliver(&e.ls[i])
			}
		}
	}
}

// close delivers what is queued, then stops the goroutine.
func (e *events) close() {
	e.mu.Lock()
	e.closed = true
	e.cond.Signal()
	e.mu.Unlock()
	<-e.done
}

// Typed emitters: each queues a call of one listener field, if set.

func (e *events) flushBegin(i FlushInfo) {
	e.emit(func(l *EventListener) { call(l.FlushBegin, i) })
}
func (e *events) flushEnd(i FlushInfo) { e.emit(func(l *EventListener) { call(l.FlushEnd, i) }) }
func (e *events) compactionBegin(i CompactionInfo) {
	e.emit(func(l *EventListener) { call(l.CompactionBegin, i) })
}
func (e *events) compactionEnd(i CompactionInfo) {
	e.emit(func(l *EventListener) { call(l.CompactionEnd, i) })
}
func (e *events) stallBegin(i WriteStallInfo) {
	e.emit(func(l *EventListener) { call(l.WriteStallBegin, i) })
}
func (e *events) stallEnd(i WriteStallInfo) {
	e.emit(func(l *EventListener) { call(l.WriteStallEnd, i) })
}
func (e *events) tableCreated(i TableInfo) {
	e.emit(func(l *EventListener) { call(l.TableCreated, i) })
}
func (e *events) tableDeleted(i TableInfo) {
	e.emit(func(l *EventListener) { call(l.TableDeleted, i) })
}
func (e *events) walCreated(i WALInfo) { e.emit(func(l *EventListener) { call(l.WALCreated, i) }) }
func (e *events) walDeleted(i WALInfo) { e.emit(func(l *EventListener) { call(l.WALDeleted, i) }) }
func (e *events) manifestCreated(i ManifestInfo) {
	e.emit(func(l *EventListener) { call(l.ManifestCreated, i) })
}
func (e *events) backgroundError(i BackgroundErrorInfo) {
	e.emit(func(l *EventListener) { call(l.BackgroundError, i) })
}

func call[T any](f func(T), info T) {
	if f != nil {
		f(info)
	}
}
