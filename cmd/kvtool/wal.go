package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/lsmkv/lsmkv/internal/batchrepr"
	"github.com/lsmkv/lsmkv/internal/corruption"
	"github.com/lsmkv/lsmkv/internal/filename"
	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/vfs"
	"github.com/lsmkv/lsmkv/wal"
)

// walDump implements "kvtool wal dump [-full] [-lognum N] FILE".
func walDump(fs *flag.FlagSet) func(e *env, pos []string) int {
	full := fs.Bool("full", false, "show keys and values in full instead of the first 32 bytes")
	logNum := fs.Uint64("lognum", 0, "the log number `N` that the record headers carry; default: from FILE's name")
	return func(e *env, pos []string) int {
		return walDumpFile(e, pos[0], *logNum, *full)
	}
}

// walDumpFile dumps the WAL at path, whose records carry log number num
// (0: take it from the file name).
func walDumpFile(e *env, path string, num uint64, full bool) int {
	// A missing file is reported as such before its name is judged.
	if _, err := vfs.Default.Stat(path); err != nil {
		return e.fail(fmt.Errorf("lsmkv/kvtool: %w", err))
	}
	if num == 0 {
		k, n, ok := filename.Parse(filepath.Base(path))
		if !ok || k != filename.Log {
			return e.fail(fmt.Errorf("lsmkv/kvtool: %s is not named like a WAL (NNNNNN.log); give its number with -lognum", path))
		}
		num = n
	}
	data, err := readFile(path)
	if err != nil {
		return e.fail(err)
	}
	fmt.Fprintf(e.stdout, "%s: %d bytes, log number %d\n", path, len(data), num)
	if err := dumpWAL(e.stdout, path, num, data, full); err != nil {
		return e.fail(err)
	}
	return exitOK
}

// readFile returns the contents of path, read through vfs.Default.
func readFile(path string) ([]byte, error) {
	f, err := vfs.Default.Open(path)
	if err != nil {
		return nil, fmt.Errorf("lsmkv/kvtool: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("lsmkv/kvtool: reading %s: %w", path, err)
	}
	return data, nil
}

// dumpWAL prints every record of the log in data and how the log ends. A
// torn tail is not an error (a crash leaves one; recovery drops it); damage
// in the middle of the log, or a payload that is not a batch, is returned
// after everything before it has been printed.
func dumpWAL(w io.Writer, path string, num uint64, data []byte, full bool) error {
	r := wal.NewReader(bytes.NewReader(data), wal.ReaderOptions{Name: path, LogNum: num, Mode: wal.TolerateTornTail})
	end := int64(0) // offset just past the last good record
	var batchErr error
	for i := 0; ; i++ {
		p, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Fprintf(w, "end @%d: damaged\n", end)
			return err
		}
		off := r.Offset()
		end = off + int64(wal.HeaderLen+len(p))
		// The reader returned the record, so its stored checksum verified.
		sum := binary.LittleEndian.Uint32(data[off:])
		fmt.Fprintf(w, "record %d @%d: len=%d checksum=%#08x ok\n", i, off, len(p), sum)
		if err := printBatch(w, p, full); err != nil && batchErr == nil {
			batchErr = fmt.Errorf("lsmkv/kvtool: %w", corruption.Errorf(path, off, "%w", err))
		}
	}
	if r.TornTail() {
		fmt.Fprintf(w, "end @%d: torn tail, %d bytes dropped (an unfinished final write; recovery ignores it)\n",
			end, int64(len(data))-end)
	} else {
		fmt.Fprintf(w, "end @%d: clean\n", end)
	}
	return batchErr
}

// printBatch prints the batch in payload p, indented under its record.
func printBatch(w io.Writer, p []byte, full bool) error {
	b, err := decodeBatch(p)
	if len(p) >= batchrepr.HeaderLen {
		fmt.Fprintf(w, "  batch seq=%d count=%d\n", b.Seq, b.Count)
	}
	for i, e := range b.Entries {
		seq := b.Seq + keys.SeqNum(i)
		switch e.Kind {
		case keys.KindDelete:
			fmt.Fprintf(w, "    #%d %s %s\n", seq, e.Kind, fmtBytes(e.Key, full))
			continue
		case keys.KindRangeDelete:
			fmt.Fprintf(w, "    #%d %s [%s, %s)\n", seq, e.Kind, fmtBytes(e.Key, full), fmtBytes(e.Value, full))
			continue
		}
		fmt.Fprintf(w, "    #%d %s %s = %s\n", seq, e.Kind, fmtBytes(e.Key, full), fmtBytes(e.Value, full))
	}
	if err != nil {
		fmt.Fprintf(w, "  batch damaged: %v\n", err)
	}
	return err
}
