package manifest

import (
	"fmt"
	"maps"
	"slices"

	"github.com/lsmkv/lsmkv/internal/keys"
)

// Apply returns the version that results from applying e to v: e's
// deleted tables removed, then its added tables inserted, L0 ordered newest
// first and L1+ sorted by smallest key. It fails, leaving v unchanged, if e
// deletes a table that is not at the level it names, adds a file number the
// version already holds, or would leave overlapping tables in L1+.
//
// The new version shares v's unchanged FileMetas (they are immutable) and
// holds copies of e's keys; it has no references and no release hook.
func (v *Version) Apply(e *VersionEdit) (*Version, error) {
	b := newBuilder(v)
	if err := b.apply(e); err != nil {
		return nil, err
	}
	return b.finish()
}

// builder accumulates edits on top of a base version; Load uses one to
// replay a whole MANIFEST without materialising a version per record.
type builder struct {
	base *Version
	// levels[l] is nil while level l is untouched (finish then reuses the
	// base's slice); once touched it holds the level's whole contents.
	levels [NumLevels]map[uint64]*FileMeta
	// where maps every file number in the accumulated state to its level.
	where map[uint64]int
}

func newBuilder(base *Version) *builder {
	b := &builder{base: base, where: make(map[uint64]int)}
	for level, files := range base.Levels {
		for _, f := range files {
			b.where[f.Num] = level
		}
	}
	return b
}

// touch makes levels[level] a private, mutable copy of the base level.
func (b *builder) touch(level int) map[uint64]*FileMeta {
	if b.levels[level] == nil {
		m := make(map[uint64]*FileMeta, len(b.base.Levels[level]))
		for _, f := range b.base.Levels[level] {
			m[f.Num] = f
		}
		b.levels[level] = m
	}
	return b.levels[level]
}

func (b *builder) apply(e *VersionEdit) error {
	for _, d := range e.Deleted {
		if d.Level < 0 || d.Level >= NumLevels {
			return fmt.Errorf("lsmkv/manifest: delete of table %d at invalid level %d", d.Num, d.Level)
		}
		if l, ok := b.where[d.Num]; !ok || l != d.Level {
			return fmt.Errorf("lsmkv/manifest: delete of table %d at L%d, which is not there", d.Num, d.Level)
		}
		delete(b.touch(d.Level), d.Num)
		delete(b.where, d.Num)
	}
	for _, a := range e.Added {
		if a.Level < 0 || a.Level >= NumLevels {
			return fmt.Errorf("lsmkv/manifest: add of table %d at invalid level %d", a.Meta.Num, a.Level)
		}
		if l, ok := b.where[a.Meta.Num]; ok {
			return fmt.Errorf("lsmkv/manifest: add of table %d at L%d, but it is already at L%d", a.Meta.Num, a.Level, l)
		}
		if err := checkFileMeta(&a.Meta); err != nil {
			return fmt.Errorf("lsmkv/manifest: add at L%d: %v", a.Level, err)
		}
		m := a.Meta
		m.Smallest = slices.Clone(m.Smallest)
		m.Largest = slices.Clone(m.Largest)
		b.touch(a.Level)[m.Num] = &m
		b.where[m.Num] = a.Level
	}
	return nil
}

// finish builds the accumulated version and checks its invariants.
// REQUIRES: the base version satisfies them.
func (b *builder) finish() (*Version, error) {
	v := &Version{}
	for level := range v.Levels {
		m := b.levels[level]
		if m == nil {
			v.Levels[level] = b.base.Levels[level]
			continue
		}
		if len(m) == 0 {
			continue // leave the level nil
		}
		files := slices.Collect(maps.Values(m))
		if level == 0 {
			slices.SortFunc(files, func(x, y *FileMeta) int {
				switch {
				case x.Num == y.Num:
					return 0
				case l0Newer(x, y):
					return -1
				}
				return 1
			})
		} else {
			slices.SortFunc(files, func(x, y *FileMeta) int {
				return keys.Compare(x.Smallest, y.Smallest)
			})
		}
		// Untouched levels were checked when they were built, and where
		// keeps file numbers unique, so only touched levels need checking.
		if err := checkLevel(level, files); err != nil {
			return nil, err
		}
		v.Levels[level] = files
	}
	return v, nil
}
