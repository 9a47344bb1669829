package batchrepr

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lsmkv/lsmkv/internal/keys"
)

type entry struct {
	kind       keys.Kind
	key, value string
}

func encode(seq keys.SeqNum, entries ...entry) []byte {
	var b []byte
	for _, e := range entries {
		b = AppendEntry(b, e.kind, []byte(e.key), []byte(e.value))
	}
	if b == nil {
		b = make([]byte, HeaderLen)
	}
	SetHeader(b, seq, uint32(len(entries)))
	return b
}

func decodeAll(rec []byte) ([]entry, error) {
	var r Reader
	if err := r.Reset(rec); err != nil {
		return nil, err
	}
	var out []entry
	for {
		kind, k, v, ok, err := r.Next()
		if err != nil || !ok {
			return out, err
		}
		out = append(out, entry{kind, string(k), string(v)})
	}
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		entries []entry
	}{
		{"empty", nil},
		{"empty key and value", []entry{{keys.KindSet, "", ""}}},
		{"long value", []entry{{keys.KindSet, "a", string(make([]byte, 300))}}},
		{"set and delete", []entry{{keys.KindSet, "k", "v1"}, {keys.KindDelete, "gone", ""}}},
		{"range delete", []entry{{keys.KindRangeDelete, "a", "m"}, {keys.KindSet, "b", "x"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := encode(42, tc.entries...)
			want := HeaderLen
			for _, e := range tc.entries {
				want += EntryLen(e.kind, len(e.key), len(e.value))
			}
			require.Equal(t, want, len(rec), "EntryLen agrees with AppendEntry")
			r, err := NewReader(rec)
			require.NoError(t, err)
			require.Equal(t, keys.SeqNum(42), r.Seq)
			require.Equal(t, uint32(len(tc.entries)), r.Count)
			got, err := decodeAll(rec)
			require.NoError(t, err)
			require.Equal(t, tc.entries, got)
		})
	}
}

func TestEntryLenVarintBoundaries(t *testing.T) {
	for _, n := range []int{0, 127, 128, 16383, 16384} {
		got := len(AppendEntry(nil, keys.KindSet, make([]byte, n), make([]byte, n))) - HeaderLen
		require.Equal(t, got, EntryLen(keys.KindSet, n, n), "length %d", n)
	}
}

// TestRejectsDamage feeds every truncation and some corrupted fields to the
// reader: each must be an error wrapping ErrMalformed, never a panic.
func TestRejectsDamage(t *testing.T) {
	rec := encode(7, entry{keys.KindSet, "key", "value"}, entry{keys.KindDelete, "other", ""})
	for n := 0; n < len(rec); n++ {
		_, err := decodeAll(rec[:n])
		require.ErrorIs(t, err, ErrMalformed, "truncated to %d bytes", n)
	}
	cases := map[string]func(b []byte) []byte{
		"unknown kind":   func(b []byte) []byte { b[HeaderLen] = 9; return b },
		"count too high": func(b []byte) []byte { b[8] = 3; return b },
		"count too low":  func(b []byte) []byte { b[8] = 1; return b },
		"overflowing seq": func(b []byte) []byte {
			SetHeader(b, keys.MaxSeqNum, 2)
			return b
		},
		"key overruns": func(b []byte) []byte { b[HeaderLen+1] = 100; return b },
		"bad varint": func(b []byte) []byte {
			return append(append(b[:HeaderLen+1:HeaderLen+1], 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), b[HeaderLen+2:]...)
		},
	}
	for name, damage := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := decodeAll(damage(append([]byte(nil), rec...)))
			require.ErrorIs(t, err, ErrMalformed)
		})
	}
	_, err := decodeAll(rec)
	require.NoError(t, err)
}

// TestErrorsNameEntryAndOffset: kvtool shows the damage's place in the
// payload from the error text.
func TestErrorsNameEntryAndOffset(t *testing.T) {
	rec := encode(1, entry{keys.KindSet, "a", "b"}, entry{keys.KindSet, "c", "d"})
	rec[HeaderLen+5] = 7 // second entry's kind
	_, err := decodeAll(rec)
	require.True(t, errors.Is(err, ErrMalformed))
	require.Contains(t, err.Error(), fmt.Sprintf("entry 1 at payload offset %d: unknown kind 7", HeaderLen+5))
}

func FuzzReader(f *testing.F) {
	f.Add(encode(7, entry{keys.KindSet, "key", "value"}, entry{keys.KindDelete, "other", ""}))
	f.Add(encode(0))
	f.Add(encode(9, entry{keys.KindRangeDelete, "a", "z"}, entry{keys.KindDelete, "q", ""}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := decodeAll(data) // must not panic or loop
		if err != nil {
			require.ErrorIs(t, err, ErrMalformed)
			return
		}
		// What decodes re-encodes to a batch with the same entries (not
		// always the same bytes: an overlong varint decodes too).
		var r Reader
		require.NoError(t, r.Reset(data))
		again, err := decodeAll(encode(r.Seq, entries...))
		require.NoError(t, err)
		require.Equal(t, entries, again)
	})
}
