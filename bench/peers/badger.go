package main

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
	"github.com/lsmkv/lsmkv/bench"
)

func init() { bench.Register("badger", openBadger) }

// badgerOptions maps cfg onto Badger's options. Badger sizes its bloom
// filters by false-positive rate, so bits per key b become the rate an
// optimally hashed filter has, 0.6185^b (b=10: 0.82%); 0 disables them.
// Conflict detection is off: the benchmark API has no transactions, so
// it would only cost time. Other knobs keep Badger's defaults, notably
// NumMemtables (5) and values up to 1 MiB (or 15% of the memtable)
// stored in the LSM tree rather than the value log.
func badgerOptions(cfg bench.Config) badger.Options {
	o := badger.DefaultOptions(cfg.Dir).
		WithLogger(nil).
		WithSyncWrites(cfg.Sync).
		WithDetectConflicts(false).
		WithBloomFalsePositive(bloomFalsePositive(cfg.BloomBits))
	if cfg.CacheSize > 0 {
		o = o.WithBlockCacheSize(cfg.CacheSize)
	}
	if cfg.MemtableSize > 0 {
		o = o.WithMemTableSize(cfg.MemtableSize)
		// Badger refuses a value threshold above its largest transaction,
		// 15% of the memtable (600 KiB for 4 MiB); its default is 1 MiB.
		o = o.WithValueThreshold(min(o.ValueThreshold, 15*cfg.MemtableSize/100))
	}
	if cfg.BlockSize > 0 {
		o = o.WithBlockSize(cfg.BlockSize)
	}
	switch cfg.Compression {
	case bench.CompressionNone:
		o = o.WithCompression(options.None)
	case bench.CompressionSnappy:
		o = o.WithCompression(options.Snappy)
	}
	// Badger only compacts leveled; cfg.Compaction is ignored.
	return o
}

// bloomFalsePositive is the false-positive rate of a bloom filter with
// bits bits per key and the optimal number of hashes: (1/2)^(bits·ln 2).
func bloomFalsePositive(bits int) float64 {
	if bits <= 0 {
		return 0
	}
	return math.Pow(0.5, float64(bits)*math.Ln2)
}

func openBadger(cfg bench.Config) (bench.Engine, error) {
	e := &badgerEngine{cfg: cfg, opts: badgerOptions(cfg)}
	var err error
	if e.db, err = badger.Open(e.opts); err != nil {
		return nil, err
	}
	return e, nil
}

// badgerEngine guards db with mu only because Flush replaces it; every
// other method holds the read lock.
type badgerEngine struct {
	cfg  bench.Config
	opts badger.Options

	mu sync.RWMutex
	db *badger.DB
}

func (e *badgerEngine) Put(k, v []byte) error {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.db.Update(func(txn *badger.Txn) error { return txn.Set(k, v) })
}

func (e *badgerEngine) Get(k []byte) (v []byte, found bool, err error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	err = e.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(k)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		found = true
		v, err = item.ValueCopy(nil) // item's value dies with txn
		return err
	})
	return v, found && err == nil, err
}

func (e *badgerEngine) Delete(k []byte) error {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.db.Update(func(txn *badger.Txn) error { return txn.Delete(k) })
}

// WriteBatch commits ops as one transaction. Badger caps a transaction at
// about 15% of the memtable size; a larger batch fails with ErrTxnTooBig
// rather than being split, since the batch must be atomic.
func (e *badgerEngine) WriteBatch(ops []bench.Op, sync bool) error {
	e.mu.RLock()
	defer e.mu.RUnlock()
	txn := e.db.NewTransaction(true)
	defer txn.Discard()
	for _, op := range ops {
		var err error
		if op.Kind == bench.OpDelete {
			err = txn.Delete(op.Key)
		} else {
			err = txn.Set(op.Key, op.Value)
		}
		if err != nil {
			return fmt.Errorf("lsmkv/peers: badger batch of %d ops: %w", len(ops), err)
		}
	}
	if err := txn.Commit(); err != nil {
		return err
	}
	if sync && !e.cfg.Sync {
		// Badger has no per-write sync option; SyncWrites covers cfg.Sync.
		return e.db.Sync()
	}
	return nil
}

func (e *badgerEngine) NewIterator() (bench.Iter, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return &badgerIter{txn: e.db.NewTransaction(false)}, nil
}

// Flush has no Badger counterpart, so it closes and reopens the store:
// Close writes the memtables to level-0 tables. The block cache starts
// cold again afterwards.
// REQUIRES: no iterator is open (the runner flushes between phases).
func (e *badgerEngine) Flush() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.db.Close(); err != nil {
		return err
	}
	db, err := badger.Open(e.opts)
	if err != nil {
		return err
	}
	e.db = db
	return nil
}

// Badger has no DeleteRange (DropPrefix drops a prefix, not a range), so
// bench deletes ranges key by key on it; Flatten is its manual compaction.
var _ bench.Compacter = (*badgerEngine)(nil)

// Compact is Badger's Flatten with one worker: it compacts until every
// table is on one level, dropping deleted keys that no older snapshot
// needs once they reach the bottom.
func (e *badgerEngine) Compact() error {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.db.Flatten(1)
}

func (e *badgerEngine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.db.Close()
}

// Metrics reports the tree's shape and the disk space actually allocated
// (see allocatedBytes). Write amplification stays unknown: Badger's
// counters (process-wide expvars) include neither its memtable log nor
// its flushes.
func (e *badgerEngine) Metrics() bench.EngineMetrics {
	e.mu.RLock()
	defer e.mu.RUnlock()
	var em bench.EngineMetrics
	for _, l := range e.db.Levels() {
		em.Levels = append(em.Levels, bench.LevelShape{NumFiles: l.NumTables, Size: l.Size})
	}
	em.DiskBytes, _ = allocatedBytes(e.cfg.Dir) // 0 on error: the runner measures instead
	em.Text = e.db.LevelsToString()
	return em
}
