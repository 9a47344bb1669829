package lsmkv

import (
	"fmt"
	"strings"
	"testing"
)

// TestMetricsStringTotalRow is issue 9: the -v table's total row put the
// user's bytes in the "bytes in" column and added the WAL to "written",
// so no column of it was the sum of the rows above. Each column of the
// total row must now add up its own column, and the user bytes have their
// own labelled line.
func TestMetricsStringTotalRow(t *testing.T) {
	const k, m = 1 << 10, 1 << 20
	for _, tc := range []struct {
		name    string
		metrics Metrics
		total   []string // fields of the total row
		user    string   // the user bytes line
	}{
		{"leveled",
			Metrics{Levels: []LevelMetrics{
				{NumFiles: 4, Size: 100 * k, Score: 1, BytesIn: 3 * m / 2, BytesRead: 3 * m / 2, BytesWritten: 3 * m / 2},
				{NumFiles: 1, Size: 900 * k, Score: 0.01, BytesIn: 3 * m / 2, BytesRead: 5 * m, BytesWritten: 6 * m},
				{},
			}, UserBytes: 2 * m, WALBytes: 5 * m / 2, FlushBytes: 3 * m / 2, CompactionBytesWritten: 6 * m},
			[]string{"total", "5", "1000.0KiB", "3.0MiB", "6.5MiB", "7.5MiB", "2.5"},
			"user bytes written: 2.0MiB (keys and values)"},
		{"tiered",
			Metrics{Levels: []LevelMetrics{
				{NumFiles: 2, Size: 40 * k, BytesIn: m, BytesRead: m, BytesWritten: m},
				{},
				{NumFiles: 1, Size: 200 * k, BytesIn: 500 * k, BytesRead: 300 * k, BytesWritten: 700 * k},
				{NumFiles: 1, Size: 600 * k, BytesIn: 600 * k, BytesRead: 100 * k, BytesWritten: 800 * k},
			}, UserBytes: 3 * m / 2, WALBytes: 2 * m},
			[]string{"total", "4", "840.0KiB", "2.1MiB", "1.4MiB", "2.5MiB", "1.2"},
			"user bytes written: 1.5MiB (keys and values)"},
		{"empty",
			Metrics{Levels: make([]LevelMetrics, 7)},
			[]string{"total", "0", "0B", "0B", "0B", "0B", "0.0"},
			"user bytes written: 0B (keys and values)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.metrics.String()
			lines := strings.Split(s, "\n")
			row := 1 + len(tc.metrics.Levels) // after the heading and the levels
			if got := strings.Fields(lines[row]); strings.Join(got, " ") != strings.Join(tc.total, " ") {
				t.Errorf("total row %q, want %q\n%s", got, tc.total, s)
			}
			if lines[row+1] != tc.user {
				t.Errorf("line after the table %q, want %q\n%s", lines[row+1], tc.user, s)
			}
			wamp := fmt.Sprintf("write amplification: %.2f (", tc.metrics.WriteAmplification())
			if !strings.Contains(s, wamp) {
				t.Errorf("no %q line:\n%s", wamp, s)
			}
		})
	}
}
