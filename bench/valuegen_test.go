package bench

import (
	"bytes"
	"testing"
)

func TestValueGenCompressibility(t *testing.T) {
	for _, tc := range []struct {
		ratio float64
		raw   int // random bytes at the start of each 100-byte piece
	}{{0.5, 50}, {0.25, 25}, {0.1, 10}, {1, 100}} {
		g := newValueGen(fixedRand(5), tc.ratio, 100)
		for p := 0; p+valuePieceSize <= len(g.pool); p += valuePieceSize {
			piece := g.pool[p : p+valuePieceSize]
			for i := tc.raw; i < len(piece); i++ {
				if piece[i] != piece[i%tc.raw] {
					t.Fatalf("ratio %g: piece at %d byte %d = %q, want a repeat of byte %d", tc.ratio, p, i, piece[i], i%tc.raw)
				}
			}
			for _, c := range piece {
				if c < ' ' || c > '~' {
					t.Fatalf("ratio %g: byte %#x not printable", tc.ratio, c)
				}
			}
		}
		// The random part must not itself be constant.
		if first := g.pool[:tc.raw]; bytes.Count(first, first[:1]) == len(first) && tc.raw > 1 {
			t.Errorf("ratio %g: random bytes are all %q", tc.ratio, first[0])
		}
	}
}

func TestValueGenNextWraps(t *testing.T) {
	g := newValueGen(fixedRand(6), 0.5, 300000)
	seen := 0
	for range 10 {
		v := g.Next(300000)
		if len(v) != 300000 {
			t.Fatalf("len = %d", len(v))
		}
		seen += len(v)
	}
	if seen != 3000000 {
		t.Fatal("short values")
	}
	f := g.Fork(len(g.pool) + 7) // offsets wrap into the pool
	if v := f.Next(10); !bytes.Equal(v, g.pool[7:17]) {
		t.Errorf("fork at 7 gave %q", v)
	}
	// Larger than the default pool: the pool grows to fit.
	big := newValueGen(fixedRand(6), 0.5, 3<<20)
	if v := big.Next(3 << 20); len(v) != 3<<20 {
		t.Fatalf("len = %d", len(v))
	}
}

func BenchmarkValueGenNext(b *testing.B) {
	g := newValueGen(fixedRand(1), 0.5, 100)
	b.ReportAllocs()
	b.SetBytes(100)
	for b.Loop() {
		g.Next(100)
	}
}
