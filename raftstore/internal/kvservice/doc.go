// Package kvservice is a small replicated key-value service on
// hashicorp/raft with a raftstore.Store as each node's log and stable
// store. It is shared by the example program (cmd/raftkv) and the tests
// that run a cluster, in one process or as several; it is not an API of
// the raftstore module.
//
// Pieces: FSM (fsm.go) is the replicated state, a map of strings; Node
// (node.go) opens a store, a snapshot store and raft on one directory;
// Node.Handler (http.go) serves the HTTP API.
//
// Usage:
//
//	n, err := kvservice.Start(kvservice.Config{ID: "n1", Dir: dir,
//		Transport: trans, Servers: servers})
//	if err != nil {
//		return err
//	}
//	defer n.Shutdown()
//	err = n.Put(ctx, "k", "v") // on the leader
//	v, ok := n.FSM.Get("k")    // on any node: what it has applied
//
// Concurrency: every method of FSM and Node is safe for concurrent use.
package kvservice
