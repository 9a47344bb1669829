package main

import (
	"errors"
	"sync"

	"github.com/lsmkv/lsmkv/bench"
	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/filter"
	"github.com/syndtr/goleveldb/leveldb/iterator"
	"github.com/syndtr/goleveldb/leveldb/opt"
	"github.com/syndtr/goleveldb/leveldb/util"
)

func init() { bench.Register("goleveldb", openGoleveldb) }

// goleveldbOptions maps cfg onto goleveldb's options; zero fields keep
// goleveldb's defaults, as bench.Config's zero does. NoSync stays false:
// it would make even Sync writes skip fsync, and fillsync needs them.
func goleveldbOptions(cfg bench.Config) *opt.Options {
	o := &opt.Options{
		BlockCacheCapacity: int(cfg.CacheSize),
		WriteBuffer:        int(cfg.MemtableSize),
		BlockSize:          cfg.BlockSize,
	}
	if cfg.BloomBits > 0 {
		o.Filter = filter.NewBloomFilter(cfg.BloomBits)
	}
	switch cfg.Compression {
	case bench.CompressionNone:
		o.Compression = opt.NoCompression
	case bench.CompressionSnappy:
		o.Compression = opt.SnappyCompression
	}
	// goleveldb only compacts leveled; cfg.Compaction is ignored.
	return o
}

func openGoleveldb(cfg bench.Config) (bench.Engine, error) {
	e := &goleveldbEngine{cfg: cfg, opts: goleveldbOptions(cfg), wo: &opt.WriteOptions{Sync: cfg.Sync}}
	var err error
	e.db, err = leveldb.OpenFile(cfg.Dir, e.opts)
	if err != nil {
		return nil, err
	}
	return e, nil
}

// goleveldbEngine guards db with mu only because Flush replaces it;
// every other method holds the read lock.
type goleveldbEngine struct {
	cfg  bench.Config
	opts *opt.Options
	wo   *opt.WriteOptions
	user userBytes

	mu        sync.RWMutex
	db        *leveldb.DB
	ioWritten int64 // bytes written by DB instances that Flush closed
}

func (e *goleveldbEngine) Put(k, v []byte) error {
	e.user.add(k, v)
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.db.Put(k, v, e.wo)
}

// Get's value is goleveldb's own copy, so it is returned as is.
func (e *goleveldbEngine) Get(k []byte) ([]byte, bool, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	v, err := e.db.Get(k, nil)
	if errors.Is(err, leveldb.ErrNotFound) {
		return nil, false, nil
	}
	return v, err == nil, err
}

func (e *goleveldbEngine) Delete(k []byte) error {
	e.user.add(k, nil)
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.db.Delete(k, e.wo)
}

func (e *goleveldbEngine) WriteBatch(ops []bench.Op, sync bool) error {
	var b leveldb.Batch
	for _, op := range ops {
		if op.Kind == bench.OpDelete {
			b.Delete(op.Key)
		} else {
			b.Put(op.Key, op.Value) // Batch copies key and value
		}
	}
	e.user.addOps(ops)
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.db.Write(&b, &opt.WriteOptions{Sync: sync || e.cfg.Sync})
}

// goleveldb has no DeleteRange, so bench deletes ranges key by key on it;
// it does have a manual compaction.
var _ bench.Compacter = (*goleveldbEngine)(nil)

// Compact compacts the whole key space (an empty util.Range), memtable
// included, down to the bottom level.
func (e *goleveldbEngine) Compact() error {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.db.CompactRange(util.Range{})
}

func (e *goleveldbEngine) NewIterator() (bench.Iter, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return goleveldbIter{e.db.NewIterator(nil, nil)}, nil
}

// Flush has no goleveldb counterpart (its memtable is compacted only when
// full or by CompactRange, which also merges every level), so it closes
// and reopens the store: reopening replays the journal into a level-0
// table. The block cache starts cold again afterwards.
// REQUIRES: no iterator is open (the runner flushes between phases).
func (e *goleveldbEngine) Flush() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	var s leveldb.DBStats
	if err := e.db.Stats(&s); err != nil {
		return err
	}
	e.ioWritten += int64(s.IOWrite)
	if err := e.db.Close(); err != nil {
		return err
	}
	db, err := leveldb.OpenFile(e.cfg.Dir, e.opts)
	if err != nil {
		return err
	}
	e.db = db
	return nil
}

func (e *goleveldbEngine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.db.Close()
}

// Metrics reports write amplification from goleveldb's count of all bytes
// written through its storage (journal, tables and manifest), which is
// lsmkv's definition. goleveldb counts neither table probes nor filter
// hits, so those stay unknown.
func (e *goleveldbEngine) Metrics() bench.EngineMetrics {
	e.mu.RLock()
	defer e.mu.RUnlock()
	var s leveldb.DBStats
	if err := e.db.Stats(&s); err != nil {
		return bench.EngineMetrics{}
	}
	em := bench.EngineMetrics{WriteAmp: e.user.writeAmp(e.ioWritten + int64(s.IOWrite))}
	for i, size := range s.LevelSizes[:min(len(s.LevelSizes), len(s.LevelTablesCounts))] {
		em.Levels = append(em.Levels, bench.LevelShape{NumFiles: s.LevelTablesCounts[i], Size: size})
	}
	em.Text, _ = e.db.GetProperty("leveldb.stats")
	return em
}

// goleveldbIter adapts goleveldb's iterator, which names SeekGE "Seek"
// and Close "Release".
type goleveldbIter struct{ iterator.Iterator }

func (it goleveldbIter) SeekGE(k []byte) bool { return it.Seek(k) }

// Close releases the iterator and, as Pebble's and lsmkv's do, returns the
// error that stopped it.
func (it goleveldbIter) Close() error {
	err := it.Error()
	it.Release()
	return err
}
