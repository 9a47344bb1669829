package kvservice

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
	"github.com/lsmkv/lsmkv/raftstore"
)

// Config describes one node.
type Config struct {
	ID  raft.ServerID
	Dir string // the store in Dir/raft, snapshots in Dir/snapshots

	// Transport carries raft's messages; the node closes it on Shutdown
	// if it is an io.Closer.
	Transport raft.Transport

	// Servers is the initial configuration, written (bootstrap) when the
	// directory holds no raft state. Every node may be given the same
	// one: raft accepts identical bootstraps. Empty: never bootstrap (a
	// node that joins, or is rebuilt, from a leader that knows it).
	Servers []raft.Server

	// Raft, if not nil, adjusts raft.DefaultConfig (LocalID and Logger are
	// set by Start): tests shrink SnapshotThreshold and TrailingLogs.
	Raft func(*raft.Config)

	// Log receives raft's log; nil discards it.
	Log io.Writer
}

// Node is a running raft node with its FSM and store.
type Node struct {
	ID    raft.ServerID
	Raft  *raft.Raft
	FSM   *FSM
	Store *raftstore.Store

	// Existing says whether the directory held raft state at Start.
	Existing bool

	trans raft.Transport
}

// Start opens the node's store and snapshot store in cfg.Dir and starts
// raft, bootstrapping it from cfg.Servers if the directory is new.
func Start(cfg Config) (*Node, error) {
	logw := cfg.Log
	if logw == nil {
		logw = io.Discard
	}
	rc := raft.DefaultConfig()
	rc.LocalID = cfg.ID
	rc.Logger = hclog.New(&hclog.LoggerOptions{Name: string(cfg.ID), Output: logw, Level: hclog.Info})
	if cfg.Raft != nil {
		cfg.Raft(rc)
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, err
	}
	store, err := raftstore.Open(filepath.Join(cfg.Dir, "raft"), nil)
	if err != nil {
		return nil, err
	}
	snaps, err := raft.NewFileSnapshotStore(cfg.Dir, 2, logw)
	if err != nil {
		store.Close()
		return nil, err
	}
	existing, err := raft.HasExistingState(store, store, snaps)
	if err != nil {
		store.Close()
		return nil, err
	}
	if !existing && len(cfg.Servers) > 0 {
		conf := raft.Configuration{Servers: cfg.Servers}
		if err := raft.BootstrapCluster(rc, store, store, snaps, cfg.Transport, conf); err != nil {
			store.Close()
			return nil, fmt.Errorf("kvservice: bootstrap: %w", err)
		}
	}
	fsm := NewFSM()
	r, err := raft.NewRaft(rc, fsm, store, store, snaps, cfg.Transport)
	if err != nil {
		store.Close()
		return nil, err
	}
	return &Node{ID: cfg.ID, Raft: r, FSM: fsm, Store: store, Existing: existing, trans: cfg.Transport}, nil
}

// Shutdown stops raft, then closes the transport and the store.
func (n *Node) Shutdown() error {
	err := n.Raft.Shutdown().Error()
	if c, ok := n.trans.(io.Closer); ok {
		err = errors.Join(err, c.Close())
	}
	return errors.Join(err, n.Store.Close())
}

// ErrNotLeader is returned by Put on a node that is not the leader.
var ErrNotLeader = raft.ErrNotLeader

// Put replicates key=value. It returns nil once the command is committed
// and applied on this node, the leader; an error means the command may or
// may not be committed (as with any raft.Apply), so a client retries.
func (n *Node) Put(ctx context.Context, key, value string) error {
	data, err := json.Marshal(Command{Key: key, Value: value})
	if err != nil {
		return err
	}
	// raft.Apply's timeout bounds only the wait to enqueue the command
	// (and a timeout <= 0 means none), so ctx bounds the wait for the
	// commit too.
	timeout := 10 * time.Second
	if d, ok := ctx.Deadline(); ok {
		if timeout = time.Until(d); timeout <= 0 {
			return context.DeadlineExceeded
		}
	}
	f := n.Raft.Apply(data, timeout)
	done := make(chan error, 1)
	go func() { done <- f.Error() }()
	select {
	case err := <-done:
		if err != nil {
			return err
		}
	case <-ctx.Done():
		return ctx.Err() // the command may still commit, as with any error here
	}
	if err, ok := f.Response().(error); ok {
		return err
	}
	return nil
}

// Status is a node's view of the cluster, served at GET /status.
type Status struct {
	ID         string `json:"id"`
	State      string `json:"state"`
	Leader     string `json:"leader"`
	Applied    uint64 `json:"applied"`
	FirstIndex uint64 `json:"first_index"`
	LastIndex  uint64 `json:"last_index"`
	Keys       int    `json:"keys"`
	Restores   int    `json:"snapshot_installs"`
	Existing   bool   `json:"existing_state"` // the directory held raft state at start
}

// Status returns the node's status.
func (n *Node) Status() Status {
	_, leader := n.Raft.LeaderWithID()
	first, _ := n.Store.FirstIndex()
	last, _ := n.Store.LastIndex()
	return Status{
		ID: string(n.ID), State: n.Raft.State().String(), Leader: string(leader),
		Applied: n.Raft.AppliedIndex(), FirstIndex: first, LastIndex: last,
		Keys: len(n.FSM.Dump()), Restores: n.FSM.Restores(), Existing: n.Existing,
	}
}
