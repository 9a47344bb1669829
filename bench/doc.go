// Package bench is the engine-agnostic benchmark library behind the
// kvbench command: it runs db_bench and YCSB workloads against any store
// adapted to the small Engine interface and reports throughput, latency
// percentiles and storage amplification as a text table, JSON, or a
// self-contained HTML page with SVG charts.
//
// The exported API serves three users, cmd/kvbench, the adapter in
// bench/lsmkvengine and the bench/peers module, and nothing more:
//
//   - Adapting an engine: Engine, Iter, Op (OpKind, OpPut, OpDelete), the
//     optional Metricser with EngineMetrics and LevelShape, the optional
//     RangeDeleter and Compacter, the storage knobs Config (Compression,
//     Compaction), and Register with an Opener.
//     OpenMapEngine is a reference engine; SumFiles measures a directory.
//   - Running: Options (EnsureDefaults, Validate, DefaultBenchmarks,
//     WorkloadNames), the shared command-line flags (RegisterFlags, Flags,
//     SplitList), Lookup and Engines, Run, and for sweeps ParseSweep,
//     Sweep, SweepNames and RunSweep.
//   - Reporting: Report, PhaseResult (OpsPerSec), HistSummary, and for
//     range deletions RangeDelMethod, SpaceReport and SpaceSample, written
//     by WriteTable, WriteHTML and WriteJSON and read back by ReadJSON.
//
// The rest lives unexported, each piece in its own file:
//
//   - engine.go: the interfaces and the registry.
//   - mapengine.go: mapEngine, the reference engine behind OpenMapEngine.
//   - keygen.go, valuegen.go: deterministic key generators (sequential,
//     uniform, scrambled zipfian, latest) and db_bench's compressible values.
//   - histogram.go: a fixed-memory log-linear latency histogram.
//   - workload.go, worker.go, scan.go: every benchmark, by name;
//     rangedel.go: the range deletion workloads (deleterange,
//     rangetombstones).
//   - runner.go, measure.go, progress.go: phases, threads, amplification;
//     existing.go: what an existing store (UseExistingDB) holds.
//   - sweep.go: running a suite once per value of one parameter.
//   - report_*.go, svg*.go: the table, JSON and HTML reports;
//     report_rangedel.go: the notes on range deletion phases.
//
// Concurrency: Run and RunSweep may be called from several goroutines on
// different directories. Within a run, each phase uses Options.Threads
// goroutines that share only the Engine, so an Engine must be safe for
// concurrent use; each goroutine owns its generators and histogram, which
// are merged when the phase ends. The registry and OpenMapEngine's engines
// are safe for concurrent use.
//
// Invariants: key indexes 0..Num-1 form the loaded key space and YCSB
// inserts append indexes from Num upwards; keys are the indexes in
// zero-padded decimal, so key order is index order. A seed (Options.Seed)
// fixes every generated key and value, so runs replay exactly (thread
// scheduling aside). Only package lsmkv's root API is a stability promise;
// this package's API may change.
//
// Example:
//
//	bench.Register("map", bench.OpenMapEngine)
//	rep, err := bench.Run(bench.Options{
//		EngineName: "map",
//		Engine:     bench.Config{Dir: dir},
//		Benchmarks: []string{"fillrandom", "readrandom", "ycsb-a"},
//		Num:        10000,
//	})
//	if err != nil {
//		log.Fatal(err)
//	}
//	bench.WriteTable(os.Stdout, rep)
package bench
