package raftstore

import (
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	"github.com/lsmkv/lsmkv/internal/testseed"
	"github.com/lsmkv/lsmkv/vfs"
)

// TestPowerLoss cuts the power (vfs.MemFS.CrashClone: only synced bytes
// and directory entries survive) while one goroutine appends batches of
// entries, truncates the head and sets the term, as raft does. Each clone
// is opened as a store and must hold every write acknowledged before the
// cut, every StoreLogs whole or not at all, and a contiguous log.
func TestPowerLoss(t *testing.T) {
	rng := rand.New(rand.NewPCG(testseed.Seed(t), 11))
	mem := vfs.NewMem()
	opts := func(fs vfs.FS) *Options {
		o := smallDB()
		o.FS = fs
		return &Options{DB: o}
	}
	s := openStore(t, "raft", opts(mem))

	const batch, window = 8, 100
	// acked is the state every clone taken afterwards must hold: the
	// highest index whose StoreLogs returned, and the first index that a
	// returned DeleteRange leaves (entries below it may or may not be there
	// in a clone taken while the next DeleteRange runs, but none above).
	var acked, ackedFirst, term atomic.Uint64
	stop, exited := make(chan struct{}), make(chan struct{})
	var werr error // written before exited is closed
	go func() {
		defer close(exited)
		for next := uint64(1); ; next += batch {
			select {
			case <-stop:
				return
			default:
			}
			last := next + batch - 1
			if werr = s.StoreLogs(testLogs(next, last)); werr != nil {
				return
			}
			acked.Store(last)
			if last > window {
				if werr = s.DeleteRange(0, last-window); werr != nil {
					return
				}
				ackedFirst.Store(last - window + 1)
			}
			if werr = s.SetUint64([]byte("CurrentTerm"), next); werr != nil {
				return
			}
			term.Store(next)
		}
	}()
	for cut := 0; cut < 25; cut++ {
		// Let the writer get ahead by a random number of entries; the clone
		// then falls at an arbitrary point of its work.
		target := acked.Load() + uint64(rng.IntN(60))
		for acked.Load() < target {
			select {
			case <-exited:
				t.Fatalf("writer stopped: %v", werr)
			case <-time.After(100 * time.Microsecond):
			}
		}
		// Read what was acknowledged before the cut, then cut.
		wantFirst, wantLast, wantTerm := ackedFirst.Load(), acked.Load(), term.Load()
		clone := mem.CrashClone()
		t.Run(fmt.Sprintf("cut%d", cut), func(t *testing.T) {
			checkClone(t, clone, opts(clone), wantFirst, wantLast, wantTerm, batch)
		})
	}
	close(stop)
	<-exited
	if werr != nil {
		t.Fatal(werr)
	}
	if acked.Load() < 10*window {
		t.Logf("the writer only got to index %d", acked.Load())
	}
}

// checkClone opens the store in a crash clone and checks it against what
// had been acknowledged before the clone was taken.
func checkClone(t *testing.T, clone *vfs.MemFS, o *Options, wantFirst, wantLast, wantTerm, batch uint64) {
	c, err := Open("raft", o)
	if err != nil {
		t.Fatalf("Open after power loss: %v\n%s", err, clone)
	}
	defer c.Close()
	first, _ := c.FirstIndex()
	last, _ := c.LastIndex()
	if last < wantLast {
		t.Fatalf("last index %d after power loss, but StoreLogs through %d had returned", last, wantLast)
	}
	if last%batch != 0 {
		t.Fatalf("last index %d is inside a batch of %d: a StoreLogs was applied in part", last, batch)
	}
	// A DeleteRange that returned is durable; one in flight may or may not
	// be, so first is at least the acknowledged first index.
	if first < wantFirst {
		t.Fatalf("first index %d after power loss, but a DeleteRange up to %d had returned", first, wantFirst-1)
	}
	if wantTerm > 0 {
		if got, err := c.GetUint64([]byte("CurrentTerm")); err != nil || got < wantTerm {
			t.Fatalf("CurrentTerm after power loss = %d, %v; %d had been set", got, err, wantTerm)
		}
	}
	if last == 0 {
		return // nothing was stored before the cut
	}
	for i := range indexes(first, last) {
		var l raft.Log
		if err := c.GetLog(i, &l); err != nil || !sameLog(&l, testLog(i)) {
			t.Fatalf("entry %d of [%d, %d] after power loss: %+v, %v", i, first, last, l, err)
		}
	}
}
