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

// workloadConfig shapes the batches. It travels to the child as JSON.
type workloadConfig struct {
	Keys               int     // keys are key00000000 .. Keys-1
	BatchMax           int     // entries per batch: uniform in 1..BatchMax
	ValueMin, ValueMax int     // value length, before the header rounds it up
	SyncRatio          float64 // fraction of batches written with Sync
}

// deleteFraction is the share of entries that are deletes: enough to make
// tombstones flow through flushes and compactions, few enough that the key
// space stays mostly full.
const deleteFraction = 0.15

// maxValueSize caps -value_size well below lsmkv.MaxValueSize: the point
// is many flushes, not a few huge ones.
const maxValueSize = 1 << 20

// The PCG stream of each random sequence, so that they stay independent.
const (
	streamWorkload = 1 // a cycle's batches
	streamSchedule = 2 // kill moments, clone points, choices between cycles
)

// entry is one write of a batch.
type entry struct {
	key, value string // value is "" for a delete
	del        bool
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
	b := batch{entries: make([]entry, n), sync: w.rng.Float64() < w.cfg.SyncRatio}
	for i := range b.entries {
		e := &b.entries[i]
		e.key = keyName(w.rng.IntN(w.cfg.Keys))
		if w.rng.Float64() < deleteFraction {
			e.del = true
			continue
		}
		size := w.cfg.ValueMin + w.rng.IntN(w.cfg.ValueMax-w.cfg.ValueMin+1)
		e.value = makeValue(w.cycle, w.next, i, size, w.rng.IntN(26))
	}
	w.next++
	return b
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
		if e.del {
			db.Delete([]byte(e.key))
		} else {
			db.Put([]byte(e.key), []byte(e.value))
		}
	}
	return &db
}

// write commits b to db.
func (b *batch) write(db *lsmkv.DB) error {
	return db.Write(b.dbBatch(), &lsmkv.WriteOptions{Sync: b.sync})
}
