package raftstore

import "github.com/lsmkv/lsmkv"

// Options configure a Store. The zero value (or a nil *Options) means the
// defaults: lsmkv's default options and synced writes.
type Options struct {
	// DB is passed to lsmkv.Open; nil means lsmkv's defaults. Its Sync
	// field is ignored: every write of the Store says whether it syncs.
	DB *lsmkv.Options
	// NoSync makes writes return before they are synced. A returned write
	// then survives a crash of the process but not of the machine, which
	// breaks raft's promise to its peers: a node may forget a vote or an
	// entry it acknowledged. Use it only for tests and benchmarks.
	NoSync bool
}
