package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/lsmkv/lsmkv/bench"
)

// writeComparison prints one row per benchmark with each engine's median
// ops/s over its runs, how far its runs strayed from that median (with
// more than one run), and the ratio of its median to the baseline
// engine's (lsmkv when compared, else the first); then for range deletion
// phases how each engine deleted ranges and the space deleterange gave
// back, each engine's write and space amplification after each phase
// where they changed, and its peak RSS, all medians over the runs. "-"
// marks what an engine did not report. Failed runs are listed below the
// table.
func writeComparison(w io.Writer, c *Comparison) error {
	cols := columns(c)
	base := baseline(c)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	row := func(cells []string) { fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t") }
	head := []string{"ops/s (ratio to " + c.Engines[base] + ")"}
	row(append(head, c.Engines...))
	for bi, b := range c.Benchmarks {
		cells := []string{b}
		baseOps := median(known(cols[base].phase(c, bi), opsPerSec))
		for i, col := range cols {
			cells = append(cells, opsCell(known(col.phase(c, bi), opsPerSec), baseOps, i == base))
		}
		row(cells)
	}
	for _, r := range rangeDelRows(c, cols) {
		row(r)
	}
	for _, r := range ampRows(c, cols, "write-amp", writeAmp) {
		row(r)
	}
	for _, r := range ampRows(c, cols, "space-amp", spaceAmp) {
		row(r)
	}
	cells := []string{"peak RSS"}
	for _, col := range cols {
		cells = append(cells, mib(col.peakRSS()))
	}
	row(cells)
	if err := tw.Flush(); err != nil {
		return err
	}
	if c.Repeat > 1 {
		if _, err := fmt.Fprintf(w, "Medians of %d runs per engine, interleaved; ±: how far the furthest run was from the median.\n", c.Repeat); err != nil {
			return err
		}
	}
	return writeFailures(w, c)
}

// writeFailures lists the runs that failed.
func writeFailures(w io.Writer, c *Comparison) error {
	for _, r := range c.Runs {
		if r.Error == "" {
			continue
		}
		which := ""
		if c.Repeat > 1 {
			which = fmt.Sprintf(" in run %d", r.Run)
		}
		if _, err := fmt.Fprintf(w, "%s failed%s: %s\n", r.Engine, which, r.Error); err != nil {
			return err
		}
	}
	return nil
}

// baseline picks the column the ratios are relative to.
func baseline(c *Comparison) int {
	return max(slices.Index(c.Engines, "lsmkv"), 0)
}

// opsCell formats an engine's ops/s for one benchmark, one value per run:
// their median, their spread if there are several, and the ratio of the
// median to the baseline's median baseOps unless isBase.
func opsCell(ops []float64, baseOps float64, isBase bool) string {
	if len(ops) == 0 {
		return "-"
	}
	med := median(ops)
	s := humanCount(med)
	if len(ops) > 1 {
		s += fmt.Sprintf(" ±%.0f%%", 100*spread(ops))
	}
	if isBase || baseOps == 0 {
		return s
	}
	return fmt.Sprintf("%s (%.2fx)", s, med/baseOps)
}

// rangeDelRows returns, for each range deletion phase, a row saying how
// each engine deleted ranges (native DeleteRange or point deletes), and
// for deleterange the median space amplification before the deletes,
// after them and after a manual compaction.
func rangeDelRows(c *Comparison, cols []column) [][]string {
	var rows [][]string
	for bi, b := range c.Benchmarks {
		how, seen := []string{b + " by"}, false
		before, after := []string{"space-amp before " + b}, []string{"space-amp after " + b}
		compacted, hasSpace := []string{"space-amp after compact"}, false
		for _, col := range cols {
			rs := col.phase(c, bi)
			switch {
			case len(rs) == 0 || rs[0].RangeDel == "":
				how = append(how, "-")
			case rs[0].Skipped:
				how, seen = append(how, "skipped"), true
			default:
				how, seen = append(how, string(rs[0].RangeDel)), true
			}
			hasSpace = hasSpace || slices.ContainsFunc(rs, func(r *bench.PhaseResult) bool { return r.Space != nil })
			before = append(before, amp(median(known(rs, spaceBefore))))
			after = append(after, amp(median(known(rs, spaceAfterDeletes))))
			compacted = append(compacted, amp(median(known(rs, spaceAfterCompact))))
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

// ampRows returns a row per benchmark giving each engine's median of
// f, an amplification named name, after that phase. A row is left out
// when no engine reported the figure, or when it repeats the row before:
// write amp is cumulative, so a read phase repeats it unless background
// compactions ran meanwhile, and so does space amp.
func ampRows(c *Comparison, cols []column, name string, f func(*bench.PhaseResult) float64) [][]string {
	var rows [][]string
	var prev []string
	for bi, b := range c.Benchmarks {
		row, seen := []string{name + " after " + b}, false
		for _, col := range cols {
			v := median(known(col.phase(c, bi), f))
			seen = seen || v > 0
			row = append(row, amp(v))
		}
		if seen && (prev == nil || !slices.Equal(row[1:], prev[1:])) {
			rows = append(rows, row)
			prev = row
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
