package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lsmkv/lsmkv/bench"
	"github.com/stretchr/testify/require"
)

// peerEngines are the engines this module compares.
var peerEngines = []string{"lsmkv", "pebble", "goleveldb", "badger"}

func init() {
	// The reference engine whose results the peers must reproduce.
	bench.Register("map", bench.OpenMapEngine)
	// An engine that cannot open, for the failure path.
	bench.Register("broken", func(bench.Config) (bench.Engine, error) {
		return nil, errors.New("cannot open")
	})
}

// TestMain lets a test run the command itself: compare re-executes
// os.Executable, which under go test is the test binary, so with
// PEERS_RUN_MAIN set the binary acts as the command instead.
func TestMain(m *testing.M) {
	if os.Getenv("PEERS_RUN_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// tinyRun runs a small workload on engine in a fresh directory.
func tinyRun(t *testing.T, engine string, benchmarks ...string) *bench.Report {
	t.Helper()
	rep, err := bench.Run(bench.Options{
		EngineName: engine,
		Engine: bench.Config{Dir: filepath.Join(t.TempDir(), "db"), Compression: bench.CompressionSnappy,
			BloomBits: 10, MemtableSize: 1 << 20, CacheSize: 1 << 20},
		Benchmarks: benchmarks,
		Num:        200,
	})
	require.NoError(t, err, engine)
	return rep
}

// nativeRangeDel lists the engines with a DeleteRange; the others delete
// ranges key by key (README.md says which is which).
var nativeRangeDel = map[string]bool{"lsmkv": true, "pebble": true, "goleveldb": false, "badger": false}

// TestAdaptersMatchReference runs every adapter through the same seeded
// workload as the map reference engine: every phase must do the same
// number of ops and find the same number of keys, since keys and their
// order are fixed by the seed. That includes the reads after deleterange
// (the deleted spans are gone, by DeleteRange or by point deletes) and
// after rangetombstones (its tombstones delete nothing).
func TestAdaptersMatchReference(t *testing.T) {
	benchmarks := []string{"fillrandom", "readrandom", "readseq", "readreverse", "seekrandom",
		"deleterandom", "readrandom", "readseq", "fillbatch", "readreverse",
		"deleterange", "readrandom", "seekrandom", "readseq", "readreverse",
		"rangetombstones", "readrandom", "readmissing", "readseq"}
	want := tinyRun(t, "map", benchmarks...)
	for _, engine := range peerEngines {
		t.Run(engine, func(t *testing.T) {
			got := tinyRun(t, engine, benchmarks...)
			require.Len(t, got.Results, len(want.Results))
			for i, w := range want.Results {
				g := got.Results[i]
				require.Equal(t, w.Name, g.Name)
				if g.RangeDel != "" {
					checkRangeDel(t, engine, g)
				}
				if g.Skipped || g.RangeDel == bench.RangeDelPoint {
					// Skipped, or deleting key by key writes other bytes.
					require.Equal(t, w.Found, g.Found, "%s found", w.Name)
					continue
				}
				require.Equal(t, w.Ops, g.Ops, "%s ops", w.Name)
				require.Equal(t, w.Found, g.Found, "%s found", w.Name)
				require.Equal(t, w.Bytes, g.Bytes, "%s bytes", w.Name)
			}
			// Sanity of the reference itself: 200 random fills leave
			// about 126 distinct keys, and reads find some but not all.
			require.Greater(t, want.Results[1].Found, int64(50))
			require.Less(t, want.Results[1].Found, int64(200))
			// fillbatch writes keys 0..199; deleterange deletes one of
			// its two spans of 100.
			require.EqualValues(t, 100, want.Results[13].Found, "readseq after deleterange")
			require.EqualValues(t, 100, want.Results[18].Found, "readseq after rangetombstones")
		})
	}
}

// checkRangeDel checks how engine ran a range deletion phase: natively if
// it can; otherwise deleterange by point deletes and rangetombstones not
// at all. deleterange's space report must cover each step, the last
// after a compaction, which every peer offers.
func checkRangeDel(t *testing.T, engine string, r bench.PhaseResult) {
	t.Helper()
	want := bench.RangeDelPoint
	if nativeRangeDel[engine] {
		want = bench.RangeDelNative
	}
	require.Equal(t, want, r.RangeDel, r.Name)
	if r.Name == "rangetombstones" {
		require.Equal(t, !nativeRangeDel[engine], r.Skipped)
		return
	}
	require.EqualValues(t, 1, r.Ops, "200 keys: 2 slots of 100, half of them")
	require.NotNil(t, r.Space)
	require.NotNil(t, r.Space.AfterCompact)
	require.Positive(t, r.Space.AfterDeletes.DiskBytes)
	require.Less(t, r.Space.AfterDeletes.LiveBytes, r.Space.Before.LiveBytes)
}

// TestWriteAmpReported checks that the engines that count their writes
// report a write amplification of at least 1 (every byte reaches the log)
// and that Badger, which cannot, reports unknown.
func TestWriteAmpReported(t *testing.T) {
	for _, engine := range peerEngines {
		t.Run(engine, func(t *testing.T) {
			rep := tinyRun(t, engine, "fillrandom", "overwrite")
			for _, r := range rep.Results {
				if engine == "badger" {
					require.Zero(t, r.WriteAmp, r.Name)
					continue
				}
				require.GreaterOrEqual(t, r.WriteAmp, 1.0, r.Name)
				require.Less(t, r.WriteAmp, 50.0, r.Name)
			}
			require.Positive(t, rep.Results[1].DiskBytes)
		})
	}
}

// TestCompareEndToEnd runs every engine twice through the command and
// checks the table and the JSON, which keeps every run in the order they
// ran: interleaved, so that a slow spell hits all engines alike.
func TestCompareEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts eight child processes")
	}
	t.Setenv("PEERS_RUN_MAIN", "1")
	jsonPath := filepath.Join(t.TempDir(), "out.json")
	var stdout, stderr strings.Builder
	code := run([]string{"-num=200", "-repeat=2", "-benchmarks=fillrandom,deleterange,readrandom", "-json=" + jsonPath}, &stdout, &stderr)
	require.Equal(t, exitOK, code, stderr.String())
	table := stdout.String()
	t.Log("\n" + table)
	for _, e := range peerEngines {
		require.Contains(t, table, e)
	}
	require.Regexp(t, `readrandom +[0-9.]+[kM]? ±[0-9]+%`, table)
	require.Contains(t, table, "write-amp after fillrandom")
	require.Contains(t, table, "space-amp after fillrandom")
	require.Regexp(t, `deleterange by +native +native +point deletes +point deletes`, table)
	require.Contains(t, table, "space-amp after compact")
	require.Contains(t, table, "peak RSS")
	require.Contains(t, table, "Medians of 2 runs per engine")

	f, err := os.Open(jsonPath)
	require.NoError(t, err)
	defer f.Close()
	c := readComparison(t, f)
	require.Equal(t, peerEngines, c.Engines)
	require.Equal(t, 2, c.Repeat)
	require.Len(t, c.Runs, 2*len(peerEngines))
	for i, r := range c.Runs {
		require.Equal(t, peerEngines[i%len(peerEngines)], r.Engine, "run %d", i)
		require.Equal(t, 1+i/len(peerEngines), r.Run, "run %d", i)
		require.Empty(t, r.Error)
		require.Len(t, r.Report.Results, 3)
		// Same seed, same keys: every engine finds the same ones.
		require.Equal(t, c.Runs[0].Report.Results[2].Found, r.Report.Results[2].Found)
		require.Positive(t, r.PeakRSS)
	}
}

// TestCompareReportsFailedEngine checks that an engine failing in its
// child does not stop the others, is named in the output and status, and
// is not run again.
func TestCompareReportsFailedEngine(t *testing.T) {
	t.Setenv("PEERS_RUN_MAIN", "1")
	jsonPath := filepath.Join(t.TempDir(), "out.json")
	var stdout, stderr strings.Builder
	code := run([]string{"-num=10", "-repeat=2", "-engines=broken,map", "-benchmarks=fillrandom", "-json=" + jsonPath}, &stdout, &stderr)
	require.Equal(t, exitFailure, code)
	out := stdout.String()
	require.Contains(t, out, "broken failed in run 1: child: exit status 1")
	require.Regexp(t, `fillrandom +- +[0-9.]+k? ±[0-9]+%`, out, "map still ran; broken shows -")
	require.Contains(t, stderr.String(), "cannot open")

	f, err := os.Open(jsonPath)
	require.NoError(t, err)
	defer f.Close()
	var ran []string
	for _, r := range readComparison(t, f).Runs {
		ran = append(ran, fmt.Sprintf("%s %d", r.Engine, r.Run))
	}
	require.Equal(t, []string{"broken 1", "map 1", "map 2"}, ran)
}
