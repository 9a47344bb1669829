module github.com/lsmkv/lsmkv/raftstore

go 1.26

require (
	github.com/hashicorp/go-hclog v1.6.3
	github.com/hashicorp/raft v1.8.0
	github.com/hashicorp/raft-boltdb/v2 v2.3.1
	github.com/lsmkv/lsmkv v0.0.0
)

require (
	github.com/armon/go-metrics v0.4.1 // indirect
	github.com/boltdb/bolt v1.3.1 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/fatih/color v1.13.0 // indirect
	github.com/golang/snappy v1.0.0 // indirect
	github.com/hashicorp/go-immutable-radix v1.3.1 // indirect
	github.com/hashicorp/go-metrics v0.7.0 // indirect
	github.com/hashicorp/go-msgpack/v2 v2.1.5 // indirect
	github.com/hashicorp/golang-lru v1.0.2 // indirect
	github.com/mattn/go-colorable v0.1.12 // indirect
	github.com/mattn/go-isatty v0.0.14 // indirect
	go.etcd.io/bbolt v1.3.5 // indirect
	golang.org/x/sys v0.47.0 // indirect
)

// The library module, from this checkout (as bench/peers does).
replace github.com/lsmkv/lsmkv => ..

// raft v1.8.0 requires go-metrics v0.7.0, which dropped the package
// github.com/hashicorp/go-metrics/compat; raft-boltdb/v2 v2.3.1 (used
// only by the comparison benchmarks and cmd/appendtrunc) still imports
// it, so with v0.7.0 the module does not build ("module ... found
// (v0.7.0), but does not contain package .../compat"). v0.6.1 still has
// compat, and raft v1.8.0 builds and passes its use here with it.
replace github.com/hashicorp/go-metrics => github.com/hashicorp/go-metrics v0.6.1
