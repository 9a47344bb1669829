// Package bench is the engine-agnostic benchmark library behind the
// kvbench command: it runs db_bench and YCSB workloads against any store
// adapted to the small Engine interface and reports throughput, latency
// percentiles and storage amplification as a text table, JSON, or a
// self-contained HTML page with SVG charts.
//
// The pieces, each in its own file:
//
//   - engine.go: Engine, Iter, the optional Metricser, and the registry
//     (Register/Lookup) through which kvbench finds engines by name.
//   - mapengine.go: MapEngine, a reference engine for tests.
//   - keygen.go, valuegen.go: deterministic key generators (sequential,
//     uniform, scrambled zipfian, latest) and db_bench's compressible values.
//   - histogram.go: a fixed-memory log-linear latency histogram.
//   - workload.go, worker.go, scan.go: every benchmark, by name.
//   - runner.go, measure.go, progress.go: phases, threads, amplification;
//     existing.go: what an existing store (UseExistingDB) holds.
//   - sweep.go: running a suite once per value of one parameter.
//   - report_*.go, svg*.go: the table, JSON and HTML reports.
//
// Concurrency: Run and RunSweep may be called from several goroutines on
// different directories. Within a run, each phase uses Options.Threads
// goroutines that share only the Engine; each owns its generators and
// histogram, which are merged when the phase ends. Generators and
// Histogram are not safe for concurrent use; MapEngine and the registry are.
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
