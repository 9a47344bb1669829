//go:build !linux

package wal

import "github.com/lsmkv/lsmkv/vfs"

// mapping is Linux-only (mapped_linux.go); elsewhere every log is written
// with write(2).
type mapping struct{}

func newMapping(vfs.File) *mapping { return nil }

func (*mapping) room(int64) int64           { return 0 }
func (*mapping) at(int64, int) []byte       { return nil }
func (*mapping) advance(int64, int64) error { return nil }
func (*mapping) unmap() error               { return nil }
func (*mapping) trim(int64) error           { return nil }
