package bench

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"
)

// OpKind says what a batched Op does.
type OpKind uint8

const (
	// OpPut sets Key to Value.
	OpPut OpKind = iota
	// OpDelete removes Key; Value is ignored.
	OpDelete
)

// Op is one write inside a WriteBatch call.
type Op struct {
	Kind       OpKind
	Key, Value []byte
}

// Engine is the small key-value API every benchmarked store is adapted to.
//
// The runner never modifies slices it passed in after the call returns, and
// engines must not retain them either (copy what they keep). Slices an engine
// returns (Get's value, Iter.Key/Value) are read-only for the runner and only
// need to stay valid until the next call on the same Engine or Iter.
//
// Concurrency: all methods may be called from several goroutines at once
// (one per -threads); an Iter is used by one goroutine only.
type Engine interface {
	// Put sets k to v, syncing first when the engine was opened with Config.Sync.
	Put(k, v []byte) error
	// Get returns the value of k, or found == false if k is absent.
	Get(k []byte) (v []byte, found bool, err error)
	// Delete removes k; deleting an absent key is not an error.
	Delete(k []byte) error
	// WriteBatch applies ops atomically, in order, syncing if sync is true.
	WriteBatch(ops []Op, sync bool) error
	// NewIterator returns an iterator over a consistent view of the store.
	NewIterator() (Iter, error)
	// Flush makes all buffered writes part of the store's persistent
	// structure (for an LSM: flush the memtable to a table).
	Flush() error
	// Close releases the engine; the data stays in Config.Dir.
	Close() error
}

// Iter walks keys in ascending byte order. Positioning methods report
// whether the iterator is now at an entry; Error reports why it stopped.
type Iter interface {
	First() bool
	Last() bool
	SeekGE(k []byte) bool
	Next() bool
	Prev() bool
	Valid() bool
	Key() []byte
	Value() []byte
	Error() error
	Close() error
}

// Metricser is implemented by engines that expose internal counters; the
// runner discovers it by type assertion and reports amplification from it.
type Metricser interface {
	Metrics() EngineMetrics
}

// RangeDeleter is implemented by engines that delete a key range with one
// range tombstone. The deleterange and rangetombstones workloads discover
// it by type assertion; without it, deleterange deletes every key of each
// range one by one and rangetombstones is skipped.
type RangeDeleter interface {
	// DeleteRange removes every key k with start <= k < end, syncing as
	// Put does. REQUIRES: start < end.
	DeleteRange(start, end []byte) error
}

// Compacter is implemented by engines with a manual compaction of the
// whole store. The deleterange workload uses it, untimed, to show how
// much of the deleted data's space a compaction gives back.
type Compacter interface {
	// Compact compacts every key of the store as far down as it goes,
	// dropping deleted data where the engine can, and blocks until done.
	Compact() error
}

// EventSource is implemented by engines that report their background work
// as it happens. The runner installs a sink once per open engine, before
// the first phase; the engine calls it from any goroutine, after each
// piece of work ends. The report draws the events as a timeline under the
// throughput chart.
type EventSource interface {
	SetEventSink(sink func(Event))
}

// Event is one piece of an engine's background work.
type Event struct {
	Kind       EventKind
	Start, End time.Time
	Label      string // what it did, e.g. "L0->L1 12.3MiB"
}

// EventKind classifies events into the timeline's lanes.
type EventKind string

// Event kinds.
const (
	EventFlush      EventKind = "flush"
	EventCompaction EventKind = "compaction"
	EventStall      EventKind = "stall"
)

// EngineMetrics is a snapshot of an engine's counters. Counters are
// cumulative since Open; the runner takes differences over each phase, which
// is why they are raw counts rather than ready-made ratios. A zero field
// means "unknown" and is reported as "-".
type EngineMetrics struct {
	// WriteAmp is bytes written to storage (log, flushes, compactions)
	// divided by user bytes written, since Open.
	WriteAmp float64
	// Gets counts Get calls; TablesProbed counts the tables (sstables) whose
	// index or data was read to answer them. TablesProbed/Gets is read amp.
	Gets, TablesProbed int64
	// FilterChecks counts bloom filter probes; FilterNegatives counts those
	// that ruled a table out, saving a read (the "useful negative" rate).
	FilterChecks, FilterNegatives int64
	// DiskBytes is the live size of the store's files. When zero the runner
	// adds up the sizes of the files under Config.Dir instead.
	DiskBytes int64
	// Levels is the LSM tree's shape, level 0 first, for the report's chart.
	Levels []LevelShape
	// Text is a free-form human-readable dump printed under -v.
	Text string
}

// LevelShape describes one level of an LSM tree.
type LevelShape struct {
	NumFiles int
	Size     int64 `json:"SizeBytes"`
}

// Opener opens (creating if needed) an engine storing its files in cfg.Dir.
type Opener func(cfg Config) (Engine, error)

var (
	registryMu sync.Mutex
	registry   = map[string]Opener{}
)

// Register makes an engine available under name. It panics if name is
// already registered or o is nil, as database/sql.Register does: both are
// programming errors found at init time.
func Register(name string, o Opener) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if o == nil {
		panic("lsmkv/bench: Register with nil Opener for " + name)
	}
	if _, dup := registry[name]; dup {
		panic("lsmkv/bench: Register called twice for " + name)
	}
	registry[name] = o
}

// errUnknownEngine is returned by Lookup for a name nobody registered.
var errUnknownEngine = errors.New("lsmkv/bench: unknown engine")

// Lookup returns the Opener registered under name.
func Lookup(name string) (Opener, error) {
	registryMu.Lock()
	defer registryMu.Unlock()
	o, ok := registry[name]
	if !ok {
		return nil, fmt.Errorf("%w %q (registered: %v)", errUnknownEngine, name, enginesLocked())
	}
	return o, nil
}

// Engines lists the registered engine names in sorted order.
func Engines() []string {
	registryMu.Lock()
	defer registryMu.Unlock()
	return enginesLocked()
}

func enginesLocked() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
