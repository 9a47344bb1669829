package bench

import "testing"

// TestSeekrandomCountsBytesRead is issue 9: seekrandom reported 0 MB/s
// because it counted no bytes unless -seek_nexts was set. Every seek lands
// on a present key here (fillseq loaded them all), so each seek reads that
// entry plus up to seek_nexts more (fewer near the end of the data).
func TestSeekrandomCountsBytesRead(t *testing.T) {
	for _, nexts := range []int{0, 1, 5} {
		o := testOptions(t, "fillseq", "seekrandom")
		o.SeekNexts = nexts
		results, err := runAll(&o, OpenMapEngine)
		if err != nil {
			t.Fatal(err)
		}
		r, entry := results[1], int64(o.KeySize+o.ValueSize)
		lo, hi := o.Reads*entry, o.Reads*int64(1+nexts)*entry
		if r.Found != o.Reads || r.Bytes%entry != 0 || r.Bytes < lo || r.Bytes > hi {
			t.Errorf("seek_nexts=%d: found %d, bytes %d, want %d found and bytes in [%d,%d] in whole entries",
				nexts, r.Found, r.Bytes, o.Reads, lo, hi)
		}
		if nexts == 0 && r.Bytes != lo {
			t.Errorf("seek_nexts=0: bytes %d, want one entry per seek: %d", r.Bytes, lo)
		}
		if r.mbPerSec() <= 0 {
			t.Errorf("seek_nexts=%d: MB/s %v", nexts, r.mbPerSec())
		}
	}
}
