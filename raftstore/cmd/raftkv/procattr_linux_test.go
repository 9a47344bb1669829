package main

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the kernel kill the child when the test process
// dies, so a test killed by -timeout (whose t.Cleanup never runs) leaves
// no raftkv node behind holding its ports.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
