package raftstore

import (
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"github.com/hashicorp/raft"
	"github.com/lsmkv/lsmkv"
)

// The value of a log entry, version 1 (docs/raft.md, "Log encoding"):
//
//	version byte = 1
//	type    byte   raft.LogType
//	flags   byte   bit 0: AppendedAt set; bit 1: Data non-nil;
//	               bit 2: Extensions non-nil; the other bits are 0
//	uvarint index  equal to the index in the key
//	uvarint term
//	[varint seconds, uvarint nanoseconds < 1e9]  AppendedAt, if bit 0
//	[uvarint length, bytes]                      Data, if bit 1
//	[uvarint length, bytes]                      Extensions, if bit 2
//
// and nothing after. lsmkv checksums every WAL record and table block, so
// the entry carries no checksum of its own; decodeLog still checks every
// field it reads, so damage that slipped past (or a value from another
// writer) is reported as corruption rather than decoded into nonsense or a
// panic. The index is repeated in the value to catch a value stored under
// the wrong key.
const (
	codecVersion byte = 1

	flagAppendedAt byte = 1 << 0
	flagData       byte = 1 << 1
	flagExtensions byte = 1 << 2
	knownFlags          = flagAppendedAt | flagData | flagExtensions

	logHeaderLen = 3 // version, type, flags
)

// encodedLogLen bounds the length of l's encoding.
func encodedLogLen(l *raft.Log) int {
	const maxUvarint = binary.MaxVarintLen64
	return logHeaderLen + 2*maxUvarint + // index, term
		2*maxUvarint + // AppendedAt
		2*maxUvarint + len(l.Data) + len(l.Extensions)
}

// appendLog appends the encoding of l to dst.
func appendLog(dst []byte, l *raft.Log) []byte {
	var flags byte
	if !l.AppendedAt.IsZero() {
		flags |= flagAppendedAt
	}
	if l.Data != nil {
		flags |= flagData
	}
	if l.Extensions != nil {
		flags |= flagExtensions
	}
	dst = slices.Grow(dst, encodedLogLen(l))
	dst = append(dst, codecVersion, byte(l.Type), flags)
	dst = binary.AppendUvarint(dst, l.Index)
	dst = binary.AppendUvarint(dst, l.Term)
	if flags&flagAppendedAt != 0 {
		dst = binary.AppendVarint(dst, l.AppendedAt.Unix())
		dst = binary.AppendUvarint(dst, uint64(l.AppendedAt.Nanosecond()))
	}
	if flags&flagData != 0 {
		dst = binary.AppendUvarint(dst, uint64(len(l.Data)))
		dst = append(dst, l.Data...)
	}
	if flags&flagExtensions != 0 {
		dst = binary.AppendUvarint(dst, uint64(len(l.Extensions)))
		dst = append(dst, l.Extensions...)
	}
	return dst
}

// decodeLog decodes the value of log entry index into l. Data and
// Extensions alias buf, so buf must not be reused. Every error wraps
// lsmkv.ErrCorruption and names the index.
func decodeLog(index uint64, buf []byte, l *raft.Log) error {
	d := decoder{buf: buf}
	if len(buf) < logHeaderLen {
		return corruptLog(index, "%d-byte value is shorter than the header", len(buf))
	}
	if buf[0] != codecVersion {
		return corruptLog(index, "unknown encoding version %d", buf[0])
	}
	typ, flags := raft.LogType(buf[1]), buf[2]
	if flags&^knownFlags != 0 {
		return corruptLog(index, "unknown flags %#x", flags)
	}
	d.buf = buf[logHeaderLen:]
	gotIndex := d.uvarint("index")
	term := d.uvarint("term")
	var at time.Time
	if flags&flagAppendedAt != 0 {
		sec := d.varint("AppendedAt seconds")
		nsec := d.uvarint("AppendedAt nanoseconds")
		if d.err == nil && nsec >= 1e9 {
			d.fail("AppendedAt nanoseconds %d out of range", nsec)
		}
		at = time.Unix(sec, int64(nsec))
	}
	var data, ext []byte
	if flags&flagData != 0 {
		data = d.bytes("Data")
	}
	if flags&flagExtensions != 0 {
		ext = d.bytes("Extensions")
	}
	switch {
	case d.err != nil:
		return corruptLog(index, "%v", d.err)
	case len(d.buf) != 0:
		return corruptLog(index, "%d trailing bytes", len(d.buf))
	case gotIndex != index:
		return corruptLog(index, "value holds index %d", gotIndex)
	}
	*l = raft.Log{Index: index, Term: term, Type: typ, Data: data, Extensions: ext, AppendedAt: at}
	return nil
}

func corruptLog(index uint64, format string, args ...any) error {
	return fmt.Errorf("raftstore: log entry %d: %s: %w", index, fmt.Sprintf(format, args...), lsmkv.ErrCorruption)
}

// decoder reads fields off buf; the first failure sticks, so a caller
// checks err once after reading every field.
type decoder struct {
	buf []byte
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf(format, args...)
	}
}

func (d *decoder) uvarint(field string) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.buf)
	if n <= 0 {
		d.fail("bad varint for %s", field)
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

func (d *decoder) varint(field string) int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.buf)
	if n <= 0 {
		d.fail("bad varint for %s", field)
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

// bytes reads a length-prefixed field. The result is never nil: the flag
// that led here says the field was non-nil when encoded.
func (d *decoder) bytes(field string) []byte {
	n := d.uvarint(field + " length")
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.buf)) {
		d.fail("%s length %d exceeds the %d bytes left", field, n, len(d.buf))
		return nil
	}
	b := d.buf[:n:n]
	d.buf = d.buf[n:]
	return b
}
