package raftstore_test

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
	"github.com/lsmkv/lsmkv/raftstore/internal/kvservice"
)

// TestCluster runs a 3-node hashicorp/raft cluster on raft's in-memory
// transport, each node's store in its own directory, with a snapshot every
// 100 entries and 50 trailing entries kept, so that the log is truncated
// over and over and a node that falls behind needs a snapshot. It applies
// 2,200 commands across: a follower stopped and reopened from its directory
// (it must find its state and catch up), the leader shut down (a new one is
// elected and no acknowledged command is lost), and a follower whose
// directory is wiped (it is rebuilt by a snapshot install). At the end
// every node's FSM holds every acknowledged command, and the nodes' logs
// agree entry for entry where they overlap.
func TestCluster(t *testing.T) {
	c := newCluster(t, "n1", "n2", "n3")
	for _, id := range c.ids {
		c.start(id, true)
	}
	c.putMany("a", 1000)
	c.waitConverged()
	for _, id := range c.ids {
		c.waitFor(fmt.Sprintf("%s truncated its log", id), func() bool {
			first, _ := c.nodes[id].Store.FirstIndex()
			return first > 1
		})
	}

	// A follower stops, misses writes, and reopens from its directory.
	f := c.follower()
	c.stop(f)
	c.putMany("b", 500)
	if n := c.start(f, false); !n.Existing {
		t.Fatalf("%s reopened without its state: HasExistingState false", f)
	}
	c.waitConverged()

	// The leader stops: another is elected and loses nothing.
	old := c.leader()
	c.stop(old)
	if l := c.leader(); l == old {
		t.Fatalf("%s is still the leader after shutting down", old)
	}
	c.putMany("c", 500)
	c.waitConverged()
	if n := c.start(old, false); !n.Existing {
		t.Fatalf("old leader %s reopened without its state", old)
	}
	c.waitConverged()

	// A follower loses its directory: the leader's log no longer reaches
	// back to index 1, so only a snapshot install can rebuild it.
	w := c.follower()
	c.stop(w)
	if err := os.RemoveAll(c.dir(w)); err != nil {
		t.Fatal(err)
	}
	first, _ := c.nodes[c.leader()].Store.FirstIndex()
	if first <= 1 {
		t.Fatalf("leader's first index is %d: a wiped node could catch up without a snapshot", first)
	}
	if n := c.start(w, false); n.Existing {
		t.Fatalf("%s found state in a wiped directory", w)
	}
	c.putMany("d", 200)
	c.waitConverged()
	if got := c.nodes[w].FSM.Restores(); got == 0 {
		t.Fatalf("wiped node %s caught up without a snapshot install", w)
	}
	c.checkLogsAgree()
}

// cluster is a set of kvservice nodes on in-memory transports.
type cluster struct {
	t     *testing.T
	root  string
	ids   []raft.ServerID
	nodes map[raft.ServerID]*kvservice.Node // running nodes only
	trans map[raft.ServerID]*raft.InmemTransport
	log   *syncBuffer

	mu    sync.Mutex
	acked map[string]string // commands whose Put returned nil
}

func newCluster(t *testing.T, ids ...raft.ServerID) *cluster {
	c := &cluster{
		t: t, root: t.TempDir(), ids: ids, log: &syncBuffer{},
		nodes: map[raft.ServerID]*kvservice.Node{}, trans: map[raft.ServerID]*raft.InmemTransport{},
		acked: map[string]string{},
	}
	t.Cleanup(func() {
		for id := range c.nodes {
			c.stop(id)
		}
		if t.Failed() {
			t.Logf("raft log (warnings and errors):\n%s", c.log.tail(200))
		}
	})
	return c
}

func (c *cluster) dir(id raft.ServerID) string { return filepath.Join(c.root, string(id)) }

// raftConfig: timeouts generous for a loaded CI machine (a missed
// heartbeat starts an election, which the test survives but is slowed
// by); snapshots small and frequent so truncation really happens.
func (c *cluster) raftConfig(rc *raft.Config) {
	rc.HeartbeatTimeout = time.Second
	rc.ElectionTimeout = time.Second
	rc.LeaderLeaseTimeout = 500 * time.Millisecond
	rc.SnapshotThreshold = 100
	rc.SnapshotInterval = 50 * time.Millisecond
	rc.TrailingLogs = 50
	rc.Logger = hclog.New(&hclog.LoggerOptions{Name: string(rc.LocalID), Output: c.log, Level: hclog.Warn})
}

// start starts node id on its directory, with a new transport connected
// both ways to the running nodes' transports.
func (c *cluster) start(id raft.ServerID, bootstrap bool) *kvservice.Node {
	c.t.Helper()
	addr, tr := raft.NewInmemTransportWithTimeout(raft.ServerAddress(id), 10*time.Second)
	for other, otr := range c.trans {
		tr.Connect(raft.ServerAddress(other), otr)
		otr.Connect(addr, tr)
	}
	cfg := kvservice.Config{ID: id, Dir: c.dir(id), Transport: tr, Raft: c.raftConfig}
	if bootstrap {
		for _, s := range c.ids {
			cfg.Servers = append(cfg.Servers, raft.Server{ID: s, Address: raft.ServerAddress(s)})
		}
	}
	n, err := kvservice.Start(cfg)
	if err != nil {
		c.t.Fatalf("start %s: %v", id, err)
	}
	c.nodes[id], c.trans[id] = n, tr
	return n
}

func (c *cluster) stop(id raft.ServerID) {
	c.t.Helper()
	n := c.nodes[id]
	delete(c.nodes, id)
	delete(c.trans, id)
	for _, otr := range c.trans {
		otr.Disconnect(raft.ServerAddress(id))
	}
	if err := n.Shutdown(); err != nil {
		c.t.Errorf("shutdown %s: %v", id, err)
	}
}

// waitLimit bounds every wait of the cluster tests.
var waitLimit = 15 * time.Second

// waitFor polls cond until it holds, failing the test after waitLimit.
func (c *cluster) waitFor(what string, cond func() bool) {
	c.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			c.t.Fatalf("timed out waiting until %s; nodes:\n%s", what, c.statuses())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// statuses describes every running node, for failure messages.
func (c *cluster) statuses() string {
	var b strings.Builder
	for _, id := range c.ids {
		if n := c.nodes[id]; n != nil {
			fmt.Fprintf(&b, "%+v\n", n.Status())
		}
	}
	return b.String()
}

// leader waits until exactly one running node is the leader.
func (c *cluster) leader() raft.ServerID {
	c.t.Helper()
	var leader raft.ServerID
	c.waitFor("a leader is elected", func() bool {
		leader = ""
		for id, n := range c.nodes {
			if n.Raft.State() == raft.Leader {
				if leader != "" {
					return false
				}
				leader = id
			}
		}
		return leader != ""
	})
	return leader
}

func (c *cluster) follower() raft.ServerID {
	c.t.Helper()
	l := c.leader()
	for id := range c.nodes {
		if id != l {
			return id
		}
	}
	c.t.Fatal("no running follower")
	return ""
}

// putMany puts n commands "<prefix>-<i>" from 16 goroutines (raft then
// groups them into batches, as under real load), each retried on the
// current leader until it is acknowledged.
func (c *cluster) putMany(prefix string, n int) {
	c.t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 16 {
				key := fmt.Sprintf("%s-%05d", prefix, i)
				if err := c.put(key, "v"+key); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		c.t.Fatal(err)
	}
}

// put retries key=value until a leader acknowledges it. Runs on
// putMany's goroutines: it must not call t.Fatal.
func (c *cluster) put(key, value string) error {
	deadline := time.Now().Add(time.Minute)
	var err error
	for time.Now().Before(deadline) {
		for _, n := range c.running() {
			if n.Raft.State() != raft.Leader {
				continue
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			err = n.Put(ctx, key, value)
			cancel()
			if err == nil {
				c.mu.Lock()
				c.acked[key] = value
				c.mu.Unlock()
				return nil
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("put %s not acknowledged within a minute (last error: %v)", key, err)
}

// running returns the running nodes. putMany's goroutines read c.nodes
// while no node starts or stops, so no lock is needed.
func (c *cluster) running() []*kvservice.Node {
	var ns []*kvservice.Node
	for _, n := range c.nodes {
		ns = append(ns, n)
	}
	return ns
}

// waitConverged waits until every running node has applied the same
// index, their FSMs are equal, and they hold every acknowledged command.
// (A node's log store may end before its applied index: after a snapshot
// install raft keeps the node's old entries and appends new ones after the
// snapshot, leaving a gap, with raft-boltdb as with this store.)
func (c *cluster) waitConverged() {
	c.t.Helper()
	c.waitFor("the nodes converge and hold every acknowledged command", func() bool {
		var applied uint64
		var state map[string]string
		for _, n := range c.nodes {
			a, kv := n.Raft.AppliedIndex(), n.FSM.Dump()
			if state == nil {
				applied, state = a, kv
			} else if a != applied || !maps.Equal(kv, state) {
				return false
			}
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		for k, v := range c.acked {
			if got, ok := state[k]; !ok || got != v {
				return false
			}
		}
		return true
	})
}

// checkLogsAgree checks that the nodes' logs end at the same index and
// hold the same entries at the indexes they all hold.
func (c *cluster) checkLogsAgree() {
	c.t.Helper()
	var lo, hi uint64
	// Waited for, not checked once: a leader change right after the
	// nodes converged appends a no-op that reaches the nodes one by one.
	c.waitFor("the nodes' logs end at the same index", func() bool {
		lo, hi = 0, 0
		var last []uint64
		for _, n := range c.nodes {
			f, l := must(n.Store.FirstIndex()), must(n.Store.LastIndex())
			lo, hi = max(lo, f), l
			last = append(last, l)
		}
		for _, l := range last {
			if l != hi {
				return false
			}
		}
		return true
	})
	compared := 0
	for i := lo; i <= hi; i++ {
		var want *raft.Log
		for id, n := range c.nodes {
			var l raft.Log
			err := n.Store.GetLog(i, &l)
			if err == raft.ErrLogNotFound {
				want = nil // a gap left by a snapshot install on this node
				break
			}
			if err != nil {
				c.t.Fatalf("%s: GetLog(%d): %v", id, i, err)
			}
			if want == nil {
				want = &l
			} else if l.Term != want.Term || l.Type != want.Type || !bytes.Equal(l.Data, want.Data) ||
				!bytes.Equal(l.Extensions, want.Extensions) || !l.AppendedAt.Equal(want.AppendedAt) {
				c.t.Fatalf("entry %d differs between nodes: %+v and %+v", i, l, *want)
			}
		}
		if want != nil {
			compared++
		}
	}
	if compared < 20 {
		c.t.Fatalf("only %d entries held by every node in [%d, %d]\n%s", compared, lo, hi, c.statuses())
	}
}

func must(v uint64, err error) uint64 {
	if err != nil {
		panic(err)
	}
	return v
}

// syncBuffer collects raft's log from every node.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	lines := strings.Split(b.buf.String(), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
