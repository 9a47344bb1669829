package main

import (
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lsmkv/lsmkv/bench"
	"github.com/stretchr/testify/require"
)

func readComparison(t *testing.T, r io.Reader) *Comparison {
	t.Helper()
	var c Comparison
	require.NoError(t, json.NewDecoder(r).Decode(&c))
	return &c
}

func TestBloomFalsePositive(t *testing.T) {
	for _, tc := range []struct {
		bits int
		want float64
	}{{0, 0}, {-1, 0}, {1, 0.6185}, {10, 0.00819}, {20, 0.0000671}} {
		got := bloomFalsePositive(tc.bits)
		require.InDelta(t, tc.want, got, tc.want*0.01+1e-12, "bits=%d", tc.bits)
	}
	require.Less(t, math.Abs(bloomFalsePositive(10)-0.0082), 0.0001)
}

func TestHumanCount(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{{0, "0"}, {999, "999"}, {1234, "1.2k"}, {751_234, "751k"}, {1_234_567, "1.23M"}} {
		require.Equal(t, tc.want, humanCount(tc.in), "%v", tc.in)
	}
}

func TestParseFlags(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		wantErr string
	}{
		{nil, ""},
		{[]string{"-engines=lsmkv,nope"}, "unknown engine"},
		{[]string{"-engines=pebble,pebble"}, "listed twice"},
		{[]string{"-engines="}, "must not be empty"},
		{[]string{"-num=0"}, "-num=0"},
		{[]string{"-repeat=0"}, "-repeat=0: must be at least 1"},
		{[]string{"-benchmarks=fillrandom,nosuch"}, "unknown benchmark"},
		{[]string{"-compression=zstd"}, "compression"},
		{[]string{"-child"}, "exactly one engine"},
		{[]string{"-child", "-engines=pebble"}, "exactly one engine and -db"},
		{[]string{"extra"}, "unexpected arguments"},
	} {
		_, err := parseFlags(tc.args, io.Discard)
		if tc.wantErr == "" {
			require.NoError(t, err, "%q", tc.args)
		} else {
			require.ErrorContains(t, err, tc.wantErr, "%q", tc.args)
		}
	}
}

// TestParseFlagsDefaults pins the equal settings README.md promises.
func TestParseFlagsDefaults(t *testing.T) {
	cl, err := parseFlags(nil, io.Discard)
	require.NoError(t, err)
	require.Equal(t, peerEngines, cl.engines)
	require.Equal(t, 3, cl.repeat)
	require.Equal(t, bench.Config{Compression: bench.CompressionSnappy, BloomBits: 10,
		Compaction: bench.CompactionLeveled, MemtableSize: 4 << 20, CacheSize: 8 << 20}, cl.opts.Engine)
	require.Equal(t, pebbleDefaultMemTableSize, int(pebbleOptions(cl.opts.Engine).MemTableSize))
	require.Equal(t, int64(16<<20), pebbleOptions(cl.opts.Engine).CacheSize, "8 MiB + 2 memtables")
}

// TestChildArgsOverride checks that the child sees the parent's flags
// with its own engine, directory and output, whatever the parent had.
func TestChildArgsOverride(t *testing.T) {
	parent := []string{"-num=7", "-engines=lsmkv,pebble", "-db=/x", "-json=out.json", "-sync"}
	cl, err := parseFlags(childArgs(parent, "pebble", "/x/pebble"), io.Discard)
	require.NoError(t, err)
	require.True(t, cl.child)
	require.Equal(t, []string{"pebble"}, cl.engines)
	require.Equal(t, "/x/pebble", cl.baseDir)
	require.Empty(t, cl.jsonPath)
	require.Equal(t, int64(7), cl.opts.Num)
	require.True(t, cl.opts.Engine.Sync)
	require.Equal(t, "-sync", parent[len(parent)-1], "parent args untouched")
}

func result(name string, ops int64, wamp float64) bench.PhaseResult {
	return bench.PhaseResult{Name: name, Ops: ops, Elapsed: time.Second, WriteAmp: wamp}
}

func TestWriteComparison(t *testing.T) {
	c := &Comparison{Benchmarks: []string{"fillrandom", "readrandom"}, Engines: []string{"pebble", "lsmkv", "badger"}, Repeat: 1, Runs: []EngineRun{
		{Engine: "pebble", PeakRSS: 64 << 20, Report: &bench.Report{Results: []bench.PhaseResult{
			result("fillrandom", 751_000, 3.5), result("readrandom", 200_000, 3.5)}}},
		{Engine: "lsmkv", PeakRSS: 32 << 20, Report: &bench.Report{Results: []bench.PhaseResult{
			result("fillrandom", 375_500, 2.25), result("readrandom", 400_000, 2.25)}}},
		{Engine: "badger", Error: "child: exit status 1", Report: &bench.Report{Results: []bench.PhaseResult{
			result("fillrandom", 1500, 0)}}},
	}}
	var b strings.Builder
	require.NoError(t, writeComparison(&b, c))
	out := b.String()
	t.Log("\n" + out)
	lines := strings.Split(out, "\n")
	require.Regexp(t, `ops/s \(ratio to lsmkv\) +pebble +lsmkv +badger`, lines[0])
	require.Regexp(t, `fillrandom +751k \(2\.00x\) +376k +1\.5k \(0\.00x\)`, lines[1])
	require.Regexp(t, `readrandom +200k \(0\.50x\) +400k +-`, lines[2])
	require.Regexp(t, `write-amp after fillrandom +3\.50 +2\.25 +-`, lines[3])
	// readrandom's write amp repeats fillrandom's, so its row is left out.
	require.Regexp(t, `peak RSS +64 MiB +32 MiB +-`, lines[4])
	require.Equal(t, "badger failed: child: exit status 1", lines[5])
}

// TestWriteComparisonRangeDeletions checks the rows the range deletion
// phases add, and that a benchmark listed twice shows each of its runs.
func TestWriteComparisonRangeDeletions(t *testing.T) {
	space := func(compacted bool) *bench.SpaceReport {
		sr := &bench.SpaceReport{Before: bench.SpaceSample{SpaceAmp: 0.75}, AfterDeletes: bench.SpaceSample{SpaceAmp: 1.5}}
		if compacted {
			sr.AfterCompact = &bench.SpaceSample{SpaceAmp: 1.25}
		}
		return sr
	}
	run := func(method bench.RangeDelMethod, compacted bool, reads ...int64) *bench.Report {
		dr := result("deleterange", 1000, 2)
		dr.RangeDel, dr.Space = method, space(compacted)
		rt := bench.PhaseResult{Name: "rangetombstones", RangeDel: method, Skipped: method == bench.RangeDelPoint}
		if !rt.Skipped {
			rt = result("rangetombstones", 500, 2)
			rt.RangeDel = method
		}
		return &bench.Report{Results: []bench.PhaseResult{result("fillrandom", 1000, 2), dr,
			result("readrandom", reads[0], 2), rt, result("readrandom", reads[1], 2)}}
	}
	c := &Comparison{Benchmarks: []string{"fillrandom", "deleterange", "readrandom", "rangetombstones", "readrandom"},
		Engines: []string{"lsmkv", "goleveldb"}, Repeat: 1,
		Runs: []EngineRun{
			{Engine: "lsmkv", Report: run(bench.RangeDelNative, true, 400_000, 300_000)},
			{Engine: "goleveldb", Report: run(bench.RangeDelPoint, false, 200_000, 200_000)},
		}}
	var b strings.Builder
	require.NoError(t, writeComparison(&b, c))
	out := b.String()
	t.Log("\n" + out)
	lines := strings.Split(out, "\n")
	require.Regexp(t, `^ +readrandom +400k +200k \(0\.50x\)$`, lines[3])
	require.Regexp(t, `^ +rangetombstones +500 +-$`, lines[4])
	require.Regexp(t, `^ +readrandom +300k +200k \(0\.67x\)$`, lines[5], "the second run, not the first again")
	require.Regexp(t, `^ +deleterange by +native +point deletes$`, lines[6])
	require.Regexp(t, `^ +space-amp before deleterange +0\.75 +0\.75$`, lines[7])
	require.Regexp(t, `^ +space-amp after deleterange +1\.50 +1\.50$`, lines[8])
	require.Regexp(t, `^ +space-amp after compact +1\.25 +-$`, lines[9])
	require.Regexp(t, `^ +rangetombstones by +native +skipped$`, lines[10])
}

// TestStartProfile: -cpuprofile writes one non-empty profile per run,
// named for the engine, and none without it.
func TestStartProfile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "prof")
	for i := 0; i < 2; i++ {
		stop, err := startProfile(dir, "lsmkv")
		if err != nil {
			t.Fatal(err)
		}
		if err := stop(); err != nil {
			t.Fatal(err)
		}
	}
	files, err := filepath.Glob(filepath.Join(dir, "lsmkv-*.pprof"))
	if err != nil || len(files) != 2 {
		t.Fatalf("profiles %v (%v), want 2", files, err)
	}
	for _, f := range files {
		if fi, err := os.Stat(f); err != nil || fi.Size() == 0 {
			t.Fatalf("%s: %v, size 0", f, err)
		}
	}
	stop, err := startProfile("", "lsmkv")
	if err != nil || stop() != nil {
		t.Fatalf("no -cpuprofile: %v", err)
	}
}
