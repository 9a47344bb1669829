package compaction

import (
	"cmp"
	"encoding/binary"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/lsmkv/lsmkv/internal/bytesize"
	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/manifest"
)

// This file is a compaction simulator in the spirit of mini-lsm's
// compaction-simulator: it drives random flushes through the picker,
// "executes" each compaction on in-memory tables (lists of keys and
// sequence numbers), installs the edits with manifest.Version.Apply, and
// checks after every step that every key reads its newest version. Run
//
//	go test ./compaction -run TestSimulate -v
//
// to see each style's write amplification and final shape.

const simEntrySize = 100 // bytes per simulated entry

type simEntry struct {
	key uint32
	seq keys.SeqNum
}

type simulator struct {
	t       *testing.T
	r       *rand.Rand
	opts    Options
	picker  *Picker
	v       *manifest.Version
	tables  map[uint64][]simEntry // table number -> entries sorted by key
	nextNum uint64
	seq     keys.SeqNum
	latest  []keys.SeqNum // the model: newest seq of every key, 0 if unwritten
	written int           // number of keys ever written
	seen    []keys.SeqNum // scratch for check

	flushedBytes, writtenBytes uint64
	compactions, moves         int
	maxRuns                    int
}

func newSimulator(t *testing.T, r *rand.Rand, opts Options, keySpace uint32) *simulator {
	opts.EnsureDefaults()
	return &simulator{t: t, r: r, opts: opts, picker: NewPicker(opts), v: &manifest.Version{},
		tables: map[uint64][]simEntry{}, nextNum: 1,
		latest: make([]keys.SeqNum, keySpace), seen: make([]keys.SeqNum, keySpace)}
}

// sortDedup sorts entries by key and keeps each key's newest entry.
func sortDedup(entries []simEntry) []simEntry {
	slices.SortFunc(entries, func(a, b simEntry) int {
		if a.key != b.key {
			return cmp.Compare(a.key, b.key)
		}
		return -cmp.Compare(a.seq, b.seq)
	})
	return slices.CompactFunc(entries, func(a, b simEntry) bool { return a.key == b.key })
}

func simKey(k uint32, seq keys.SeqNum) []byte {
	return keys.Make(binary.BigEndian.AppendUint32(nil, k), seq, keys.KindSet)
}

// newTable registers entries (sorted by key, one per key) as a table.
func (s *simulator) newTable(entries []simEntry) *manifest.FileMeta {
	m := &manifest.FileMeta{Num: s.nextNum, Size: uint64(len(entries)) * simEntrySize,
		Smallest:    simKey(entries[0].key, entries[0].seq),
		Largest:     simKey(entries[len(entries)-1].key, entries[len(entries)-1].seq),
		SmallestSeq: keys.MaxSeqNum}
	for _, e := range entries {
		m.SmallestSeq, m.LargestSeq = min(m.SmallestSeq, e.seq), max(m.LargestSeq, e.seq)
	}
	s.tables[m.Num] = entries
	s.nextNum++
	return m
}

func (s *simulator) apply(e *manifest.VersionEdit) {
	nv, err := s.v.Apply(e)
	if err != nil {
		s.t.Fatalf("apply: %v\n%s", err, s.v)
	}
	for _, d := range e.Deleted {
		if !slices.ContainsFunc(e.Added, func(a manifest.NewFile) bool { return a.Meta.Num == d.Num }) {
			delete(s.tables, d.Num) // not a trivial move
		}
	}
	s.v = nv
}

// flush writes n random keys as one L0 table.
func (s *simulator) flush(n int) {
	entries := make([]simEntry, 0, n)
	for range n {
		s.seq++
		k := s.r.Uint32N(uint32(len(s.latest)))
		if s.latest[k] == 0 {
			s.written++
		}
		s.latest[k] = s.seq
		entries = append(entries, simEntry{k, s.seq})
	}
	m := s.newTable(sortDedup(entries))
	s.flushedBytes += m.Size
	s.writtenBytes += m.Size
	s.apply(&manifest.VersionEdit{Added: []manifest.NewFile{{Level: 0, Meta: *m}}})
}

// compact executes c: merge keeping each key's newest entry (there are no
// snapshots or deletes here), cut tables at TargetFileSize or where
// ShouldStopBefore says, install the edit.
func (s *simulator) compact(c *Compaction) {
	s.compactions++
	if c.IsTrivialMove() {
		s.moves++
		s.apply(c.Edit(c.Inputs[0]))
		return
	}
	var merged []simEntry
	for _, in := range c.InputLevels() {
		for _, f := range in.Files {
			merged = append(merged, s.tables[f.Num]...)
		}
	}
	merged = sortDedup(merged)
	var outputs []*manifest.FileMeta
	var cur []simEntry
	for _, e := range merged {
		stop := c.ShouldStopBefore(simKey(e.key, e.seq))
		if len(cur) > 0 && (stop || int64(len(cur))*simEntrySize >= s.opts.TargetFileSize) {
			outputs = append(outputs, s.newTable(cur))
			cur = nil
		}
		cur = append(cur, e)
	}
	if len(cur) > 0 {
		outputs = append(outputs, s.newTable(cur))
	}
	for _, m := range outputs {
		s.writtenBytes += m.Size
	}
	s.apply(c.Edit(outputs))
}

// drain runs compactions until the picker has nothing to do.
func (s *simulator) drain() {
	for i := 0; ; i++ {
		if i > 1000 {
			s.t.Fatalf("picker does not converge:\n%s", s.v)
		}
		c := s.picker.Pick(s.v)
		if c == nil {
			break
		}
		s.compact(c)
	}
	s.maxRuns = max(s.maxRuns, len(sortedRuns(s.v)))
}

// check verifies that reading the levels top-down (L0 newest first, then
// L1, L2, ...) meets every key's versions newest first, so a read returns
// the newest version, and that every written key is still there.
func (s *simulator) check() {
	clear(s.seen)
	found := 0
	for level, files := range s.v.Levels {
		for _, f := range files {
			for _, e := range s.tables[f.Num] {
				prev := s.seen[e.key]
				switch {
				case prev == 0 && e.seq != s.latest[e.key]:
					s.t.Fatalf("key %d: first version found is seq %d at L%d table %d, newest is %d\n%s",
						e.key, e.seq, level, f.Num, s.latest[e.key], s.v)
				case prev != 0 && e.seq >= prev:
					s.t.Fatalf("key %d: seq %d at L%d table %d below seq %d\n%s", e.key, e.seq, level, f.Num, prev, s.v)
				case prev == 0:
					found++
				}
				s.seen[e.key] = e.seq
			}
		}
	}
	if found != s.written {
		s.t.Fatalf("%d keys in the tree, %d written", found, s.written)
	}
	if s.opts.Style == Tiered {
		checkRunsOrdered(s.t, s.v)
		if n := len(sortedRuns(s.v)); n > tieredTrigger(&s.opts) {
			s.t.Fatalf("%d runs left after draining, more than the trigger %d", n, s.opts.L0CompactionTrigger)
		}
	}
}

func (s *simulator) writeAmp() float64 {
	return float64(s.writtenBytes) / float64(s.flushedBytes)
}

func (s *simulator) summary() string {
	shape := ""
	for level, files := range s.v.Levels {
		if len(files) > 0 {
			shape += fmt.Sprintf(" L%d:%d/%s", level, len(files), bytesize.Format(int64(s.v.LevelSize(level))))
		}
	}
	live := float64(s.written * simEntrySize)
	return fmt.Sprintf("write-amp %.2f  space-amp %.2f  max runs %d  compactions %d (trivial moves %d)  shape%s",
		s.writeAmp(), float64(s.v.TotalSize())/live, s.maxRuns,
		s.compactions, s.moves, shape)
}

var simFlushes = flag.Int("sim.flushes", 200, "flushes per TestSimulate case")

// TestSimulate runs -sim.flushes flushes (of ~12 KiB) through each style on
// two workloads and checks the tree every 10 flushes. Its log compares the
// styles' write amplification, space amplification and run counts.
func TestSimulate(t *testing.T) {
	styles := []struct {
		name string
		opts Options
	}{
		{"leveled", Options{Style: Leveled, BaseLevelSize: 64 << 10, TargetFileSize: 8 << 10}},
		{"tiered", Options{Style: Tiered, TargetFileSize: 8 << 10}},
		{"tiered ratio 1%", Options{Style: Tiered, TargetFileSize: 8 << 10, SizeRatioPercent: 1}},
		{"tiered trigger 6", Options{Style: Tiered, TargetFileSize: 8 << 10, L0CompactionTrigger: 6}},
	}
	workloads := []struct {
		name     string
		keySpace uint32
	}{
		{"updates (4K keys)", 1 << 12},
		{"inserts (1M keys)", 1 << 20},
	}
	flushes := *simFlushes
	if testing.Short() {
		flushes = min(flushes, 50)
	}
	r := newRand(t)
	for _, w := range workloads {
		for _, st := range styles {
			t.Run(w.name+"/"+st.name, func(t *testing.T) {
				s := newSimulator(t, rand.New(rand.NewPCG(r.Uint64(), 0)), st.opts, w.keySpace)
				for i := range flushes {
					s.flush(100 + s.r.IntN(50))
					s.drain()
					if i%10 == 9 || i == flushes-1 {
						s.check()
					}
				}
				t.Logf("%-30s %s", w.name+" "+st.name+":", s.summary())
				// A healthy policy's write amplification grows like
				// log(flushes); one that rewrites a big run for every
				// flush grows linearly and blows through this bound.
				if wa, bound := s.writeAmp(), 4*math.Log2(float64(flushes)); wa > bound {
					t.Errorf("write amplification %.1f > %.1f", wa, bound)
				}
			})
		}
	}
}
