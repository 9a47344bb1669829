package liveview

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lsmkv/lsmkv"
)

// Snapshot is what /api/snapshot returns and what each "tick" of
// /api/events carries (without History, Bars and Recent).
type Snapshot struct {
	T      float64 `json:"t"`      // seconds since the server started
	Source string  `json:"source"` // "live" (events from the engine) or "dir" (kvtool serve)
	Label  string  `json:"label"`
	Phase  string  `json:"phase,omitempty"`
	Status string  `json:"status"`
	// Open says a DB is attached now; when false the tree is the last one
	// seen (the run ended, or the store is being reopened).
	Open      bool              `json:"open"`
	Levels    []Level           `json:"levels"`
	Memtables Memtables         `json:"memtables"`
	Running   []CompactionEvent `json:"running"` // compactions begun and not ended
	Counters  Counters          `json:"counters"`
	Ops       int64             `json:"ops"`         // ops done since the server started (kvbench)
	OpsPerSec float64           `json:"ops_per_sec"` // over the last interval
	Stream    StreamStats       `json:"stream"`
	History   []Sample          `json:"history,omitempty"`
	Bars      []Bar             `json:"bars,omitempty"`
	// RecentBars, in ticks only: the bars that ended (or, for a burst of
	// stalls, grew) in the last two intervals, so that a page can draw the
	// timeline without following every stall event. A bar comes in several
	// ticks: merge by ID.
	RecentBars []Bar   `json:"recent_bars,omitempty"`
	Recent     []Event `json:"recent,omitempty"` // the last events, oldest first
}

// Level is one level of the tree and its tables.
type Level struct {
	Level        int     `json:"level"`
	Files        int     `json:"files"`
	Bytes        int64   `json:"bytes"`
	Score        float64 `json:"score"`
	BytesIn      int64   `json:"bytes_in"`
	BytesRead    int64   `json:"bytes_read"`
	BytesWritten int64   `json:"bytes_written"`
	WriteAmp     float64 `json:"write_amp"` // bytes written to the level / bytes that entered it
	Rows         int     `json:"rows"`      // L0: one row per table; deeper levels: one
	Tables       []Table `json:"tables"`
}

// Table is one table, placed for drawing: X0 and X1 are its key range
// mapped onto [0,1] (see keyScale), Row its row within the level. L0
// tables are in arrival order, oldest first (row 0).
type Table struct {
	Num      uint64  `json:"num"`
	Size     uint64  `json:"size"`
	Smallest string  `json:"smallest"` // printable, shortened
	Largest  string  `json:"largest"`
	X0       float64 `json:"x0"`
	X1       float64 `json:"x1"`
	Row      int     `json:"row"`
}

// Memtables shows the write buffer: the mutable memtable's fill, and the
// frozen ones waiting for flush, oldest first.
type Memtables struct {
	Capacity int64   `json:"capacity"`
	Mutable  int64   `json:"mutable"`
	Frozen   []int64 `json:"frozen"`
}

// Counters are the amplification and cache figures. Engine counters
// restart at each Open (kvbench reopens the store for each fill phase);
// FlushesSeen, CompactionsSeen (rewrites and delete-only compactions, not
// trivial moves) and MovesSeen count successful ones from the events since
// the server started.
type Counters struct {
	UserBytes              int64   `json:"user_bytes"`
	TableBytes             int64   `json:"table_bytes"`
	WriteAmp               float64 `json:"write_amp"` // (WAL + flushes + compactions) / user bytes
	SpaceAmpEst            float64 `json:"space_amp_est"`
	Flushes                int64   `json:"flushes"`
	Compactions            int64   `json:"compactions"`
	CompactionBytesRead    int64   `json:"compaction_bytes_read"`
	CompactionBytesWritten int64   `json:"compaction_bytes_written"`
	CacheHits              int64   `json:"cache_hits"`
	CacheMisses            int64   `json:"cache_misses"`
	Gets                   int64   `json:"gets"`
	FilterChecks           int64   `json:"filter_checks"`
	FilterNegatives        int64   `json:"filter_negatives"` // table reads the bloom filter spared
	Stalls                 int64   `json:"stalls"`
	StallMS                float64 `json:"stall_ms"`
	EngineEventsDropped    int64   `json:"engine_events_dropped"` // lsmkv's own listener queue (Metrics.EventsDropped)
	FlushesSeen            int64   `json:"flushes_seen"`
	CompactionsSeen        int64   `json:"compactions_seen"`
	MovesSeen              int64   `json:"moves_seen"`
}

// Sample is one point of the ops/s timeline.
type Sample struct {
	T         float64 `json:"t"`
	OpsPerSec float64 `json:"ops_per_sec"`
}

// Bar is a finished flush, compaction or stall on the timeline.
type Bar struct {
	ID    uint64  `json:"id"`   // 1, 2, ... in the order bars are made
	Kind  string  `json:"kind"` // flush, compaction, stall
	Start float64 `json:"start"`
	End   float64 `json:"end"`
	Label string  `json:"label"`
}

// tree builds the levels and counters of a snapshot from the DB's
// Metrics and Tables.
func tree(m *lsmkv.Metrics, tables [][]lsmkv.TableInfo) ([]Level, Memtables, Counters) {
	scale := newKeyScale(tables)
	levels := make([]Level, len(m.Levels))
	var tableBytes, bottom int64
	for i, lm := range m.Levels {
		var ts []lsmkv.TableInfo
		if i < len(tables) {
			ts = tables[i]
		}
		// Files and bytes come from the table list, not Metrics: the two
		// read the tree's version separately, and a level's label must
		// describe the boxes drawn under it.
		var size int64
		for _, t := range ts {
			size += int64(t.Size)
		}
		l := Level{Level: i, Files: len(ts), Bytes: size, Score: lm.Score, BytesIn: lm.BytesIn,
			BytesRead: lm.BytesRead, BytesWritten: lm.BytesWritten, Rows: 1, Tables: []Table{}}
		if lm.BytesIn > 0 {
			l.WriteAmp = float64(lm.BytesWritten) / float64(lm.BytesIn)
		}
		if i == 0 {
			l.Rows = max(1, len(ts))
		}
		for j, t := range ts {
			row := 0
			if i == 0 {
				row = len(ts) - 1 - j // Tables lists L0 newest first
			}
			l.Tables = append(l.Tables, Table{Num: t.FileNum, Size: t.Size,
				Smallest: printable(t.Smallest), Largest: printable(t.Largest),
				X0: round5(scale.at(t.Smallest)), X1: round5(scale.at(t.Largest)), Row: row})
		}
		if i == 0 {
			// Oldest first, so row 0 comes first in the list too.
			for a, b := 0, len(l.Tables)-1; a < b; a, b = a+1, b-1 {
				l.Tables[a], l.Tables[b] = l.Tables[b], l.Tables[a]
			}
		}
		tableBytes += size
		if size > 0 {
			bottom = size
		}
		levels[i] = l
	}
	mem := Memtables{Capacity: m.MemtableCapacity, Mutable: m.MutableMemtableBytes, Frozen: m.FrozenMemtableBytes}
	if mem.Frozen == nil {
		mem.Frozen = []int64{}
	}
	c := Counters{
		UserBytes: m.UserBytes, TableBytes: tableBytes, WriteAmp: m.WriteAmplification(),
		Flushes: m.Flushes, Compactions: m.Compactions,
		CompactionBytesRead: m.CompactionBytesRead, CompactionBytesWritten: m.CompactionBytesWritten,
		CacheHits: m.BlockCacheHits, CacheMisses: m.BlockCacheMisses, Gets: m.Gets,
		FilterChecks: m.FilterChecks, FilterNegatives: m.FilterNegatives,
		Stalls: m.Stalls, StallMS: ms(m.StallDuration), EngineEventsDropped: m.EventsDropped,
	}
	if bottom > 0 {
		c.SpaceAmpEst = float64(tableBytes) / float64(bottom)
	}
	return levels, mem, c
}

// printable shortens a key to 24 bytes and escapes what is not printable
// text, for tooltips.
func printable(k []byte) string {
	const limit = 24
	cut := len(k) > limit
	if cut {
		k = k[:limit]
	}
	var b strings.Builder
	for _, c := range k {
		if c >= 0x20 && c < 0x7f {
			b.WriteByte(c)
		} else {
			b.WriteString(`\x` + strconv.FormatUint(uint64(c)>>4, 16) + strconv.FormatUint(uint64(c)&15, 16))
		}
	}
	if cut {
		b.WriteRune('…')
	}
	if !utf8.ValidString(b.String()) {
		return "?"
	}
	return b.String()
}

// round5 rounds a position to 1e-5, a pixel of a drawing 100,000 pixels
// wide: the shortest JSON for it is a third the length of a full float64,
// and positions are most of the bytes a tick sends four times a second.
func round5(x float64) float64 { return math.Round(x*1e5) / 1e5 }
