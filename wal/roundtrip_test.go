package wal

import (
	"bytes"
	"encoding/hex"
	"errors"
	"github.com/stretchr/testify/require"
	"io"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"testing/iotest"

	"github.com/lsmkv/lsmkv/vfs"
)

// requirePayloads asserts got equals want element by element (nil and
// empty payloads are equal: both are empty records).
func requirePayloads(t testing.TB, want, got [][]byte) {
	t.Helper()
	require.Equal(t, len(want), len(got), "number of payloads")
	for i := range want {
		require.True(t, bytes.Equal(want[i], got[i]), "payload %d: want %d bytes, got %d", i, len(want[i]), len(got[i]))
	}
}

// TestDocExampleMatchesEncoding encodes the worked example of
// docs/format-wal.md and compares it with the hex printed there, so the
// document cannot drift from the code.
func TestDocExampleMatchesEncoding(t *testing.T) {
	const wantHex = "97a28237" + "05000000" + "07000000" + "68656c6c6f"
	got := appendRecord(nil, 7, []byte("hello"))
	require.Equal(t, wantHex, hex.EncodeToString(got))

	doc, err := os.ReadFile("../docs/format-wal.md")
	require.NoError(t, err)
	m := regexp.MustCompile(`(?s)<!-- example-hex -->\s*` + "```" + `[a-z]*\n(.*?)` + "```").FindSubmatch(doc)
	require.NotNil(t, m, "docs/format-wal.md lacks the <!-- example-hex --> block")
	docHex := strings.Join(strings.Fields(string(m[1])), "")
	require.Equal(t, wantHex, docHex, "hex in docs/format-wal.md")
}

func TestZeroHeaderNeverVerifies(t *testing.T) {
	// The zero-tail rule relies on an all-zero header failing its checksum
	// even when the expected log number is 0.
	_, ok := verifiedLen(make([]byte, HeaderLen), 0)
	require.False(t, ok)
}

// sources wraps a log's bytes in readers that deliver them in awkward
// pieces, to exercise the Reader's buffering.
var sources = []struct {
	name string
	wrap func([]byte) io.Reader
}{
	{"whole", func(b []byte) io.Reader { return bytes.NewReader(b) }},
	{"one-byte", func(b []byte) io.Reader { return iotest.OneByteReader(bytes.NewReader(b)) }},
	{"half", func(b []byte) io.Reader { return iotest.HalfReader(bytes.NewReader(b)) }},
	{"data-err", func(b []byte) io.Reader { return iotest.DataErrReader(bytes.NewReader(b)) }},
}

func TestRoundTrip(t *testing.T) {
	rng := newRand(t)
	cases := []struct {
		name     string
		payloads [][]byte
	}{
		{"empty-log", nil},
		{"one-empty-payload", [][]byte{{}}},
		{"empties", [][]byte{{}, {}, {}}},
		{"hello", [][]byte{[]byte("hello")}},
		{"window-sized", randomPayloads(rng, 3, []int{minWindow - HeaderLen, minWindow, minWindow + 1})},
		{"mixed", randomPayloads(rng, 40, []int{0, 1, 11, 12, 13, 100, 4 << 10, 70 << 10, 300 << 10})},
		{"many-small", smallPayloads(rng, 2000, 64)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs := vfs.NewMem()
			f, err := fs.Create("000007.log")
			require.NoError(t, err)
			w := NewWriter(f, testLogNum)
			var wantOffs []int64
			for _, p := range tc.payloads {
				wantOffs = append(wantOffs, w.Size())
				require.NoError(t, w.Append(p))
			}
			require.NoError(t, w.Sync())
			require.NoError(t, w.Close())

			data := readFile(t, fs, "000007.log")
			require.Equal(t, w.Size(), int64(len(data)), "Size() vs file length")
			for _, src := range sources {
				for _, mode := range []RecoveryMode{TolerateTornTail, SkipCorrupted} {
					opts := ReaderOptions{Name: "000007.log", LogNum: testLogNum, Mode: mode}
					res := readAll(t, src.wrap(data), opts)
					require.Equal(t, io.EOF, res.err, "%s/%s", src.name, mode)
					requirePayloads(t, tc.payloads, res.payloads)
					if len(wantOffs) > 0 {
						require.Equal(t, wantOffs, res.offsets)
					}
					require.False(t, res.torn)
					require.Zero(t, res.skipRecs)
				}
			}
		})
	}
}

func readFile(t testing.TB, fs vfs.FS, name string) []byte {
	t.Helper()
	f, err := fs.Open(name)
	require.NoError(t, err)
	defer f.Close()
	data, err := io.ReadAll(f)
	require.NoError(t, err)
	return data
}

// TestPayloadSliceIsCapped checks that appending to a returned payload
// cannot overwrite the next record in the Reader's buffer.
func TestPayloadSliceIsCapped(t *testing.T) {
	data, _ := encodeLog(testLogNum, [][]byte{[]byte("ab"), []byte("cd")})
	r := NewReader(bytes.NewReader(data), ReaderOptions{LogNum: testLogNum})
	p, err := r.Next()
	require.NoError(t, err)
	_ = append(p, "XXXXXXXXXXXXXXXX"...)
	p, err = r.Next()
	require.NoError(t, err)
	require.Equal(t, "cd", string(p))
	require.Equal(t, int64(HeaderLen+2), r.Offset())
}

// TestLogNumHighBitsIgnored pins that only the low 32 bits of the log
// number are stored and compared.
func TestLogNumHighBitsIgnored(t *testing.T) {
	data, _ := encodeLog(uint32(testLogNum), [][]byte{[]byte("x")})
	res := readBytes(t, data, ReaderOptions{LogNum: 1<<32 | testLogNum})
	require.Equal(t, io.EOF, res.err)
	requirePayloads(t, [][]byte{[]byte("x")}, res.payloads)
}

// TestCrashKeepsSyncedRecords simulates a power loss: records synced before
// it survive and replay; the unsynced ones vanish without an error.
func TestCrashKeepsSyncedRecords(t *testing.T) {
	fs := vfs.NewMem()
	f, err := fs.Create("000007.log")
	require.NoError(t, err)
	require.NoError(t, fs.SyncDir(""))
	w := NewWriter(f, testLogNum)
	require.NoError(t, w.Append([]byte("synced-1")))
	require.NoError(t, w.Append([]byte("synced-2")))
	require.NoError(t, w.Sync())
	require.NoError(t, w.Append([]byte("lost")))

	crashed := fs.CrashClone()
	res := readAll(t, mustOpen(t, crashed, "000007.log"), ReaderOptions{LogNum: testLogNum, Mode: TolerateTornTail})
	require.Equal(t, io.EOF, res.err)
	requirePayloads(t, [][]byte{[]byte("synced-1"), []byte("synced-2")}, res.payloads)
}

func mustOpen(t testing.TB, fs vfs.FS, name string) vfs.File {
	t.Helper()
	f, err := fs.Open(name)
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return f
}

func TestWriterErrorsAreSticky(t *testing.T) {
	cases := []struct {
		name string
		op   vfs.Op
		do   func(w *Writer) error
	}{
		{"write", vfs.OpWrite, func(w *Writer) error { return w.Append([]byte("b")) }},
		{"sync", vfs.OpSync, func(w *Writer) error { return w.Sync() }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs := vfs.WithErrors(vfs.NewMem(), vfs.OnNth(tc.op, 1, syscall.EIO))
			f, err := fs.Create("000007.log")
			require.NoError(t, err)
			w := NewWriter(f, testLogNum)
			if tc.op != vfs.OpWrite {
				require.NoError(t, w.Append([]byte("a")))
			}
			err = tc.do(w)
			require.ErrorIs(t, err, syscall.EIO)
			require.True(t, strings.HasPrefix(err.Error(), "lsmkv/wal: "), err.Error())
			// The injector fires once; the Writer must keep failing anyway.
			require.ErrorIs(t, w.Append([]byte("c")), syscall.EIO)
			require.ErrorIs(t, w.Sync(), syscall.EIO)
			require.NoError(t, w.Close(), "Close still closes a poisoned writer")
		})
	}
}

func TestWriterClose(t *testing.T) {
	fs := vfs.NewMem()
	f, err := fs.Create("000007.log")
	require.NoError(t, err)
	w := NewWriter(f, testLogNum)
	require.NoError(t, w.Append(nil))
	require.Equal(t, int64(HeaderLen), w.Size())
	require.NoError(t, w.Close())
	require.Error(t, w.Append([]byte("x")))
	require.Error(t, w.Sync())
	require.Error(t, w.Close())
	require.Equal(t, int64(HeaderLen), w.Size())
}

// shortWriter accepts only part of each write without reporting an error,
// which io.Writer forbids but a broken File could still do.
type shortWriter struct{ vfs.File }

func (s shortWriter) Write(p []byte) (int, error) { return s.File.Write(p[:len(p)/2]) }

func TestWriterShortWrite(t *testing.T) {
	fs := vfs.NewMem()
	f, err := fs.Create("000007.log")
	require.NoError(t, err)
	w := NewWriter(shortWriter{f}, testLogNum)
	require.ErrorIs(t, w.Append([]byte("0123456789")), io.ErrShortWrite)
	require.Equal(t, int64(HeaderLen+10)/2, w.Size())
	require.ErrorIs(t, w.Append([]byte("x")), io.ErrShortWrite)
}

func TestReaderIOError(t *testing.T) {
	data, _ := encodeLog(testLogNum, [][]byte{[]byte("a"), []byte("b")})
	boom := errors.New("boom")
	src := io.MultiReader(bytes.NewReader(data[:HeaderLen+1]), iotest.ErrReader(boom))
	res := readAll(t, src, ReaderOptions{Name: "x.log", LogNum: testLogNum, Mode: SkipCorrupted})
	require.ErrorIs(t, res.err, boom)
	require.NotErrorIs(t, res.err, ErrCorruption)
	requirePayloads(t, [][]byte{[]byte("a")}, res.payloads)
}

// stallReader always returns (0, nil).
type stallReader struct{}

func (stallReader) Read([]byte) (int, error) { return 0, nil }

func TestReaderGivesUpOnStalledSource(t *testing.T) {
	res := readAll(t, stallReader{}, ReaderOptions{LogNum: testLogNum})
	require.ErrorIs(t, res.err, io.ErrNoProgress)
}
