package main

import (
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/manifest"
	"github.com/lsmkv/lsmkv/vfs"
)

// tree is the state of a DB as its manifest records it.
type tree struct {
	manifestPath string
	logNum       uint64
	nextFileNum  uint64
	lastSeq      keys.SeqNum
	v            *manifest.Version
	// extent says where the manifest's readable records end. A manifest
	// cut short replays to an old state, which names files that later
	// edits deleted: problems about missing files quote it, as Open does.
	extent manifest.Extent
}

// loadTree replays the manifest CURRENT names, read-only: nothing in dir
// is created, changed or removed.
func loadTree(dir string) (*tree, error) {
	path, err := currentManifest(dir)
	if err != nil {
		return nil, err
	}
	vs, err := manifest.Load(manifest.Options{FS: vfs.Default, Dir: dir, ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer vs.Close()
	// Load keeps the extent to itself (it only quotes it in errors), so
	// read the records again for it; a manifest is small.
	x, err := manifest.ReadEdits(vfs.Default, path, func(int64, *manifest.VersionEdit) error { return nil })
	if err != nil {
		return nil, err
	}
	t := &tree{
		extent:       x,
		manifestPath: path,
		logNum:       vs.LogNum(),
		nextFileNum:  vs.NextFileNum(),
		lastSeq:      vs.LastSeq(),
	}
	// A Version's FileMetas are immutable, so a shallow copy of the levels
	// stays valid after the version set is closed.
	cur := vs.Current()
	t.v = &manifest.Version{Levels: cur.Levels}
	cur.Unref()
	return t, nil
}

// lsmCmd implements "kvtool lsm [-readonly] [-full] [-svg OUT] DIR".
func lsmCmd(fs *flag.FlagSet) func(e *env, pos []string) int {
	var df dirFlags
	df.register(fs)
	full := fs.Bool("full", false, "show keys in full instead of the first 32 bytes")
	svgPath := fs.String("svg", "", "also draw the levels as an SVG picture into the file `OUT.svg`")
	return func(e *env, pos []string) int {
		return withLockedDir(e, pos[0], df.readOnly, func() int {
			t, err := loadTree(pos[0])
			if err != nil {
				return e.fail(err)
			}
			printTree(e.stdout, t, *full)
			if *svgPath != "" {
				if err := writeSVGFile(*svgPath, t.v); err != nil {
					return e.fail(err)
				}
				fmt.Fprintf(e.stdout, "wrote %s\n", *svgPath)
			}
			return exitOK
		})
	}
}

// printTree prints a summary per level, then one row per table. A table's
// RANGEDELS column counts its range tombstones (manifest.FileMeta
// records the count); its LARGEST reads "before KEY" when it ends at the
// exclusive end of its tombstones (fmtLargest).
func printTree(w io.Writer, t *tree, full bool) {
	fmt.Fprintf(w, "%s: log-num %d, next-file-num %d, last-seq %d\n\n",
		t.manifestPath, t.logNum, t.nextFileNum, t.lastSeq)
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "LEVEL\tTABLES\tBYTES")
	var tables int
	for level := range manifest.NumLevels {
		fmt.Fprintf(tw, "L%d\t%d\t%d\n", level, t.v.NumFiles(level), t.v.LevelSize(level))
		tables += t.v.NumFiles(level)
	}
	fmt.Fprintf(tw, "total\t%d\t%d\n", tables, t.v.TotalSize())
	tw.Flush()
	if tables == 0 {
		return
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "LEVEL\tTABLE\tBYTES\tSEQS\tRANGEDELS\tSMALLEST\tLARGEST")
	for level, files := range t.v.Levels {
		for _, f := range files {
			fmt.Fprintf(tw, "L%d\t%06d\t%d\t[%d,%d]\t%d\t%s\t%s\n", level, f.Num, f.Size, f.SmallestSeq, f.LargestSeq,
				f.NumRangeDels, fmtBytes(keys.UserKey(f.Smallest), full), fmtLargest(f.Largest, full))
		}
	}
	tw.Flush()
}
