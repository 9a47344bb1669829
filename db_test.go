package lsmkv

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lsmkv/lsmkv/vfs"
)

func TestPutGetDelete(t *testing.T) {
	db := openMem(t, vfs.NewMem(), nil)
	defer db.Close()
	require.NoError(t, db.Put([]byte("a"), []byte("1")))
	v, err := db.Get([]byte("a"))
	require.NoError(t, err)
	require.Equal(t, "1", string(v))
	require.NoError(t, db.Delete([]byte("a")))
	_, err = db.Get([]byte("a"))
	require.True(t, errors.Is(err, ErrNotFound), "got %v", err)
}
