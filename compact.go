package lsmkv

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/lsmkv/lsmkv/compaction"
	"github.com/lsmkv/lsmkv/internal/iterator"
	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/internal/rangedel"
	"github.com/lsmkv/lsmkv/manifest"
)

// errCompactionAborted stops a compaction when the DB closes.
var errCompactionAborted = errors.New("lsmkv: compaction aborted by Close")

// compactLoop is the compaction goroutine: whenever the picker finds a level
// over its target (or too many L0 tables), it runs one compaction.
func (db *DB) compactLoop() {
	defer db.bgDone.Done()
	picker := compaction.NewPicker(db.compactOpt)
	db.mu.Lock()
	defer db.mu.Unlock()
	for {
		var c *compaction.Compaction
		var v *manifest.Version
		for !db.stopping() {
			if db.bgErr == nil && !db.compacting {
				if db.maybeDeleteOnly() {
					continue // it released mu: look at the state again
				}
				v = db.vs.Current()
				picker.SetSnapshots(db.snapshotSeqs())
				if c = picker.Pick(v); c != nil {
					break
				}
				if c = db.pickL0ForReads(v); c != nil {
					break
				}
				v.Unref()
			}
			db.bgCond.Wait()
		}
		if db.stopping() {
			return
		}
		db.compacting = true
		err := db.runCompaction(c)
		v.Unref()
		db.deleteObsoleteFiles() // v kept the inputs live until now
		db.compacting = false
		if err != nil && !errors.Is(err, errCompactionAborted) {
			db.setBgErr(err)
		}
		db.bgCond.Broadcast()
	}
}

// maybeDeleteOnly runs a delete-only compaction pass once after each change
// of the tree or of the snapshots (deleteonly.go) and reports whether it ran; it releases mu while
// it reads tombstones. REQUIRES: mu held; no compaction running.
func (db *DB) maybeDeleteOnly() bool {
	if !db.deleteOnlyDue {
		return false
	}
	db.deleteOnlyDue = false
	db.compacting = true
	_, err := db.runDeleteOnly()
	db.compacting = false
	if err != nil {
		db.setBgErr(err)
	}
	db.bgCond.Broadcast()
	return true
}

// Compact merges every table overlapping the user keys [start, end] down
// the levels until it reaches the bottom level; nil start and end mean the
// whole key space, and leave L0 and every level but the bottom empty. It
// flushes the memtable first and blocks until done.
func (db *DB) Compact(start, end []byte) error {
	if err := db.checkWritable(); err != nil {
		return err
	}
	if start != nil && end != nil && bytes.Compare(start, end) > 0 {
		return invalidf("Compact range start %q is after end %q", start, end)
	}
	if err := db.Flush(); err != nil {
		return err
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	for db.compacting && db.bgErr == nil && db.state == stateOpen {
		db.bgCond.Wait()
	}
	if db.stopping() {
		return ErrClosed
	}
	if err := db.errIfClosed(); err != nil {
		return err
	}
	if db.bgErr != nil {
		return db.writeErr()
	}
	db.compacting = true
	defer func() {
		db.compacting = false
		db.bgCond.Broadcast()
	}()
	for level := 0; level < manifest.NumLevels-1; level++ {
		if err := db.compactLevelManual(level, start, end); err != nil {
			if errors.Is(err, errCompactionAborted) {
				return ErrClosed
			}
			return err
		}
	}
	return nil
}

// compactLevelManual pushes level's tables in [start, end] one level down.
// REQUIRES: mu held and db.compacting set by the caller.
func (db *DB) compactLevelManual(level int, start, end []byte) error {
	for {
		if db.bgErr != nil {
			return db.writeErr()
		}
		v := db.vs.Current()
		c := compaction.PickManual(v, db.compactOpt, level, start, end)
		if c == nil {
			v.Unref()
			return nil
		}
		err := db.runCompaction(c)
		v.Unref()
		db.deleteObsoleteFiles() // v kept the inputs live until now
		if err != nil {
			if !errors.Is(err, errCompactionAborted) {
				db.setBgErr(err)
			}
			return err
		}
		if level == 0 && start == nil && end == nil {
			continue // L0 tables flushed meanwhile: keep going until L0 is empty
		}
		return nil
	}
}

// runCompaction executes c and installs its result. REQUIRES: mu held (it
// is released while tables are read and written) and a ref on c's version,
// which keeps the inputs on disk: the caller unrefs it, then calls
// deleteObsoleteFiles.
func (db *DB) runCompaction(c *compaction.Compaction) (err error) {
	start := time.Now()
	info := CompactionInfo{JobID: db.events.jobID(), Kind: "rewrite", Reason: c.Reason,
		Level: c.Level, OutputLevel: c.OutputLevel, BytesRead: c.InputBytes()}
	for _, in := range c.InputLevels() {
		info.Inputs = append(info.Inputs, levelTables(in.Level, in.Files))
	}
	move := c.IsTrivialMove()
	if move {
		info.Kind, info.BytesRead = "move", 0
	}
	db.events.compactionBegin(info)
	var outputs []*manifest.FileMeta
	defer func() {
		info.Duration, info.Err = time.Since(start), err
		if err == nil {
			for _, f := range outputs {
				info.Outputs = append(info.Outputs, tableInfo(f, c.OutputLevel))
				if !move {
					info.BytesWritten += f.Size
					db.events.tableCreated(tableInfo(f, c.OutputLevel))
				}
			}
		}
		db.events.compactionEnd(info)
	}()
	if move {
		edit := c.Edit(c.Inputs[0])
		if err := db.vs.LogAndApply(edit); err != nil {
			return fmt.Errorf("lsmkv: record move in manifest: %w", err)
		}
		db.updateReadState()
		outputs = c.Inputs[0]
		return nil
	}
	snaps := db.snapshotSeqs()
	db.mu.Unlock()
	outputs, err = db.mergeInputs(c, snaps)
	db.mu.Lock()
	if err != nil {
		db.removeOutputs(outputs)
		return err
	}
	edit := c.Edit(outputs)
	// On failure the edit may still have reached the disk, so its tables
	// stay in pendingOutputs (never deleted by this process).
	if err := db.vs.LogAndApply(edit); err != nil {
		db.noteUnrecorded(edit)
		return fmt.Errorf("lsmkv: record compaction in manifest: %w", err)
	}
	db.backgroundDone()
	db.clearPending(edit)
	db.updateReadState()
	db.recordCompaction(c, outputs)
	return nil // the caller deletes the inputs once it drops its ref on c's version
}

// removeOutputs deletes the tables of a failed compaction. REQUIRES: mu held.
func (db *DB) removeOutputs(outputs []*manifest.FileMeta) {
	for _, f := range outputs {
		delete(db.pendingOutputs, f.Num)
	}
	db.deleteObsoleteFiles()
}

// mergeInputs merges c's input tables into new tables at c.OutputLevel.
// Runs without mu.
func (db *DB) mergeInputs(c *compaction.Compaction, snaps []keys.SeqNum) ([]*manifest.FileMeta, error) {
	var iters []iterator.Iterator
	for _, in := range c.InputLevels() {
		if in.Level == 0 {
			for _, f := range in.Files {
				it, err := db.tables.newScanIter(f)
				if err != nil {
					closeAll(iters)
					return nil, err
				}
				iters = append(iters, it)
			}
			continue
		}
		iters = append(iters, newLevelIter(in.Files, db.tables.newScanIter))
	}
	merged := iterator.NewMerging(iters...)
	defer merged.Close()
	tombs, err := db.inputRangeDels(c)
	if err != nil {
		return nil, err
	}
	ci := compaction.NewIter(merged, snaps, c.ElideTombstone)
	ci.SetRangeDels(tombs)
	outTombs := compaction.FilterRangeDels(tombs, snaps, c.ElideRangeTombstone)
	outputs, err := db.writeOutputs(c, ci, outTombs)
	db.stats.compactBytesRead.Add(int64(c.InputBytes()))
	db.stats.rangeDelsDropped.Add(int64(countTombs(tombs) - countTombs(outTombs)))
	return outputs, err
}

// inputRangeDels returns the range tombstones of c's input tables, merged
// and fragmented together.
func (db *DB) inputRangeDels(c *compaction.Compaction) (rangedel.List, error) {
	var lists []rangedel.List
	for _, in := range c.InputLevels() {
		for _, f := range in.Files {
			if f.NumRangeDels == 0 {
				continue
			}
			e, err := db.tables.acquire(f)
			if err != nil {
				return nil, err
			}
			lists = append(lists, e.reader.RangeDels())
			db.tables.logCloseError(db.tables.release(e))
		}
	}
	if len(lists) == 0 {
		return nil, nil
	}
	return rangedel.Merge(lists...), nil
}

func countTombs(l rangedel.List) int {
	n := 0
	for _, f := range l {
		n += len(f.Seqs)
	}
	return n
}

func closeAll(iters []iterator.Iterator) {
	for _, it := range iters {
		it.Close()
	}
}

// writeOutputs writes the compaction iterator's entries to tables, cutting
// a new table at TargetFileSize or where the grandparent overlap says, but
// only between user keys, so that a level's tables never share a user key.
// The range tombstones tombs are cut at the same user keys: each table
// takes those of the span from its first key (the previous table's cut) to
// the next table's, so together the tables cover every tombstone and none
// overlaps its neighbour. A compaction left with tombstones but no point
// entry writes them to one table of their own.
func (db *DB) writeOutputs(c *compaction.Compaction, ci *compaction.Iter, tombs rangedel.List) ([]*manifest.FileMeta, error) {
	var outputs []*manifest.FileMeta
	var out *tableOutput
	var lastUkey, cut []byte // cut: where the current table's span starts (nil: unbounded)
	n := 0
	for ok := ci.First(); ok; ok = ci.Next() {
		if n++; n%1024 == 0 && db.stopping() {
			return db.abandonOutput(outputs, out, errCompactionAborted)
		}
		key := ci.Key()
		ukey := keys.UserKey(key)
		stop := c.ShouldStopBefore(key)
		if out != nil && !bytes.Equal(ukey, lastUkey) &&
			(stop || int64(out.w.EstimatedSize()) >= db.opts.TargetFileSize) {
			out.w.SetRangeDels(tombs.Truncate(cut, ukey))
			cut = append([]byte(nil), ukey...)
			meta, err := out.finish()
			if err != nil {
				return outputs, err
			}
			outputs, out = append(outputs, meta), nil
		}
		if out == nil {
			var err error
			if out, err = db.newTableOutput(); err != nil {
				return outputs, err
			}
		}
		if err := out.w.Add(key, ci.Value()); err != nil {
			return db.abandonOutput(outputs, out, err)
		}
		lastUkey = append(lastUkey[:0], ukey...)
	}
	if err := ci.Error(); err != nil {
		return db.abandonOutput(outputs, out, err)
	}
	if out == nil && len(tombs) > 0 {
		var err error
		if out, err = db.newTableOutput(); err != nil {
			return outputs, err
		}
	}
	if out != nil {
		out.w.SetRangeDels(tombs.Truncate(cut, nil))
		meta, err := out.finish()
		if err != nil {
			return outputs, err
		}
		outputs = append(outputs, meta)
	}
	if err := db.fs.SyncDir(db.dirname); err != nil {
		return outputs, fmt.Errorf("lsmkv: sync dir after compaction: %w", err)
	}
	return outputs, nil
}

func (db *DB) abandonOutput(outputs []*manifest.FileMeta, out *tableOutput, err error) ([]*manifest.FileMeta, error) {
	if out != nil {
		out.abandon()
	}
	return outputs, err
}

// recordCompaction updates Metrics for a finished compaction.
// REQUIRES: mu held.
func (db *DB) recordCompaction(c *compaction.Compaction, outputs []*manifest.FileMeta) {
	var written uint64
	for _, f := range outputs {
		written += f.Size
	}
	db.stats.compactions.Add(1)
	db.stats.compactBytesWritten.Add(int64(written))
	db.stats.levelWritten[c.OutputLevel].Add(int64(written))
	for _, in := range c.InputLevels() {
		var n uint64
		for _, f := range in.Files {
			n += f.Size
		}
		db.stats.levelRead[in.Level].Add(int64(n))
		if in.Level != c.OutputLevel {
			db.stats.levelIn[c.OutputLevel].Add(int64(n))
		}
	}
}
