package wal

import (
	"bytes"
	"errors"
	"github.com/lsmkv/lsmkv/internal/testseed"
	"github.com/stretchr/testify/require"
	"io"
	"math/rand"
	"os"
	"strconv"
	"testing"

	"github.com/lsmkv/lsmkv/internal/corruption"
)

// newRand returns a seeded source and logs the seed so a failure can be
// replayed.
func newRand(t testing.TB) *rand.Rand {
	return rand.New(rand.NewSource(int64(testseed.Seed(t))))
}

// testLogNum is the log number used by tests unless they say otherwise.
const testLogNum = 7

// encodeLog returns the bytes of a log holding payloads, and the offset of
// each record.
func encodeLog(logNum uint32, payloads [][]byte) ([]byte, []int64) {
	var b []byte
	offs := make([]int64, len(payloads))
	for i, p := range payloads {
		offs[i] = int64(len(b))
		b = appendRecord(b, logNum, p)
	}
	return b, offs
}

// readResult is everything a Reader reported over one pass.
type readResult struct {
	payloads [][]byte
	offsets  []int64
	err      error // the error that ended the pass (io.EOF when clean)
	torn     bool
	skipRecs int
	skipByte int64
	end      int64 // Reader.End after the pass
}

// readAll reads src to the end with a Reader, copying every payload.
func readAll(t testing.TB, src io.Reader, opts ReaderOptions) readResult {
	t.Helper()
	r := NewReader(src, opts)
	var res readResult
	for {
		p, err := r.Next()
		if err != nil {
			res.err = err
			break
		}
		res.payloads = append(res.payloads, bytes.Clone(p))
		res.offsets = append(res.offsets, r.Offset())
		require.LessOrEqual(t, len(res.payloads), 1<<20, "reader does not terminate")
	}
	_, again := r.Next()
	require.Equal(t, res.err, again, "errors must be sticky")
	res.torn = r.TornTail()
	res.skipRecs, res.skipByte = r.Skipped()
	res.end = r.End()
	return res
}

// readBytes is readAll over an in-memory log.
func readBytes(t testing.TB, data []byte, opts ReaderOptions) readResult {
	t.Helper()
	return readAll(t, bytes.NewReader(data), opts)
}

// requireCorruptionAt asserts that err reports corruption in file at off.
func requireCorruptionAt(t testing.TB, err error, file string, off int64) {
	t.Helper()
	require.ErrorIs(t, err, ErrCorruption)
	var ce *corruption.Error
	require.True(t, errors.As(err, &ce), "error %v is not a *corruption.Error", err)
	require.Equal(t, file, ce.File, "file in %v", err)
	require.Equal(t, off, ce.Offset, "offset in %v", err)
	require.Contains(t, err.Error(), "lsmkv/wal: ")
	require.Contains(t, err.Error(), "offset "+strconv.FormatInt(off, 10))
}

// randomPayloads returns n payloads whose sizes are drawn from sizes.
func randomPayloads(rng *rand.Rand, n int, sizes []int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		p := make([]byte, sizes[rng.Intn(len(sizes))])
		rng.Read(p)
		out[i] = p
	}
	return out
}

// smallPayloads returns n payloads of 0..maxLen random bytes.
func smallPayloads(rng *rand.Rand, n, maxLen int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = make([]byte, rng.Intn(maxLen+1))
		rng.Read(out[i])
	}
	return out
}

// nopFile is a vfs.File that appends to a bytes.Buffer; only Write is used.
type nopFile struct{ *bytes.Buffer }

func (nopFile) ReadAt([]byte, int64) (int, error) { return 0, io.EOF }
func (nopFile) Close() error                      { return nil }
func (nopFile) Sync() error                       { return nil }
func (nopFile) Stat() (os.FileInfo, error)        { return nil, os.ErrInvalid }

// tornMode is TolerateTornTail when allow is set, else Strict.
func tornMode(allow bool) RecoveryMode {
	if allow {
		return TolerateTornTail
	}
	return Strict
}
