package bench

import (
	"encoding/json"
	"fmt"
	"io"
)

// WriteJSON writes rep as indented JSON; ReadJSON reads it back. Keys are
// the Go field names, except that every quantity with a unit names it:
// durations are integer nanoseconds under names ending in Ns (ElapsedNs,
// Latency.P99Ns, ThroughputIntervalNs), sizes end in Bytes (KeySizeBytes,
// Levels[].SizeBytes) and rates in OpsPerSec (ThroughputOpsPerSec).
func WriteJSON(w io.Writer, rep *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// ReadJSON decodes a report written by WriteJSON.
func ReadJSON(r io.Reader) (*Report, error) {
	var rep Report
	if err := json.NewDecoder(r).Decode(&rep); err != nil {
		return nil, fmt.Errorf("lsmkv/bench: read report: %w", err)
	}
	return &rep, nil
}
