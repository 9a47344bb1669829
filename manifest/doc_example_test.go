package manifest

import (
	"encoding/hex"
	"github.com/stretchr/testify/require"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/lsmkv/lsmkv/vfs"
	"github.com/lsmkv/lsmkv/wal"
)

// docExampleEdit is the worked example of docs/format-manifest.md: a flush
// that adds table 5 to L0 and records the WAL, file and sequence counters.
func docExampleEdit() *VersionEdit {
	return &VersionEdit{
		HasLogNum: true, LogNum: 4,
		HasNextFileNum: true, NextFileNum: 6,
		HasLastSeq: true, LastSeq: 3,
		Added: []NewFile{{Level: 0, Meta: FileMeta{
			Num: 5, Size: 1234,
			Smallest: ik("apple", 1), Largest: ik("cherry", 3),
			SmallestSeq: 1, LargestSeq: 3,
		}}},
	}
}

// docHexBlock returns the bytes of the hex block that follows the marker
// comment <!-- hex:name --> in the format doc. Everything in the fenced
// block after the first "|" of a line is a comment.
func docHexBlock(t *testing.T, doc, name string) []byte {
	t.Helper()
	re := regexp.MustCompile("(?s)<!-- hex:" + name + " -->\\s*```[a-z]*\\n(.*?)```")
	m := re.FindStringSubmatch(doc)
	require.NotNil(t, m, "no hex block %q in the doc", name)
	var sb strings.Builder
	for _, line := range strings.Split(m[1], "\n") {
		line, _, _ = strings.Cut(line, "|")
		sb.WriteString(strings.Join(strings.Fields(line), ""))
	}
	b, err := hex.DecodeString(sb.String())
	require.NoError(t, err)
	return b
}

// TestDocExample keeps docs/format-manifest.md honest: its worked example
// is encoded here and compared with the hex printed in the doc, both the
// edit alone and the whole MANIFEST record that frames it.
func TestDocExample(t *testing.T) {
	raw, err := os.ReadFile("../docs/format-manifest.md")
	require.NoError(t, err)
	doc := string(raw)

	enc := docExampleEdit().Encode(nil)
	t.Logf("edit: % x", enc)
	require.Equal(t, docHexBlock(t, doc, "edit"), enc, "edit bytes differ from the doc")

	fs := vfs.NewMem()
	f, err := fs.Create("MANIFEST-000003")
	require.NoError(t, err)
	w := wal.NewWriter(f, 3)
	require.NoError(t, w.Append(enc))
	require.NoError(t, w.Close())
	rec := readAll(t, fs, "MANIFEST-000003")
	t.Logf("record: % x", rec)
	require.Equal(t, docHexBlock(t, doc, "record"), rec, "record bytes differ from the doc")

	var back VersionEdit
	require.NoError(t, back.Decode(enc))
	require.Equal(t, *docExampleEdit(), back)

	// The same table with its counts, as a flush records it today.
	counted := VersionEdit{Added: docExampleEdit().Added}
	counted.Added[0].Meta.NumEntries = 3
	require.Equal(t, docHexBlock(t, doc, "newfile-counts"), counted.Encode(nil), "tag 7 bytes differ from the doc")
}

func readAll(t *testing.T, fs vfs.FS, name string) []byte {
	t.Helper()
	f, err := fs.Open(name)
	require.NoError(t, err)
	defer f.Close()
	st, err := f.Stat()
	require.NoError(t, err)
	b := make([]byte, st.Size())
	_, err = f.ReadAt(b, 0)
	require.NoError(t, err)
	return b
}
