package main

import (
	"strings"
	"testing"

	"github.com/lsmkv/lsmkv/bench"
	"github.com/stretchr/testify/require"
)

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{7}, 7},
		{[]float64{3, 1}, 2},          // even count: mean of the middle two
		{[]float64{5, 1, 100}, 5},     // an outlier does not move it
		{[]float64{4, 1, 3, 2}, 2.5},  // unsorted input
		{[]float64{2, 2, 9, 2, 9}, 2}, // ties
	} {
		in := append([]float64(nil), tc.in...)
		require.Equal(t, tc.want, median(tc.in), "%v", tc.in)
		require.Equal(t, in, tc.in, "input left unsorted")
	}
}

func TestSpread(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{100}, 0},        // one run: nothing to compare
		{[]float64{0, 0}, 0},       // zero median
		{[]float64{96, 104}, 0.04}, // two runs: ± half the gap
		{[]float64{100, 104, 99}, 0.04},
		{[]float64{100, 80, 101}, 0.2}, // the furthest run, below
		{[]float64{90, 100, 100, 100}, 0.1},
	} {
		require.InDelta(t, tc.want, spread(tc.in), 1e-12, "%v", tc.in)
	}
}

// TestSchedule checks that runs interleave engines: each engine's first
// run, in the order given, before any engine's second.
func TestSchedule(t *testing.T) {
	var got []string
	for _, s := range schedule([]string{"lsmkv", "pebble", "badger"}, 3) {
		got = append(got, s.engine+" "+string(rune('0'+s.run)))
	}
	require.Equal(t, []string{
		"lsmkv 1", "pebble 1", "badger 1",
		"lsmkv 2", "pebble 2", "badger 2",
		"lsmkv 3", "pebble 3", "badger 3"}, got)
	require.Len(t, schedule([]string{"lsmkv"}, 1), 1)
	require.Empty(t, schedule([]string{"lsmkv"}, 0))
}

// TestWriteComparisonMedians checks that with several runs per engine
// every cell is the median of its runs, ops/s with their spread, and
// ratios are of medians, whatever order the runs came in.
func TestWriteComparisonMedians(t *testing.T) {
	// rep's readrandom has 1 more write amp (compactions ran) and 0.1
	// more space amp than its fillrandom.
	rep := func(fill, read int64, wamp, samp float64) *bench.Report {
		f, r := result("fillrandom", fill, wamp), result("readrandom", read, wamp+1)
		f.SpaceAmp, r.SpaceAmp = samp, samp+0.1
		if read == 0 { // the run died during readrandom
			return &bench.Report{Results: []bench.PhaseResult{f}}
		}
		return &bench.Report{Results: []bench.PhaseResult{f, r}}
	}
	c := &Comparison{Benchmarks: []string{"fillrandom", "readrandom"}, Engines: []string{"lsmkv", "pebble"}, Repeat: 3,
		Runs: []EngineRun{
			{Engine: "lsmkv", Run: 1, PeakRSS: 30 << 20, Report: rep(400_000, 100_000, 3.0, 1.1)},
			{Engine: "pebble", Run: 1, PeakRSS: 60 << 20, Report: rep(800_000, 52_000, 4.0, 1.3)},
			{Engine: "lsmkv", Run: 2, PeakRSS: 50 << 20, Report: rep(300_000, 104_000, 3.5, 1.2)}, // a slow spell
			{Engine: "pebble", Run: 2, PeakRSS: 70 << 20, Report: rep(760_000, 50_000, 4.5, 1.4)},
			{Engine: "lsmkv", Run: 3, PeakRSS: 40 << 20, Report: rep(404_000, 96_000, 3.25, 1.0)},
			{Engine: "pebble", Run: 3, Error: "child: killed", Report: rep(840_000, 0, 4.25, 1.5)}, // died in readrandom
		}}
	var b strings.Builder
	require.NoError(t, writeComparison(&b, c))
	out := b.String()
	t.Log("\n" + out)
	lines := strings.Split(out, "\n")
	require.Regexp(t, `^ +ops/s \(ratio to lsmkv\) +lsmkv +pebble$`, lines[0])
	// lsmkv: median 400k, furthest run 300k (25% off); pebble: median
	// 800k, runs 5% either side; ratio 800/400.
	require.Regexp(t, `^ +fillrandom +400k ±25% +800k ±5% \(2\.00x\)$`, lines[1])
	// pebble's third run stopped before readrandom: median of two.
	require.Regexp(t, `^ +readrandom +100k ±4% +51k ±2% \(0\.51x\)$`, lines[2])
	require.Regexp(t, `^ +write-amp after fillrandom +3\.25 +4\.25$`, lines[3])
	require.Regexp(t, `^ +write-amp after readrandom +4\.25 +5\.25$`, lines[4])
	require.Regexp(t, `^ +space-amp after fillrandom +1\.10 +1\.40$`, lines[5])
	require.Regexp(t, `^ +space-amp after readrandom +1\.20 +1\.45$`, lines[6])
	require.Regexp(t, `^ +peak RSS +40 MiB +65 MiB$`, lines[7])
	require.Equal(t, "Medians of 3 runs per engine, interleaved; ±: how far the furthest run was from the median.", lines[8])
	require.Equal(t, "pebble failed in run 3: child: killed", lines[9])
}
