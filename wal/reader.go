package wal

import (
	"fmt"
	"io"

	"github.com/lsmkv/lsmkv/internal/corruption"
)

// RecoveryMode says what a Reader does when it meets damaged bytes.
type RecoveryMode int

const (
	// Strict (the zero value) reports any damage, an incomplete final
	// record included, as an error wrapping ErrCorruption. Recovery reads
	// every WAL but the newest this way, and kvtool checks them so.
	Strict RecoveryMode = iota
	// TolerateTornTail is Strict, except that an incomplete or zeroed
	// record running to the end of the file silently ends the log
	// (Reader.TornTail reports it): what a crash in the middle of an
	// append leaves. Only the log being appended to can be torn
	// (RecoveryModes), and a manifest's tail.
	TolerateTornTail
	// SkipCorrupted salvages what it can: it skips damaged bytes by scanning
	// forward, byte by byte, for the next record that verifies, counts what
	// it skipped (see Reader.Skipped) and keeps going; a torn tail ends the
	// log as in TolerateTornTail. Next never returns a corruption error in
	// this mode.
	SkipCorrupted
)

func (m RecoveryMode) String() string {
	switch m {
	case Strict:
		return "Strict"
	case TolerateTornTail:
		return "TolerateTornTail"
	case SkipCorrupted:
		return "SkipCorrupted"
	}
	return fmt.Sprintf("RecoveryMode(%d)", int(m))
}

// ReaderOptions configure a Reader. The zero value reads a log numbered 0
// strictly.
type ReaderOptions struct {
	Name   string       // file name used in error messages
	LogNum uint64       // the log's file number; headers hold its low 32 bits
	Mode   RecoveryMode // what to do about damage; default Strict
}

// Reader returns the payloads of one WAL file in order, streaming it through
// a buffer that grows to hold the largest record.
//
// Concurrency: a Reader is not safe for concurrent use.
//
// Invariants:
//   - every payload returned lies in a record that verified: its checksum
//     matches and its header names this log;
//   - in Strict and TolerateTornTail modes the records returned are
//     contiguous from offset 0, and io.EOF means every byte was accounted
//     for (read, or dropped as a torn tail that TornTail reports);
//   - each call to Next consumes at least one byte or ends the log, so
//     reading always terminates.
type Reader struct {
	opts   ReaderOptions
	logNum uint32 // low 32 bits of opts.LogNum, as stored in headers
	win    window

	err            error // sticky: io.EOF, a corruption error or an I/O error
	recOffset      int64 // offset of the record last returned, -1 before any
	skippedRecords int
	skippedBytes   int64
	tornTail       bool
}

// NewReader returns a Reader of the log whose bytes src yields from offset 0.
func NewReader(src io.Reader, opts ReaderOptions) *Reader {
	return &Reader{
		opts:      opts,
		logNum:    uint32(opts.LogNum),
		win:       window{src: src, name: opts.Name},
		recOffset: -1,
	}
}

// Next returns the next payload. The slice is valid until the next call.
// At the clean end of the log, including a tolerated torn tail, it returns
// io.EOF. Errors about damaged bytes wrap ErrCorruption and name the file and
// offset; I/O errors from the source are returned wrapped as they are. Once
// Next returns an error it returns the same error for ever.
func (r *Reader) Next() ([]byte, error) {
	if r.err != nil {
		return nil, r.err
	}
	for {
		v, n, reason, err := r.examine()
		if err != nil {
			r.err = err
			return nil, err
		}
		switch {
		case v == recordOK:
			r.recOffset = r.win.offset()
			rec := r.win.bytes()[:n:n] // full slice expression: appending must not clobber the window
			r.win.pos += n
			return rec[HeaderLen:], nil
		case v == recordEOF, v == recordTorn && r.opts.Mode != Strict:
			r.tornTail = v == recordTorn
			r.err = io.EOF
			return nil, io.EOF
		case r.opts.Mode != SkipCorrupted:
			r.err = fmt.Errorf("lsmkv/wal: %w", corruption.Errorf(r.opts.Name, r.win.offset(), "%s", reason))
			return nil, r.err
		}
		if err := r.resync(); err != nil {
			r.err = err
			return nil, err
		}
	}
}

// Offset returns the file offset of the record whose payload Next last
// returned, or -1 if Next has returned none.
func (r *Reader) Offset() int64 { return r.recOffset }

// Skipped reports, for SkipCorrupted mode, how many damaged stretches the
// reader skipped and how many bytes they held in all. Each stretch starts at
// a record that failed its checks and ends where the next verified record
// begins (or at end of file); it may have held several records.
func (r *Reader) Skipped() (records int, bytes int64) {
	return r.skippedRecords, r.skippedBytes
}

// TornTail reports whether the log ended in a torn tail that was dropped
// (never in Strict mode).
func (r *Reader) TornTail() bool { return r.tornTail }

// End returns the offset where reading stopped: the file's size after a
// clean end, the start of the dropped bytes after a torn tail, or the
// start of the damage after a corruption error.
func (r *Reader) End() int64 { return r.win.offset() }
