package wal

import (
	"bytes"
	"encoding/binary"
	"github.com/stretchr/testify/require"
	"io"
	"testing"
)

const logName = "000007.log"

// TestTornTailAtEveryOffset cuts a log at every byte offset: the records
// wholly before the cut are returned, and a cut inside a record is a torn
// tail, tolerated only in TolerateTornTail mode.
func TestTornTailAtEveryOffset(t *testing.T) {
	rng := newRand(t)
	payloads := append(smallPayloads(rng, 5, 40), []byte{}, make([]byte, 300))
	data, offs := encodeLog(testLogNum, payloads)
	for cut := 0; cut <= len(data); cut++ {
		whole := 0 // records wholly before the cut
		for whole < len(offs) && offs[whole]+HeaderLen+int64(len(payloads[whole])) <= int64(cut) {
			whole++
		}
		atBoundary := cut == len(data) || (whole < len(offs) && offs[whole] == int64(cut))
		for _, allow := range []bool{false, true} {
			opts := ReaderOptions{Name: logName, LogNum: testLogNum, Mode: tornMode(allow)}
			res := readBytes(t, data[:cut], opts)
			requirePayloads(t, payloads[:whole], res.payloads)
			switch {
			case atBoundary:
				if res.err != io.EOF || res.torn {
					t.Fatalf("cut=%d at a record boundary: err=%v torn=%v", cut, res.err, res.torn)
				}
			case allow:
				if res.err != io.EOF || !res.torn {
					t.Fatalf("cut=%d allow: err=%v torn=%v, want io.EOF and a torn tail", cut, res.err, res.torn)
				}
			default:
				requireCorruptionAt(t, res.err, logName, offs[whole])
			}
		}
	}
}

// flipEveryBit calls fn with a copy of data in which one bit of
// data[from:to] is flipped, for every such bit.
func flipEveryBit(data []byte, from, to int64, fn func(damaged []byte, i int64, bit uint)) {
	for i := from; i < to; i++ {
		for bit := uint(0); bit < 8; bit++ {
			d := bytes.Clone(data)
			d[i] ^= 1 << bit
			fn(d, i, bit)
		}
	}
}

// TestBitFlipInMiddleRecord: damage anywhere in a record that has another
// after it is corruption at that record's offset, even in the newest log.
func TestBitFlipInMiddleRecord(t *testing.T) {
	payloads := [][]byte{[]byte("first"), []byte("the middle record"), []byte("last")}
	data, offs := encodeLog(testLogNum, payloads)
	end := offs[1] + HeaderLen + int64(len(payloads[1]))
	flipEveryBit(data, offs[1], end, func(d []byte, i int64, bit uint) {
		for _, allow := range []bool{false, true} {
			res := readBytes(t, d, ReaderOptions{Name: logName, LogNum: testLogNum, Mode: tornMode(allow)})
			requirePayloads(t, payloads[:1], res.payloads)
			requireCorruptionAt(t, res.err, logName, offs[1])
		}
	})
}

// TestBitFlipInLastRecord: damage to the last record is corruption, not a
// torn tail, except when it grows the length field past end of file. That
// case is byte for byte what a torn write looks like, so it is a torn tail
// (see "Known limits" in docs/format-wal.md); this test pins it.
func TestBitFlipInLastRecord(t *testing.T) {
	payloads := [][]byte{[]byte("first"), []byte("the last record")}
	data, offs := encodeLog(testLogNum, payloads)
	flipEveryBit(data, offs[1], int64(len(data)), func(d []byte, i int64, bit uint) {
		res := readBytes(t, d, ReaderOptions{Name: logName, LogNum: testLogNum, Mode: TolerateTornTail})
		requirePayloads(t, payloads[:1], res.payloads)
		newLen := binary.LittleEndian.Uint32(d[offs[1]+lengthOffset:])
		if newLen > uint32(len(payloads[1])) && newLen <= MaxPayloadLen {
			if res.err != io.EOF || !res.torn {
				t.Fatalf("byte %d bit %d: err=%v torn=%v, want a torn tail", i, bit, res.err, res.torn)
			}
			return
		}
		requireCorruptionAt(t, res.err, logName, offs[1])
	})
}

// TestZeroTail covers the zero rule: a stretch of zeros running to end of
// file is a torn tail (in the newest log only); zeros followed by anything
// else, or a record only partly zeroed, are corruption.
func TestZeroTail(t *testing.T) {
	good, _ := encodeLog(testLogNum, [][]byte{[]byte("a"), []byte("bb")})
	next, _ := encodeLog(testLogNum, [][]byte{[]byte("after")})
	zeroPayload := appendRecord(nil, testLogNum, []byte("xyz"))
	copy(zeroPayload[HeaderLen:], []byte{0, 0, 0})
	zeros := func(n int) []byte { return make([]byte, n) }
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	cases := []struct {
		name     string
		tail     []byte
		tornOK   bool // a torn tail in TolerateTornTail mode
		payloads int  // records returned in all
	}{
		{"1-zero", zeros(1), true, 2},
		{"header-minus-1", zeros(HeaderLen - 1), true, 2},
		{"header-of-zeros", zeros(HeaderLen), true, 2},
		{"100-zeros", zeros(100), true, 2},
		{"window-of-zeros", zeros(3*minWindow + 5), true, 2},
		{"zeros-then-byte", cat(zeros(40), []byte{1}), false, 2},
		{"zeros-then-record", cat(zeros(HeaderLen), next), false, 2},
		{"record-with-zeroed-payload", zeroPayload, false, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := cat(good, tc.tail)
			for _, allow := range []bool{false, true} {
				res := readBytes(t, data, ReaderOptions{Name: logName, LogNum: testLogNum, Mode: tornMode(allow)})
				if len(res.payloads) != tc.payloads {
					t.Fatalf("allow=%v: got %d payloads, want %d", allow, len(res.payloads), tc.payloads)
				}
				if allow && tc.tornOK {
					if res.err != io.EOF || !res.torn {
						t.Fatalf("err=%v torn=%v, want a torn tail", res.err, res.torn)
					}
					continue
				}
				requireCorruptionAt(t, res.err, logName, int64(len(good)))
			}
		})
	}
}

// TestBadHeaders covers headers that are damaged wherever they are.
func TestBadHeaders(t *testing.T) {
	first := appendRecord(nil, testLogNum, []byte("ok"))
	foreign := appendRecord(nil, testLogNum+1, []byte("from log 8"))
	tooLong := appendRecord(nil, testLogNum, []byte("x"))
	binary.LittleEndian.PutUint32(tooLong[lengthOffset:], MaxPayloadLen+1)
	cases := []struct {
		name   string
		rec    []byte
		reason string
	}{
		{"wrong-log-number", foreign, "belongs to log 8, not 7"},
		{"length-over-max", tooLong, "exceeds the maximum"},
	}
	for _, tc := range cases {
		for _, last := range []bool{false, true} {
			data := append(bytes.Clone(first), tc.rec...)
			if !last {
				data = append(data, first...)
			}
			res := readBytes(t, data, ReaderOptions{Name: logName, LogNum: testLogNum, Mode: TolerateTornTail})
			requirePayloads(t, [][]byte{[]byte("ok")}, res.payloads)
			requireCorruptionAt(t, res.err, logName, int64(len(first)))
			require.Contains(t, res.err.Error(), tc.reason, "%s last=%v", tc.name, last)
		}
	}
}

// TestHugeLengthDoesNotAllocate: a header promising MaxPayloadLen bytes in
// a short file is a torn tail, and the reader must not allocate a gigabyte
// to find that out.
func TestHugeLengthDoesNotAllocate(t *testing.T) {
	rec := appendRecord(nil, testLogNum, []byte("short"))
	binary.LittleEndian.PutUint32(rec[lengthOffset:], MaxPayloadLen)
	r := NewReader(bytes.NewReader(rec), ReaderOptions{LogNum: testLogNum, Mode: TolerateTornTail})
	_, err := r.Next()
	require.Equal(t, io.EOF, err)
	require.True(t, r.TornTail())
	if c := cap(r.win.buf); c > 2*minWindow {
		t.Fatalf("reader allocated %d bytes for a %d-byte file", c, len(rec))
	}
}

// TestDamagedLengthIsNotATornTail: a length field damaged to run past end
// of file in a middle record must not silently drop the records after it.
func TestDamagedLengthIsNotATornTail(t *testing.T) {
	payloads := [][]byte{[]byte("a"), []byte("b"), []byte("c")}
	data, offs := encodeLog(testLogNum, payloads)
	binary.LittleEndian.PutUint32(data[offs[1]+lengthOffset:], 1000)
	res := readBytes(t, data, ReaderOptions{Name: logName, LogNum: testLogNum, Mode: TolerateTornTail})
	requirePayloads(t, payloads[:1], res.payloads)
	requireCorruptionAt(t, res.err, logName, offs[1])
	require.Contains(t, res.err.Error(), "valid record begins at offset")
}
