package compaction

import (
	"github.com/lsmkv/lsmkv/internal/testseed"
	"math/rand/v2"
	"testing"

	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/manifest"
)

// newRand returns a seeded source and logs the seed so that a failure can
// be replayed with -seed=N or LSMKV_SEED=N.
func newRand(t testing.TB) *rand.Rand {
	seed := testseed.Seed(t)
	return rand.New(rand.NewPCG(seed, seed))
}

// fm makes a table covering user keys [smallest, largest] whose entries
// have sequence numbers [seqLo, seqHi].
func fm(num uint64, smallest, largest string, size uint64, seqLo, seqHi keys.SeqNum) *manifest.FileMeta {
	return &manifest.FileMeta{
		Num:         num,
		Size:        size,
		Smallest:    keys.Make([]byte(smallest), seqHi, keys.KindSet),
		Largest:     keys.Make([]byte(largest), seqLo, keys.KindSet),
		SmallestSeq: seqLo,
		LargestSeq:  seqHi,
	}
}

// newVersion builds a version from per-level tables and checks that the
// test input itself is a valid version.
func newVersion(t testing.TB, levels map[int][]*manifest.FileMeta) *manifest.Version {
	t.Helper()
	v := &manifest.Version{}
	for level, files := range levels {
		v.Levels[level] = files
	}
	if err := v.CheckInvariants(); err != nil {
		t.Fatalf("bad test version: %v\n%s", err, v)
	}
	return v
}

// nums lists the file numbers of files, for compact comparisons.
func nums(files []*manifest.FileMeta) []uint64 {
	out := []uint64{}
	for _, f := range files {
		out = append(out, f.Num)
	}
	return out
}

// sliceIter is a test input iterator that, like a block iterator, reuses
// one key buffer and one value buffer, so a consumer that fails to copy
// sees its saved keys change.
type sliceIter struct {
	kvs      [][2][]byte
	pos      int
	key, val []byte
	err      error // reported once the entries run out
}

func (s *sliceIter) load() bool {
	if s.pos < 0 || s.pos >= len(s.kvs) {
		return false
	}
	s.key = append(s.key[:0], s.kvs[s.pos][0]...)
	s.val = append(s.val[:0], s.kvs[s.pos][1]...)
	return true
}

func (s *sliceIter) First() bool             { s.pos = 0; return s.load() }
func (s *sliceIter) Next() bool              { s.pos++; return s.load() }
func (s *sliceIter) Valid() bool             { return s.pos >= 0 && s.pos < len(s.kvs) }
func (s *sliceIter) Key() []byte             { return s.key }
func (s *sliceIter) Value() []byte           { return s.val }
func (s *sliceIter) Error() error            { return s.err }
func (s *sliceIter) Close() error            { return nil }
func (s *sliceIter) Last() bool              { panic("compaction test: Last not needed") }
func (s *sliceIter) Prev() bool              { panic("compaction test: Prev not needed") }
func (s *sliceIter) SeekGE(ikey []byte) bool { panic("compaction test: SeekGE not needed") }
func (s *sliceIter) SeekLT(ikey []byte) bool { panic("compaction test: SeekLT not needed") }
