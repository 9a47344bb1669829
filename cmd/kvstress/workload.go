package main

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/lsmkv/lsmkv"
)

// A workload is the sequence of batches one cycle attempts. It is a pure
// function of (seed, cycle): the parent regenerates exactly the batches a
// killed child attempted, without being told what they were. Cycle k uses
// seed+k, and writes on top of whatever state cycle k-1 left.
//
// Values describe themselves: "c<cycle>/b<batch>/e<entry>:" then filler.
// So no two writes store the same value, two different whole-batch
// prefixes can only leave the same state if the batches between them only
// delete, and a wrong value names the write it came from.
//
// A share of the batches (RangeDelRatio) holds a range deletion of a few
// consecutive keys (1..RangeDelSpan): half of those batches hold it alone,
// the others among their puts and deletes, in any position, so that a
// batch may write keys both before and after deleting them.

// workloadConfig shapes the batches. It travels to the child as JSON.
type workloadConfig struct {
	Keys               int     // keys are key00000000 .. Keys-1
	BatchMax           int     // entries per batch: uniform in 1..BatchMax
	ValueMin, ValueMax int     // value length, before the header rounds it up
	SyncRatio          float64 // fraction of batches written with Sync
	RangeDelRatio      float64 // fraction of batches holding a DeleteRange
	RangeDelSpan       int     // a DeleteRange covers 1..RangeDelSpan consecutive keys
}

// deleteFraction is the share of entries that are deletes: enough to make
// tombstones flow through flushes and compactions, few enough that the key
// space stays mostly full.
const deleteFraction = 0.15

// standaloneRangeDel is the share of the batches holding a DeleteRange
// that hold nothing else (DB.DeleteRange rather than Batch.DeleteRange).
const standaloneRangeDel = 0.5

// maxValueSize caps -value_size well below lsmkv.MaxValueSize: the point
// is many flushes, not a few huge ones.
const maxValueSize = 1 << 20

// The PCG stream of each random sequence, so that they stay independent.
const (
	streamWorkload = 1 // a cycle's batches
	streamSchedule = 2 // kill moments, clone points, choices between cycles
)

// entryKind says what an entry writes.
type entryKind uint8

const (
	entryPut entryKind = iota
	entryDelete
	entryDeleteRange // deletes every key k with key <= k < end
)

// entry is one write of a batch.
type entry struct {
	kind  entryKind
	key   string // the key written or deleted, or a range deletion's start
	value string // a put's value
	end   string // a range deletion's end (exclusive)
}

// String names the keys e writes, for messages.
func (e entry) String() string {
	if e.kind == entryDeleteRange {
		return "[" + e.key + ", " + e.end + ")"
	}
	return e.key
}

// batch is one atomic write.
type batch struct {
	entries []entry
	sync    bool // written with WriteOptions.Sync
}

type workload struct {
	cfg   workloadConfig
	rng   *rand.Rand
	cycle int
	next  int // index of the next batch
}

func newWorkload(seed uint64, cycle int, cfg workloadConfig) *workload {
	return &workload{cfg: cfg, rng: rand.New(rand.NewPCG(seed+uint64(cycle), streamWorkload)), cycle: cycle}
}

// nextBatch returns the workload's next batch.
func (w *workload) nextBatch() batch {
	n := 1 + w.rng.IntN(w.cfg.BatchMax)
	sync := w.rng.Float64() < w.cfg.SyncRatio
	rangeAt := -1 // the entry that is a range deletion, if any
	if w.rng.Float64() < w.cfg.RangeDelRatio {
		if w.rng.Float64() < standaloneRangeDel {
			n = 1
		}
		rangeAt = w.rng.IntN(n)
	}
	b := batch{entries: make([]entry, n), sync: sync}
	for i := range b.entries {
		e := &b.entries[i]
		if i == rangeAt {
			*e = w.rangeDel()
			continue
		}
		e.key = keyName(w.rng.IntN(w.cfg.Keys))
		if w.rng.Float64() < deleteFraction {
			e.kind = entryDelete
			continue
		}
		size := w.cfg.ValueMin + w.rng.IntN(w.cfg.ValueMax-w.cfg.ValueMin+1)
		e.value = makeValue(w.cycle, w.next, i, size, w.rng.IntN(26))
	}
	w.next++
	return b
}

// rangeDel returns a deletion of 1..RangeDelSpan consecutive keys (it may
// run past the key space's end). Half the time the end bound is no key
// name but a string just above the last key covered, so that bounds need
// not be keys that were ever written.
func (w *workload) rangeDel() entry {
	lo := w.rng.IntN(w.cfg.Keys)
	span := 1 + w.rng.IntN(w.cfg.RangeDelSpan)
	e := entry{kind: entryDeleteRange, key: keyName(lo), end: keyName(lo + span)}
	if w.rng.IntN(2) == 0 {
		e.end = keyName(lo+span-1) + "/"
	}
	return e
}

// batches returns the workload's next n batches.
func (w *workload) batches(n int) []batch {
	bs := make([]batch, n)
	for i := range bs {
		bs[i] = w.nextBatch()
	}
	return bs
}

func keyName(k int) string { return fmt.Sprintf("key%08d", k) }

// makeValue is the header naming the write, then letters from 'a'+shift
// up to size bytes.
func makeValue(cycle, batchIdx, entryIdx, size, shift int) string {
	var b strings.Builder
	b.WriteString("c" + strconv.Itoa(cycle) + "/b" + strconv.Itoa(batchIdx) + "/e" + strconv.Itoa(entryIdx) + ":")
	for i := b.Len(); i < size; i++ {
		b.WriteByte(byte('a' + (shift+i)%26))
	}
	return b.String()
}

// describe shortens a value for messages: its header, and its length.
func describe(v string, present bool) string {
	if !present {
		return "absent"
	}
	if h, _, ok := strings.Cut(v, ":"); ok {
		return fmt.Sprintf("%q (%d bytes)", h, len(v))
	}
	return fmt.Sprintf("%.40q (%d bytes, no header)", v, len(v))
}

// dbBatch is b as an lsmkv.Batch.
func (b *batch) dbBatch() *lsmkv.Batch {
	var db lsmkv.Batch
	for _, e := range b.entries {
		switch e.kind {
		case entryPut:
			db.Put([]byte(e.key), []byte(e.value))
		case entryDelete:
			db.Delete([]byte(e.key))
		case entryDeleteRange:
			db.DeleteRange([]byte(e.key), []byte(e.end))
		}
	}
	return &db
}

// rangeDels counts b's range deletions.
func (b *batch) rangeDels() int {
	n := 0
	for _, e := range b.entries {
		if e.kind == entryDeleteRange {
			n++
		}
	}
	return n
}

// mapRangeDels returns b with each range deletion replaced by what fn
// returns, or dropped when fn says so; b itself is unchanged. Tests use it
// to write what a broken engine would keep.
func (b *batch) mapRangeDels(fn func(entry) (entry, bool)) *batch {
	out := &batch{sync: b.sync}
	for _, e := range b.entries {
		if e.kind == entryDeleteRange {
			var keep bool
			if e, keep = fn(e); !keep {
				continue
			}
		}
		out.entries = append(out.entries, e)
	}
	return out
}

// write commits b to db.
func (b *batch) write(db *lsmkv.DB) error {
	return db.Write(b.dbBatch(), &lsmkv.WriteOptions{Sync: b.sync})
}
