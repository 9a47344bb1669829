package main

import (
	"bytes"
	"context"
	"errors"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
	"github.com/cockroachdb/pebble/v2/sstable"
	"github.com/lsmkv/lsmkv/bench"
)

func init() { bench.Register("pebble", openPebble) }

// pebbleDefaultMemTableSize is pebble.Options.MemTableSize's default.
const pebbleDefaultMemTableSize = 4 << 20

// pebbleOptions maps cfg onto Pebble's options. Pebble charges its
// memtables to the block cache (DB.newMemTable reserves their size in
// it), so to leave cfg.CacheSize for blocks the cache also gets the
// memtable budget: MemTableStopWritesThreshold (2) memtables.
func pebbleOptions(cfg bench.Config) *pebble.Options {
	memtable := cfg.MemtableSize
	if memtable == 0 {
		memtable = pebbleDefaultMemTableSize
	}
	o := &pebble.Options{
		// The newest format (columnar blocks) is what a new store would
		// choose; the zero value picks the oldest supported one.
		FormatMajorVersion:          pebble.FormatNewest,
		MemTableSize:                uint64(memtable),
		MemTableStopWritesThreshold: 2,
		Logger:                      quietLogger{},
	}
	if cfg.CacheSize > 0 {
		o.CacheSize = cfg.CacheSize + int64(o.MemTableStopWritesThreshold)*memtable
	}
	for i := range o.Levels {
		l := &o.Levels[i]
		l.BlockSize = cfg.BlockSize
		if cfg.BloomBits > 0 {
			l.FilterPolicy = bloom.FilterPolicy(cfg.BloomBits)
		}
		switch cfg.Compression {
		case bench.CompressionNone:
			l.Compression = func() *sstable.CompressionProfile { return sstable.NoCompression }
		case bench.CompressionSnappy:
			l.Compression = func() *sstable.CompressionProfile { return sstable.SnappyCompression }
		}
	}
	// Pebble has no tiered compaction; cfg.Compaction is ignored.
	return o
}

// quietLogger drops Pebble's informational messages, which would mix
// with the progress line, and keeps its errors.
type quietLogger struct{}

func (quietLogger) Infof(string, ...any) {}
func (quietLogger) Errorf(format string, args ...any) {
	pebble.DefaultLogger.Errorf(format, args...)
}
func (quietLogger) Fatalf(format string, args ...any) {
	pebble.DefaultLogger.Fatalf(format, args...)
}

func openPebble(cfg bench.Config) (bench.Engine, error) {
	db, err := pebble.Open(cfg.Dir, pebbleOptions(cfg))
	if err != nil {
		return nil, err
	}
	wo := pebble.NoSync
	if cfg.Sync {
		wo = pebble.Sync
	}
	return &pebbleEngine{db: db, wo: wo}, nil
}

type pebbleEngine struct {
	db   *pebble.DB
	wo   *pebble.WriteOptions
	user userBytes
}

var (
	_ bench.RangeDeleter = (*pebbleEngine)(nil)
	_ bench.Compacter    = (*pebbleEngine)(nil)
)

func (e *pebbleEngine) Put(k, v []byte) error {
	e.user.add(k, v)
	return e.db.Set(k, v, e.wo)
}

func (e *pebbleEngine) Get(k []byte) ([]byte, bool, error) {
	v, closer, err := e.db.Get(k)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	// v is only valid until closer.Close; the runner may keep it longer.
	v = append([]byte(nil), v...)
	return v, true, closer.Close()
}

func (e *pebbleEngine) Delete(k []byte) error {
	e.user.add(k, nil)
	return e.db.Delete(k, e.wo)
}

// DeleteRange writes one range tombstone (Pebble's RANGEDEL).
func (e *pebbleEngine) DeleteRange(start, end []byte) error {
	e.user.add(start, end)
	return e.db.DeleteRange(start, end, e.wo)
}

// compactEnd is above every key the benchmarks write (decimal digits,
// sometimes with a letter appended), and Pebble's Compact needs an end key.
var compactEnd = bytes.Repeat([]byte{0xff}, 8)

// Compact compacts every level down to the bottom one: Pebble's manual
// compaction of ["", compactEnd), which flushes the memtable first.
func (e *pebbleEngine) Compact() error {
	return e.db.Compact(context.Background(), nil, compactEnd, true)
}

func (e *pebbleEngine) WriteBatch(ops []bench.Op, sync bool) error {
	b := e.db.NewBatch()
	for _, op := range ops {
		var err error
		if op.Kind == bench.OpDelete {
			err = b.Delete(op.Key, nil)
		} else {
			err = b.Set(op.Key, op.Value, nil)
		}
		if err != nil {
			return errors.Join(err, b.Close())
		}
	}
	e.user.addOps(ops)
	wo := e.wo
	if sync {
		wo = pebble.Sync
	}
	return b.Commit(wo) // Commit also closes b
}

// NewIterator returns Pebble's own iterator: its methods already have
// bench.Iter's signatures.
func (e *pebbleEngine) NewIterator() (bench.Iter, error) { return e.db.NewIter(nil) }

func (e *pebbleEngine) Flush() error { return e.db.Flush() }
func (e *pebbleEngine) Close() error { return e.db.Close() }

// Metrics reports write amplification as (WAL bytes written + bytes
// flushed + bytes compacted) / user bytes, lsmkv's definition, the
// bloom filter's hit rate, and the size of the store's live files. Pebble counts table probes per Get nowhere, so
// read amp stays unknown.
func (e *pebbleEngine) Metrics() bench.EngineMetrics {
	m := e.db.Metrics()
	written := int64(m.WAL.BytesWritten)
	var em bench.EngineMetrics
	for _, l := range m.Levels {
		written += int64(l.TableBytesFlushed + l.TableBytesCompacted + l.BlobBytesFlushed + l.BlobBytesCompacted)
		em.Levels = append(em.Levels, bench.LevelShape{NumFiles: int(l.TablesCount), Size: l.TablesSize})
	}
	em.WriteAmp = e.user.writeAmp(written)
	em.FilterChecks = m.Filter.Hits + m.Filter.Misses
	em.FilterNegatives = m.Filter.Hits
	// The store's live files: Pebble deletes obsolete tables in the
	// background at a paced rate and keeps old WAL files to recycle, so
	// counting those would make its size depend on when it is measured.
	em.DiskBytes = int64(m.DiskSpaceUsage() - m.WAL.ObsoletePhysicalSize - m.Table.Local.ObsoleteSize - m.BlobFiles.Local.ObsoleteSize)
	em.Text = m.String()
	return em
}
