package manifest

import (
	"errors"
	"github.com/stretchr/testify/require"
	"io"
	"testing"

	"github.com/lsmkv/lsmkv/vfs"
	"github.com/lsmkv/lsmkv/wal"
)

func newWALWriter(f vfs.File, num uint64) *wal.Writer { return wal.NewWriter(f, num) }

// recordOffsetsRaw returns the offset of every record of the log at path
// without decoding the payloads.
func recordOffsetsRaw(t *testing.T, fs vfs.FS, path string) []int64 {
	t.Helper()
	f, err := fs.Open(path)
	require.NoError(t, err)
	defer f.Close()
	r := wal.NewReader(f, wal.ReaderOptions{Name: path, LogNum: 1})
	var offs []int64
	for {
		_, err := r.Next()
		if errors.Is(err, io.EOF) {
			return offs
		}
		require.NoError(t, err)
		offs = append(offs, r.Offset())
	}
}

// readEditsErr is ReadEdits for tests that only need its error.
func readEditsErr(fs vfs.FS, path string, fn func(int64, *VersionEdit) error) error {
	_, err := ReadEdits(fs, path, fn)
	return err
}
