package kvservice

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"sync"

	"github.com/hashicorp/raft"
)

// Command is one replicated write: set Key to Value. It travels as the
// JSON of the struct in raft.Log.Data.
type Command struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// FSM is the replicated state machine: a map from key to value. Raft
// calls Apply for each committed command in log order, Snapshot and
// Restore around log truncation and snapshot installs.
type FSM struct {
	mu       sync.Mutex
	kv       map[string]string
	restores int // snapshots installed: tests check one happened
}

var _ raft.FSM = (*FSM)(nil)

// NewFSM returns an empty FSM.
func NewFSM() *FSM { return &FSM{kv: map[string]string{}} }

// Apply applies a committed log entry. A command that does not decode is
// returned as an error to the caller of raft.Apply; every node refuses it
// alike, so the replicas stay equal.
func (f *FSM) Apply(l *raft.Log) any {
	var c Command
	if err := json.Unmarshal(l.Data, &c); err != nil {
		return fmt.Errorf("kvservice: entry %d: bad command: %w", l.Index, err)
	}
	f.mu.Lock()
	f.kv[c.Key] = c.Value
	f.mu.Unlock()
	return nil
}

// Get returns the value of key as this node has applied it.
func (f *FSM) Get(key string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.kv[key]
	return v, ok
}

// Dump returns a copy of the whole map.
func (f *FSM) Dump() map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.kv)
}

// Restores returns how many snapshots were installed into f.
func (f *FSM) Restores() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.restores
}

// Snapshot copies the map; raft persists the copy while Apply goes on.
func (f *FSM) Snapshot() (raft.FSMSnapshot, error) {
	return snapshot(f.Dump()), nil
}

// Restore replaces the map with a snapshot's.
func (f *FSM) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	kv := map[string]string{}
	if err := json.NewDecoder(rc).Decode(&kv); err != nil {
		return fmt.Errorf("kvservice: restore: %w", err)
	}
	f.mu.Lock()
	f.kv = kv
	f.restores++
	f.mu.Unlock()
	return nil
}

// snapshot is a point-in-time copy of the map, written as JSON.
type snapshot map[string]string

func (s snapshot) Persist(sink raft.SnapshotSink) error {
	if err := json.NewEncoder(sink).Encode(map[string]string(s)); err != nil {
		sink.Cancel()
		return fmt.Errorf("kvservice: persist snapshot: %w", err)
	}
	return sink.Close()
}

func (snapshot) Release() {}
