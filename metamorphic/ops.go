package metamorphic

import (
	"fmt"
	"strings"
)

// opKind names an operation. Outputs are compared as strings, so every
// kind's output format is fixed by the model (model.go) and the runner
// (run.go) alike.
type opKind int

const (
	opPut opKind = iota
	opDelete
	opBatch // several puts and deletes applied atomically
	opGet
	opIter         // a whole iterator life: open, moves, close
	opNewSnapshot  // snapshot id takes the current state
	opSnapshotGet  // a Get at snapshot id
	opSnapshotIter // an iterator at snapshot id
	opCloseSnapshot
	opFlush
	opCompact // manual compaction of [key, key2]; nil keys mean unbounded
	opReopen  // Close, then Open of the same directory
	opCrash   // a synced write, then a power loss: open a CrashClone
	opDeleteRange
)

// moveKind is one positioning call of an iterator.
type moveKind int

const (
	moveFirst moveKind = iota
	moveLast
	moveNext
	movePrev
	moveSeekGE
	moveSeekLT
)

// move is one iterator call; key is the seek key.
type move struct {
	kind moveKind
	key  []byte
}

// batchEntry is one write of a batch; a nil value means a deletion, and
// rangeEnd, if set, makes it a range deletion of [key, rangeEnd).
type batchEntry struct {
	key, value []byte
	rangeEnd   []byte
}

// op is one operation of a test. Fields are used by the kinds that need
// them.
type op struct {
	kind         opKind
	key, value   []byte
	key2         []byte       // opCompact's end
	entries      []batchEntry // opBatch
	snap         int          // snapshot id of the snapshot ops
	lower, upper []byte       // iterator bounds; nil is unbounded
	moves        []move       // iterator moves
}

func (m move) String() string {
	switch m.kind {
	case moveFirst:
		return "First"
	case moveLast:
		return "Last"
	case moveNext:
		return "Next"
	case movePrev:
		return "Prev"
	case moveSeekGE:
		return fmt.Sprintf("SeekGE(%s)", fmtBytes(m.key))
	}
	return fmt.Sprintf("SeekLT(%s)", fmtBytes(m.key))
}

// String prints the operation as one line, the form a shrunk failing
// sequence is reported in.
func (o op) String() string {
	switch o.kind {
	case opPut:
		return fmt.Sprintf("Put(%s, %d bytes)", fmtBytes(o.key), len(o.value))
	case opDelete:
		return fmt.Sprintf("Delete(%s)", fmtBytes(o.key))
	case opBatch:
		parts := make([]string, len(o.entries))
		for i, e := range o.entries {
			if e.rangeEnd != nil {
				parts[i] = fmt.Sprintf("DeleteRange(%s, %s)", fmtBytes(e.key), fmtBytes(e.rangeEnd))
			} else if e.value == nil {
				parts[i] = fmt.Sprintf("Delete(%s)", fmtBytes(e.key))
			} else {
				parts[i] = fmt.Sprintf("Put(%s, %d bytes)", fmtBytes(e.key), len(e.value))
			}
		}
		return "Batch{" + strings.Join(parts, ", ") + "}"
	case opGet:
		return fmt.Sprintf("Get(%s)", fmtBytes(o.key))
	case opIter, opSnapshotIter:
		moves := make([]string, len(o.moves))
		for i, m := range o.moves {
			moves[i] = m.String()
		}
		at := ""
		if o.kind == opSnapshotIter {
			at = fmt.Sprintf(" at snapshot %d", o.snap)
		}
		return fmt.Sprintf("Iter[%s, %s)%s: %s", fmtBound(o.lower), fmtBound(o.upper), at, strings.Join(moves, " "))
	case opNewSnapshot:
		return fmt.Sprintf("NewSnapshot(%d)", o.snap)
	case opSnapshotGet:
		return fmt.Sprintf("Snapshot(%d).Get(%s)", o.snap, fmtBytes(o.key))
	case opCloseSnapshot:
		return fmt.Sprintf("Snapshot(%d).Close", o.snap)
	case opFlush:
		return "Flush"
	case opCompact:
		return fmt.Sprintf("Compact(%s, %s)", fmtBound(o.key), fmtBound(o.key2))
	case opReopen:
		return "Reopen"
	case opCrash:
		return "Crash"
	case opDeleteRange:
		return fmt.Sprintf("DeleteRange(%s, %s)", fmtBytes(o.key), fmtBytes(o.key2))
	}
	return fmt.Sprintf("op(%d)", int(o.kind))
}

// fmtBound prints a bound or compaction key: nil means unbounded.
func fmtBound(k []byte) string {
	if k == nil {
		return "nil"
	}
	return fmtBytes(k)
}

// crashMarker is the key the crash operation writes, synced, before the
// power loss.
var crashMarker = []byte("~crash-marker")
