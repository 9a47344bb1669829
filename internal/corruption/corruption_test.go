package corruption

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestErrorfWrapsSentinel(t *testing.T) {
	err := fmt.Errorf("open: %w", Errorf("db/000012.sst", 4096, "bad checksum %x", 0xbeef))
	require.True(t, errors.Is(err, ErrCorruption))
	var ce *Error
	require.True(t, errors.As(err, &ce))
	require.Equal(t, "db/000012.sst", ce.File)
	require.EqualValues(t, 4096, ce.Offset)
	require.Equal(t, "open: corruption in db/000012.sst at offset 4096: bad checksum beef", err.Error())
	require.Equal(t, "corruption in CURRENT: empty", Errorf("CURRENT", -1, "empty").Error())
}

// TestErrorfKeepsCause: a %w operand stays in the chain instead of being
// flattened to text, so callers can still test for the lower layer's error.
func TestErrorfKeepsCause(t *testing.T) {
	cause := errors.New("bad varint")
	err := Errorf("MANIFEST-000003", 120, "decoding edit: %w", cause)
	require.True(t, errors.Is(err, ErrCorruption))
	require.True(t, errors.Is(err, cause))
	require.NotNil(t, errors.Unwrap(err))
	require.Equal(t, "corruption in MANIFEST-000003 at offset 120: decoding edit: bad varint", err.Error())

	plain := Errorf("CURRENT", -1, "empty %v", cause)
	require.Nil(t, errors.Unwrap(plain), "a %%v operand is text only")
	require.False(t, errors.Is(plain, cause))
}
