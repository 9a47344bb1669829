package bench

import (
	"encoding/json"
	"fmt"
	"io"
)

// WriteJSON writes rep as indented JSON. Durations are integer
// nanoseconds; ReadJSON reads it back.
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
