package lsmkv

import (
	"fmt"
	"io"
	"slices"

	"github.com/lsmkv/lsmkv/internal/corruption"
	"github.com/lsmkv/lsmkv/internal/filename"
	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/manifest"
	"github.com/lsmkv/lsmkv/wal"
)

// Recovery (docs/ARCHITECTURE.md, "Recovery (Open)"): the WALs the manifest still
// needs are replayed, oldest first, into memtables; unless read-only, those
// are written to L0 tables and recorded with a fresh WAL in one manifest
// edit, after which the replayed WALs are obsolete.

// walsToReplay picks from the directory listing the WALs at or above the
// manifest's log number, oldest first.
func (db *DB) walsToReplay(names []string) []uint64 {
	var logs []uint64
	for _, name := range names {
		if k, num, ok := filename.Parse(name); ok && k == filename.Log && num >= db.vs.LogNum() {
			logs = append(logs, num)
		}
	}
	slices.Sort(logs)
	return logs
}

// recoverWALs replays the WALs into memtables, writes them to L0 tables
// (unless read-only) and starts a fresh WAL. names is the directory's
// listing.
func (db *DB) recoverWALs(names []string) error {
	logs := db.walsToReplay(names)
	modes, err := db.walRecoveryModes(logs)
	if err != nil {
		return err
	}
	r := &recovery{db: db, mem: db.newMemEntry(0, 0), lastSeq: db.lastSeq}
	for i, num := range logs {
		if err := db.replayWAL(num, modes[i], r); err != nil {
			return err
		}
	}
	recovered := r.finish()
	db.lastSeq = r.lastSeq
	if db.opts.ReadOnly {
		db.imm = recovered
		db.mem = db.newMemEntry(0, 0)
		return nil
	}
	return db.finishRecovery(recovered)
}

// walRecoveryModes returns how each WAL in logs must be read: only the
// newest non-empty one may end torn (wal.RecoveryModes holds the rule).
func (db *DB) walRecoveryModes(logs []uint64) ([]wal.RecoveryMode, error) {
	sizes := make([]int64, len(logs))
	for i, num := range logs {
		fi, err := db.fs.Stat(filename.Path(db.dirname, filename.Log, num))
		if err != nil {
			return nil, fmt.Errorf("lsmkv: stat WAL: %w", err)
		}
		sizes[i] = fi.Size()
	}
	return wal.RecoveryModes(sizes), nil
}

// replayWAL applies one WAL's batches through r.
func (db *DB) replayWAL(num uint64, mode wal.RecoveryMode, r *recovery) error {
	path := filename.Path(db.dirname, filename.Log, num)
	f, err := db.fs.Open(path)
	if err != nil {
		return fmt.Errorf("lsmkv: open WAL: %w", err)
	}
	defer f.Close()
	wr := wal.NewReader(f, wal.ReaderOptions{Name: path, LogNum: num, Mode: mode})
	for {
		rec, err := wr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("lsmkv: replay: %w", err)
		}
		if err := r.apply(rec); err != nil {
			return corruption.Errorf(path, wr.Offset(), "%w", err)
		}
	}
}

// recovery gathers replayed batches into memtables, oldest first. Like
// the commit leader's makeRoomForWrite, it starts a new memtable when the
// next batch would not fit, so a batch never spans two memtables.
type recovery struct {
	db      *DB
	mem     *memEntry   // the memtable being filled
	full    []*memEntry // memtables filled before mem, oldest first
	lastSeq keys.SeqNum // the highest sequence number replayed so far
}

// apply inserts one WAL record (a batch).
func (r *recovery) apply(rec []byte) error {
	need, last, err := batchMemNeed(rec)
	if err != nil {
		return err
	}
	if r.mem.mt.Size()+need > r.mem.mt.Capacity() {
		if !r.mem.mt.Empty() {
			r.full = append(r.full, r.mem)
		}
		r.mem = r.db.newMemEntry(0, need)
	}
	if err := insertBatch(r.mem.mt, rec); err != nil {
		return err
	}
	r.lastSeq = max(r.lastSeq, last)
	return nil
}

// finish returns every memtable holding replayed writes, oldest first.
func (r *recovery) finish() []*memEntry {
	if !r.mem.mt.Empty() {
		r.full = append(r.full, r.mem)
	}
	return r.full
}

// finishRecovery writes recovered memtables to L0, starts a new WAL and
// records both in one manifest edit, after which the replayed WALs are
// obsolete.
func (db *DB) finishRecovery(recovered []*memEntry) error {
	edit := &manifest.VersionEdit{}
	for _, m := range recovered {
		meta, err := db.writeL0(m.mt, nil)
		if err != nil {
			return err
		}
		if meta != nil {
			edit.Added = append(edit.Added, manifest.NewFile{Level: 0, Meta: *meta})
		}
	}
	num := db.vs.NewFileNum()
	log, err := db.createWAL(num)
	if err != nil {
		return err
	}
	// The manifest edit below names this WAL: its entry must be durable first.
	if err := db.syncDirOnce(log); err != nil {
		log.w.Close()
		return err
	}
	db.log = log
	db.mem = db.newMemEntry(num, 0)
	db.mem.log = log
	edit.HasLogNum, edit.LogNum = true, num
	edit.HasLastSeq, edit.LastSeq = true, db.lastSeq
	db.mu.Lock()
	defer db.mu.Unlock()
	if err := db.vs.LogAndApply(edit); err != nil {
		return fmt.Errorf("lsmkv: record recovery in manifest: %w", err)
	}
	db.clearPending(edit)
	return nil
}
