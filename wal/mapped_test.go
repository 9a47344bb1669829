package wal

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lsmkv/lsmkv/vfs"
)

// newMappedLog creates an empty log file in a temporary directory and a
// mapped Writer on it. It skips the test where logs are not mapped.
func newMappedLog(t *testing.T) (*Writer, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), logName)
	f, err := vfs.Default.Create(path)
	require.NoError(t, err)
	w := NewMappedWriter(f, testLogNum)
	if w.m == nil {
		w.Close()
		t.Skip("logs are mapped on Linux only")
	}
	return w, path
}

// TestMappedWriterRoundTrip appends records of many sizes, some larger
// than a window and some that end exactly where a window does, and reads
// them back after Close, which must leave the file exactly as long as its
// records.
func TestMappedWriterRoundTrip(t *testing.T) {
	rng := newRand(t)
	w, path := newMappedLog(t)
	// A record of mappedWindow-HeaderLen-1 bytes fills a fresh window but
	// for the zero byte that must follow it.
	sizes := []int{0, 1, 100, 4 << 10, mappedWindow - HeaderLen - 1, mappedWindow - HeaderLen, 3 * mappedWindow}
	payloads := randomPayloads(rng, 60, sizes)
	var want int64
	for _, p := range payloads {
		require.NoError(t, w.Append(p))
		want += int64(HeaderLen + len(p))
		fi, err := os.Stat(path)
		require.NoError(t, err)
		require.Greater(t, fi.Size(), w.Size(), "a mapped log keeps a zero byte after its last record")
	}
	require.Equal(t, want, w.Size())
	require.NoError(t, w.Sync())
	require.NoError(t, w.Close())
	fi, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, want, fi.Size(), "Close cuts the allocated tail")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	res := readBytes(t, data, ReaderOptions{Name: logName, LogNum: testLogNum})
	require.Equal(t, io.EOF, res.err)
	requirePayloads(t, payloads, res.payloads)
}

// TestMappedWriterCrashImage reads a log while its Writer is still open,
// which is what a process crash leaves: the records, then the allocated
// zero tail. The newest log's reader takes the zeros for its end; a strict
// reader calls them damage, which is why the DB finishes a log before it
// starts the next.
func TestMappedWriterCrashImage(t *testing.T) {
	rng := newRand(t)
	w, path := newMappedLog(t)
	defer w.Close()
	payloads := smallPayloads(rng, 500, 300)
	for _, p := range payloads {
		require.NoError(t, w.Append(p))
	}
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Greater(t, int64(len(data)), w.Size())

	res := readBytes(t, data, ReaderOptions{Name: logName, LogNum: testLogNum, Mode: TolerateTornTail})
	require.Equal(t, io.EOF, res.err)
	require.True(t, res.torn)
	require.Equal(t, w.Size(), res.end)
	requirePayloads(t, payloads, res.payloads)

	res = readBytes(t, data, ReaderOptions{Name: logName, LogNum: testLogNum, Mode: Strict})
	requireCorruptionAt(t, res.err, logName, w.Size())
}

// TestMappedTornCopy builds every state a crash can leave while putRecord
// copies a record into a zero-filled tail, in its order of stores: the
// length and log number (byte by byte, in case the store is split), the
// payload (bytes in any order: memmove may copy the end first), then the
// checksum (byte by byte). Every state but the last is a torn tail after
// the records before it; the last is a valid record.
func TestMappedTornCopy(t *testing.T) {
	rng := newRand(t)
	before := [][]byte{[]byte("one"), []byte("two")}
	good, _ := encodeLog(testLogNum, before)
	payload := make([]byte, 200)
	rng.Read(payload)
	full := appendRecord(nil, testLogNum, payload)
	const tail = 64 // zero bytes allocated after the record

	check := func(rec []byte, complete bool) {
		t.Helper()
		data := bytes.Join([][]byte{good, rec, make([]byte, tail)}, nil)
		res := readBytes(t, data, ReaderOptions{Name: logName, LogNum: testLogNum, Mode: TolerateTornTail})
		require.Equal(t, io.EOF, res.err)
		if complete {
			requirePayloads(t, append(before, payload), res.payloads)
			return
		}
		require.True(t, res.torn, "state %x", rec[:HeaderLen])
		requirePayloads(t, before, res.payloads)
	}

	rec := make([]byte, len(full))
	check(rec, false)
	for i := lengthOffset; i < HeaderLen; i++ { // length and log number
		rec[i] = full[i]
		check(rec, false)
	}
	for _, i := range rng.Perm(len(payload)) { // payload, any order
		rec[HeaderLen+i] = full[HeaderLen+i]
		check(rec, false)
	}
	for i := checksumOffset; i < lengthOffset; i++ { // checksum, last
		rec[i] = full[i]
		check(rec, i == lengthOffset-1)
	}
}

// TestMappedDamagedLastRecord pins what the zero-tail rule gives up: in a
// log that crashed with its zero tail, damage to the last record is read as
// a torn tail; once Finish or Close has cut the tail, it is corruption.
func TestMappedDamagedLastRecord(t *testing.T) {
	payloads := [][]byte{[]byte("first"), []byte("the last record")}
	data, offs := encodeLog(testLogNum, payloads)
	data[len(data)-1] ^= 0x40
	opts := ReaderOptions{Name: logName, LogNum: testLogNum, Mode: TolerateTornTail}

	res := readBytes(t, data, opts)
	requireCorruptionAt(t, res.err, logName, offs[1])

	res = readBytes(t, append(data, make([]byte, 10)...), opts)
	require.Equal(t, io.EOF, res.err)
	require.True(t, res.torn)
	requirePayloads(t, payloads[:1], res.payloads)
}

// TestMappedFinish: after Finish the file ends at its last record, Append
// fails and leaves nothing, Sync and Close still work.
func TestMappedFinish(t *testing.T) {
	w, path := newMappedLog(t)
	require.NoError(t, w.Append([]byte("hello")))
	require.NoError(t, w.Finish())
	require.ErrorIs(t, w.Append([]byte("late")), errFinished)
	require.NoError(t, w.Sync())
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, appendRecord(nil, testLogNum, []byte("hello")), data)
	require.NoError(t, w.Close())
	require.ErrorIs(t, w.Close(), errClosed)
}

// TestMappedWriterEmpty: a mapped log that never took a record stays
// empty, so recovery's RecoveryModes still sees it as empty.
func TestMappedWriterEmpty(t *testing.T) {
	w, path := newMappedLog(t)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	require.Zero(t, fi.Size())
	require.NoError(t, w.Close())
	fi, err = os.Stat(path)
	require.NoError(t, err)
	require.Zero(t, fi.Size())
}

// TestNewMappedWriterFallsBack: a file that is not the operating system's
// gets the write(2) path.
func TestNewMappedWriterFallsBack(t *testing.T) {
	var buf bytes.Buffer
	w := NewMappedWriter(nopFile{&buf}, testLogNum)
	require.Nil(t, w.m)
	require.NoError(t, w.Append([]byte("x")))
	require.Equal(t, appendRecord(nil, testLogNum, []byte("x")), buf.Bytes())
	require.Equal(t, uint32(1), binary.LittleEndian.Uint32(buf.Bytes()[lengthOffset:]))
}

// TestAbandon: after an Append that wrote part of its record and failed,
// Abandon cuts the file back to the last complete record, so that it reads
// clean even strictly (as an older log does); after a failed Sync it
// refuses.
func TestAbandon(t *testing.T) {
	for _, failSync := range []bool{false, true} {
		t.Run(fmt.Sprintf("failSync=%v", failSync), func(t *testing.T) {
			mem := vfs.NewMem()
			var fail atomic.Bool
			op := vfs.OpWrite
			injected := vfs.ShortWrite(syscall.ENOSPC)
			if failSync {
				op, injected = vfs.OpSync, syscall.EIO
			}
			fs := vfs.WithErrors(mem, vfs.InjectorFunc(func(o vfs.Op, _ string) error {
				if fail.Load() && o == op {
					return injected
				}
				return nil
			}))
			f, err := fs.Create(logName)
			require.NoError(t, err)
			w := NewWriter(f, testLogNum)
			good := [][]byte{[]byte("one"), []byte("two")}
			for _, p := range good {
				require.NoError(t, w.Append(p))
			}
			fail.Store(true)
			if failSync {
				require.Error(t, w.Sync())
			} else {
				require.Error(t, w.Append(make([]byte, 100)))
			}
			require.True(t, w.Failed())
			fail.Store(false)
			err = w.Abandon()
			if failSync {
				require.ErrorIs(t, err, syscall.EIO, "no repair after a failed sync")
				return
			}
			require.NoError(t, err)
			require.False(t, w.Failed())
			require.ErrorIs(t, w.Append([]byte("late")), errFinished)
			require.NoError(t, w.Sync())
			require.NoError(t, w.Close())
			r, err := mem.Open(logName)
			require.NoError(t, err)
			res := readAll(t, r, ReaderOptions{Name: logName, LogNum: testLogNum, Mode: Strict})
			require.Equal(t, io.EOF, res.err)
			requirePayloads(t, good, res.payloads)
		})
	}
}
