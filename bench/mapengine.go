package bench

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// mapEngine is a reference Engine: a mutex-guarded Go map that iterators
// see through a sorted snapshot. It keeps nothing on disk. It exists to
// test the runner and to check adapters of real engines against (the
// peers module uses it), not to be fast: an iterator created after a write
// sorts the whole map.
//
// Safe for concurrent use.
type mapEngine struct {
	mu     sync.Mutex
	m      map[string][]byte
	bytes  int64      // sum of len(key)+len(value) over m
	sorted []mapEntry // snapshot of m in key order; nil when stale
	gets   int64      // Get calls, reported by Metrics
	closed bool
}

type mapEntry struct {
	key   string
	value []byte // never modified once stored, so snapshots may share it
}

var (
	_ Engine       = (*mapEngine)(nil)
	_ Metricser    = (*mapEngine)(nil)
	_ RangeDeleter = (*mapEngine)(nil)
	_ Compacter    = (*mapEngine)(nil)
)

// errClosed is returned by mapEngine methods after Close.
var errClosed = errors.New("lsmkv/bench: engine closed")

// newMapEngine returns an empty mapEngine.
func newMapEngine() *mapEngine { return &mapEngine{m: map[string][]byte{}} }

// OpenMapEngine is an Opener for the reference engine, an in-memory map
// that keeps nothing on disk (so it ignores cfg): kvbench registers it as
// "map", and tests use it to check the runner and engine adapters.
func OpenMapEngine(cfg Config) (Engine, error) { return newMapEngine(), nil }

func (e *mapEngine) setLocked(k string, v []byte) {
	if old, ok := e.m[k]; ok {
		e.bytes -= int64(len(k) + len(old))
	}
	e.m[k] = append([]byte(nil), v...)
	e.bytes += int64(len(k) + len(v))
	e.sorted = nil
}

func (e *mapEngine) deleteLocked(k string) {
	if old, ok := e.m[k]; ok {
		e.bytes -= int64(len(k) + len(old))
		delete(e.m, k)
		e.sorted = nil
	}
}

// Put sets k to v.
func (e *mapEngine) Put(k, v []byte) error {
	return e.WriteBatch([]Op{{Kind: OpPut, Key: k, Value: v}}, false)
}

// Delete removes k.
func (e *mapEngine) Delete(k []byte) error {
	return e.WriteBatch([]Op{{Kind: OpDelete, Key: k}}, false)
}

// WriteBatch applies ops atomically; sync is meaningless in memory.
func (e *mapEngine) WriteBatch(ops []Op, sync bool) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return errClosed
	}
	for _, op := range ops {
		switch op.Kind {
		case OpPut:
			e.setLocked(string(op.Key), op.Value)
		case OpDelete:
			e.deleteLocked(string(op.Key))
		default:
			return fmt.Errorf("lsmkv/bench: unknown op kind %d", op.Kind)
		}
	}
	return nil
}

// DeleteRange removes every key k with start <= k < end. It visits the
// whole map: the reference engine is exact, not fast.
func (e *mapEngine) DeleteRange(start, end []byte) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return errClosed
	}
	if bytes.Compare(start, end) >= 0 {
		return fmt.Errorf("lsmkv/bench: DeleteRange start %q is not below end %q", start, end)
	}
	for k := range e.m {
		if k >= string(start) && k < string(end) {
			e.deleteLocked(k)
		}
	}
	return nil
}

// Compact does nothing: a map holds no deleted data.
func (e *mapEngine) Compact() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return errClosed
	}
	return nil
}

// Get returns k's value. The slice must not be modified.
func (e *mapEngine) Get(k []byte) ([]byte, bool, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, false, errClosed
	}
	e.gets++
	v, ok := e.m[string(k)]
	return v, ok, nil
}

// Flush does nothing: there is nothing to persist.
func (e *mapEngine) Flush() error { return nil }

// Close makes further calls fail with errClosed.
func (e *mapEngine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.closed = true
	return nil
}

// Metrics reports the map's size as its "disk" bytes, so space
// amplification comes out as 1.0 and tests can check the runner's sums.
func (e *mapEngine) Metrics() EngineMetrics {
	e.mu.Lock()
	defer e.mu.Unlock()
	return EngineMetrics{
		Gets:      e.gets,
		DiskBytes: e.bytes,
		Text:      fmt.Sprintf("map engine: %d keys, %d bytes\n", len(e.m), e.bytes),
	}
}

// Len returns the number of keys stored.
func (e *mapEngine) Len() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.m)
}

// NewIterator returns an iterator over the current contents.
func (e *mapEngine) NewIterator() (Iter, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, errClosed
	}
	if e.sorted == nil {
		s := make([]mapEntry, 0, len(e.m))
		for k, v := range e.m {
			s = append(s, mapEntry{k, v})
		}
		sort.Slice(s, func(i, j int) bool { return s[i].key < s[j].key })
		e.sorted = s
	}
	return &mapIter{entries: e.sorted, pos: -1}, nil
}

// mapIter walks an immutable sorted snapshot; pos is -1 or len when
// exhausted.
type mapIter struct {
	entries []mapEntry
	pos     int
}

func (it *mapIter) set(pos int) bool { it.pos = pos; return it.Valid() }
func (it *mapIter) Valid() bool      { return it.pos >= 0 && it.pos < len(it.entries) }
func (it *mapIter) First() bool      { return it.set(0) }
func (it *mapIter) Last() bool       { return it.set(len(it.entries) - 1) }
func (it *mapIter) Key() []byte      { return []byte(it.entries[it.pos].key) }
func (it *mapIter) Value() []byte    { return it.entries[it.pos].value }
func (it *mapIter) Error() error     { return nil }
func (it *mapIter) Close() error     { return nil }

func (it *mapIter) SeekGE(k []byte) bool {
	ks := string(k)
	return it.set(sort.Search(len(it.entries), func(i int) bool {
		return strings.Compare(it.entries[i].key, ks) >= 0
	}))
}

func (it *mapIter) Next() bool {
	if !it.Valid() {
		return false
	}
	return it.set(it.pos + 1)
}

func (it *mapIter) Prev() bool {
	if !it.Valid() {
		return false
	}
	return it.set(it.pos - 1)
}
