package main

import (
	"sync/atomic"

	"github.com/lsmkv/lsmkv/vfs"
)

// crashPoint is one simulated power loss: what survived it, and what had
// to.
type crashPoint struct {
	fs        *vfs.MemFS // the clone: only synced bytes and synced directory entries
	required  int        // batches that had to survive: through the last synced one
	acked     int        // batches whose Write had returned
	attempted int        // batches whose Write had begun by the end of the clone
	when      string     // for messages: "during Open", "after a write", ...
	why       string     // which batches had to survive, for messages
}

// progress is how far the writer has got. The writer stores, the cloner
// loads; single writer, so batches start and end in index order.
type progress struct {
	started, acked, synced atomic.Int64 // counts of batches
}

// clone takes a crash clone and brackets it: a batch synced before the
// clone began must survive, and no batch begun after it ended can.
func (p *progress) clone(fs *cloneFS, when string) crashPoint {
	required, acked := p.synced.Load(), p.acked.Load()
	c := fs.crashClone()
	return crashPoint{fs: c, required: int(required), acked: int(acked),
		attempted: int(p.started.Load()), when: when, why: "up to the last synced one"}
}

// cloner takes crash clones on its own goroutine when asked, so that a
// clone can land in the middle of an Open or a Write, not only between
// them.
type cloner struct {
	fs   *cloneFS
	prog *progress
	req  chan string // when
	done chan []crashPoint
}

// startCloner starts a cloner that takes at most maxRequests clones.
func startCloner(fs *cloneFS, prog *progress, maxRequests int) *cloner {
	c := &cloner{fs: fs, prog: prog, req: make(chan string, maxRequests), done: make(chan []crashPoint)}
	go c.loop()
	return c
}

func (c *cloner) loop() {
	var pts []crashPoint
	for when := range c.req {
		pts = append(pts, c.prog.clone(c.fs, when))
	}
	c.done <- pts
}

// request asks for a clone as soon as possible; it does not wait for it.
func (c *cloner) request(when string) { c.req <- when }

// stop waits for the requested clones and returns them.
func (c *cloner) stop() []crashPoint {
	close(c.req)
	return <-c.done
}
