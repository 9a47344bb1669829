package liveview

import (
	"time"

	"github.com/lsmkv/lsmkv"
)

// Event is one message of /api/events other than a tick: an engine event
// as JSON. Seq numbers every event the server published, so a client sees
// from a gap that it missed some. T is seconds since the server started.
type Event struct {
	Seq        uint64           `json:"seq"`
	T          float64          `json:"t"`
	Type       string           `json:"type"` // flush_begin, flush_end, compaction_begin, compaction_end, stall_begin, stall_end, table_created, table_deleted, background_error, phase
	Flush      *FlushEvent      `json:"flush,omitempty"`
	Compaction *CompactionEvent `json:"compaction,omitempty"`
	Stall      *StallEvent      `json:"stall,omitempty"`
	Table      *TableEvent      `json:"table,omitempty"`
	Phase      string           `json:"phase,omitempty"`
	Error      string           `json:"error,omitempty"`
	// Derived marks events inferred by diffing table sets (kvtool serve),
	// not reported by the engine.
	Derived bool `json:"derived,omitempty"`
}

// FlushEvent describes a flush; Output is the table written (0: none).
type FlushEvent struct {
	Job        int     `json:"job"`
	Bytes      int64   `json:"bytes"`
	Entries    int     `json:"entries"`
	Output     uint64  `json:"output,omitempty"`
	OutputSize uint64  `json:"output_size,omitempty"`
	DurationMS float64 `json:"duration_ms,omitempty"`
}

// CompactionEvent describes a compaction: its input and output tables by
// file number. End events carry the bytes and the duration.
type CompactionEvent struct {
	Job          int      `json:"job"`
	Kind         string   `json:"kind"`
	Reason       string   `json:"reason"`
	Level        int      `json:"level"`
	OutputLevel  int      `json:"output_level"`
	Inputs       []uint64 `json:"inputs"`
	Outputs      []uint64 `json:"outputs,omitempty"`
	BytesRead    uint64   `json:"bytes_read,omitempty"`
	BytesWritten uint64   `json:"bytes_written,omitempty"`
	DurationMS   float64  `json:"duration_ms,omitempty"`
}

// StallEvent describes a write stall.
type StallEvent struct {
	Cause      string  `json:"cause"`
	DurationMS float64 `json:"duration_ms,omitempty"`
}

// TableEvent names a table created or deleted (Level -1 when deleted).
type TableEvent struct {
	Num   uint64 `json:"num"`
	Level int    `json:"level"`
	Size  uint64 `json:"size,omitempty"`
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// Listener returns the EventListener to install in lsmkv.Options. Its
// funcs only convert the event and hand it to the server, which never
// blocks on a client.
func (s *Server) Listener() lsmkv.EventListener {
	return lsmkv.EventListener{
		FlushBegin: func(i lsmkv.FlushInfo) {
			s.publish(Event{Type: "flush_begin", Flush: flushEvent(i)})
		},
		FlushEnd: func(i lsmkv.FlushInfo) {
			s.publish(Event{Type: "flush_end", Flush: flushEvent(i), Error: errString(i.Err)})
		},
		CompactionBegin: func(i lsmkv.CompactionInfo) {
			s.publish(Event{Type: "compaction_begin", Compaction: compactionEvent(i)})
		},
		CompactionEnd: func(i lsmkv.CompactionInfo) {
			s.publish(Event{Type: "compaction_end", Compaction: compactionEvent(i), Error: errString(i.Err)})
		},
		WriteStallBegin: func(i lsmkv.WriteStallInfo) {
			s.publish(Event{Type: "stall_begin", Stall: &StallEvent{Cause: i.Cause}})
		},
		WriteStallEnd: func(i lsmkv.WriteStallInfo) {
			s.publish(Event{Type: "stall_end", Stall: &StallEvent{Cause: i.Cause, DurationMS: ms(i.Duration)}})
		},
		TableCreated: func(i lsmkv.TableInfo) {
			s.publish(Event{Type: "table_created", Table: &TableEvent{Num: i.FileNum, Level: i.Level, Size: i.Size}})
		},
		TableDeleted: func(i lsmkv.TableInfo) {
			s.publish(Event{Type: "table_deleted", Table: &TableEvent{Num: i.FileNum, Level: i.Level}})
		},
		BackgroundError: func(i lsmkv.BackgroundErrorInfo) {
			s.publish(Event{Type: "background_error", Error: errString(i.Err)})
		},
	}
}

func flushEvent(i lsmkv.FlushInfo) *FlushEvent {
	f := &FlushEvent{Job: i.JobID, Bytes: i.MemtableBytes, Entries: i.Entries, DurationMS: ms(i.Duration)}
	if i.Output != nil {
		f.Output, f.OutputSize = i.Output.FileNum, i.Output.Size
	}
	return f
}

func compactionEvent(i lsmkv.CompactionInfo) *CompactionEvent {
	c := &CompactionEvent{Job: i.JobID, Kind: i.Kind, Reason: i.Reason, Level: i.Level, OutputLevel: i.OutputLevel,
		Inputs: []uint64{}, BytesRead: i.BytesRead, BytesWritten: i.BytesWritten, DurationMS: ms(i.Duration)}
	for _, lt := range i.Inputs {
		for _, t := range lt.Tables {
			c.Inputs = append(c.Inputs, t.FileNum)
		}
	}
	for _, t := range i.Outputs {
		c.Outputs = append(c.Outputs, t.FileNum)
	}
	return c
}
