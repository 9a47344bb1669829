package compaction

import (
	"slices"
	"sort"

	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/internal/rangedel"
	"github.com/lsmkv/lsmkv/manifest"
)

// FilterRangeDels is the rewrite filter for range tombstones, Iter's
// counterpart: of each fragment's tombstones it keeps only the newest of
// each snapshot stripe (a reader at any sequence number sees only that
// one), and drops the one of the oldest stripe when elide(start, end) says
// no deeper level holds a key in [start, end): it shadows nothing any more.
// elide may be nil, meaning never (a flush).
func FilterRangeDels(l rangedel.List, snapshots []keys.SeqNum, elide func(start, end []byte) bool) rangedel.List {
	snapshots = slices.Sorted(slices.Values(snapshots))
	stripeOf := func(seq keys.SeqNum) int {
		return sort.Search(len(snapshots), func(i int) bool { return snapshots[i] >= seq })
	}
	var out rangedel.List
	for _, f := range l {
		var kept []keys.SeqNum
		last := -1
		for _, s := range f.Seqs { // newest first
			if st := stripeOf(s); st != last {
				kept, last = append(kept, s), st
			}
		}
		if last == 0 && elide != nil && elide(f.Start, f.End) {
			kept = kept[:len(kept)-1]
		}
		if len(kept) > 0 {
			out = append(out, rangedel.Fragment{Start: f.Start, End: f.End, Seqs: kept})
		}
	}
	return out
}

// ElideRangeTombstone reports whether no level deeper than OutputLevel
// holds a table overlapping [start, end), so that a range tombstone of the
// oldest stripe over it deletes nothing and may be dropped. The check
// treats end as inclusive: it may keep a tombstone it could drop, never
// the reverse.
func (c *Compaction) ElideRangeTombstone(start, end []byte) bool {
	for level := c.OutputLevel + 1; level < manifest.NumLevels; level++ {
		if len(c.v.Overlaps(level, start, end)) > 0 {
			return false
		}
	}
	return true
}
