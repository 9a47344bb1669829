// Package bytesize formats byte counts for people: 512B, 1.5KiB, 12.3MiB.
// It is the one home of that format, shared by Metrics.String, kvstress's
// summaries, kvbench's event labels and the live view.
package bytesize

import "fmt"

// Format returns n in the largest binary unit it reaches, with one
// decimal: "512B", "1.5KiB", "12.3MiB", "2.0GiB".
func Format(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%dB", n)
	}
	div, exp := int64(unit), 0
	for x := n / unit; x >= unit; x /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f%ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
