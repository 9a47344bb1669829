// Command peers runs the kvbench workloads side by side on lsmkv and three
// established Go LSM engines — Pebble, goleveldb and Badger — and prints one
// table comparing their throughput, write amplification and peak memory.
//
// It lives in its own module so that the main lsmkv module never depends on
// the peers: only this directory's go.mod names them.
//
// Each engine runs the whole benchmark list in a fresh directory and in a
// fresh child process (the command re-executes itself with -child), so that
// one engine's heap, goroutines and page cache state do not skew the next,
// and so that the child's peak RSS (Linux VmHWM) is that engine's alone.
// Engines run one after the other, never at the same time. With -repeat=N
// (default 3) each engine runs N times, interleaved — every engine's first
// run, then every engine's second — so that a slow spell on the machine
// hits one run of a few engines rather than every run of one; the table
// shows the median of each engine's runs and how far they spread
// (stats.go). README.md lists the settings every engine gets.
//
// Adapters: pebble.go, goleveldb.go and badger.go each map a bench.Config
// onto their engine's options and implement bench.Engine, with
// bench.Compacter and, for Pebble, bench.RangeDeleter (README.md says how
// each engine deletes ranges); they register themselves as "pebble",
// "goleveldb" and "badger". Concurrency: like every
// bench.Engine, each adapter may be called from several goroutines at once;
// an Iter is used by one goroutine.
//
// Example:
//
//	cd bench/peers
//	go run . -num=100000                          # all four engines, 3 runs each
//	go run . -num=100000 -repeat=1                # one run each
//	go run . -engines=lsmkv,pebble -benchmarks=fillrandom,readrandom
//	go run . -num=1000000 -json=peers.json        # also save all reports
//	go run . -engines=lsmkv,pebble -benchmarks=fillrandom,deleterange,readrandom
//
// Figures from a shared or loaded machine are noisy: trust a ratio's
// distance from 1 only when it exceeds its two cells' spreads (±) added
// together.
package main
