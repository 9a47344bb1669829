package lsmkv

import (
	"bytes"
	"sort"

	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/internal/rangedel"
	"github.com/lsmkv/lsmkv/manifest"
)

// Range tombstones on the iterator path. The DB iterator merges one child
// per memtable, per L0 table and per deeper level, newest first; a
// rangeDels holds, for the same children in the same order, where to find
// each one's range tombstones. An entry from child j is deleted if a
// tombstone of a child i <= j covers its key with a newer visible sequence
// number: for i < j any covering tombstone is newer (an older source holds
// only older versions of the keys a newer one covers), for i == j the
// numbers are compared.

// rangeDelSource finds one child's fragment covering a key.
type rangeDelSource interface {
	fragment(ukey []byte) (*rangedel.Fragment, error)
}

// rangeDels answers coverage questions for the DB iterator.
type rangeDels struct {
	sources []rangeDelSource // per child; nil where the child has none
	seq     keys.SeqNum      // the iterator's read sequence number
	any     bool             // some source is non-nil
}

// covering reports whether the entry (ukey, seq) of child j is deleted by a
// range tombstone, and if so the newest child holding one that covers ukey
// and the end of that tombstone's fragment: children after it hold
// nothing visible below that end.
func (r *rangeDels) covering(ukey []byte, seq keys.SeqNum, j int) (deleted bool, from int, end []byte, err error) {
	for i := 0; i <= j && i < len(r.sources); i++ {
		src := r.sources[i]
		if src == nil {
			continue
		}
		f, err := src.fragment(ukey)
		if err != nil {
			return false, 0, nil, err
		}
		if f == nil {
			continue
		}
		if t := f.Visible(r.seq); t != 0 && (i < j || t > seq) {
			return true, i, f.End, nil
		}
	}
	return false, 0, nil, nil
}

// listSource is the tombstones of a memtable, fixed when the iterator was
// made (later ones are newer than the iterator's sequence number).
type listSource struct {
	l    rangedel.List
	last int // index of the fragment found last: keys usually move little
}

func (s *listSource) fragment(ukey []byte) (*rangedel.Fragment, error) {
	if s.last < len(s.l) && contains(&s.l[s.last], ukey) {
		return &s.l[s.last], nil
	}
	i := s.l.Find(ukey)
	if i < 0 {
		return nil, nil
	}
	s.last = i
	return &s.l[i], nil
}

func contains(f *rangedel.Fragment, ukey []byte) bool {
	return bytes.Compare(f.Start, ukey) <= 0 && bytes.Compare(ukey, f.End) < 0
}

// tableSource is the tombstones of the tables of one level (or one L0
// table): the table whose range holds a key is found by binary search, and
// its tombstones are read through the table cache on first use.
type tableSource struct {
	files  []*manifest.FileMeta // sorted, non-overlapping; only tables with tombstones
	tables *tableCache
	cur    *manifest.FileMeta // the table cur's list belongs to
	list   listSource
}

// newTableSource returns the source of files' tombstones, or nil if none of
// them has any (the common case costs the iterator nothing).
func newTableSource(files []*manifest.FileMeta, tables *tableCache) rangeDelSource {
	var with []*manifest.FileMeta
	for _, f := range files {
		if f.NumRangeDels > 0 {
			with = append(with, f)
		}
	}
	if len(with) == 0 {
		return nil
	}
	return &tableSource{files: with, tables: tables}
}

func (s *tableSource) fragment(ukey []byte) (*rangedel.Fragment, error) {
	if s.cur == nil || !s.cur.ContainsUserKey(ukey) {
		i := sort.Search(len(s.files), func(i int) bool { return !s.files[i].EndsBefore(ukey) })
		if i == len(s.files) || !s.files[i].ContainsUserKey(ukey) {
			return nil, nil
		}
		e, err := s.tables.acquire(s.files[i])
		if err != nil {
			return nil, err
		}
		// The list is decoded memory the reader shares; it outlives the
		// table cache entry, so the entry need not stay pinned.
		s.cur, s.list = s.files[i], listSource{l: e.reader.RangeDels()}
		s.tables.logCloseError(s.tables.release(e))
	}
	return s.list.fragment(ukey)
}
