package vfs

import (
	"bytes"
	"github.com/stretchr/testify/require"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// lockHelperEnv names the lock file a re-executed test binary should try
// to lock; see TestLockHelperProcess.
const lockHelperEnv = "LSMKV_VFS_LOCK_HELPER"

// TestLockExcludesOtherProcess holds a Default lock and re-executes the
// test binary to try the same lock from a second process, which must fail;
// after Close the second process must succeed.
func TestLockExcludesOtherProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	name := filepath.Join(t.TempDir(), "LOCK")
	l, err := Default.Lock(name)
	require.NoError(t, err)
	require.Equal(t, "busy", tryLockInChild(t, name), "child while parent holds the lock")
	require.NoError(t, l.Close())
	require.Equal(t, "locked", tryLockInChild(t, name), "child after parent released the lock")
}

func tryLockInChild(t *testing.T, name string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), lockHelperEnv+"="+name)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "child output:\n%s", out)
	for _, result := range []string{"busy", "locked"} {
		if bytes.Contains(out, []byte("LOCKRESULT="+result+"\n")) {
			return result
		}
	}
	t.Fatalf("child printed no result:\n%s", out)
	return ""
}

// TestLockHelperProcess is not a test on its own: it runs only in the child
// process started by tryLockInChild and reports whether Lock succeeded.
func TestLockHelperProcess(t *testing.T) {
	name := os.Getenv(lockHelperEnv)
	if name == "" {
		t.Skip("helper for TestLockExcludesOtherProcess")
	}
	l, err := Default.Lock(name)
	if err != nil {
		os.Stdout.WriteString("LOCKRESULT=busy\n")
		return
	}
	os.Stdout.WriteString("LOCKRESULT=locked\n")
	l.Close()
}
