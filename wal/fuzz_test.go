package wal

import (
	"bytes"
	"encoding/binary"
	"github.com/stretchr/testify/require"
	"io"
	"testing"
)

// fuzzSeeds returns valid and damaged logs of log testLogNum.
func fuzzSeeds() [][]byte {
	valid, offs := encodeLog(testLogNum, [][]byte{[]byte("hello"), {}, bytes.Repeat([]byte("ab"), 40), []byte("end")})
	flipped := bytes.Clone(valid)
	flipped[offs[2]+HeaderLen+3] ^= 0x10
	longLen := bytes.Clone(valid)
	binary.LittleEndian.PutUint32(longLen[offs[1]+lengthOffset:], 1<<20)
	return [][]byte{
		nil,
		valid,
		valid[:len(valid)-2],
		append(bytes.Clone(valid), make([]byte, 20)...),
		flipped,
		longLen,
		appendRecord(nil, testLogNum+1, []byte("foreign")),
	}
}

// FuzzReader feeds arbitrary bytes to the Reader in every mode. It must not
// panic, must terminate, and every payload it returns must be a record that
// verifies, found exactly where Offset says. In TolerateTornTail mode the
// records must also be contiguous and io.EOF must account for every byte.
func FuzzReader(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s, false, false)
		f.Add(s, true, true)
	}
	f.Fuzz(func(t *testing.T, data []byte, allowTorn, skip bool) {
		opts := ReaderOptions{Name: logName, LogNum: testLogNum, Mode: tornMode(allowTorn)}
		if skip {
			opts.Mode = SkipCorrupted
		}
		res := readBytes(t, data, opts)
		var next int64 // where the next record must start in TolerateTornTail mode
		for i, p := range res.payloads {
			rec := appendRecord(nil, testLogNum, p)
			off := res.offsets[i]
			if off < 0 || off+int64(len(rec)) > int64(len(data)) || !bytes.Equal(rec, data[off:off+int64(len(rec))]) {
				t.Fatalf("payload %d at offset %d is not a verified record", i, off)
			}
			if !skip && off != next {
				t.Fatalf("payload %d at offset %d, want %d", i, off, next)
			}
			next = off + int64(len(rec))
		}
		switch {
		case skip:
			require.Equal(t, io.EOF, res.err, "salvage mode reports no errors on an in-memory log")
		case res.err == io.EOF && !res.torn:
			require.Equal(t, int64(len(data)), next, "clean io.EOF must consume the whole file")
		case res.err == io.EOF:
			require.True(t, allowTorn, "torn tail in Strict mode")
			require.Equal(t, next, res.end, "the torn tail starts after the last record")
		default:
			requireCorruptionAt(t, res.err, logName, next)
		}
	})
}

// FuzzRoundTrip: encoding payloads with a Writer and reading them back is
// the identity. The fuzzer's bytes are cut into payloads whose lengths
// follow from step.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte("hello"), uint8(3))
	f.Add([]byte{}, uint8(0))
	f.Add(bytes.Repeat([]byte{0}, 100), uint8(7))
	f.Fuzz(func(t *testing.T, data []byte, step uint8) {
		var payloads [][]byte
		rest := data
		for i := 1; i <= 64 && len(rest) > 0; i++ { // bounded: step may cut empty payloads only
			n := min(len(rest), int(step)*i%300)
			payloads = append(payloads, rest[:n])
			rest = rest[n:]
		}
		payloads = append(payloads, rest) // the remainder, possibly empty
		var buf bytes.Buffer
		w := NewWriter(nopFile{&buf}, testLogNum)
		for _, p := range payloads {
			require.NoError(t, w.Append(p))
		}
		require.Equal(t, int64(buf.Len()), w.Size())
		res := readBytes(t, buf.Bytes(), ReaderOptions{LogNum: testLogNum})
		require.Equal(t, io.EOF, res.err)
		requirePayloads(t, payloads, res.payloads)
	})
}
