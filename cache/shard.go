package cache

import (
	"sync"
	"sync/atomic"
)

// key identifies a block: the table's file number and the block's offset.
type key struct {
	fileNum, offset uint64
}

// entry is one cached block. It sits on two intrusive lists: its shard's
// LRU list (prev/next) and the list of its file's entries in that shard
// (filePrev/fileNext), so neither list allocates a node of its own.
type entry struct {
	key                key
	block              []byte
	charge             int64
	prev, next         *entry // LRU list, circular through shard.lru
	filePrev, fileNext *entry // per-file list, nil-terminated; head in shard.files
}

// shard is one LRU cache, guarded by its own mutex.
//
// Invariants: size == sum of charge over entries <= capacity; every entry
// in entries is on the LRU list exactly once and on the per-file list of
// its key.fileNum exactly once.
type shard struct {
	mu       sync.Mutex
	capacity int64
	size     int64
	entries  map[key]*entry
	files    map[uint64]*entry // fileNum -> head of that file's list
	// lru is the list sentinel: lru.next is the most recently used entry,
	// lru.prev the least recently used one.
	lru entry

	// hits and misses are atomic so Metrics can read them without the lock.
	hits, misses atomic.Int64

	// Pad to keep neighbouring shards' mutexes off one cache line.
	_ [64]byte
}

func (s *shard) init(capacity int64) {
	s.capacity = capacity
	s.entries = make(map[key]*entry)
	s.files = make(map[uint64]*entry)
	s.lru.next, s.lru.prev = &s.lru, &s.lru
}

func (s *shard) get(k key) ([]byte, bool) {
	s.mu.Lock()
	e, ok := s.entries[k]
	if !ok {
		s.mu.Unlock()
		s.misses.Add(1)
		return nil, false
	}
	s.unlinkLRU(e)
	s.pushFront(e)
	block := e.block
	s.mu.Unlock()
	s.hits.Add(1)
	return block, true
}

func (s *shard) set(k key, block []byte) {
	charge := int64(len(block)) + EntryOverhead
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.entries[k]; ok {
		s.remove(old)
	}
	if charge > s.capacity {
		return
	}
	e := &entry{key: k, block: block, charge: charge}
	s.entries[k] = e
	s.pushFront(e)
	s.linkFile(e)
	s.size += charge
	for s.size > s.capacity {
		s.remove(s.lru.prev)
	}
}

func (s *shard) evictFile(fileNum uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for e := s.files[fileNum]; e != nil; e = s.files[fileNum] {
		s.remove(e)
	}
}

// remove drops e from the map and both lists. REQUIRES: s.mu held.
func (s *shard) remove(e *entry) {
	delete(s.entries, e.key)
	s.unlinkLRU(e)
	s.unlinkFile(e)
	s.size -= e.charge
}

func (s *shard) pushFront(e *entry) {
	e.prev, e.next = &s.lru, s.lru.next
	s.lru.next.prev = e
	s.lru.next = e
}

func (s *shard) unlinkLRU(e *entry) {
	e.prev.next = e.next
	e.next.prev = e.prev
	e.prev, e.next = nil, nil
}

// linkFile puts e at the head of its file's list.
func (s *shard) linkFile(e *entry) {
	head := s.files[e.key.fileNum]
	e.filePrev, e.fileNext = nil, head
	if head != nil {
		head.filePrev = e
	}
	s.files[e.key.fileNum] = e
}

func (s *shard) unlinkFile(e *entry) {
	if e.filePrev != nil {
		e.filePrev.fileNext = e.fileNext
	} else if e.fileNext != nil {
		s.files[e.key.fileNum] = e.fileNext
	} else {
		delete(s.files, e.key.fileNum)
	}
	if e.fileNext != nil {
		e.fileNext.filePrev = e.filePrev
	}
	e.filePrev, e.fileNext = nil, nil
}
