package batchrepr

import (
	"encoding/binary"
	"fmt"

	"github.com/lsmkv/lsmkv/internal/keys"
)

// Reader decodes a batch's entries in order. It distrusts its input: every
// length is checked before slicing, and errors wrap ErrMalformed and give
// the payload offset of the damage.
//
// Concurrency: not safe for concurrent use.
type Reader struct {
	data  []byte // the whole batch
	pos   int    // offset of the next entry
	Seq   keys.SeqNum
	Count uint32
	read  uint32
}

// NewReader decodes data's header. An error means data cannot be a batch.
func NewReader(data []byte) (*Reader, error) {
	r := &Reader{}
	return r, r.Reset(data)
}

// Reset makes r read data from its first entry, so one Reader can decode
// many batches without allocating.
func (r *Reader) Reset(data []byte) error {
	*r = Reader{data: data, pos: HeaderLen}
	if len(data) < HeaderLen {
		return fmt.Errorf("%w: %d bytes is shorter than the %d-byte header", ErrMalformed, len(data), HeaderLen)
	}
	r.Seq = keys.SeqNum(binary.LittleEndian.Uint64(data[0:seqLen]))
	r.Count = binary.LittleEndian.Uint32(data[seqLen:HeaderLen])
	if uint64(r.Seq)+uint64(r.Count) > uint64(keys.MaxSeqNum) {
		return fmt.Errorf("%w: sequence number %d + count %d overflows", ErrMalformed, r.Seq, r.Count)
	}
	return nil
}

// Offset returns the payload offset of the next entry (or of the end).
func (r *Reader) Offset() int { return r.pos }

// Next returns the next entry; ok is false at the end. key and value alias
// the batch; a range deletion's start is in key and its end in value. An error means the bytes are malformed, including a count
// that disagrees with the entries.
func (r *Reader) Next() (kind keys.Kind, key, value []byte, ok bool, err error) {
	if r.read == r.Count {
		if r.pos != len(r.data) {
			return 0, nil, nil, false, fmt.Errorf("%w: %d trailing bytes after %d entries at payload offset %d",
				ErrMalformed, len(r.data)-r.pos, r.Count, r.pos)
		}
		return 0, nil, nil, false, nil
	}
	p := r.data[r.pos:]
	if len(p) == 0 {
		return 0, nil, nil, false, r.errorf("missing")
	}
	kind = keys.Kind(p[0])
	if !validKind(kind) {
		return 0, nil, nil, false, r.errorf("unknown kind %d", p[0])
	}
	n := 1
	if key, n, err = r.lengthPrefixed(p, n, "key"); err != nil {
		return 0, nil, nil, false, err
	}
	if hasValue(kind) {
		if value, n, err = r.lengthPrefixed(p, n, "value"); err != nil {
			return 0, nil, nil, false, err
		}
	}
	r.pos += n
	r.read++
	return kind, key, value, true, nil
}

// lengthPrefixed decodes the uvarint length at p[n:] and the bytes after
// it, returning them and the offset past them.
func (r *Reader) lengthPrefixed(p []byte, n int, what string) ([]byte, int, error) {
	l, w := binary.Uvarint(p[n:])
	if w <= 0 {
		return nil, 0, r.errorf("bad %s length", what)
	}
	n += w
	if l > uint64(len(p)-n) {
		return nil, 0, r.errorf("%s length %d runs past the end (%d bytes left)", what, l, len(p)-n)
	}
	return p[n : n+int(l)], n + int(l), nil
}

func (r *Reader) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: entry %d at payload offset %d: %s", ErrMalformed, r.read, r.pos, fmt.Sprintf(format, args...))
}
