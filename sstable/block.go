package sstable

import (
	"encoding/binary"

	"github.com/golang/snappy"
	"github.com/lsmkv/lsmkv/internal/checksum"
	"github.com/lsmkv/lsmkv/internal/corruption"
)

// maxSnappyRatio bounds how much a stored block may claim to expand, so a
// damaged length cannot make the reader allocate gigabytes. Snappy's best
// case (long copies) is about 21:1.
const maxSnappyRatio = 32

// decodeStoredBlock verifies the trailer of buf (stored block + 5-byte
// trailer read from offset off) and returns the block's decoded contents
// with the compression it was stored with.
func decodeStoredBlock(name string, off int64, buf []byte) ([]byte, Compression, error) {
	if len(buf) < blockTrailerLen {
		return nil, 0, corruption.Errorf(name, off, "block of %d bytes has no trailer", len(buf))
	}
	n := len(buf) - blockTrailerLen
	stored, kind := buf[:n], Compression(buf[n])
	// The checksum covers the stored bytes and the kind byte.
	if got, want := binary.LittleEndian.Uint32(buf[n+1:]), checksum.Sum(buf[:n+1]); got != want {
		return nil, 0, corruption.Errorf(name, off, "block checksum %#08x, want %#08x", got, want)
	}
	switch kind {
	case NoCompression:
		return stored, kind, nil
	case SnappyCompression:
		dlen, err := snappy.DecodedLen(stored)
		if err != nil || dlen > maxSnappyRatio*n+64 {
			return nil, 0, corruption.Errorf(name, off, "bad snappy block header (length %d)", dlen)
		}
		out, err := snappy.Decode(make([]byte, dlen), stored)
		if err != nil {
			return nil, 0, corruption.Errorf(name, off, "snappy: %w", err)
		}
		return out, kind, nil
	}
	return nil, 0, corruption.Errorf(name, off, "unknown block compression %d", kind)
}
