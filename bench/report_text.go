package bench

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteTable prints rep as a db_bench-style table, one row per phase, with
// latencies in microseconds and "-" for what the engine did not report.
// A line of the run's settings, as flag=value pairs named like kvbench's
// flags, comes first, so that a saved table says what it measured. Notes
// on the range deletion phases follow the table (see rangeDelNotes), then,
// with Options.Verbose, each phase's engine metrics text.
func WriteTable(w io.Writer, rep *Report) error {
	if _, err := fmt.Fprintln(w, headerLine(rep)); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := []string{"benchmark", "micros/op", "ops/s", "MB/s", "p50(us)", "p99(us)", "p99.9(us)", "write-amp", "space-amp", "read-amp"}
	if rep.SweepParam != "" {
		head = append([]string{rep.SweepParam}, head...)
	}
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for i := range rep.Results {
		fmt.Fprintln(tw, strings.Join(tableRow(rep, &rep.Results[i]), "\t")+"\t")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, note := range rangeDelNotes(rep) {
		if _, err := fmt.Fprintf(w, "\n%s\n", note); err != nil {
			return err
		}
	}
	for _, r := range rep.Results {
		if r.EngineText != "" {
			if _, err := fmt.Fprintf(w, "\n--- %s%s\n%s%s", r.Name, sweepSuffix(rep, &r), r.EngineText, timelineSummary(r.Events)); err != nil {
				return err
			}
		}
	}
	return nil
}

func tableRow(rep *Report, r *PhaseResult) []string {
	var row []string
	if rep.SweepParam != "" {
		row = append(row, r.SweepValue)
	}
	row = append(row, r.Name)
	if r.Skipped {
		return append(row, "skipped", "", "", "", "", "", "", "", "")
	}
	return append(row,
		fmt.Sprintf("%.3f", r.microsPerOp()),
		fmt.Sprintf("%.0f", r.OpsPerSec()),
		fmt.Sprintf("%.1f", r.mbPerSec()),
		micros(r.Latency.P50), micros(r.Latency.P99), micros(r.Latency.P999),
		ratio(r.WriteAmp), ratio(r.SpaceAmp), ratio(r.ReadAmp))
}

func sweepSuffix(rep *Report, r *PhaseResult) string {
	if rep.SweepParam == "" {
		return ""
	}
	return fmt.Sprintf(" (%s=%s)", rep.SweepParam, r.SweepValue)
}

func micros(d time.Duration) string {
	return fmt.Sprintf("%.1f", float64(d)/float64(time.Microsecond))
}

// ratio formats an amplification factor; zero means unknown.
func ratio(f float64) string {
	if f == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", f)
}
