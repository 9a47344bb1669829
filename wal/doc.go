// Package wal is the write-ahead log: every committed batch is appended to
// the current log file before it is applied to the memtable, and on Open the
// logs not yet flushed to SSTables are replayed. The byte format and the
// reader's rules for torn tails and corruption are in docs/format-wal.md.
//
// A log is a sequence of records, each
// checksum u32 | length u32 | logNum u32 | payload. The package neither
// knows nor cares what a payload holds (the DB stores batches in them).
//
// Concurrency: a Writer and a Reader are each used by one goroutine at a
// time; neither is safe for concurrent use. The DB serialises appends and
// does group commit by concatenating many batches into one payload, then
// one Append and at most one Sync.
//
// Invariants: a record is valid only if its checksum matches and it names
// this log; the Reader returns only valid records; after Append returns nil
// the record has reached the OS (in one Write, or copied into a shared
// mapping of the file: docs/format-wal.md, "Mapped logs"); a failed Write
// or Sync poisons the Writer. Only the root package's API is a stability promise.
//
// Usage:
//
//	f, _ := fs.Create(filename.Path(dir, filename.Log, 7))
//	w := wal.NewWriter(f, 7)
//	if err := w.Append(groupPayload); err != nil { ... } // switch logs
//	if err := w.Sync(); err != nil { ... }               // now durable
//	_ = w.Close()
//
//	f, _ = fs.Open(filename.Path(dir, filename.Log, 7))
//	r := wal.NewReader(f, wal.ReaderOptions{Name: "000007.log", LogNum: 7, Mode: modes[i]}) // RecoveryModes
//	for p, err := r.Next(); err != io.EOF; p, err = r.Next() {
//		if err != nil { return err } // errors.Is(err, wal.ErrCorruption)
//		apply(p)                      // p is valid until the next Next
//	}
package wal
