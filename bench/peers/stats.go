package main

import (
	"math"
	"slices"

	"github.com/lsmkv/lsmkv/bench"
)

// The table sums up each engine's runs of a benchmark by their median,
// which one disturbed run cannot move far, and their spread, which says
// how far apart the runs were: a ratio between two engines means little
// if it is smaller than their spreads.

// median returns the middle value of xs, or the mean of the two middle
// ones for an even count; 0 for none. xs is left as it was.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// spread returns how far the value furthest from the median of xs lies
// from it, as a fraction of the median: every x is within
// median × (1 ± spread). It is 0 for fewer than two values or a zero
// median.
func spread(xs []float64) float64 {
	med := median(xs)
	if len(xs) < 2 || med == 0 {
		return 0
	}
	var d float64
	for _, x := range xs {
		d = max(d, math.Abs(x-med))
	}
	return d / med
}

// known returns f of each result, leaving out skipped phases and zeros,
// which mean unknown.
func known(rs []*bench.PhaseResult, f func(*bench.PhaseResult) float64) []float64 {
	var xs []float64
	for _, r := range rs {
		if v := f(r); !r.Skipped && v > 0 {
			xs = append(xs, v)
		}
	}
	return xs
}

// The figures the table takes medians of.
func opsPerSec(r *bench.PhaseResult) float64 { return r.OpsPerSec() }
func writeAmp(r *bench.PhaseResult) float64  { return r.WriteAmp }

// spaceAmp is a phase's space amplification, except deleterange's, which
// has rows of its own (rangeDelRows).
func spaceAmp(r *bench.PhaseResult) float64 {
	if r.Space != nil {
		return 0
	}
	return r.SpaceAmp
}

// column is one engine's runs: a column of the table.
type column struct {
	engine string
	runs   []*EngineRun // in run order
}

// columns groups c's runs by engine, in c.Engines order.
func columns(c *Comparison) []column {
	cols := make([]column, len(c.Engines))
	for i, e := range c.Engines {
		cols[i].engine = e
		for j := range c.Runs {
			if c.Runs[j].Engine == e {
				cols[i].runs = append(cols[i].runs, &c.Runs[j])
			}
		}
	}
	return cols
}

// phase returns the results for c's benchmark number bi of the runs that
// reached it.
func (col column) phase(c *Comparison, bi int) []*bench.PhaseResult {
	var rs []*bench.PhaseResult
	for _, r := range col.runs {
		if p := phase(r, c, bi); p != nil {
			rs = append(rs, p)
		}
	}
	return rs
}

// phase returns e's result for c's benchmark number bi, or nil if it has
// none (its run stopped before). A run's results follow the benchmark
// list one for one, skipped phases included, so a benchmark listed twice
// (readrandom before and after rangetombstones) gets each of its runs.
func phase(e *EngineRun, c *Comparison, bi int) *bench.PhaseResult {
	if e.Report == nil || bi >= len(e.Report.Results) || e.Report.Results[bi].Name != c.Benchmarks[bi] {
		return nil
	}
	return &e.Report.Results[bi]
}

// peakRSS returns the median of the runs' peak RSS, in bytes; 0 if
// unknown.
func (col column) peakRSS() int64 {
	var xs []float64
	for _, r := range col.runs {
		if r.PeakRSS > 0 {
			xs = append(xs, float64(r.PeakRSS))
		}
	}
	return int64(median(xs))
}

// deleterange's space amplification before its deletes, after them and
// after the compaction; 0 (unknown) for other phases.
var (
	spaceBefore       = spaceSample(func(s *bench.SpaceReport) *bench.SpaceSample { return &s.Before })
	spaceAfterDeletes = spaceSample(func(s *bench.SpaceReport) *bench.SpaceSample { return &s.AfterDeletes })
	spaceAfterCompact = spaceSample(func(s *bench.SpaceReport) *bench.SpaceSample { return s.AfterCompact })
)

func spaceSample(pick func(*bench.SpaceReport) *bench.SpaceSample) func(*bench.PhaseResult) float64 {
	return func(r *bench.PhaseResult) float64 {
		if r.Space == nil || pick(r.Space) == nil {
			return 0
		}
		return pick(r.Space).SpaceAmp
	}
}
