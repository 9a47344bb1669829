package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"text/tabwriter"

	"github.com/lsmkv/lsmkv/internal/filename"
	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/internal/rangedel"
	"github.com/lsmkv/lsmkv/sstable"
	"github.com/lsmkv/lsmkv/vfs"
)

// sstBlockTrailerLen is the compression byte and checksum after every
// stored block (docs/format-sstable.md); Layout's lengths leave it out.
const sstBlockTrailerLen = 5

// openTable opens the SSTable at path for reading. The table's file
// number, when its name has one, is only used for the block cache, which
// kvtool does not use.
func openTable(path string) (*sstable.Reader, error) {
	f, err := vfs.Default.Open(path)
	if err != nil {
		return nil, fmt.Errorf("lsmkv/kvtool: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lsmkv/kvtool: %w", err)
	}
	_, num, _ := filename.Parse(filepath.Base(path))
	r, err := sstable.Open(f, fi.Size(), sstable.ReaderOptions{Name: path, FileNum: num})
	if err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

// withTable opens the table at path and runs fn on it.
func withTable(e *env, path string, fn func(r *sstable.Reader) error) int {
	r, err := openTable(path)
	if err != nil {
		return e.fail(err)
	}
	defer r.Close()
	if err := fn(r); err != nil {
		return e.fail(err)
	}
	return exitOK
}

// sstDump implements "kvtool sst dump [-full] FILE".
func sstDump(fs *flag.FlagSet) func(e *env, pos []string) int {
	full := fs.Bool("full", false, "show keys and values in full instead of the first 32 bytes")
	return func(e *env, pos []string) int {
		return withTable(e, pos[0], func(r *sstable.Reader) error {
			return dumpTable(e.stdout, r, *full)
		})
	}
}

// dumpTable prints every entry of r, then the count, then the range
// tombstones if it has any; a damaged block ends the dump with its error.
func dumpTable(w io.Writer, r *sstable.Reader, full bool) error {
	it := r.NewIter()
	n := 0
	for ok := it.First(); ok; ok = it.Next() {
		if _, _, kind, ok := keys.Decode(it.Key()); ok && kind == keys.KindDelete {
			fmt.Fprintf(w, "%s\n", fmtIKey(it.Key(), full))
		} else {
			fmt.Fprintf(w, "%s = %s\n", fmtIKey(it.Key(), full), fmtBytes(it.Value(), full))
		}
		n++
	}
	if err := it.Close(); err != nil {
		return err
	}
	fmt.Fprintf(w, "%d entries\n", n)
	dumpRangeDels(w, r.RangeDels(), full)
	return nil
}

// dumpRangeDels prints a table's range tombstones as the table stores
// them: fragmented (fragments do not overlap), one line per fragment and
// sequence number, newest first within a fragment; then their count, which
// is the properties' NumRangeDels. It prints nothing for a table without
// any, so format-1 dumps look as they always did.
func dumpRangeDels(w io.Writer, l rangedel.List, full bool) {
	ts := l.Tombstones()
	if len(ts) == 0 {
		return
	}
	for _, t := range ts {
		fmt.Fprintf(w, "rangedel [%s, %s) #%d\n", fmtBytes(t.Start, full), fmtBytes(t.End, full), t.Seq)
	}
	fmt.Fprintf(w, "%d range tombstones\n", len(ts))
}

// sstProps implements "kvtool sst props FILE".
func sstProps(*flag.FlagSet) func(e *env, pos []string) int {
	return func(e *env, pos []string) int {
		return withTable(e, pos[0], func(r *sstable.Reader) error {
			printProps(e.stdout, r.Properties())
			return nil
		})
	}
}

func printProps(w io.Writer, p *sstable.Properties) {
	tw := tabwriter.NewWriter(w, 0, 8, 1, ' ', 0)
	fmt.Fprintf(tw, "format-version:\t%d\n", p.FormatVersion)
	fmt.Fprintf(tw, "file-size:\t%d\n", p.FileSize)
	fmt.Fprintf(tw, "entries:\t%d\n", p.NumEntries)
	fmt.Fprintf(tw, "deletions:\t%d\n", p.NumDeletions)
	fmt.Fprintf(tw, "range-dels:\t%d\n", p.NumRangeDels)
	fmt.Fprintf(tw, "raw-key-bytes:\t%d\n", p.RawKeyBytes)
	fmt.Fprintf(tw, "raw-value-bytes:\t%d\n", p.RawValueBytes)
	fmt.Fprintf(tw, "data-blocks:\t%d\n", p.NumDataBlocks)
	fmt.Fprintf(tw, "data-bytes:\t%d\n", p.DataBytes)
	fmt.Fprintf(tw, "index-bytes:\t%d\n", p.IndexBytes)
	fmt.Fprintf(tw, "filter-bytes:\t%d\n", p.FilterBytes)
	if p.NumRangeDels > 0 {
		fmt.Fprintf(tw, "range-del-block:\toffset %d, length %d\n", p.RangeDel.Offset, p.RangeDel.Length)
	}
	fmt.Fprintf(tw, "smallest:\t%s\n", fmtIKey(p.Smallest, true))
	fmt.Fprintf(tw, "largest:\t%s\n", fmtIKey(p.Largest, true))
	fmt.Fprintf(tw, "smallest-seq:\t%d\n", p.SmallestSeq)
	fmt.Fprintf(tw, "largest-seq:\t%d\n", p.LargestSeq)
	fmt.Fprintf(tw, "compression:\t%s\n", p.Compression)
	fmt.Fprintf(tw, "bloom-bits-per-key:\t%d\n", p.BloomBitsPerKey)
	fmt.Fprintf(tw, "block-size:\t%d\n", p.BlockSize)
	tw.Flush()
}

// sstBlocks implements "kvtool sst blocks FILE".
func sstBlocks(*flag.FlagSet) func(e *env, pos []string) int {
	return func(e *env, pos []string) int {
		return withTable(e, pos[0], func(r *sstable.Reader) error {
			return printLayout(e.stdout, r)
		})
	}
}

// printLayout prints one row per block (Stored counts the trailer), then
// the footer and a summary of the filter.
func printLayout(w io.Writer, r *sstable.Reader) error {
	blocks, err := r.Layout()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "OFFSET\tLENGTH\tSTORED\tKIND\tCOMPRESSION\tENTRIES\tRESTARTS\t")
	var end uint64
	var filter *sstable.BlockInfo
	for i, b := range blocks {
		fmt.Fprintf(tw, "%d\t%d\t%d\t%s\t%s\t%s\t%s\t\n", b.Offset, b.Length, b.Length+sstBlockTrailerLen,
			b.Kind, b.Compression, countOrDash(b), restartsOrDash(b))
		end = b.Offset + b.Length + sstBlockTrailerLen
		if b.Kind == sstable.FilterBlock {
			filter = &blocks[i]
		}
	}
	props := r.Properties()
	fmt.Fprintf(tw, "%d\t%d\t%d\tfooter\t-\t-\t-\t\n", end, props.FileSize-end, props.FileSize-end)
	if err := tw.Flush(); err != nil {
		return err
	}
	if filter == nil {
		fmt.Fprintln(w, "filter: none")
		return nil
	}
	fmt.Fprintf(w, "filter: %d bytes (%d stored), %d bits per key\n",
		filter.Length, filter.Length+sstBlockTrailerLen, props.BloomBitsPerKey)
	return nil
}

// hasEntries reports whether Layout counts the entries and restart points
// of b: it does for the blocks made of keyed entries.
func hasEntries(b sstable.BlockInfo) bool {
	return b.Kind == sstable.DataBlock || b.Kind == sstable.IndexBlock || b.Kind == sstable.RangeDelBlock
}

func countOrDash(b sstable.BlockInfo) string {
	if !hasEntries(b) {
		return "-"
	}
	return fmt.Sprint(b.Entries)
}

func restartsOrDash(b sstable.BlockInfo) string {
	if !hasEntries(b) {
		return "-"
	}
	return fmt.Sprint(b.Restarts)
}
