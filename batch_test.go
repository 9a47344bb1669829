package lsmkv

import (
	"encoding/hex"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lsmkv/lsmkv/internal/keys"
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

func TestBatchRoundTrip(t *testing.T) {
	var b Batch
	b.Put([]byte(""), []byte(""))
	b.Put([]byte("a"), make([]byte, 300))
	b.Delete([]byte("b"))
	r, err := newBatchReader(b.setSeq(42))
	require.NoError(t, err)
	require.Equal(t, keys.SeqNum(42), r.seq)
	var got []string
	for {
		kind, k, v, ok, err := r.next()
		require.NoError(t, err)
		if !ok {
			break
		}
		got = append(got, kind.String()+":"+string(k)+":"+string(rune(len(v))))
	}
	require.Equal(t, []string{"SET::\x00", "SET:a:" + string(rune(300)), "DEL:b:\x00"}, got)
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

// TestBatchDecodeRejectsDamage feeds every truncation and some corrupted
// kinds to the decoder: it must return an error, never panic.
func TestBatchDecodeRejectsDamage(t *testing.T) {
	var b Batch
	b.Put([]byte("key"), []byte("value"))
	b.Delete([]byte("other"))
	rec := append([]byte(nil), b.setSeq(7)...)
	for n := 0; n < len(rec); n++ {
		require.Error(t, decodeAll(rec[:n]), "truncated to %d bytes", n)
	}
	bad := append([]byte(nil), rec...)
	bad[batchHeaderLen] = 9 // unknown kind
	require.Error(t, decodeAll(bad))
	require.NoError(t, decodeAll(rec))
}

func decodeAll(rec []byte) error {
	r, err := newBatchReader(rec)
	if err != nil {
		return err
	}
	for {
		_, _, _, ok, err := r.next()
		if err != nil || !ok {
			return err
		}
	}
}

func FuzzBatchDecode(f *testing.F) {
	var b Batch
	b.Put([]byte("key"), []byte("value"))
	b.Delete([]byte("other"))
	f.Add(append([]byte(nil), b.setSeq(7)...))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = decodeAll(data) // must not panic or loop
	})
}
