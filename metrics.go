package lsmkv

import (
	"fmt"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/lsmkv/lsmkv/internal/bytesize"

	"github.com/lsmkv/lsmkv/compaction"
	"github.com/lsmkv/lsmkv/manifest"
)

// dbStats are the running counters behind Metrics. All atomic.
type dbStats struct {
	userBytes           atomic.Int64 // key+value bytes of user writes
	walBytes            atomic.Int64
	walSyncs            atomic.Int64
	walSyncNanos        atomic.Int64
	flushes             atomic.Int64
	flushBytes          atomic.Int64
	compactions         atomic.Int64
	readCompactions     atomic.Int64 // of those, read-triggered (readcompaction.go)
	resumes             atomic.Int64 // retryable background errors cleared (resume.go)
	compactBytesRead    atomic.Int64
	compactBytesWritten atomic.Int64
	levelIn             [manifest.NumLevels]atomic.Int64
	levelRead           [manifest.NumLevels]atomic.Int64
	levelWritten        [manifest.NumLevels]atomic.Int64
	stalls              atomic.Int64
	stallNanos          atomic.Int64
	gets                atomic.Int64
	tablesProbed        atomic.Int64
	rangeDelsDropped    atomic.Int64 // range tombstones compactions dropped (shadowed or elided)
	deleteOnlyBytes     atomic.Int64 // bytes of tables dropped whole by delete-only compactions
	deleteOnlyTables    atomic.Int64
}

// LevelMetrics describes one level of the tree.
type LevelMetrics struct {
	NumFiles     int
	Size         int64   // bytes of tables
	Score        float64 // compaction score: >= 1 means the level wants compacting
	BytesIn      int64   // bytes that entered the level: flushed (L0) or moved down from above
	BytesRead    int64   // bytes compactions read from this level
	BytesWritten int64   // bytes flushes or compactions wrote to this level

	// Tombstones at this level: point tombstones, range tombstones, and an
	// estimate of the bytes they may delete below: the bytes of the deeper
	// tables overlapping the level's tables that hold any (an upper bound;
	// what compactions will reclaim as the tombstones move down).
	PointTombstones        int64
	RangeTombstones        int64
	TombstoneCoverageBytes int64
}

// Metrics is a snapshot of the DB's shape and counters.
type Metrics struct {
	Levels []LevelMetrics // L0 first

	UserBytes   int64 // key and value bytes written by the user
	WALBytes    int64 // bytes appended to WALs
	WALSyncs    int64
	Flushes     int64
	FlushBytes  int64
	Compactions int64
	// ReadCompactions counts the compactions of L0 that reads triggered
	// (they are included in Compactions).
	ReadCompactions int64
	// CompactionBytesRead and Written count table bytes compactions read
	// and wrote.
	CompactionBytesRead, CompactionBytesWritten int64

	MemtableBytes    int64 // arena bytes in use, mutable and immutable
	MemtableCount    int   // including immutable ones waiting for flush
	BlockCacheBytes  int64
	BlockCacheHits   int64
	BlockCacheMisses int64
	OpenTables       int   // readers in the table cache
	TableIndexBytes  int64 // index and filter blocks held by open readers
	PinnedBytes      int64 // table bytes kept only because an iterator or snapshot still needs an old version

	// MutableMemtableBytes and MemtableCapacity are the bytes in use and
	// the capacity of the mutable memtable, which rotates when full;
	// FrozenMemtableBytes holds the bytes of each frozen memtable waiting
	// for flush, oldest first.
	MutableMemtableBytes, MemtableCapacity int64
	FrozenMemtableBytes                    []int64

	Stalls        int64
	StallDuration time.Duration

	Gets            int64
	TablesProbed    int64 // table lookups done by Gets
	FilterChecks    int64
	FilterNegatives int64 // lookups the bloom filter answered without reading a block

	Snapshots, Iterators int

	// EventsDropped counts events the EventListener never got because it
	// fell more than eventQueueLen events behind.
	EventsDropped int64

	// BackgroundError is the error that stops writes, nil if none.
	// BackgroundErrorRetryable says the engine is retrying and writes will
	// resume on their own (a full disk); otherwise only a reopen clears
	// it. Resumes counts retryable errors cleared so far.
	BackgroundError          error
	BackgroundErrorRetryable bool
	Resumes                  int64

	// Space reclaimed by range deletions: tables dropped whole, unread,
	// because newer range tombstones delete every key in them
	// (delete-only compactions), and range tombstones compactions dropped
	// once nothing older lay below or a newer one in their snapshot stripe
	// shadowed them.
	DeleteOnlyTables, DeleteOnlyBytes int64
	RangeTombstonesDropped            int64
}

// Metrics returns the current metrics.
func (db *DB) Metrics() *Metrics {
	m := &Metrics{Levels: make([]LevelMetrics, manifest.NumLevels)}
	db.mu.Lock()
	v := db.vs.Current()
	m.MemtableCount = 1 + len(db.imm)
	m.MemtableBytes = db.mem.mt.Size()
	m.MutableMemtableBytes, m.MemtableCapacity = m.MemtableBytes, db.mem.mt.Capacity()
	for _, e := range db.imm {
		m.MemtableBytes += e.mt.Size()
		m.FrozenMemtableBytes = append(m.FrozenMemtableBytes, e.mt.Size())
	}
	m.Snapshots, m.Iterators = len(db.snapshots), len(db.iterators)
	m.BackgroundError, m.BackgroundErrorRetryable = db.bgErr, db.bgErrRetryable
	db.mu.Unlock()
	defer db.releaseVersion(v)
	m.PinnedBytes = db.pinnedBytes(v)

	scores := compaction.Scores(v, db.compactOpt)
	for i := range m.Levels {
		m.Levels[i] = LevelMetrics{
			NumFiles: v.NumFiles(i), Size: int64(v.LevelSize(i)), Score: scores[i],
			BytesIn: db.stats.levelIn[i].Load(), BytesRead: db.stats.levelRead[i].Load(),
			BytesWritten: db.stats.levelWritten[i].Load(),
		}
	}
	for i := range m.Levels {
		fillTombstones(&m.Levels[i], v, i)
	}
	m.Levels[0].BytesIn = db.stats.flushBytes.Load()
	m.Levels[0].BytesWritten = db.stats.flushBytes.Load()
	db.fillCounters(m)
	return m
}

func (db *DB) fillCounters(m *Metrics) {
	s := &db.stats
	m.UserBytes, m.WALBytes, m.WALSyncs = s.userBytes.Load(), s.walBytes.Load(), s.walSyncs.Load()
	m.Flushes, m.FlushBytes = s.flushes.Load(), s.flushBytes.Load()
	m.Compactions, m.ReadCompactions = s.compactions.Load(), s.readCompactions.Load()
	m.CompactionBytesRead, m.CompactionBytesWritten = s.compactBytesRead.Load(), s.compactBytesWritten.Load()
	m.Stalls, m.StallDuration = s.stalls.Load(), time.Duration(s.stallNanos.Load())
	m.Gets, m.TablesProbed = s.gets.Load(), s.tablesProbed.Load()
	m.DeleteOnlyTables, m.DeleteOnlyBytes = s.deleteOnlyTables.Load(), s.deleteOnlyBytes.Load()
	m.RangeTombstonesDropped = s.rangeDelsDropped.Load()
	m.FilterChecks, m.FilterNegatives = int64(db.readStats.FilterChecks.Load()), int64(db.readStats.FilterNegatives.Load())
	if db.blockCache != nil {
		cm := db.blockCache.Metrics()
		m.BlockCacheBytes, m.BlockCacheHits, m.BlockCacheMisses = cm.Size, int64(cm.Hits), int64(cm.Misses)
	}
	m.OpenTables = db.tables.size()
	m.EventsDropped = db.events.droppedCount()
	m.Resumes = db.stats.resumes.Load()
	m.TableIndexBytes = db.tables.memoryUsage()
}

// fillTombstones counts level's tombstones and estimates what they cover.
func fillTombstones(l *LevelMetrics, v *manifest.Version, level int) {
	for _, f := range v.Levels[level] {
		l.PointTombstones += int64(f.NumDeletions)
		l.RangeTombstones += int64(f.NumRangeDels)
		if f.NumDeletions+f.NumRangeDels > 0 {
			l.TombstoneCoverageBytes += int64(compaction.OlderBytesBelow(v, level, f))
		}
	}
}

// pinnedBytes sums the sizes of tables that live versions other than cur
// still list, from the sizes the versions record: no file is touched, and
// no lock of the DB is held.
func (db *DB) pinnedBytes(cur *manifest.Version) int64 {
	live := make(map[uint64]uint64)
	db.vs.LiveFiles(live)
	for _, files := range cur.Levels {
		for _, f := range files {
			delete(live, f.Num)
		}
	}
	var n int64
	for _, size := range live {
		n += int64(size)
	}
	return n
}

// WriteAmplification is the bytes written to disk (WAL, flushes and
// compactions) over the bytes the user wrote; 0 before any write.
func (m *Metrics) WriteAmplification() float64 {
	if m.UserBytes == 0 {
		return 0
	}
	return float64(m.WALBytes+m.FlushBytes+m.CompactionBytesWritten) / float64(m.UserBytes)
}

// String formats the metrics as a table of the tree's shape and the
// counters below it.
//
// Every column of the table describes the levels, and the total row sums
// each column (w-amp is written over bytes in, as in every row; scores do
// not add up, so that cell is blank). The user's bytes and the WAL belong
// to no level: they get their own lines, with the whole store's write
// amplification, (WAL + flushed + compacted bytes) / user bytes.
func (m *Metrics) String() string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "level\tfiles\tsize\tscore\tbytes in\tread\twritten\tw-amp\t")
	var total LevelMetrics
	for i, l := range m.Levels {
		fmt.Fprintf(tw, "L%d\t%d\t%s\t%.2f\t%s\t%s\t%s\t%.1f\t\n", i, l.NumFiles, bytesize.Format(l.Size), l.Score,
			bytesize.Format(l.BytesIn), bytesize.Format(l.BytesRead), bytesize.Format(l.BytesWritten), ratio(l.BytesWritten, l.BytesIn))
		total.NumFiles += l.NumFiles
		total.Size += l.Size
		total.BytesIn += l.BytesIn
		total.BytesRead += l.BytesRead
		total.BytesWritten += l.BytesWritten
	}
	fmt.Fprintf(tw, "total\t%d\t%s\t\t%s\t%s\t%s\t%.1f\t\n", total.NumFiles, bytesize.Format(total.Size),
		bytesize.Format(total.BytesIn), bytesize.Format(total.BytesRead), bytesize.Format(total.BytesWritten), ratio(total.BytesWritten, total.BytesIn))
	tw.Flush()
	fmt.Fprintf(&b, "user bytes written: %s (keys and values)\n", bytesize.Format(m.UserBytes))
	fmt.Fprintf(&b, "WAL: %s written, %d syncs | flushes: %d (%s) | compactions: %d, %d read-triggered (read %s, wrote %s)\n",
		bytesize.Format(m.WALBytes), m.WALSyncs, m.Flushes, bytesize.Format(m.FlushBytes), m.Compactions, m.ReadCompactions,
		bytesize.Format(m.CompactionBytesRead), bytesize.Format(m.CompactionBytesWritten))
	fmt.Fprintf(&b, "write amplification: %.2f (WAL + flushes + compactions over user bytes) | stalls: %d (%s)\n",
		m.WriteAmplification(), m.Stalls, m.StallDuration.Round(time.Millisecond))
	fmt.Fprintf(&b, "memtables: %d (%s) | block cache: %s, hit rate %.1f%% | open tables: %d (index+filter %s)\n",
		m.MemtableCount, bytesize.Format(m.MemtableBytes), bytesize.Format(m.BlockCacheBytes),
		100*float64(m.BlockCacheHits)/float64(max(1, m.BlockCacheHits+m.BlockCacheMisses)),
		m.OpenTables, bytesize.Format(m.TableIndexBytes))
	fmt.Fprintf(&b, "gets: %d, tables probed per get %.2f, bloom filter negatives %d of %d checks | pinned by old versions: %s | open snapshots %d, iterators %d\n",
		m.Gets, ratio(m.TablesProbed, m.Gets), m.FilterNegatives, m.FilterChecks, bytesize.Format(m.PinnedBytes), m.Snapshots, m.Iterators)
	var points, ranges, covered int64
	for _, l := range m.Levels {
		points, ranges, covered = points+l.PointTombstones, ranges+l.RangeTombstones, covered+l.TombstoneCoverageBytes
	}
	if points+ranges+m.DeleteOnlyTables+m.RangeTombstonesDropped > 0 {
		fmt.Fprintf(&b, "tombstones: %d point, %d range (may delete up to %s below) | delete-only compactions dropped %d tables (%s) | range tombstones dropped %d\n",
			points, ranges, bytesize.Format(covered), m.DeleteOnlyTables, bytesize.Format(m.DeleteOnlyBytes), m.RangeTombstonesDropped)
	}
	return b.String()
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
