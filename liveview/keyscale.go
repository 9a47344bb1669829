package liveview

import (
	"bytes"

	"github.com/lsmkv/lsmkv"
)

// keyScale maps user keys onto [0,1] so that tables can be placed by key
// range. Keys are bytes, so it skips the prefix every key shares (kvbench's
// keys are zero-padded decimals: "0000000000012345") and reads the next
// bytes as a number: as a decimal if the range's bounds are digits there,
// else as a big-endian base-256 fraction of 8 bytes. The mapping keeps key
// order (a table's X0 <= X1, and a level's tables do not overlap on screen
// if their keys do not); it is linear only for keys that are numbers.
type keyScale struct {
	prefix  int
	decimal int // digits read in decimal mode, 0 for base 256
	lo, hi  float64
}

func newKeyScale(levels [][]lsmkv.TableInfo) keyScale {
	var lo, hi []byte
	first := true
	for _, ts := range levels {
		for _, t := range ts {
			if first || bytes.Compare(t.Smallest, lo) < 0 {
				lo = t.Smallest
			}
			if first || bytes.Compare(t.Largest, hi) > 0 {
				hi = t.Largest
			}
			first = false
		}
	}
	var s keyScale
	for s.prefix < len(lo) && s.prefix < len(hi) && lo[s.prefix] == hi[s.prefix] {
		s.prefix++
	}
	if n := digits(lo[s.prefix:]); n > 0 && n == digits(hi[s.prefix:]) {
		s.decimal = min(n, 15) // exact in a float64
	}
	s.lo, s.hi = s.value(lo), s.value(hi)
	return s
}

// digits returns the number of leading ASCII digits of b.
func digits(b []byte) int {
	n := 0
	for n < len(b) && b[n] >= '0' && b[n] <= '9' {
		n++
	}
	return n
}

func (s keyScale) value(k []byte) float64 {
	var rest []byte
	if len(k) > s.prefix {
		rest = k[s.prefix:]
	}
	v := 0.0
	if s.decimal > 0 {
		for i := range s.decimal {
			d := 0.0
			if i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
				d = float64(rest[i] - '0')
			} else if i < len(rest) && rest[i] > '9' {
				d = 9
			}
			v = v*10 + d
		}
		return v
	}
	for i := range 8 {
		c := 0.0
		if i < len(rest) {
			c = float64(rest[i])
		}
		v = v*256 + c
	}
	return v
}

// at returns k's position in [0,1].
func (s keyScale) at(k []byte) float64 {
	if s.hi <= s.lo {
		return 0.5
	}
	return min(1, max(0, (s.value(k)-s.lo)/(s.hi-s.lo)))
}
