package sstable

import (
	"encoding/binary"

	"github.com/lsmkv/lsmkv/internal/checksum"
	"github.com/lsmkv/lsmkv/internal/corruption"
)

// handle locates a stored block: offset of its first byte and its stored
// length, not counting the 5-byte trailer.
type handle struct {
	offset, length uint64
}

// appendUvarints appends h as two uvarints (the form used in index entries).
func (h handle) appendUvarints(dst []byte) []byte {
	dst = binary.AppendUvarint(dst, h.offset)
	return binary.AppendUvarint(dst, h.length)
}

// decodeHandle parses an index entry's value; ok is false if it is not
// exactly two uvarints.
func decodeHandle(b []byte) (h handle, ok bool) {
	off, n1 := binary.Uvarint(b)
	if n1 <= 0 {
		return handle{}, false
	}
	length, n2 := binary.Uvarint(b[n1:])
	if n2 <= 0 || n1+n2 != len(b) {
		return handle{}, false
	}
	return handle{off, length}, true
}

// footer is the fixed-size end of every table (docs/format-sstable.md,
// "Footer"):
//
//	index handle (16) | filter handle (16) | properties handle (16) |
//	version uint32 | checksum uint32 of bytes [0,52) | magic uint64
//
// Each handle is a uint64 LE offset then a uint64 LE length. A filter
// handle with length 0 means the table has no filter.
type footer struct {
	index, filter, properties handle
	version                   uint32
}

func (f *footer) encode(dst []byte) []byte {
	start := len(dst)
	for _, h := range [3]handle{f.index, f.filter, f.properties} {
		dst = binary.LittleEndian.AppendUint64(dst, h.offset)
		dst = binary.LittleEndian.AppendUint64(dst, h.length)
	}
	dst = binary.LittleEndian.AppendUint32(dst, f.version)
	dst = binary.LittleEndian.AppendUint32(dst, checksum.Sum(dst[start:]))
	return binary.LittleEndian.AppendUint64(dst, tableMagic)
}

// decodeFooter checks and parses the last footerLen bytes of a file; off is
// their file offset (for errors).
func decodeFooter(name string, off int64, b []byte) (footer, error) {
	if len(b) != footerLen {
		return footer{}, corruption.Errorf(name, off, "footer is %d bytes, want %d", len(b), footerLen)
	}
	if m := binary.LittleEndian.Uint64(b[56:]); m != tableMagic {
		return footer{}, corruption.Errorf(name, off, "bad magic %#016x: not an lsmkv table", m)
	}
	if got, want := binary.LittleEndian.Uint32(b[52:]), checksum.Sum(b[:52]); got != want {
		return footer{}, corruption.Errorf(name, off, "footer checksum %#08x, want %#08x", got, want)
	}
	var f footer
	hs := [3]*handle{&f.index, &f.filter, &f.properties}
	for i, h := range hs {
		h.offset = binary.LittleEndian.Uint64(b[16*i:])
		h.length = binary.LittleEndian.Uint64(b[16*i+8:])
	}
	f.version = binary.LittleEndian.Uint32(b[48:])
	if f.version < minFormatVersion || f.version > FormatVersion {
		return footer{}, corruption.Errorf(name, off, "unsupported format version %d, want %d..%d",
			f.version, minFormatVersion, FormatVersion)
	}
	return f, nil
}
