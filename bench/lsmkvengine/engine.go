// Package lsmkvengine adapts lsmkv.DB to bench.Engine and registers it under
// the name "lsmkv". Import it for its side effect:
//
//	import _ "github.com/lsmkv/lsmkv/bench/lsmkvengine"
//
// OpenWith gives an Opener that also reports each DB it opens and closes
// and chains an extra EventListener (kvbench -http uses it, through
// bench.Options.Open, to watch the tree live; hooks.go).
package lsmkvengine

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lsmkv/lsmkv/internal/bytesize"

	"github.com/lsmkv/lsmkv"
	"github.com/lsmkv/lsmkv/bench"
)

func init() { bench.Register("lsmkv", Open) }

// Options maps a bench.Config onto lsmkv.Options.
func Options(cfg bench.Config) *lsmkv.Options {
	o := &lsmkv.Options{
		Sync:            cfg.Sync,
		MemtableSize:    cfg.MemtableSize,
		BlockSize:       cfg.BlockSize,
		BlockCacheSize:  cfg.CacheSize,
		BloomBitsPerKey: cfg.BloomBits,
		TargetFileSize:  cfg.TargetFileSize,
		BaseLevelSize:   cfg.BaseLevelSize,
	}
	if cfg.BloomBits == 0 {
		o.BloomBitsPerKey = -1 // bench: 0 means no filter; lsmkv: 0 means default
	}
	switch cfg.Compression {
	case bench.CompressionNone:
		o.Compression = lsmkv.NoCompression
	case bench.CompressionSnappy:
		o.Compression = lsmkv.SnappyCompression
	}
	switch cfg.Compaction {
	case bench.CompactionLeveled:
		o.Compaction = lsmkv.LeveledCompaction
	case bench.CompactionTiered:
		o.Compaction = lsmkv.TieredCompaction
	}
	return o
}

// Open opens an lsmkv DB in cfg.Dir.
func Open(cfg bench.Config) (bench.Engine, error) { return open(cfg, Hooks{}) }

func open(cfg bench.Config, h Hooks) (bench.Engine, error) {
	e := &engine{sync: cfg.Sync, hooks: h}
	o := Options(cfg)
	o.EventListener = chain(e.listener(), h.Listener)
	db, err := lsmkv.Open(cfg.Dir, o)
	if err != nil {
		return nil, err
	}
	e.db = db
	if h.Opened != nil {
		h.Opened(db)
	}
	return e, nil
}

type engine struct {
	db    *lsmkv.DB
	sync  bool
	hooks Hooks
	sink  atomic.Pointer[func(bench.Event)] // SetEventSink's; nil until set
}

// SetEventSink implements bench.EventSource.
func (e *engine) SetEventSink(sink func(bench.Event)) { e.sink.Store(&sink) }

// listener turns lsmkv's events into bench events: one per flush,
// compaction and write stall, sent when it ends.
func (e *engine) listener() lsmkv.EventListener {
	send := func(kind bench.EventKind, end time.Time, d time.Duration, label string) {
		if sink := e.sink.Load(); sink != nil {
			(*sink)(bench.Event{Kind: kind, Start: end.Add(-d), End: end, Label: label})
		}
	}
	return lsmkv.EventListener{
		FlushEnd: func(i lsmkv.FlushInfo) {
			if i.Output != nil {
				send(bench.EventFlush, time.Now(), i.Duration, "flush "+bytesize.Format(int64(i.Output.Size)))
			}
		},
		CompactionEnd: func(i lsmkv.CompactionInfo) {
			if i.Err != nil || i.Kind == "move" {
				return
			}
			label := fmt.Sprintf("L%d->L%d %s", i.Level, i.OutputLevel, bytesize.Format(int64(i.BytesRead)))
			if i.Kind == "delete-only" {
				label = "delete-only"
			}
			send(bench.EventCompaction, time.Now(), i.Duration, label)
		},
		WriteStallEnd: func(i lsmkv.WriteStallInfo) {
			send(bench.EventStall, time.Now(), i.Duration, "stall: "+i.Cause)
		},
	}
}

var (
	_ bench.EventSource  = (*engine)(nil)
	_ bench.Engine       = (*engine)(nil)
	_ bench.Metricser    = (*engine)(nil)
	_ bench.RangeDeleter = (*engine)(nil)
	_ bench.Compacter    = (*engine)(nil)
)

func (e *engine) Put(k, v []byte) error { return e.db.Put(k, v) }

func (e *engine) Get(k []byte) ([]byte, bool, error) {
	v, err := e.db.Get(k)
	if errors.Is(err, lsmkv.ErrNotFound) {
		return nil, false, nil
	}
	return v, err == nil, err
}

func (e *engine) Delete(k []byte) error { return e.db.Delete(k) }

// DeleteRange writes one range tombstone.
func (e *engine) DeleteRange(start, end []byte) error { return e.db.DeleteRange(start, end) }

// Compact compacts the whole key space down to the bottom level.
func (e *engine) Compact() error { return e.db.Compact(nil, nil) }

// batches recycles Batch buffers across WriteBatch calls, as a program
// writing batches in a loop would reuse one (Batch.Reset keeps memory).
var batches = sync.Pool{New: func() any { return new(lsmkv.Batch) }}

func (e *engine) WriteBatch(ops []bench.Op, sync bool) error {
	b := batches.Get().(*lsmkv.Batch)
	defer batches.Put(b)
	b.Reset()
	for _, op := range ops {
		if op.Kind == bench.OpDelete {
			b.Delete(op.Key)
		} else {
			b.Put(op.Key, op.Value)
		}
	}
	return e.db.Write(b, &lsmkv.WriteOptions{Sync: sync || e.sync})
}

func (e *engine) NewIterator() (bench.Iter, error) {
	it, err := e.db.NewIterator(nil)
	if err != nil {
		return nil, err
	}
	return it, nil
}

func (e *engine) Flush() error { return e.db.Flush() }
func (e *engine) Close() error {
	if e.hooks.Closing != nil {
		e.hooks.Closing(e.db)
	}
	return e.db.Close()
}

// Metrics reports lsmkv's counters to the runner.
func (e *engine) Metrics() bench.EngineMetrics {
	m := e.db.Metrics()
	em := bench.EngineMetrics{
		WriteAmp:        m.WriteAmplification(),
		Gets:            m.Gets,
		TablesProbed:    m.TablesProbed,
		FilterChecks:    m.FilterChecks,
		FilterNegatives: m.FilterNegatives,
		Text:            m.String(),
	}
	for _, l := range m.Levels {
		em.Levels = append(em.Levels, bench.LevelShape{NumFiles: l.NumFiles, Size: l.Size})
	}
	return em
}
