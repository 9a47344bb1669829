package sstable

import "fmt"

// The SSTable wire format in three lines (docs/format-sstable.md has every
// byte): data blocks, then filter, index and properties blocks, each followed
// by a 5-byte trailer (compression kind, checksum); then a fixed 64-byte footer.

// Format constants. Changing any of them changes the bytes on disk: bump
// FormatVersion and update docs/format-sstable.md and testdata/golden.sst.
const (
	// FormatVersion is written in the footer and in the properties block.
	// Version 2 added the range-deletion block (located by properties
	// fields); a reader reads versions minFormatVersion..FormatVersion.
	FormatVersion    uint32 = 2
	minFormatVersion uint32 = 1
	// tableMagic is "lsmkvsst" read as a little-endian uint64; it ends the file.
	tableMagic uint64 = 0x747373766b6d736c

	// blockTrailerLen is the kind byte plus the uint32 LE checksum that
	// follow every stored block.
	blockTrailerLen = 5
	// footerLen: three fixed 16-byte handles (index, filter, properties),
	// uint32 version, uint32 checksum of the preceding 52 bytes, uint64 magic.
	footerLen = 3*16 + 4 + 4 + 8

	// dataRestartInterval is the number of entries between restart points in
	// a data block; index blocks restart at every entry so that a binary
	// search over restarts finds the exact handle. They are also the longest
	// restart runs a reader accepts: a longer run is corruption (see
	// blockIter), so changing them needs a new FormatVersion.
	dataRestartInterval     = 16
	indexRestartInterval    = 1
	rangeDelRestartInterval = 1 // the block is decoded whole, at Open

	// Property tags (see properties.go). Tags are never reused.
	propNumEntries      = 1
	propNumDeletions    = 2
	propRawKeyBytes     = 3
	propRawValueBytes   = 4
	propNumDataBlocks   = 5
	propDataBytes       = 6
	propIndexBytes      = 7
	propFilterBytes     = 8
	propSmallest        = 9
	propLargest         = 10
	propSmallestSeq     = 11
	propLargestSeq      = 12
	propCompression     = 13
	propBloomBitsPerKey = 14
	propBlockSize       = 15
	propFormatVersion   = 16
	propNumRangeDels    = 17 // format 2: range tombstones in the range-deletion block
	propRangeDelOffset  = 18 // format 2: handle of the range-deletion block
	propRangeDelLength  = 19
)

// Compression is how a stored block's bytes are encoded. The values are on
// disk (block trailers, properties) and are never renumbered.
type Compression uint8

// Compression kinds.
const (
	NoCompression     Compression = 0
	SnappyCompression Compression = 1
)

func (c Compression) String() string {
	switch c {
	case NoCompression:
		return "none"
	case SnappyCompression:
		return "snappy"
	}
	return fmt.Sprintf("compression(%d)", uint8(c))
}

// Defaults for WriterOptions.
const (
	DefaultBlockSize       = 4 << 10
	DefaultBloomBitsPerKey = 10
)
