package lsmkv

import (
	"fmt"
	"sync"
	"time"

	"github.com/lsmkv/lsmkv/internal/filename"
	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/memtable"
	"github.com/lsmkv/lsmkv/wal"
)

// The write path (docs/ARCHITECTURE.md, "Write path"): writers queue up; the
// writer at the head of the queue leads a commit group. The leader merges
// the batches of the writers behind it into one WAL record, appends it with
// one write (and one fsync if any of them asked for Sync), inserts the
// entries into the memtable, publishes the new visible sequence number and
// wakes the group. This is LevelDB's group commit: under concurrency many
// writers share one write and one fsync.

// maxGroupBytes caps the bytes a leader gathers into one group so that a
// small write is not delayed behind a huge group.
const maxGroupBytes = 1 << 20

// writer is one caller waiting in the commit queue.
type writer struct {
	batch *Batch // nil: a request to rotate the memtable (Flush)
	sync  bool
	done  bool
	err   error
	cond  sync.Cond // uses DB.mu
}

var writerPool = sync.Pool{New: func() any { return new(writer) }}

// batchPool recycles the one-entry batches of Put and Delete, so a write
// does not allocate its encoding buffer each time.
var batchPool = sync.Pool{New: func() any { return new(Batch) }}

// Put sets key to value.
func (db *DB) Put(key, value []byte) error {
	b := batchPool.Get().(*Batch)
	b.Reset()
	b.Put(key, value)
	err := db.Write(b, nil)
	if cap(b.data) <= 64<<10 { // do not pin huge buffers in the pool
		batchPool.Put(b)
	}
	return err
}

// Delete removes key. Deleting an absent key is not an error.
func (db *DB) Delete(key []byte) error {
	b := batchPool.Get().(*Batch)
	b.Reset()
	b.Delete(key)
	err := db.Write(b, nil)
	batchPool.Put(b)
	return err
}

// DeleteRange removes every key k with start <= k < end. It costs one
// entry in the WAL and the memtable, whatever the number of keys in the
// range; reads skip the range from then on, and compactions reclaim the
// space (docs/guide/08-range-deletions.md). start must be below end.
func (db *DB) DeleteRange(start, end []byte) error {
	b := batchPool.Get().(*Batch)
	b.Reset()
	b.DeleteRange(start, end)
	err := db.Write(b, nil)
	batchPool.Put(b)
	return err
}

// Write applies the batch atomically: after a crash it is recovered whole or
// not at all. A nil opts uses Options.Sync. A batch that recorded an error
// (see Batch.Put) is refused with that error and nothing is written.
//
// Write does not empty the batch: to reuse it for new writes, call Reset
// first, or the next Write applies the old entries again.
func (db *DB) Write(b *Batch, opts *WriteOptions) error {
	if b == nil {
		return invalidf("nil batch")
	}
	if b.err != nil {
		return b.err
	}
	if int64(len(b.data)) > batchSizeLimit {
		return invalidf("batch of %d bytes exceeds MaxBatchSize (%d)", len(b.data), batchSizeLimit)
	}
	if db.opts.ReadOnly {
		return db.checkWritable()
	}
	sync := db.opts.Sync
	if opts != nil {
		sync = opts.Sync
	}
	if b.empty() {
		db.mu.Lock()
		defer db.mu.Unlock()
		return db.errIfClosed()
	}
	return db.commit(b, sync)
}

// commit queues w and waits until a leader (perhaps this writer) has
// committed it.
func (db *DB) commit(b *Batch, sync bool) error {
	w := writerPool.Get().(*writer)
	*w = writer{batch: b, sync: sync}
	w.cond.L = &db.mu
	defer writerPool.Put(w)

	db.mu.Lock()
	defer db.mu.Unlock()
	if err := db.errIfClosed(); err != nil {
		return err
	}
	db.writers = append(db.writers, w)
	for !w.done && db.writers[0] != w {
		w.cond.Wait()
	}
	if w.done {
		return w.err
	}
	db.lead(w)
	return w.err
}

// lead commits a group headed by w. REQUIRES: mu held, w == writers[0].
// mu is released during the WAL write and the memtable insert; the leader
// alone touches the WAL writer and db.mem, so they need no lock.
func (db *DB) lead(w *writer) {
	force := w.batch == nil
	group, record := db.writers[:1], (*Batch)(nil)
	if !force {
		group, record = db.gatherGroup()
	}
	err := db.makeRoomForWrite(force, record)
	if err == nil && !force {
		seq := db.lastSeq + 1
		db.lastSeq += keys.SeqNum(record.count)
		needSync := false
		for _, g := range group {
			needSync = needSync || g.sync
		}
		mem, log, imm := db.mem, db.log, db.imm
		db.mu.Unlock()
		if needSync {
			err = retireAll(imm)
		}
		if err == nil {
			err = db.applyGroup(record, seq, needSync, mem, log)
		}
		db.mu.Lock()
		if err != nil {
			db.setBgErr(err)
		} else {
			db.visibleSeq.Store(uint64(db.lastSeq))
		}
	}
	for _, g := range group {
		g.err, g.done = err, true
		if g != w {
			g.cond.Signal()
		}
	}
	db.writers = db.writers[len(group):]
	if len(db.writers) > 0 {
		db.writers[0].cond.Signal()
	} else if db.state != stateOpen {
		db.bgCond.Broadcast() // Close waits for an empty queue
	}
}

// gatherGroup picks the writers that join the leader's group and returns
// the merged batch. Sync and non-sync writers share a group: one fsync
// covers everyone, so the group syncs if any member asked for it.
// REQUIRES: mu held; caller is the leader.
func (db *DB) gatherGroup() ([]*writer, *Batch) {
	lead := db.writers[0]
	n := 1
	size := len(lead.batch.data)
	for n < len(db.writers) {
		next := db.writers[n]
		if next.batch == nil || size+len(next.batch.data) > maxGroupBytes {
			break
		}
		size += len(next.batch.data)
		n++
	}
	if n == 1 {
		return db.writers[:1], lead.batch
	}
	db.groupBatch.Reset()
	for _, g := range db.writers[:n] {
		db.groupBatch.appendBatch(g.batch)
	}
	return db.writers[:n], &db.groupBatch
}

// applyGroup writes the group's record to the WAL and its entries to the
// memtable. Runs without mu.
func (db *DB) applyGroup(b *Batch, seq keys.SeqNum, sync bool, mem *memEntry, log *walHandle) error {
	rec := b.setSeq(seq)
	if err := log.w.Append(rec); err != nil {
		return fmt.Errorf("lsmkv: WAL append to %s: %w", filename.Make(filename.Log, log.num), err)
	}
	db.stats.walBytes.Add(int64(len(rec)))
	db.stats.userBytes.Add(b.user)
	if sync {
		start := time.Now()
		if err := db.syncDirOnce(log); err != nil {
			return err
		}
		if err := log.w.Sync(); err != nil {
			return fmt.Errorf("lsmkv: WAL sync of %s: %w", filename.Make(filename.Log, log.num), err)
		}
		db.stats.walSyncs.Add(1)
		db.stats.walSyncNanos.Add(int64(time.Since(start)))
	}
	return insertBatch(mem.mt, rec)
}

// retireAll syncs and closes the WALs of frozen memtables. A synced write
// in the current WAL must not survive a power loss that loses older,
// unsynced writes in a retired WAL (the prefix property), so a leader about
// to sync calls this first. Usually the flush goroutine got there already.
func retireAll(imm []*memEntry) error {
	for _, m := range imm {
		if m.log != nil {
			if err := m.log.retire(); err != nil {
				return fmt.Errorf("lsmkv: sync retired WAL %s: %w", filename.Make(filename.Log, m.log.num), err)
			}
		}
	}
	return nil
}

// makeRoomForWrite makes sure the memtable can take the group's batch b,
// rotating the memtable and stalling writers when flushes or L0
// compactions fall behind. force (b == nil) rotates a non-empty memtable.
// REQUIRES: mu held; caller is the commit leader.
func (db *DB) makeRoomForWrite(force bool, b *Batch) error {
	var need int64
	if b != nil {
		need = b.mem
	}
	slowedDown := false
	for {
		if db.bgErr != nil {
			return db.writeErr()
		}
		l0 := db.l0Count()
		switch {
		case !force && !slowedDown && l0 >= db.slowdownTrigger():
			// Delay this write by 1ms rather than stopping all writes later:
			// it hands the CPU to compaction while latency stays bounded.
			slowedDown = true
			db.stall(func() {
				db.mu.Unlock()
				time.Sleep(time.Millisecond)
				db.mu.Lock()
			}, "L0 slowdown", l0)
		case !force && db.mem.mt.Size()+need <= db.mem.mt.Capacity():
			return nil
		case force && db.mem.mt.Empty():
			return nil
		case len(db.imm) >= maxImmutable:
			db.stall(db.bgCond.Wait, "memtables waiting for flush", len(db.imm))
		case l0 >= db.opts.L0StopWritesTrigger:
			db.stall(db.bgCond.Wait, "L0 stop trigger", l0)
		default:
			if err := db.rotateMemtable(need); err != nil {
				return err
			}
			force = false
		}
	}
}

// maxImmutable is how many full memtables may wait for flush before writes
// stop: one flushing plus one queued keeps the flush goroutine busy.
const maxImmutable = 2

// slowdownTrigger is the L0 file count at which writes are delayed: halfway
// between the compaction trigger and the stop trigger.
func (db *DB) slowdownTrigger() int {
	return (db.opts.L0CompactionTrigger + db.opts.L0StopWritesTrigger + 1) / 2
}

// stall runs wait, counting it in Metrics and reporting it as events
// (which the log gets too).
func (db *DB) stall(wait func(), reason string, n int) {
	cause := fmt.Sprintf("%s (%d)", reason, n)
	db.events.stallBegin(WriteStallInfo{Cause: cause})
	start := time.Now()
	wait()
	d := time.Since(start)
	db.stats.stalls.Add(1)
	db.stats.stallNanos.Add(int64(d))
	db.events.stallEnd(WriteStallInfo{Cause: cause, Duration: d})
}

// l0Count returns the number of L0 tables. It reads the published read
// state, which is current while mu is held, rather than taking the version
// set's lock on every write. REQUIRES: mu held.
func (db *DB) l0Count() int {
	return db.rs.version.NumFiles(0)
}

// rotateMemtable starts a new WAL, freezes the memtable and starts a new
// one big enough for need bytes. The old WAL is synced and closed later, off
// the write path (retire): syncing megabytes of WAL here stalled writers
// for tens of milliseconds at every rotation.
// REQUIRES: mu held; caller is the commit leader (or Open).
func (db *DB) rotateMemtable(need int64) error {
	// The old WAL must end at its last record before a newer one exists:
	// recovery reads every WAL but the newest strictly.
	if err := db.log.w.Finish(); err != nil {
		db.setBgErr(err)
		return err
	}
	num := db.vs.NewFileNum()
	log, err := db.createWAL(num)
	if err != nil {
		db.setBgErr(err)
		return err
	}
	db.log = log
	db.imm = append(db.imm[:len(db.imm):len(db.imm)], db.mem)
	db.mem = db.newMemEntry(num, need)
	db.mem.log = log
	db.updateReadState()
	db.bgCond.Broadcast() // wake the flush goroutine
	return nil
}

// newMemEntry makes a memtable for WAL num with room for at least need bytes.
func (db *DB) newMemEntry(num uint64, need int64) *memEntry {
	size := db.opts.MemtableSize
	if need > size {
		size = need
	}
	return &memEntry{mt: memtable.New(size), logNum: num}
}

// createWAL creates WAL file num. Its directory entry is made durable
// lazily, by syncDirOnce before the first synced write into it (or by any
// other SyncDir of the directory, such as a flush's): a rotation on the
// write path then costs no directory fsync for writers that never sync.
func (db *DB) createWAL(num uint64) (*walHandle, error) {
	path := filename.Path(db.dirname, filename.Log, num)
	f, err := db.fs.Create(path)
	if err != nil {
		return nil, fmt.Errorf("lsmkv: create WAL: %w", err)
	}
	db.events.walCreated(WALInfo{FileNum: num})
	return &walHandle{num: num, file: f, w: wal.NewMappedWriter(f, num)}, nil
}

// syncDirOnce makes log's directory entry durable before the first synced
// write into it. Only the commit leader (or Open) calls it.
func (db *DB) syncDirOnce(log *walHandle) error {
	if log.dirSynced {
		return nil
	}
	if err := db.fs.SyncDir(db.dirname); err != nil {
		return fmt.Errorf("lsmkv: sync dir for WAL %s: %w", filename.Make(filename.Log, log.num), err)
	}
	log.dirSynced = true
	return nil
}
