package lsmkv

import (
	"log/slog"

	"github.com/lsmkv/lsmkv/internal/filename"
)

// logListener is the listener that writes Options.Logger's lines: one per
// flush, compaction and write stall at Info, background errors at Error,
// nothing per write.
func logListener(log *slog.Logger) EventListener {
	return EventListener{
		FlushEnd: func(i FlushInfo) {
			switch {
			case i.Err != nil:
				log.Error("flush failed", "job", i.JobID, "wal", i.WAL, "err", i.Err)
			case i.Output == nil:
				log.Info("flush: memtable held nothing visible", "job", i.JobID, "wal", i.WAL)
			default:
				log.Info("flushed memtable to L0", "job", i.JobID,
					"table", filename.Make(filename.Table, i.Output.FileNum), "entries", i.Entries,
					"memtable_bytes", i.MemtableBytes, "table_bytes", i.Output.Size, "duration", i.Duration)
			}
		},
		CompactionEnd: func(i CompactionInfo) {
			if i.Err != nil {
				log.Error("compaction failed", "job", i.JobID, "reason", i.Reason, "err", i.Err)
				return
			}
			tables := 0
			for _, in := range i.Inputs {
				tables += len(in.Tables)
			}
			log.Info("compacted", "job", i.JobID, "kind", i.Kind, "reason", i.Reason,
				"from", i.Level, "to", i.OutputLevel, "input_tables", tables, "input_bytes", i.BytesRead,
				"outputs", len(i.Outputs), "output_bytes", i.BytesWritten, "duration", i.Duration)
		},
		WriteStallEnd: func(i WriteStallInfo) {
			log.Info("write stall", "reason", i.Cause, "duration", i.Duration)
		},
		BackgroundError: func(i BackgroundErrorInfo) {
			if i.Retryable {
				log.Error("background error: writes paused until a retry succeeds", "err", i.Err)
				return
			}
			log.Error("background error: writes stopped until the DB is reopened", "err", i.Err)
		},
	}
}
