package main

import (
	"bytes"
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"

	"github.com/lsmkv/lsmkv/internal/corruption"
	"github.com/lsmkv/lsmkv/internal/filename"
	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/internal/rangedel"
	"github.com/lsmkv/lsmkv/manifest"
	"github.com/lsmkv/lsmkv/vfs"
	"github.com/lsmkv/lsmkv/wal"
)

// checkCmd implements "kvtool check [-readonly] DIR".
func checkCmd(fs *flag.FlagSet) func(e *env, pos []string) int {
	var df dirFlags
	df.register(fs)
	return func(e *env, pos []string) int {
		return withLockedDir(e, pos[0], df.readOnly, func() int {
			c := &checker{dir: pos[0], w: e.stdout}
			c.run()
			if c.problems > 0 {
				fmt.Fprintf(e.stdout, "%d problem(s) found\n", c.problems)
				return exitFailure
			}
			fmt.Fprintln(e.stdout, "ok: no problems found")
			return exitOK
		})
	}
}

// checker verifies a DB directory, printing one line per finding. Problems
// are lines starting "problem: "; everything else is information.
type checker struct {
	dir      string
	w        io.Writer
	problems int
	missing  int             // files the manifest names that do not exist
	extent   manifest.Extent // of the manifest the checked state comes from
}

func (c *checker) problem(err error) {
	c.problems++
	fmt.Fprintf(c.w, "problem: %v\n", err)
}

func (c *checker) info(format string, args ...any) {
	fmt.Fprintf(c.w, format+"\n", args...)
}

// run checks the manifest, then every table it lists, then the WALs.
// Without a readable manifest there is nothing to check the rest against.
func (c *checker) run() {
	t, err := loadTree(c.dir)
	if err != nil {
		c.problem(err)
		return
	}
	c.extent = t.extent
	c.info("manifest %s: log-num %d, next-file-num %d, last-seq %d", t.manifestPath, t.logNum, t.nextFileNum, t.lastSeq)
	listed := make(map[uint64]bool)
	for level, files := range t.v.Levels {
		for _, f := range files {
			listed[f.Num] = true
			c.checkTable(level, f)
		}
		if level > 0 {
			c.checkLevelOrder(t.manifestPath, level, files)
		}
	}
	c.checkWALs(t.logNum)
	c.noteUnlisted(listed)
}

// checkTable checks that table f exists with the manifest's size, that
// every block verifies, that its keys strictly increase, that its bounds
// (its first and last keys, widened to its range tombstones) are the ones
// the manifest records, and that the manifest counts its range tombstones
// right. (Open has already checked the range-deletion block itself.)
func (c *checker) checkTable(level int, f *manifest.FileMeta) {
	path := filename.Path(c.dir, filename.Table, f.Num)
	fi, err := vfs.Default.Stat(path)
	if err != nil {
		c.missing++
		c.problem(corruption.Errorf(path, -1, "listed at L%d by the manifest but missing: %w (the state comes from %s)",
			level, err, c.extent))
		return
	}
	if uint64(fi.Size()) != f.Size {
		c.problem(corruption.Errorf(path, -1, "size %d differs from the manifest's %d (the state comes from %s)",
			fi.Size(), f.Size, c.extent))
		return
	}
	r, err := openTable(path)
	if err != nil {
		c.problem(err)
		return
	}
	defer r.Close()
	it := r.NewIter()
	var first, prev []byte
	n := 0
	for ok := it.First(); ok; ok = it.Next() {
		if prev != nil && keys.Compare(prev, it.Key()) >= 0 {
			c.problem(corruption.Errorf(path, -1, "key %s follows %s: keys not strictly increasing",
				fmtIKey(it.Key(), true), fmtIKey(prev, true)))
		}
		prev = append(prev[:0], it.Key()...)
		if first == nil {
			first = slices.Clone(prev)
		}
		n++
	}
	if err := it.Close(); err != nil {
		c.problem(err)
		return
	}
	first, prev = widenToRangeDels(first, prev, r.RangeDels())
	c.checkBounds(path, f, first, prev)
	var rangeDels string
	if held := r.Properties().NumRangeDels; held > 0 || f.NumRangeDels > 0 {
		c.checkRangeDelCount(path, f, held)
		rangeDels = fmt.Sprintf(", %d range tombstones", held)
	}
	c.info("table %06d (L%d): %d entries%s, %d bytes ok", f.Num, level, n, rangeDels, f.Size)
}

// checkRangeDelCount compares the number of range tombstones a table
// holds with the manifest's record, which reads rely on to skip tables
// without any.
func (c *checker) checkRangeDelCount(path string, f *manifest.FileMeta, n uint64) {
	if n != f.NumRangeDels {
		c.problem(corruption.Errorf(path, -1, "holds %d range tombstones but the manifest says %d", n, f.NumRangeDels))
	}
}

// widenToRangeDels returns the bounds a table with point keys first..last
// (nil if none) and range tombstones l must record: the smallest is at
// most the first fragment's start at its newest sequence number, the
// largest at least the exclusive end sentinel of the last fragment. This is
// the rule sstable.Writer applies (docs/format-sstable.md), restated so
// that check verifies it rather than trusting it.
func widenToRangeDels(first, last []byte, l rangedel.List) ([]byte, []byte) {
	if len(l) == 0 {
		return first, last
	}
	lo := keys.Make(l[0].Start, l[0].Seqs[0], keys.KindRangeDelete)
	if first == nil || keys.Compare(lo, first) < 0 {
		first = lo
	}
	hi := keys.RangeDeleteSentinel(l[len(l)-1].End)
	if last == nil || keys.Compare(hi, last) > 0 {
		last = hi
	}
	return first, last
}

// checkBounds compares a table's actual bounds with the manifest's record
// of them.
func (c *checker) checkBounds(path string, f *manifest.FileMeta, first, last []byte) {
	if !bytes.Equal(first, f.Smallest) || !bytes.Equal(last, f.Largest) {
		c.problem(corruption.Errorf(path, -1, "holds keys [%s .. %s] but the manifest says [%s .. %s]",
			fmtIKey(first, true), fmtIKey(last, true), fmtIKey(f.Smallest, true), fmtIKey(f.Largest, true)))
	}
}

// checkLevelOrder checks that the tables of an L1+ level are sorted and do
// not overlap, not even in one user key. A table whose largest key is the
// exclusive end of its range tombstones holds nothing at that user key, so
// the next table may start there (FileMeta.EndsBefore). (manifest.Load
// refuses a version breaking this already; checking again costs nothing
// and keeps check self-contained.)
func (c *checker) checkLevelOrder(manifestPath string, level int, files []*manifest.FileMeta) {
	for i := 1; i < len(files); i++ {
		prev, f := files[i-1], files[i]
		if !prev.EndsBefore(f.SmallestUserKey()) {
			c.problem(corruption.Errorf(manifestPath, -1, "L%d: table %06d ends at %s, after table %06d starts at %s",
				level, prev.Num, fmtIKey(prev.Largest, true), f.Num, fmtIKey(f.Smallest, true)))
		}
	}
}

// checkWALs checks that the WAL the manifest names exists and that every
// live WAL (number >= logNum) reads cleanly and holds well-formed batches.
// As in recovery (the rule is wal.RecoveryModes), only the newest
// non-empty WAL may end in a torn tail.
func (c *checker) checkWALs(logNum uint64) {
	logs, err := c.liveWALs(logNum)
	if err != nil {
		c.problem(err)
		return
	}
	if logNum != 0 && (len(logs) == 0 || logs[0].num != logNum) {
		c.missing++
		c.problem(corruption.Errorf(filename.Path(c.dir, filename.Log, logNum), -1,
			"the manifest names this WAL as current but it is missing (the state comes from %s)", c.extent))
	}
	sizes := make([]int64, len(logs))
	for i, l := range logs {
		sizes[i] = l.size
	}
	for i, mode := range wal.RecoveryModes(sizes) {
		c.checkWAL(logs[i].num, mode)
	}
}

type walFile struct {
	num  uint64
	size int64
}

// liveWALs lists the WALs numbered logNum or above, oldest first.
func (c *checker) liveWALs(logNum uint64) ([]walFile, error) {
	names, err := vfs.Default.List(c.dir)
	if err != nil {
		return nil, fmt.Errorf("lsmkv/kvtool: %w", err)
	}
	var logs []walFile
	for _, name := range names {
		if k, num, ok := filename.Parse(name); ok && k == filename.Log && num >= logNum {
			fi, err := vfs.Default.Stat(filename.Path(c.dir, k, num))
			if err != nil {
				return nil, fmt.Errorf("lsmkv/kvtool: %w", err)
			}
			logs = append(logs, walFile{num, fi.Size()})
		}
	}
	slices.SortFunc(logs, func(a, b walFile) int { return cmp.Compare(a.num, b.num) })
	return logs, nil
}

// checkWAL reads one WAL to its end, decoding every batch.
func (c *checker) checkWAL(num uint64, mode wal.RecoveryMode) {
	path := filename.Path(c.dir, filename.Log, num)
	data, err := readFile(path)
	if err != nil {
		c.problem(err)
		return
	}
	r := wal.NewReader(bytes.NewReader(data), wal.ReaderOptions{Name: path, LogNum: num, Mode: mode})
	records, entries := 0, 0
	for {
		p, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			c.problem(err)
			return
		}
		b, err := decodeBatch(p)
		if err != nil {
			c.problem(corruption.Errorf(path, r.Offset(), "%w", err))
			return
		}
		records++
		entries += len(b.Entries)
	}
	tail := ""
	if r.TornTail() {
		tail = ", torn tail dropped (allowed in the newest WAL)"
	}
	c.info("wal %06d: %d records, %d entries ok%s", num, records, entries, tail)
}

// noteUnlisted mentions tables in the directory that the manifest does not
// list: obsolete or half-written files that the next Open removes. They are
// not problems. But when files the manifest names are missing, the
// manifest has likely lost edits (and Open refuses to run), so an unlisted
// table may be live data: the note says so instead.
func (c *checker) noteUnlisted(listed map[uint64]bool) {
	why := "obsolete; the next Open removes it"
	if c.missing > 0 {
		why = "perhaps live data, listed by manifest edits that were lost: see the missing files above"
	}
	names, err := vfs.Default.List(c.dir)
	if err != nil {
		c.problem(fmt.Errorf("lsmkv/kvtool: %w", err))
		return
	}
	for _, name := range names {
		if k, num, ok := filename.Parse(name); ok && k == filename.Table && !listed[num] {
			c.info("note: %s is not in the manifest (%s)", name, why)
		}
	}
}
