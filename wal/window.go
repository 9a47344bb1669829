package wal

import (
	"fmt"
	"io"
)

const (
	// minWindow is the window's first allocation and the smallest read the
	// Reader issues while streaming.
	minWindow = 64 << 10
	// maxStalls bounds consecutive (0, nil) reads from a misbehaving source
	// before giving up, so a Reader cannot spin for ever.
	maxStalls = 100
)

// window is the Reader's view of the file: buf[pos:] holds bytes read from
// src but not yet consumed, and base is the file offset of buf[0]. It grows
// only as bytes actually arrive, so a garbage length field cannot make it
// allocate more than about twice what the file holds.
type window struct {
	src    io.Reader
	name   string // for I/O error messages
	buf    []byte
	pos    int
	base   int64
	eof    bool // src has reported io.EOF
	stalls int
}

// offset returns the file offset of the first unconsumed byte.
func (w *window) offset() int64 { return w.base + int64(w.pos) }

// bytes returns the buffered, unconsumed bytes. The slice is invalidated by
// the next fill.
func (w *window) bytes() []byte { return w.buf[w.pos:] }

// fill reads until at least n unconsumed bytes are buffered or the source is
// exhausted, and returns how many are buffered (fewer than n only at EOF).
// It may move the buffered bytes, so slices from bytes() must be retaken.
func (w *window) fill(n int) (int, error) {
	for len(w.buf)-w.pos < n && !w.eof {
		if w.pos > 0 {
			// Drop consumed bytes first. What is copied is less than n, and
			// the read that follows has at least as much room again.
			w.buf = w.buf[:copy(w.buf, w.buf[w.pos:])]
			w.base += int64(w.pos)
			w.pos = 0
		}
		if len(w.buf) == cap(w.buf) {
			grown := make([]byte, len(w.buf), max(2*cap(w.buf), minWindow))
			copy(grown, w.buf)
			w.buf = grown
		}
		m, err := w.src.Read(w.buf[len(w.buf):cap(w.buf)])
		w.buf = w.buf[:len(w.buf)+m]
		switch {
		case err == io.EOF:
			w.eof = true
		case err != nil:
			return len(w.buf) - w.pos, fmt.Errorf("lsmkv/wal: read %s at offset %d: %w",
				w.name, w.base+int64(len(w.buf)), err)
		case m == 0:
			if w.stalls++; w.stalls > maxStalls {
				return len(w.buf) - w.pos, fmt.Errorf("lsmkv/wal: read %s: %w", w.name, io.ErrNoProgress)
			}
		default:
			w.stalls = 0
		}
	}
	return len(w.buf) - w.pos, nil
}

// zeroToEOF reports whether every byte from from bytes past the current
// offset to end of file is zero. It reads only as far as the first non-zero
// byte. REQUIRES: at least from bytes are buffered.
func (w *window) zeroToEOF(from int) (bool, error) {
	for k := from; ; {
		for ; w.pos+k < len(w.buf); k++ {
			if w.buf[w.pos+k] != 0 {
				return false, nil
			}
		}
		if w.eof {
			return true, nil
		}
		if _, err := w.fill(k + 1); err != nil {
			return false, err
		}
	}
}
