package lsmkv

import (
	"encoding/hex"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestBatchDocExample keeps docs/format-batch.md true: the hex block there
// must be exactly what the code encodes.
func TestBatchDocExample(t *testing.T) {
	doc, err := os.ReadFile("docs/format-batch.md")
	require.NoError(t, err)
	m := regexp.MustCompile("(?s)<!-- batch-example-hex -->\n```\n(.*?)\n```").FindSubmatch(doc)
	require.NotNil(t, m, "example block not found in the doc")
	want, err := hex.DecodeString(strings.Join(strings.Fields(string(m[1])), ""))
	require.NoError(t, err)

	var b Batch
	b.Put([]byte("k"), []byte("v1"))
	b.Delete([]byte("gone"))
	require.Equal(t, want, b.setSeq(5))
}

func TestBatchLimits(t *testing.T) {
	var b Batch
	b.Put(make([]byte, MaxKeySize+1), nil)
	b.Put([]byte("ok"), []byte("ok"))
	require.True(t, errors.Is(b.err, ErrInvalidArgument))
	b.Reset()
	b.Put([]byte("k"), make([]byte, MaxValueSize+1))
	require.True(t, errors.Is(b.err, ErrInvalidArgument))
}
