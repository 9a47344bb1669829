package main

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/lsmkv/lsmkv"
	"github.com/lsmkv/lsmkv/vfs"
)

// stressOptions are tiny on purpose: a few hundred batches fill a memtable,
// two L0 tables start a compaction and the levels are small, so that kills
// and power losses land in flushes, compactions and manifest rotations
// rather than only in WAL appends.
func stressOptions(fs vfs.FS, readOnly bool) *lsmkv.Options {
	return &lsmkv.Options{
		FS:                  fs,
		ReadOnly:            readOnly,
		MemtableSize:        16 << 10,
		BlockSize:           512,
		TargetFileSize:      16 << 10,
		BaseLevelSize:       64 << 10,
		L0CompactionTrigger: 2,
		L0StopWritesTrigger: 8,
		LevelSizeMultiplier: 4,
		BlockCacheSize:      64 << 10,
		MaxOpenFiles:        16,
	}
}

// recovered is a DB's contents as found after a crash.
type recovered struct {
	state state
	bytes int64 // key and value bytes
}

// pointReads is how many keys readState also looks up with Get: the scan
// and point reads take different paths (bloom filters, one level at a
// time), and both must see the recovered state.
const pointReads = 64

// readState opens dir read-only (which changes no file, so a failing
// directory stays as the crash left it), scans it, and checks a sample of
// point reads against the scan.
func readState(fs vfs.FS, dir string, keys int, rng *rand.Rand) (recovered, error) {
	db, err := lsmkv.Open(dir, stressOptions(fs, true))
	if err != nil {
		return recovered{}, fmt.Errorf("%w: open after the crash: %v", errViolation, err)
	}
	r, err := scan(db)
	if err == nil {
		err = checkPointReads(db, r.state, keys, rng)
	}
	return r, errors.Join(err, db.Close())
}

// scan reads every live entry, checking that keys come in strictly
// increasing order.
func scan(db *lsmkv.DB) (recovered, error) {
	r := recovered{state: state{}}
	it, err := db.NewIterator(nil)
	if err != nil {
		return r, err
	}
	var prev []byte
	for ok := it.First(); ok; ok = it.Next() {
		k := it.Key()
		if prev != nil && bytes.Compare(prev, k) >= 0 {
			it.Close()
			return r, fmt.Errorf("%w: scan returned %q after %q", errViolation, k, prev)
		}
		prev = append(prev[:0], k...)
		r.state[string(k)] = string(it.Value())
		r.bytes += int64(len(k) + len(it.Value()))
	}
	if err := it.Error(); err != nil {
		it.Close()
		return r, fmt.Errorf("%w: scan after the crash: %v", errViolation, err)
	}
	return r, it.Close()
}

// checkPointReads looks up pointReads random keys of the key space.
func checkPointReads(db *lsmkv.DB, s state, keys int, rng *rand.Rand) error {
	for range pointReads {
		k := keyName(rng.IntN(keys))
		v, err := db.Get([]byte(k))
		if err != nil && !errors.Is(err, lsmkv.ErrNotFound) {
			return fmt.Errorf("%w: Get(%s) after the crash: %v", errViolation, k, err)
		}
		want, ok := s[k]
		if found := err == nil; found != ok || string(v) != want {
			return fmt.Errorf("%w: Get(%s) = %s but the scan found %s", errViolation, k,
				describe(string(v), found), describe(want, ok))
		}
	}
	return nil
}
