package lsmkv

import (
	"math"

	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/manifest"
	"github.com/lsmkv/lsmkv/memtable"
)

// The read path (docs/ARCHITECTURE.md, "Read path"): the mutable memtable,
// then the immutable ones newest first, then L0 tables newest first, then
// at most one table per deeper level. The first entry found for the key at
// or below the read's sequence number decides: a value, or a tombstone
// meaning "absent".

// readState is what a read needs, captured under mu: the memtables, a
// referenced version and the sequence number to read at.
type readState struct {
	mem     *memEntry
	imm     []*memEntry
	version *manifest.Version
	seq     keys.SeqNum
}

// readLatest asks acquireReadState for the newest visible state. It is
// above every valid sequence number (they have 56 bits).
const readLatest = keys.SeqNum(math.MaxUint64)

// acquireReadState captures the current state to read at seq (or the latest
// visible one). The caller must call release.
//
// The rule (docs/ARCHITECTURE.md, "Read path"): the latest sequence number
// is loaded under rsMu, after the state, never before it. States are
// published under rsMu.Lock after each rotation, flush and compaction, so
// while the read lock is held no newer state can appear, and:
//   - every write at or below the loaded number was applied to a memtable
//     in this state, or flushed into its version (a rotation publishes the
//     new memtable before any write goes into it);
//   - every flush or compaction that built this state's tables read only
//     entries at or below the number, so the newest version of each key it
//     kept is visible at it.
//
// Loading the number first let a flush drop a version the read needed: the
// flush kept only the newest version of a key, newer than the read's
// number, and the read fell through to an older value in a deeper table
// (TestIssue9ReadSeesAcknowledgedWriteUnderFlush). A snapshot's number is
// safe with any later state because flushes and compactions keep the
// versions registered snapshots need.
func (db *DB) acquireReadState(seq keys.SeqNum) (readState, error) {
	db.rsMu.RLock()
	rs := db.rs
	if rs == nil || db.closedNoLock() {
		db.rsMu.RUnlock()
		return readState{}, ErrClosed
	}
	if seq == readLatest {
		seq = keys.SeqNum(db.visibleSeq.Load())
	}
	rs.version.Ref()
	db.rsMu.RUnlock()
	return readState{mem: rs.mem, imm: rs.imm, version: rs.version, seq: seq}, nil
}

// updateReadState publishes the current memtables and version to readers.
// REQUIRES: mu held; called after every change to mem, imm or the version,
// so that code holding mu may also use db.rs as the current state.
func (db *DB) updateReadState() {
	rs := &readState{mem: db.mem, imm: db.imm, version: db.vs.Current()}
	db.deleteOnlyDue = true
	db.resetL0Reads(rs.version)
	if num := db.vs.ManifestNum(); num != db.manifestSeen {
		db.manifestSeen = num
		db.events.manifestCreated(ManifestInfo{FileNum: num})
	}
	db.rsMu.Lock()
	old := db.rs
	db.rs = rs
	db.rsMu.Unlock()
	if old != nil {
		old.version.Unref()
	}
}

func (rs *readState) release() { rs.version.Unref() }

// Get returns a copy of the value of key, or ErrNotFound. A key longer than
// MaxKeySize, which no write can have stored, is ErrInvalidArgument.
func (db *DB) Get(key []byte) ([]byte, error) {
	return db.get(key, readLatest)
}

func (db *DB) get(key []byte, seq keys.SeqNum) ([]byte, error) {
	if len(key) > MaxKeySize {
		return nil, invalidf("Get of a %d-byte key, over MaxKeySize (%d)", len(key), MaxKeySize)
	}
	rs, err := db.acquireReadState(seq)
	if err != nil {
		return nil, err
	}
	defer rs.release()
	db.stats.gets.Add(1)
	value, kind, found, err := db.getFrom(&rs, key)
	if err != nil {
		return nil, err
	}
	if !found || kind == keys.KindDelete {
		return nil, ErrNotFound
	}
	return append(make([]byte, 0, len(value)), value...), nil
}

// getFrom looks key up in the memtables and tables of rs, newest first.
// The first source that decides wins: a point entry newer than every range
// tombstone of its source that covers key, or else such a tombstone, which
// deletes key there and in every older source (an older source holds only
// older versions of key; see docs/ARCHITECTURE.md, "Read path").
func (db *DB) getFrom(rs *readState, key []byte) (value []byte, kind keys.Kind, found bool, err error) {
	if value, kind, found = memGet(rs.mem.mt, key, rs.seq); found {
		return value, kind, true, nil
	}
	for i := len(rs.imm) - 1; i >= 0; i-- {
		if value, kind, found = memGet(rs.imm[i].mt, key, rs.seq); found {
			return value, kind, true, nil
		}
	}
	for _, f := range rs.version.Levels[0] {
		if f.ContainsUserKey(key) {
			if value, kind, found, err = db.getFromTable(f, key, rs.seq); found || err != nil {
				return value, kind, found, err
			}
		}
	}
	for level := 1; level < manifest.NumLevels; level++ {
		if f := rs.version.FileFor(level, key); f != nil {
			if value, kind, found, err = db.getFromTable(f, key, rs.seq); found || err != nil {
				return value, kind, found, err
			}
		}
	}
	return nil, 0, false, nil
}

// memGet looks key up in one memtable.
func memGet(mt *memtable.Memtable, key []byte, seq keys.SeqNum) ([]byte, keys.Kind, bool) {
	value, entrySeq, kind, found := mt.Lookup(key, seq)
	var tomb keys.SeqNum
	if mt.HasRangeDels() {
		tomb = mt.RangeDels().Covering(key, seq)
	}
	return decide(value, entrySeq, kind, found, tomb)
}

func (db *DB) getFromTable(f *manifest.FileMeta, key []byte, seq keys.SeqNum) ([]byte, keys.Kind, bool, error) {
	e, err := db.tables.acquire(f)
	if err != nil {
		return nil, 0, false, err
	}
	defer func() { db.tables.logCloseError(db.tables.release(e)) }()
	db.stats.tablesProbed.Add(1)
	value, entrySeq, kind, found, err := e.reader.Get(key, seq)
	if err != nil {
		return nil, 0, false, err
	}
	value, kind, found = decide(value, entrySeq, kind, found, e.reader.RangeDels().Covering(key, seq))
	return value, kind, found, nil
}

// decide weighs one source's newest visible point entry for a key against
// the newest visible range tombstone of the same source covering it (0 if
// none). found is false when the source says nothing about the key; a
// deletion, by point or range tombstone, is found with kind KindDelete.
func decide(value []byte, entrySeq keys.SeqNum, kind keys.Kind, found bool, tomb keys.SeqNum) ([]byte, keys.Kind, bool) {
	switch {
	case found && entrySeq > tomb:
		return value, kind, true
	case tomb > 0:
		return nil, keys.KindDelete, true
	}
	return nil, 0, false
}
