package wal

import (
	"fmt"

	"github.com/lsmkv/lsmkv/internal/checksum"
)

// verdict classifies the bytes at the reader's current offset.
type verdict int

const (
	recordOK      verdict = iota // a complete record that verifies
	recordEOF                    // no bytes left: the clean end of the log
	recordTorn                   // an incomplete record, or zeros, running to end of file
	recordDamaged                // anything else: damage in the middle of the log
)

// examine classifies the bytes at the current offset without consuming
// them. For recordOK, n is the record's encoded length; for recordTorn and
// recordDamaged, reason says what is wrong. err is an I/O error only.
//
// The rules, in order (docs/format-wal.md explains why):
//  1. fewer than HeaderLen bytes left: torn;
//  2. length > MaxPayloadLen: damaged, since no writer produces it;
//  3. record runs past end of file: torn, unless a verified record begins
//     somewhere after this offset, which proves the length was damaged;
//  4. checksum or log number wrong: torn if this byte and every byte after
//     it is zero, or if at least one byte follows the record and every byte
//     after the record is zero (a mapped log's append cut short: the
//     writer stores the checksum last, into a zero-filled tail); damaged
//     otherwise.
func (r *Reader) examine() (v verdict, n int, reason string, err error) {
	avail, err := r.win.fill(HeaderLen)
	switch {
	case err != nil:
		return 0, 0, "", err
	case avail == 0:
		return recordEOF, 0, "", nil
	case avail < HeaderLen:
		return recordTorn, 0, fmt.Sprintf("truncated record header: %d of %d bytes before end of file",
			avail, HeaderLen), nil
	}
	h := decodeHeader(r.win.bytes())
	if h.length > MaxPayloadLen {
		return recordDamaged, 0, fmt.Sprintf("record length %d exceeds the maximum %d",
			h.length, MaxPayloadLen), nil
	}
	n = HeaderLen + int(h.length)
	if avail, err = r.win.fill(n); err != nil {
		return 0, 0, "", err
	}
	if avail < n {
		return r.examinePastEOF(n, avail)
	}
	if _, ok := verifiedLen(r.win.bytes(), r.logNum); ok {
		return recordOK, n, "", nil
	}
	zero, err := r.win.zeroToEOF(0)
	if err != nil {
		return 0, 0, "", err
	}
	if zero {
		return recordTorn, 0, "zeroed bytes from here to end of file", nil
	}
	if avail, err = r.win.fill(n + 1); err != nil {
		return 0, 0, "", err
	}
	if avail > n {
		if zero, err = r.win.zeroToEOF(n); err != nil {
			return 0, 0, "", err
		}
		if zero {
			return recordTorn, 0, "record fails its checksum and only zeros follow it", nil
		}
	}
	if h.logNum != r.logNum && checksumOK(r.win.bytes()[:n]) {
		return recordDamaged, 0, fmt.Sprintf("record belongs to log %d, not %d", h.logNum, r.logNum), nil
	}
	return recordDamaged, 0, fmt.Sprintf("checksum mismatch: stored %#08x, computed %#08x",
		h.checksum, checksum.Sum(r.win.bytes()[lengthOffset:n])), nil
}

// examinePastEOF classifies a record of n bytes of which only avail remain
// before end of file; the window holds all of them.
func (r *Reader) examinePastEOF(n, avail int) (verdict, int, string, error) {
	// A torn write leaves a prefix of one record, so no verified record can
	// start inside it. If one does, this header's length was damaged, and
	// calling it a torn tail would silently drop the records after it.
	if i := findRecord(r.win.bytes()[1:], r.logNum); i >= 0 {
		return recordDamaged, 0, fmt.Sprintf(
			"record length runs past end of file, yet a valid record begins at offset %d",
			r.win.offset()+1+int64(i)), nil
	}
	return recordTorn, 0, fmt.Sprintf("truncated record: %d of %d bytes before end of file", avail, n), nil
}

// resync skips the damaged bytes at the current offset: it advances to the
// next offset at which a verified record begins, or to end of file, and
// counts what it skipped.
func (r *Reader) resync() error {
	start := r.win.offset()
	r.win.pos++
	for {
		avail, err := r.win.fill(HeaderLen)
		if err != nil {
			return err
		}
		if avail < HeaderLen {
			r.win.pos += avail // too short for a record: skip to end of file
			break
		}
		ok, err := r.verifiedHere()
		if err != nil {
			return err
		}
		if ok {
			break
		}
		r.win.pos++
	}
	r.skippedRecords++
	r.skippedBytes += r.win.offset() - start
	return nil
}

// verifiedHere reports whether a verified record begins at the current
// offset, reading as much of it as the file holds.
// REQUIRES: at least HeaderLen bytes are buffered.
func (r *Reader) verifiedHere() (bool, error) {
	h := decodeHeader(r.win.bytes())
	if h.logNum != r.logNum || h.length > MaxPayloadLen {
		return false, nil // cheap filters first: most garbage fails here
	}
	if _, err := r.win.fill(HeaderLen + int(h.length)); err != nil {
		return false, err
	}
	_, ok := verifiedLen(r.win.bytes(), r.logNum)
	return ok, nil
}
