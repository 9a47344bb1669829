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
