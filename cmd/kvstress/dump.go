package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/lsmkv/lsmkv/vfs"
)

// dumpDir copies the directory dir of fs, recursively, to the new OS
// directory out, so that kvtool can inspect a failing power-loss state.
func dumpDir(fs vfs.FS, dir, out string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	names, err := fs.List(dir)
	if err != nil {
		return err
	}
	for _, name := range names {
		src, dst := filepath.Join(dir, name), filepath.Join(out, name)
		fi, err := fs.Stat(src)
		if err != nil {
			return err
		}
		if fi.IsDir() {
			err = dumpDir(fs, src, dst)
		} else {
			err = dumpFile(fs, src, dst)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func dumpFile(fs vfs.FS, src, dst string) error {
	f, err := fs.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return fmt.Errorf("read %s: %w", src, err)
	}
	return os.WriteFile(dst, data, 0o644)
}
