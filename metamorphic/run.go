package metamorphic

import (
	"errors"
	"fmt"
	"strings"

	"github.com/lsmkv/lsmkv"
	"github.com/lsmkv/lsmkv/vfs"
)

// runner executes operations against a DB on an in-memory file system.
type runner struct {
	opts  lsmkv.Options
	fs    *vfs.MemFS
	db    *lsmkv.DB
	snaps map[int]*lsmkv.Snapshot
	stats runStats // of the DBs closed so far
}

const dir = "db"

func newRunner(opts lsmkv.Options) (*runner, error) {
	r := &runner{opts: opts, fs: vfs.NewMem(), snaps: map[int]*lsmkv.Snapshot{}}
	return r, r.open()
}

func (r *runner) open() error {
	o := r.opts
	o.FS = r.fs
	db, err := lsmkv.Open(dir, &o)
	if err != nil {
		return fmt.Errorf("open: %w", err)
	}
	r.db = db
	return nil
}

// close closes the DB. Close reports the snapshots it released; that is
// expected here (the model drops them too), any other error is not.
func (r *runner) close() error {
	clear(r.snaps)
	if r.db == nil {
		return nil
	}
	m := r.db.Metrics()
	r.stats.flushes += m.Flushes
	r.stats.compactions += m.Compactions
	err := r.db.Close()
	r.db = nil
	if err != nil && !strings.Contains(err.Error(), "Close released") {
		return err
	}
	return nil
}

// apply runs o and returns its output, in the model's format. An error
// that leaves the runner unusable (a failed reopen) is returned as well.
func (r *runner) apply(o op) (string, error) {
	db := r.db
	switch o.kind {
	case opPut:
		return status(db.Put(o.key, o.value)), nil
	case opDelete:
		return status(db.Delete(o.key)), nil
	case opBatch:
		var b lsmkv.Batch
		for _, e := range o.entries {
			switch {
			case e.rangeEnd != nil:
				b.DeleteRange(e.key, e.rangeEnd)
			case e.value == nil:
				b.Delete(e.key)
			default:
				b.Put(e.key, e.value)
			}
		}
		return status(db.Write(&b, nil)), nil
	case opGet:
		return getResult(db.Get(o.key)), nil
	case opIter:
		return iterResult(db.NewIterator(&lsmkv.IterOptions{LowerBound: o.lower, UpperBound: o.upper}))(o), nil
	case opNewSnapshot:
		r.snaps[o.snap] = db.NewSnapshot()
		return "ok", nil
	case opSnapshotGet, opSnapshotIter, opCloseSnapshot:
		return r.snapshotOp(o), nil
	case opFlush:
		return status(db.Flush()), nil
	case opCompact:
		return status(db.Compact(o.key, o.key2)), nil
	case opReopen:
		if err := r.close(); err != nil {
			return "", fmt.Errorf("close: %w", err)
		}
		return "ok", r.open()
	case opCrash:
		return r.crash()
	case opDeleteRange:
		return status(db.DeleteRange(o.key, o.key2)), nil
	}
	return "", fmt.Errorf("unknown op %v", o)
}

func (r *runner) snapshotOp(o op) string {
	s, ok := r.snaps[o.snap]
	if !ok {
		return noSnapshot
	}
	switch o.kind {
	case opSnapshotGet:
		return getResult(s.Get(o.key))
	case opSnapshotIter:
		return iterResult(s.NewIterator(&lsmkv.IterOptions{LowerBound: o.lower, UpperBound: o.upper}))(o)
	}
	delete(r.snaps, o.snap)
	return status(s.Close())
}

// crash makes a synced write, so that every earlier write is durable by the
// prefix property, then loses power: the DB reopens on a clone holding only
// synced bytes. The old DB is closed afterwards; it writes to the old FS.
func (r *runner) crash() (string, error) {
	if err := r.db.Write(batchOf(crashMarker, []byte{}), &lsmkv.WriteOptions{Sync: true}); err != nil {
		return status(err), nil
	}
	clone := r.fs.CrashClone()
	if err := r.close(); err != nil {
		return "", fmt.Errorf("close before crash: %w", err)
	}
	r.fs = clone
	return "ok", r.open()
}

func batchOf(key, value []byte) *lsmkv.Batch {
	var b lsmkv.Batch
	b.Put(key, value)
	return &b
}

func status(err error) string {
	if err != nil {
		return "err: " + err.Error()
	}
	return "ok"
}

func getResult(v []byte, err error) string {
	if errors.Is(err, lsmkv.ErrNotFound) {
		return notFound
	}
	if err != nil {
		return "err: " + err.Error()
	}
	return fmtBytes(v)
}

// iterResult returns a function that performs o's moves on it and closes
// it, or reports why it could not be opened.
func iterResult(it *lsmkv.Iterator, err error) func(op) string {
	return func(o op) string {
		if err != nil {
			return "err: " + err.Error()
		}
		out := make([]string, 0, len(o.moves)+1)
		for _, mv := range o.moves {
			var ok bool
			switch mv.kind {
			case moveFirst:
				ok = it.First()
			case moveLast:
				ok = it.Last()
			case moveNext:
				ok = it.Next()
			case movePrev:
				ok = it.Prev()
			case moveSeekGE:
				ok = it.SeekGE(mv.key)
			case moveSeekLT:
				ok = it.SeekLT(mv.key)
			}
			if ok != it.Valid() {
				out = append(out, fmt.Sprintf("%v returned %v but Valid is %v", mv, ok, it.Valid()))
			} else if ok {
				out = append(out, fmtBytes(it.Key())+"="+fmtBytes(it.Value()))
			} else {
				out = append(out, ".")
			}
		}
		out = append(out, fmt.Sprintf("err=%v", it.Error()))
		if cerr := it.Close(); cerr != nil {
			out = append(out, "close: "+cerr.Error())
		}
		return strings.Join(out, " ")
	}
}
