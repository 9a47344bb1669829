package lsmkv

import (
	"encoding/hex"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lsmkv/lsmkv/internal/batchrepr"
	"github.com/lsmkv/lsmkv/internal/keys"
)

// TestBatchDocRangeDelExample keeps the range-deletion example of
// docs/format-batch.md true: the hex block there must be exactly what
// Batch.DeleteRange encodes, and it must decode back to the range.
func TestBatchDocRangeDelExample(t *testing.T) {
	doc, err := os.ReadFile("docs/format-batch.md")
	require.NoError(t, err)
	m := regexp.MustCompile("(?s)<!-- batch-rangedel-example-hex -->\n```\n(.*?)\n```").FindSubmatch(doc)
	require.NotNil(t, m, "range-deletion example block not found in the doc")
	want, err := hex.DecodeString(strings.Join(strings.Fields(string(m[1])), ""))
	require.NoError(t, err)

	var b Batch
	b.DeleteRange([]byte("key01000"), []byte("key09000"))
	require.NoError(t, b.err)
	rec := b.setSeq(10001)
	require.Equal(t, want, rec)

	var r batchrepr.Reader
	require.NoError(t, r.Reset(rec))
	require.Equal(t, keys.SeqNum(10001), r.Seq)
	kind, start, end, ok, err := r.Next()
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, keys.KindRangeDelete, kind)
	require.Equal(t, keys.Kind(15), kind, "the kind byte the doc shows")
	require.Equal(t, "key01000", string(start))
	require.Equal(t, "key09000", string(end))
	_, _, _, ok, err = r.Next()
	require.NoError(t, err)
	require.False(t, ok, "one entry")
}
