package bench

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"
)

// rangeDelNotes returns what the table cannot show about the range
// deletion phases, one block of lines per phase: how the engine deleted
// ranges ("native" DeleteRange or "point deletes"), and for deleterange
// the space before the deletes, after them and after a compaction. The
// text table and the HTML report print them under the results.
func rangeDelNotes(rep *Report) []string {
	var notes []string
	for i := range rep.Results {
		r := &rep.Results[i]
		head := r.Name + sweepSuffix(rep, r) + ": "
		switch {
		case r.RangeDel == "":
			continue
		case r.Name == "rangetombstones" && r.Skipped:
			notes = append(notes, head+"skipped: the engine has no DeleteRange, and point deletes of ranges holding no key delete nothing")
		case r.Name == "rangetombstones":
			notes = append(notes, head+fmt.Sprintf("%s DeleteRange, %d range tombstones over gaps holding no key", r.RangeDel, r.Ops))
		default:
			notes = append(notes, head+deleteRangeSummary(&rep.Options, r)+spaceTable(&rep.Options, r.Space))
		}
	}
	return notes
}

// deleteRangeSummary says how deleterange deleted what.
func deleteRangeSummary(o *Options, r *PhaseResult) string {
	how := "native DeleteRange"
	if r.RangeDel == RangeDelPoint {
		how = "point deletes (the engine has no DeleteRange)"
	}
	span := min(int64(o.DeleteRangeSpan), o.Num)
	s := fmt.Sprintf("%s, %d spans of %d keys", how, r.Ops, span)
	if o.Num > 0 {
		s += fmt.Sprintf(" (%.1f%% of the keys)", 100*float64(r.Ops*span)/float64(o.Num))
	}
	return s
}

// spaceTable formats sr as lines, each starting with a newline, or ""
// for nil.
func spaceTable(o *Options, sr *SpaceReport) string {
	if sr == nil {
		return ""
	}
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	// Names are padded by hand, as tabwriter right-aligns every column;
	// its padding indents the table.
	fmt.Fprintf(tw, "\n%-13s\tlive\tdisk\tspace-amp\t\n", "space")
	row := func(name string, s SpaceSample, extra string) {
		fmt.Fprintf(tw, "%-13s\t%s\t%s\t%s\t%s\n", name, byteSize(s.LiveBytes), byteSize(s.DiskBytes), ratio(s.SpaceAmp), extra)
	}
	row("before", sr.Before, "")
	row("after deletes", sr.AfterDeletes, "")
	switch {
	case sr.AfterCompact != nil:
		row("after compact", *sr.AfterCompact, "  compaction took "+sr.CompactElapsed.Round(time.Millisecond).String())
	case o.DeleteRangeNoCompact:
		row("after compact", SpaceSample{}, "  not compacted: -deleterange_compact=false")
	default:
		row("after compact", SpaceSample{}, "  not compacted: the engine has no manual compaction")
	}
	tw.Flush()
	return strings.TrimSuffix(b.String(), "\n")
}

// byteSize formats n bytes in KiB, MiB or GiB; "-" for unknown (0).
func byteSize(n int64) string {
	switch {
	case n <= 0:
		return "-"
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
}
