package wal

import (
	"bytes"
	"encoding/binary"
	"github.com/stretchr/testify/require"
	"io"
	"math/rand"
	"slices"
	"testing"
)

// salvageCase damages a log and says what salvage mode must make of it.
type salvageCase struct {
	name      string
	damage    func(d []byte) []byte
	want      [][]byte
	skipRecs  int
	skipBytes int64
	torn      bool
}

// salvageCases builds the damage cases over a log of payloads whose
// records start at offs.
func salvageCases(rng *rand.Rand, payloads [][]byte, offs []int64) []salvageCase {
	end := func(i int) int64 { return offs[i] + HeaderLen + int64(len(payloads[i])) }
	all := func(skip ...int) [][]byte {
		var out [][]byte
		for i, p := range payloads {
			if !slices.Contains(skip, i) {
				out = append(out, p)
			}
		}
		return out
	}
	return []salvageCase{
		{"none", func(d []byte) []byte { return d }, all(), 0, 0, false},
		{"payload-bit", func(d []byte) []byte { d[end(2)-1] ^= 1; return d },
			all(2), 1, end(2) - offs[2], false},
		{"garbage-over-3-records", func(d []byte) []byte {
			for i := offs[3] + 5; i < offs[6]+3; i++ {
				d[i] = byte(rng.Intn(256))
			}
			return d
		}, all(3, 4, 5, 6), 1, end(6) - offs[3], false},
		{"length-past-eof", func(d []byte) []byte {
			binary.LittleEndian.PutUint32(d[offs[1]+lengthOffset:], 5000)
			return d
		}, all(1), 1, end(1) - offs[1], false},
		{"truncated", func(d []byte) []byte { return d[:end(7)-3] },
			all(7), 0, 0, true},
		{"zeros-in-middle", func(d []byte) []byte {
			copy(d[offs[4]:end(4)], make([]byte, end(4)-offs[4]))
			return d
		}, all(4), 1, end(4) - offs[4], false},
		{"wrong-log", func(d []byte) []byte {
			rec := appendRecord(nil, testLogNum+1, payloads[5])
			copy(d[offs[5]:], rec)
			return d
		}, all(5), 1, end(5) - offs[5], false},
	}
}

// TestSkipCorrupted damages logs in several ways and checks that salvage
// mode returns every undamaged record, in order, and counts what it skipped.
func TestSkipCorrupted(t *testing.T) {
	rng := newRand(t)
	payloads := smallPayloads(rng, 8, 50)
	for i := range payloads {
		payloads[i] = append(payloads[i], byte(i+1)) // non-empty, so no record is all zeros
	}
	_, offs := encodeLog(testLogNum, payloads)
	for _, tc := range salvageCases(rng, payloads, offs) {
		t.Run(tc.name, func(t *testing.T) {
			data, _ := encodeLog(testLogNum, payloads)
			data = tc.damage(data)
			for _, src := range sources {
				opts := ReaderOptions{Name: logName, LogNum: testLogNum, Mode: SkipCorrupted}
				res := readAll(t, src.wrap(data), opts)
				require.Equal(t, io.EOF, res.err, src.name)
				requirePayloads(t, tc.want, res.payloads)
				require.Equal(t, tc.skipRecs, res.skipRecs, "%s: skipped stretches", src.name)
				require.Equal(t, tc.skipBytes, res.skipByte, "%s: skipped bytes", src.name)
				require.Equal(t, tc.torn, res.torn, "%s: torn tail", src.name)
			}
		})
	}
}

// TestSkipCorruptedAccountsForEveryByte: on random damage, the records read
// and the bytes skipped together cover the whole file.
func TestSkipCorruptedAccountsForEveryByte(t *testing.T) {
	rng := newRand(t)
	for iter := 0; iter < 300; iter++ {
		data, _ := encodeLog(testLogNum, smallPayloads(rng, 1+rng.Intn(10), 80))
		for n := rng.Intn(4); n >= 0; n-- {
			i := rng.Intn(len(data))
			data[i] = byte(rng.Intn(256))
		}
		if rng.Intn(3) == 0 {
			data = data[:rng.Intn(len(data)+1)]
		}
		res := readBytes(t, data, ReaderOptions{Name: logName, LogNum: testLogNum, Mode: SkipCorrupted})
		require.Equal(t, io.EOF, res.err)
		covered := res.skipByte
		if res.torn {
			covered += int64(len(data)) - res.end
		}
		for i, p := range res.payloads {
			rec := appendRecord(nil, testLogNum, p)
			require.True(t, bytes.Equal(rec, data[res.offsets[i]:res.offsets[i]+int64(len(rec))]), "record %d", i)
			covered += int64(len(rec))
		}
		require.Equal(t, int64(len(data)), covered, "iteration %d: bytes read + skipped", iter)
	}
}
