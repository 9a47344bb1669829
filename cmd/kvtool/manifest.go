package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/lsmkv/lsmkv/manifest"
	"github.com/lsmkv/lsmkv/vfs"
)

// manifestDump implements "kvtool manifest dump [-readonly] [-full] DIR|FILE".
func manifestDump(fs *flag.FlagSet) func(e *env, pos []string) int {
	var df dirFlags
	df.register(fs)
	full := fs.Bool("full", false, "show keys in full instead of the first 32 bytes")
	return func(e *env, pos []string) int {
		fi, err := vfs.Default.Stat(pos[0])
		if err != nil {
			return e.fail(fmt.Errorf("lsmkv/kvtool: %w", err))
		}
		dump := func(path string) int {
			fmt.Fprintf(e.stdout, "%s\n", path)
			if err := dumpManifest(e.stdout, path, *full); err != nil {
				return e.fail(err)
			}
			return exitOK
		}
		if !fi.IsDir() {
			return dump(pos[0])
		}
		return withLockedDir(e, pos[0], df.readOnly, func() int {
			path, err := currentManifest(pos[0])
			if err != nil {
				return e.fail(err)
			}
			return dump(path)
		})
	}
}

// dumpManifest prints every edit of the manifest at path, in order, and
// says so when the read stopped before the end of the file: at a torn
// final record (dropped, as Open drops it) or at damage (an error).
func dumpManifest(w io.Writer, path string, full bool) error {
	n := 0
	x, err := manifest.ReadEdits(vfs.Default, path, func(off int64, ed *manifest.VersionEdit) error {
		fmt.Fprintf(w, "edit %d @%d\n", n, off)
		printEdit(w, ed, full)
		n++
		return nil
	})
	if err != nil {
		fmt.Fprintf(w, "%d edits, then stopped at offset %d of %d bytes by damage\n", n, x.End, x.Size)
		return err
	}
	fmt.Fprintf(w, "%d edits\n", n)
	if x.Torn {
		fmt.Fprintf(w, "stopped at offset %d of %d bytes: the last %d bytes are a torn final record, dropped as Open drops it\n",
			x.End, x.Size, x.Size-x.End)
	}
	return nil
}

// printEdit prints the fields an edit sets, one per line.
func printEdit(w io.Writer, ed *manifest.VersionEdit, full bool) {
	if ed.HasLogNum {
		fmt.Fprintf(w, "  log-num        %d\n", ed.LogNum)
	}
	if ed.HasNextFileNum {
		fmt.Fprintf(w, "  next-file-num  %d\n", ed.NextFileNum)
	}
	if ed.HasLastSeq {
		fmt.Fprintf(w, "  last-seq       %d\n", ed.LastSeq)
	}
	for _, d := range ed.Deleted {
		fmt.Fprintf(w, "  delete L%d %06d\n", d.Level, d.Num)
	}
	for _, a := range ed.Added {
		m := &a.Meta
		var rangeDels string
		if m.NumRangeDels > 0 {
			rangeDels = fmt.Sprintf(" rangedels=%d", m.NumRangeDels)
		}
		fmt.Fprintf(w, "  add    L%d %06d size=%d seqs=[%d,%d]%s %s .. %s\n", a.Level, m.Num, m.Size,
			m.SmallestSeq, m.LargestSeq, rangeDels, fmtIKey(m.Smallest, full), fmtIKey(m.Largest, full))
	}
}
