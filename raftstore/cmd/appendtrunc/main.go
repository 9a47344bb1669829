// Command appendtrunc measures a raft log store under the workload raft
// gives it: append batches of entries, and every -truncate-every entries
// delete the head of the log so that only the last -window entries stay
// (raft's snapshot and compaction: SnapshotThreshold and TrailingLogs).
// Writes are synced, as raft makes them. It runs the same workload on
// raftstore and on raft-boltdb v2, each in a fresh directory, and prints
// the throughput of every -interval, so a slowdown over time shows.
//
// Three phases per store:
//
//	steady   append and truncate for -steady
//	backlog  append -backlog entries without truncating (a follower that
//	         was down, or a snapshot that kept failing), then truncate
//	         them all but the window in one DeleteRange
//	after    append and truncate again for -steady: the phase where
//	         bbolt's freelist, now holding every page the backlog freed,
//	         is written by every commit (hashicorp/consul #12141)
//
// Usage (from raftstore/): go run ./cmd/appendtrunc
//
// The figures, with the command that produced them, are in docs/raft.md.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"
	"github.com/lsmkv/lsmkv/raftstore"
)

type config struct {
	dir           string
	stores        string
	batch         int
	backlogBatch  int
	valueSize     int
	window        uint64
	truncateEvery uint64
	backlog       uint64
	steady        time.Duration
	interval      time.Duration
}

func main() {
	var c config
	flag.StringVar(&c.dir, "dir", "", "parent of the stores' directories (default: a new temporary directory, removed at the end)")
	flag.StringVar(&c.stores, "stores", "raftstore,boltdb", "stores to run, in order: raftstore, boltdb")
	flag.IntVar(&c.batch, "batch", 32, "entries per StoreLogs call in the steady phases")
	flag.IntVar(&c.backlogBatch, "backlog-batch", 512, "entries per StoreLogs call in the backlog phase")
	flag.IntVar(&c.valueSize, "value-size", 1024, "bytes of Data per entry")
	flag.Uint64Var(&c.window, "window", 10240, "entries kept after a truncation (raft's TrailingLogs default)")
	flag.Uint64Var(&c.truncateEvery, "truncate-every", 8192, "entries between truncations (raft's SnapshotThreshold default)")
	flag.Uint64Var(&c.backlog, "backlog", 500_000, "entries appended without truncation in the backlog phase")
	flag.DurationVar(&c.steady, "steady", 20*time.Second, "length of each steady phase")
	flag.DurationVar(&c.interval, "interval", 2*time.Second, "reporting interval")
	flag.Parse()
	if err := run(c, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// logStore is what the workload needs of a store.
type logStore interface {
	raft.LogStore
	io.Closer
}

func open(name, dir string) (logStore, error) {
	switch name {
	case "raftstore":
		return raftstore.Open(filepath.Join(dir, "raftstore"), nil)
	case "boltdb":
		return raftboltdb.NewBoltStore(filepath.Join(dir, "raft.db"))
	}
	return nil, fmt.Errorf("appendtrunc: unknown store %q", name)
}

// randomData returns 4 MiB of random bytes; entries take their Data from
// it at different offsets, so no two entries in a block are alike and
// lsmkv's block compression does not flatter it (bbolt does not
// compress).
func randomData(valueSize int) []byte {
	b := make([]byte, max(4<<20, 2*valueSize))
	rand.NewChaCha8([32]byte{1}).Read(b)
	return b
}

func run(c config, w io.Writer) error {
	parent := c.dir
	if parent == "" {
		d, err := os.MkdirTemp("", "appendtrunc-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		parent = d
	}
	fmt.Fprintf(w, "appendtrunc: batch %d entries of %d bytes, synced; keep %d, truncate every %d; backlog %d entries (batches of %d); steady phases %v\n",
		c.batch, c.valueSize, c.window, c.truncateEvery, c.backlog, c.backlogBatch, c.steady)
	fmt.Fprintf(w, "%-10s %-8s %8s %12s %10s\n", "store", "phase", "t(s)", "entries/s", "MB/s")
	for _, name := range splitList(c.stores) {
		dir := filepath.Join(parent, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		s, err := open(name, dir)
		if err != nil {
			return err
		}
		r := &runner{c: c, s: s, name: name, w: w, data: randomData(c.valueSize), next: 1, first: 1}
		err = r.all()
		if cerr := s.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		fmt.Fprintf(w, "%-10s summary: steady %.0f entries/s, backlog %.0f entries/s (then one DeleteRange of it: %v), after %.0f entries/s; on disk %s\n",
			name, r.rates["steady"], r.rates["backlog"], r.backlogTrunc.Round(time.Microsecond), r.rates["after"], diskUsage(dir))
	}
	return nil
}
