package metamorphic

import (
	"fmt"
	"math/rand/v2"
)

// generator writes random operations over a small key space, so keys are
// overwritten, deleted and read back often.
type generator struct {
	rng   *rand.Rand
	nkeys int
	snaps []int // ids of snapshots open now
	next  int   // next snapshot id
	n     int   // operations generated, for value contents
}

// opWeights says how often each kind is generated, relative to the others.
var opWeights = []struct {
	kind   opKind
	weight int
}{
	{opPut, 300}, {opDelete, 80}, {opBatch, 80}, {opGet, 150}, {opIter, 100},
	{opNewSnapshot, 20}, {opSnapshotGet, 40}, {opSnapshotIter, 30}, {opCloseSnapshot, 15},
	{opFlush, 20}, {opCompact, 8}, {opReopen, 5}, {opCrash, 3}, {opDeleteRange, 25},
}

// generate returns n operations drawn from seed.
func generate(seed uint64, n int) []op {
	g := &generator{rng: rand.New(rand.NewPCG(seed, 0x6d657461)), nkeys: 20 + int(seed%180)}
	ops := make([]op, 0, n)
	for len(ops) < n {
		ops = append(ops, g.op())
	}
	return ops
}

func (g *generator) op() op {
	g.n++
	total := 0
	for _, w := range opWeights {
		total += w.weight
	}
	r := g.rng.IntN(total)
	kind := opPut
	for _, w := range opWeights {
		if r < w.weight {
			kind = w.kind
			break
		}
		r -= w.weight
	}
	return g.build(kind)
}

// build fills in an operation of kind; snapshot operations without an open
// snapshot become snapshot creations.
func (g *generator) build(kind opKind) op {
	o := op{kind: kind}
	switch kind {
	case opPut:
		o.key, o.value = g.key(), g.value()
	case opDelete, opGet:
		o.key = g.key()
	case opBatch:
		for i := g.rng.IntN(8); i >= 0; i-- {
			e := batchEntry{key: g.key()}
			switch r := g.rng.IntN(10); {
			case r == 0:
				e.key, e.rangeEnd = g.span()
			case r < 8:
				e.value = g.value()
			}
			o.entries = append(o.entries, e)
		}
	case opIter:
		g.iter(&o)
	case opNewSnapshot:
		o.snap = g.next
		g.snaps = append(g.snaps, g.next)
		g.next++
	case opSnapshotGet, opSnapshotIter, opCloseSnapshot:
		if len(g.snaps) == 0 {
			return g.build(opNewSnapshot)
		}
		i := g.rng.IntN(len(g.snaps))
		o.snap = g.snaps[i]
		switch kind {
		case opSnapshotGet:
			o.key = g.key()
		case opSnapshotIter:
			g.iter(&o)
		default:
			g.snaps = append(g.snaps[:i], g.snaps[i+1:]...)
		}
	case opCompact:
		if g.rng.IntN(3) != 0 {
			a, b := g.key(), g.key()
			if string(a) > string(b) {
				a, b = b, a
			}
			o.key, o.key2 = a, b
		}
	case opDeleteRange:
		o.key, o.key2 = g.span()
	case opReopen, opCrash:
		g.snaps = g.snaps[:0] // closing the DB closes its snapshots
	}
	return o
}

// iter fills in bounds and moves.
func (g *generator) iter(o *op) {
	if g.rng.IntN(3) == 0 {
		o.lower = g.key()
	}
	if g.rng.IntN(3) == 0 {
		o.upper = g.key()
		if o.lower != nil && string(o.lower) > string(o.upper) {
			o.lower, o.upper = o.upper, o.lower
		}
	}
	for i := 1 + g.rng.IntN(20); i > 0; i-- {
		m := move{kind: moveKind(g.rng.IntN(6))}
		if m.kind == moveSeekGE || m.kind == moveSeekLT {
			m.key = g.key()
		}
		o.moves = append(o.moves, m)
	}
}

// span returns a range [start, end) to delete: usually a few keys wide,
// sometimes two random keys apart; never empty.
func (g *generator) span() (start, end []byte) {
	if g.rng.IntN(4) != 0 {
		i := g.rng.IntN(g.nkeys)
		return fmt.Appendf(nil, "k%03d", i), fmt.Appendf(nil, "k%03d", i+1+g.rng.IntN(5))
	}
	for {
		start, end = g.key(), g.key()
		switch {
		case string(start) < string(end):
			return start, end
		case string(start) > string(end):
			return end, start
		}
	}
}

// key returns a key of the key space, now and then the empty key, a key
// between two of the space's keys, or a long one.
func (g *generator) key() []byte {
	k := fmt.Appendf(nil, "k%03d", g.rng.IntN(g.nkeys))
	switch g.rng.IntN(40) {
	case 0:
		return []byte{}
	case 1:
		return append(k, 'x')
	case 2:
		return append(k, make([]byte, 300)...)
	}
	return k
}

// value returns a value naming the operation that wrote it, mostly small,
// sometimes empty, sometimes several blocks long.
func (g *generator) value() []byte {
	n := g.rng.IntN(120)
	switch g.rng.IntN(30) {
	case 0:
		return []byte{} // empty, not nil: nil means a deletion in a batch
	case 1:
		n = 4000 + g.rng.IntN(9000)
	}
	v := fmt.Appendf(nil, "v%d.", g.n)
	for len(v) < n {
		v = append(v, byte('a'+g.rng.IntN(26)))
	}
	return v
}
