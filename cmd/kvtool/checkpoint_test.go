package main

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lsmkv/lsmkv"
)

// TestCheckpointCmd copies a closed DB and opens the copy; a DEST that
// exists is refused.
func TestCheckpointCmd(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "db")
	db, err := lsmkv.Open(src, nil)
	require.NoError(t, err)
	require.NoError(t, db.Put([]byte("k"), []byte("v")))
	require.NoError(t, db.Close())

	dest := filepath.Join(dir, "backup")
	var stdout, stderr bytes.Buffer
	require.Equal(t, exitOK, run([]string{"checkpoint", src, dest}, &stdout, &stderr), stderr.String())
	require.Contains(t, stdout.String(), "written to "+dest)
	cp, err := lsmkv.Open(dest, &lsmkv.Options{ReadOnly: true})
	require.NoError(t, err)
	v, err := cp.Get([]byte("k"))
	require.NoError(t, err)
	require.Equal(t, "v", string(v))
	require.NoError(t, cp.Close())

	stderr.Reset()
	require.Equal(t, exitFailure, run([]string{"checkpoint", src, dest}, &stdout, &stderr))
	require.Contains(t, stderr.String(), "already exists")
}
