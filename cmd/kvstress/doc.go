// Command kvstress crashes an lsmkv database over and over and checks the
// durability contract after every crash (docs/kvstress.md): every
// acknowledged write survives kill -9, every synced write survives power
// loss, and what survives is the state after a whole-batch prefix of the
// writes, in commit order.
//
//	go run ./cmd/kvstress                          # kill mode, one minute, temp dir
//	go run ./cmd/kvstress -mode=powerloss -duration=10m
//	go run ./cmd/kvstress -mode=kill -seed=42 -cycles=17 -duration=0   # replay
//
// Kill mode (kill.go, child.go) re-executes this binary as a child that
// writes to DIR/db and reports each acknowledged batch on a pipe; the
// parent SIGKILLs it at a random moment, opens the directory read-only and
// checks it. Power-loss mode (powerloss*.go, cloner.go, clonefs.go) writes
// to an in-memory FS in process and checks crash clones that keep only
// synced bytes. Both regenerate the batches from the seed (workload.go)
// and share one checker (check.go).
//
// On a violation kvstress prints the seed, the cycle and a replay command,
// keeps the failing DB as DIR/db (power-loss mode writes the failing
// in-memory state there) with DIR/failure.txt beside it, and exits 1.
//
// Concurrency: kvstress is a command. In power-loss mode one goroutine
// writes while another takes crash clones; everything else runs on the
// main goroutine.
package main
