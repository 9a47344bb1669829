package bench

import (
	"errors"
	"io/fs"
	"math/bits"
	"path/filepath"
	"sync/atomic"
)

// liveSet tracks which of the keys 0..n-1 are present, one bit each, so
// the runner knows the live user bytes behind space amplification exactly
// (for a constant value size) instead of guessing from op counts. Keys
// inserted beyond n by YCSB phases are never deleted and are counted
// separately by the runner. Safe for concurrent use: bits are set and
// cleared atomically.
type liveSet struct {
	words []atomic.Uint64
	n     int64
}

func newLiveSet(n int64) *liveSet {
	return &liveSet{words: make([]atomic.Uint64, (n+63)/64), n: n}
}

// set marks idx present or absent; indexes outside 0..n-1 are ignored.
func (s *liveSet) set(idx int64, present bool) {
	if idx < 0 || idx >= s.n {
		return
	}
	w, mask := &s.words[idx/64], uint64(1)<<(idx%64)
	if present {
		w.Or(mask)
	} else {
		w.And(^mask)
	}
}

func (s *liveSet) clear() {
	for i := range s.words {
		s.words[i].Store(0)
	}
}

// count returns the number of keys present.
func (s *liveSet) count() int64 {
	var c int
	for i := range s.words {
		c += bits.OnesCount64(s.words[i].Load())
	}
	return int64(c)
}

// dirSize returns the total size in bytes of the regular files under dir,
// skipping files that vanish during the walk (see SumFiles).
func dirSize(dir string) (int64, error) {
	return SumFiles(dir, fs.FileInfo.Size)
}

// SumFiles adds up measure(info) over the regular files under dir. Files
// that vanish during the walk (an engine compacting meanwhile) are skipped
// rather than reported as errors. The runner sums sizes with it when an
// engine reports no DiskBytes; the peers module sums allocated blocks.
func SumFiles(dir string, measure func(fs.FileInfo) int64) (int64, error) {
	var total int64
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path != dir && errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		total += measure(info)
		return nil
	})
	return total, err
}
