package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/lsmkv/lsmkv/bench"
)

// writeComparison prints one row per benchmark with each engine's ops/s
// and its ratio to the baseline engine (lsmkv when compared, else the
// first), then for range deletion phases how each engine deleted ranges
// and the space deleterange gave back, each engine's write amplification
// after each phase where it changed, and its peak RSS. "-" marks what an
// engine did not report.
func writeComparison(w io.Writer, c *Comparison) error {
	base := baseline(c)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := []string{"ops/s (ratio to " + c.Engines[base].Engine + ")"}
	for _, e := range c.Engines {
		head = append(head, e.Engine)
	}
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for bi, b := range c.Benchmarks {
		row := []string{b}
		baseRes := phase(&c.Engines[base], c, bi)
		for i := range c.Engines {
			row = append(row, opsCell(phase(&c.Engines[i], c, bi), baseRes, i == base))
		}
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	for _, row := range rangeDelRows(c) {
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	var prev []string
	for bi := range c.Benchmarks {
		// Write amp is cumulative, so a read phase repeats the row before
		// unless background compactions ran meanwhile; repeats are left out.
		if row, ok := writeAmpRow(c, bi); ok && (prev == nil || !slices.Equal(row[1:], prev[1:])) {
			fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
			prev = row
		}
	}
	row := []string{"peak RSS"}
	for _, e := range c.Engines {
		row = append(row, mib(e.PeakRSS))
	}
	fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, e := range c.Engines {
		if e.Error != "" {
			if _, err := fmt.Fprintf(w, "%s failed: %s\n", e.Engine, e.Error); err != nil {
				return err
			}
		}
	}
	return nil
}

// baseline picks the column the ratios are relative to.
func baseline(c *Comparison) int {
	if i := slices.IndexFunc(c.Engines, func(e EngineRun) bool { return e.Engine == "lsmkv" }); i >= 0 {
		return i
	}
	return 0
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

func opsCell(r, base *bench.PhaseResult, isBase bool) string {
	if r == nil || r.Skipped || r.OpsPerSec() == 0 {
		return "-"
	}
	s := humanCount(r.OpsPerSec())
	if isBase || base == nil || base.OpsPerSec() == 0 {
		return s
	}
	return fmt.Sprintf("%s (%.2fx)", s, r.OpsPerSec()/base.OpsPerSec())
}

// rangeDelRows returns, for each range deletion phase, a row saying how
// each engine deleted ranges (native DeleteRange or point deletes), and
// for deleterange the space amplification before the deletes, after them
// and after a manual compaction.
func rangeDelRows(c *Comparison) [][]string {
	var rows [][]string
	for bi, b := range c.Benchmarks {
		how, seen := []string{b + " by"}, false
		before, after := []string{"space-amp before " + b}, []string{"space-amp after " + b}
		compacted, hasSpace := []string{"space-amp after compact"}, false
		for i := range c.Engines {
			r := phase(&c.Engines[i], c, bi)
			var sp bench.SpaceReport
			switch {
			case r == nil || r.RangeDel == "":
				how = append(how, "-")
			case r.Skipped:
				how, seen = append(how, "skipped"), true
			default:
				how, seen = append(how, string(r.RangeDel)), true
			}
			if r != nil && r.Space != nil {
				sp, hasSpace = *r.Space, true
			}
			if sp.AfterCompact == nil {
				sp.AfterCompact = &bench.SpaceSample{}
			}
			before = append(before, amp(sp.Before.SpaceAmp))
			after = append(after, amp(sp.AfterDeletes.SpaceAmp))
			compacted = append(compacted, amp(sp.AfterCompact.SpaceAmp))
		}
		if seen {
			rows = append(rows, how)
		}
		if hasSpace {
			rows = append(rows, before, after, compacted)
		}
	}
	return rows
}

// amp formats an amplification factor; zero means unknown.
func amp(f float64) string {
	if f == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", f)
}

// writeAmpRow returns the write-amplification row for benchmark number
// bi, or false if no engine reported one for it (it is a read phase, or
// only engines without the counter ran).
func writeAmpRow(c *Comparison, bi int) ([]string, bool) {
	row, seen := []string{"write-amp after " + c.Benchmarks[bi]}, false
	for i := range c.Engines {
		r := phase(&c.Engines[i], c, bi)
		if r == nil || r.WriteAmp == 0 {
			row = append(row, "-")
			continue
		}
		seen = true
		row = append(row, fmt.Sprintf("%.2f", r.WriteAmp))
	}
	return row, seen
}

// humanCount formats a rate compactly: 751k, 1.23M.
func humanCount(f float64) string {
	switch {
	case f >= 1e6:
		return fmt.Sprintf("%.2fM", f/1e6)
	case f >= 1e4:
		return fmt.Sprintf("%.0fk", f/1e3)
	case f >= 1e3:
		return fmt.Sprintf("%.1fk", f/1e3)
	}
	return fmt.Sprintf("%.0f", f)
}

func mib(n int64) string {
	if n <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
}
