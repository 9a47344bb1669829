package checksum

import (
	"testing"

	"github.com/cespare/xxhash/v2"
	"github.com/stretchr/testify/require"
)

func TestSumIsLow32BitsOfXXHash64(t *testing.T) {
	for _, s := range []string{"", "a", "hello", string(make([]byte, 1000))} {
		require.Equal(t, uint32(xxhash.Sum64String(s)), Sum([]byte(s)), "%q", s)
	}
}

func TestDigestMatchesSum(t *testing.T) {
	d := New()
	d.Write([]byte("hel"))
	d.Write([]byte("lo"))
	require.Equal(t, Sum([]byte("hello")), d.Sum32())
	d.Reset()
	require.Equal(t, Sum(nil), d.Sum32())
}
