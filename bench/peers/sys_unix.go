//go:build unix

package main

import (
	"io/fs"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"github.com/lsmkv/lsmkv/bench"
)

// peakRSS returns this process's peak resident set size in bytes, or 0
// if the system does not say. Linux's VmHWM is the one to trust: it
// belongs to the address space made at exec, whereas rusage's ru_maxrss
// carries over the parent's high-water mark from before the exec.
func peakRSS() int64 {
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				kib, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
				if err == nil {
					return kib * 1024
				}
			}
		}
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return int64(ru.Maxrss) // bytes there, KiB elsewhere
	}
	return int64(ru.Maxrss) * 1024
}

// allocatedBytes sums the disk blocks allocated to the regular files under
// dir. Unlike file sizes it ignores the holes of sparse, preallocated
// files such as Badger's mmapped value log and memtable logs, whose
// apparent size is up to 2 GiB however little they hold.
func allocatedBytes(dir string) (int64, error) {
	return bench.SumFiles(dir, func(info fs.FileInfo) int64 {
		if st, ok := info.Sys().(*syscall.Stat_t); ok {
			return int64(st.Blocks) * 512 // st_blocks is in 512-byte units
		}
		return 0
	})
}
