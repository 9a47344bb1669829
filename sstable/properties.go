package sstable

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/lsmkv/lsmkv/internal/corruption"
	"github.com/lsmkv/lsmkv/internal/keys"
)

// Properties describes a table. The Writer fills it as it goes and stores it
// in the properties block; the Reader loads it at Open.
type Properties struct {
	NumEntries    uint64 // entries (sets and tombstones)
	NumDeletions  uint64 // entries of kind keys.KindDelete
	RawKeyBytes   uint64 // sum of internal key lengths, before compression
	RawValueBytes uint64 // sum of value lengths, before compression
	NumDataBlocks uint64
	DataBytes     uint64 // bytes of data blocks as stored, trailers included
	IndexBytes    uint64 // bytes of the index block as stored, trailer included
	FilterBytes   uint64 // bytes of the filter block as stored, trailer included; 0 if none
	// FileSize is the size of the whole file. It is not stored in the
	// properties block (it would have to include itself): the Writer and
	// Open fill it in.
	FileSize uint64

	Smallest, Largest       []byte // bounds of the entries and range tombstones; empty if the table holds neither
	SmallestSeq, LargestSeq keys.SeqNum
	Compression             Compression // the compression the writer was asked for
	BloomBitsPerKey         int         // 0 if the table has no filter
	BlockSize               int         // the target data block size
	FormatVersion           uint32
	// NumRangeDels counts the range tombstones (fragment × sequence number)
	// of the range-deletion block, which RangeDel locates; both zero when
	// the table has none (and in every format-1 table). Smallest, Largest
	// and the sequence bounds cover the tombstones as well as the points.
	NumRangeDels uint64
	RangeDel     BlockHandle
}

// BlockHandle locates a stored block (its trailer follows it).
type BlockHandle struct {
	Offset, Length uint64
}

func (p *Properties) String() string {
	s := fmt.Sprintf("entries=%d deletions=%d blocks=%d data=%dB index=%dB filter=%dB keys=[%s, %s] seqs=[%d, %d] %s bloom=%d blocksize=%d v%d",
		p.NumEntries, p.NumDeletions, p.NumDataBlocks, p.DataBytes, p.IndexBytes, p.FilterBytes,
		keys.String(p.Smallest), keys.String(p.Largest), p.SmallestSeq, p.LargestSeq,
		p.Compression, p.BloomBitsPerKey, p.BlockSize, p.FormatVersion)
	if p.NumRangeDels > 0 {
		s += fmt.Sprintf(" rangedels=%d", p.NumRangeDels)
	}
	return s
}

// encodeProperties appends the properties block contents: a sequence of
// (uvarint tag, uvarint length, bytes) fields in tag order. Integers are
// uvarints inside their field; keys are raw bytes. The length prefix lets a
// reader skip tags it does not know.
func encodeProperties(dst []byte, p *Properties) []byte {
	var tmp [binary.MaxVarintLen64]byte
	putUint := func(tag, v uint64) {
		n := binary.PutUvarint(tmp[:], v)
		dst = putField(dst, tag, tmp[:n])
	}
	putUint(propNumEntries, p.NumEntries)
	putUint(propNumDeletions, p.NumDeletions)
	putUint(propRawKeyBytes, p.RawKeyBytes)
	putUint(propRawValueBytes, p.RawValueBytes)
	putUint(propNumDataBlocks, p.NumDataBlocks)
	putUint(propDataBytes, p.DataBytes)
	putUint(propIndexBytes, p.IndexBytes)
	putUint(propFilterBytes, p.FilterBytes)
	dst = putField(dst, propSmallest, p.Smallest)
	dst = putField(dst, propLargest, p.Largest)
	putUint(propSmallestSeq, uint64(p.SmallestSeq))
	putUint(propLargestSeq, uint64(p.LargestSeq))
	putUint(propCompression, uint64(p.Compression))
	putUint(propBloomBitsPerKey, uint64(p.BloomBitsPerKey))
	putUint(propBlockSize, uint64(p.BlockSize))
	putUint(propFormatVersion, uint64(p.FormatVersion))
	if p.NumRangeDels > 0 {
		putUint(propNumRangeDels, p.NumRangeDels)
		putUint(propRangeDelOffset, p.RangeDel.Offset)
		putUint(propRangeDelLength, p.RangeDel.Length)
	}
	return dst
}

func putField(dst []byte, tag uint64, b []byte) []byte {
	dst = binary.AppendUvarint(dst, tag)
	dst = binary.AppendUvarint(dst, uint64(len(b)))
	return append(dst, b...)
}

// decodeProperties parses a properties block. Keys are copied, so the
// result does not alias block. Unknown tags are skipped.
func decodeProperties(name string, off int64, block []byte) (Properties, error) {
	var p Properties
	bad := func(format string, args ...any) (Properties, error) {
		return Properties{}, corruption.Errorf(name, off, "properties: "+format, args...)
	}
	for pos := 0; pos < len(block); {
		tag, n1 := binary.Uvarint(block[pos:])
		if n1 <= 0 {
			return bad("bad tag at %d", pos)
		}
		length, n2 := binary.Uvarint(block[pos+n1:])
		if n2 <= 0 || length > uint64(len(block)-pos-n1-n2) {
			return bad("bad length for tag %d at %d", tag, pos)
		}
		field := block[pos+n1+n2 : pos+n1+n2+int(length)]
		pos += n1 + n2 + int(length)
		if err := p.setField(tag, field); err != "" {
			return bad("tag %d at %d: %s", tag, pos, err)
		}
	}
	// The range-deletion fields come together or not at all (the writer
	// writes them only for a table with tombstones).
	if (p.NumRangeDels == 0) != (p.RangeDel == BlockHandle{}) {
		return bad("range-deletion block %+v with %d range tombstones", p.RangeDel, p.NumRangeDels)
	}
	return p, nil
}

// setField stores one decoded field; it returns a reason if the field is bad.
func (p *Properties) setField(tag uint64, field []byte) string {
	switch tag {
	case propSmallest:
		p.Smallest = append([]byte(nil), field...)
		return ""
	case propLargest:
		p.Largest = append([]byte(nil), field...)
		return ""
	}
	if tag > propRangeDelLength {
		return "" // a field from a newer writer: skip it
	}
	v, n := binary.Uvarint(field)
	if n <= 0 || n != len(field) {
		return "bad integer"
	}
	small := v <= math.MaxInt32 // for the int-sized fields
	switch tag {
	case propNumEntries:
		p.NumEntries = v
	case propNumDeletions:
		p.NumDeletions = v
	case propRawKeyBytes:
		p.RawKeyBytes = v
	case propRawValueBytes:
		p.RawValueBytes = v
	case propNumDataBlocks:
		p.NumDataBlocks = v
	case propDataBytes:
		p.DataBytes = v
	case propIndexBytes:
		p.IndexBytes = v
	case propFilterBytes:
		p.FilterBytes = v
	case propSmallestSeq:
		p.SmallestSeq = keys.SeqNum(v)
	case propLargestSeq:
		p.LargestSeq = keys.SeqNum(v)
	case propCompression:
		if v > uint64(SnappyCompression) {
			return "unknown compression"
		}
		p.Compression = Compression(v)
	case propBloomBitsPerKey, propBlockSize, propFormatVersion:
		if !small {
			return "value out of range"
		}
		p.setSmall(tag, int(v))
	case propNumRangeDels:
		p.NumRangeDels = v
	case propRangeDelOffset:
		p.RangeDel.Offset = v
	case propRangeDelLength:
		p.RangeDel.Length = v
	}
	return ""
}

func (p *Properties) setSmall(tag uint64, v int) {
	switch tag {
	case propBloomBitsPerKey:
		p.BloomBitsPerKey = v
	case propBlockSize:
		p.BlockSize = v
	case propFormatVersion:
		p.FormatVersion = uint32(v)
	}
}
