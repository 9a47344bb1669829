package compaction

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/stretchr/testify/require"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/lsmkv/lsmkv/internal/keys"
)

// entry is one input or output entry in readable form.
type entry struct {
	ukey  string
	seq   keys.SeqNum
	kind  keys.Kind
	value string
}

func (e entry) String() string {
	if e.kind == keys.KindDelete {
		return fmt.Sprintf("%s#%d,DEL", e.ukey, e.seq)
	}
	return fmt.Sprintf("%s#%d=%s", e.ukey, e.seq, e.value)
}

// parseEntries reads "a#5=x b#3,DEL ..." into entries.
func parseEntries(s string) []entry {
	var out []entry
	for _, f := range strings.Fields(s) {
		var e entry
		at := strings.IndexByte(f, '#')
		e.ukey = f[:at]
		rest := f[at+1:]
		if n, ok := strings.CutSuffix(rest, ",DEL"); ok {
			fmt.Sscan(n, &e.seq)
			e.kind = keys.KindDelete
		} else {
			n, v, _ := strings.Cut(rest, "=")
			fmt.Sscan(n, &e.seq)
			e.kind, e.value = keys.KindSet, v
		}
		out = append(out, e)
	}
	return out
}

func inputOf(entries []entry) *sliceIter {
	s := &sliceIter{}
	for _, e := range entries {
		s.kvs = append(s.kvs, [2][]byte{keys.Make([]byte(e.ukey), e.seq, e.kind), []byte(e.value)})
	}
	return s
}

// drain runs it to the end and returns its output.
func drain(t testing.TB, it *Iter) ([]entry, error) {
	var out []entry
	for ok := it.First(); ok; ok = it.Next() {
		ukey, seq, kind, valid := keys.Decode(it.Key())
		if !valid {
			t.Fatalf("output key %x is not an internal key", it.Key())
		}
		out = append(out, entry{string(ukey), seq, kind, string(it.Value())})
	}
	return out, it.Error()
}

func TestIterTable(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		snapshots []keys.SeqNum
		elide     string // user keys for which elide returns true
		want      string
		dropped   int
		tombs     int
	}{
		{name: "newest version only", in: "a#9=x a#5=y a#2,DEL b#4=z", want: "a#9=x b#4=z", dropped: 2},
		{name: "a snapshot keeps the version it sees", in: "a#9=x a#5=y a#2=w", snapshots: []keys.SeqNum{6},
			want: "a#9=x a#5=y", dropped: 1},
		{name: "a snapshot equal to a seq sees that entry", in: "a#9=x a#5=y a#2=w", snapshots: []keys.SeqNum{5},
			want: "a#9=x a#5=y", dropped: 1},
		{name: "stripes with no entries keep nothing extra", in: "a#9=x a#8=y", snapshots: []keys.SeqNum{1, 2, 20},
			want: "a#9=x", dropped: 1},
		{name: "tombstone kept when something may lie below", in: "a#9,DEL a#5=y", want: "a#9,DEL", dropped: 1},
		{name: "tombstone elided with what it shadows", in: "a#9,DEL a#5=y b#3=z", elide: "a",
			want: "b#3=z", dropped: 2, tombs: 1},
		{name: "tombstone above a snapshot is kept", in: "a#9,DEL a#5=y", snapshots: []keys.SeqNum{6}, elide: "a",
			want: "a#9,DEL a#5=y"},
		{name: "tombstone in the oldest stripe is elided", in: "a#9=x a#5,DEL a#3=y", snapshots: []keys.SeqNum{6}, elide: "a",
			want: "a#9=x", dropped: 2, tombs: 1},
		{name: "unsorted snapshots are sorted", in: "a#9=x a#5=y a#2=w", snapshots: []keys.SeqNum{6, 3},
			want: "a#9=x a#5=y a#2=w"},
		{name: "empty input", in: "", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			elide := func(ukey []byte) bool { return slices.Contains(strings.Fields(tt.elide), string(ukey)) }
			it := NewIter(inputOf(parseEntries(tt.in)), tt.snapshots, elide)
			got, err := drain(t, it)
			require.NoError(t, err)
			require.Equal(t, tt.want, formatEntries(got))
			d, td := it.Stats()
			require.Equal(t, [2]int{tt.dropped, tt.tombs}, [2]int{d, td}, "Stats()")
		})
	}
}

func formatEntries(es []entry) string {
	var parts []string
	for _, e := range es {
		parts = append(parts, e.String())
	}
	return strings.Join(parts, " ")
}

func TestIterErrors(t *testing.T) {
	boom := errors.New("boom")
	in := inputOf(parseEntries("a#3=x"))
	in.err = boom
	_, err := drain(t, NewIter(in, nil, nil))
	require.True(t, errors.Is(err, boom), "input error passed on, got %v", err)

	for _, bad := range []string{"b#3=x a#5=y", "a#3=x a#5=y", "a#3=x a#3=y"} {
		_, err := drain(t, NewIter(inputOf(parseEntries(bad)), nil, nil))
		require.Error(t, err, "out-of-order input %q", bad)
	}

	short := &sliceIter{kvs: [][2][]byte{{[]byte("abc"), nil}}}
	_, err = drain(t, NewIter(short, nil, nil))
	require.Error(t, err, "a key shorter than a trailer")
}

// below marks a read that falls through the compaction's inputs to
// whatever deeper levels hold.
const below = "<below>"

// readAt returns what a reader at seq sees for ukey in entries (sorted
// newest first per key): a value, "" for absent, or below.
func readAt(entries []entry, ukey string, seq keys.SeqNum, nothingBelow bool) string {
	for _, e := range entries {
		if e.ukey == ukey && e.seq <= seq {
			if e.kind == keys.KindDelete {
				return ""
			}
			return "=" + e.value
		}
	}
	if nothingBelow {
		return ""
	}
	return below
}

// randomInput returns sorted random entries over a few user keys with
// distinct sequence numbers.
func randomInput(r *rand.Rand) []entry {
	seqs := r.Perm(200)
	var in []entry
	for k := range 1 + r.IntN(8) {
		for range 1 + r.IntN(6) {
			seq := keys.SeqNum(seqs[0] + 1)
			seqs = seqs[1:]
			e := entry{ukey: fmt.Sprintf("k%d", k), seq: seq, kind: keys.KindSet, value: fmt.Sprint(seq)}
			if r.IntN(3) == 0 {
				e.kind, e.value = keys.KindDelete, ""
			}
			in = append(in, e)
		}
	}
	slices.SortFunc(in, func(a, b entry) int {
		return keys.Compare(keys.Make([]byte(a.ukey), a.seq, a.kind), keys.Make([]byte(b.ukey), b.seq, b.kind))
	})
	return in
}

// TestIterMatchesModel checks, on random inputs, that every snapshot (and
// the latest state) reads the same from the output as from the input, and
// that the output is minimal: one entry per user key and stripe, and no
// tombstone left in the oldest stripe of a key that elide clears.
func TestIterMatchesModel(t *testing.T) {
	r := newRand(t)
	for iter := range 1000 {
		in := randomInput(r)
		var snaps []keys.SeqNum
		for range r.IntN(5) {
			snaps = append(snaps, keys.SeqNum(1+r.IntN(200)))
		}
		elideKeys := map[string]bool{}
		for k := range 8 {
			elideKeys[fmt.Sprintf("k%d", k)] = r.IntN(2) == 0
		}
		it := NewIter(inputOf(in), snaps, func(ukey []byte) bool { return elideKeys[string(ukey)] })
		out, err := drain(t, it)
		require.NoError(t, err)
		ctx := fmt.Sprintf("case %d: in=%s snaps=%v elide=%v out=%s", iter, formatEntries(in), snaps, elideKeys, formatEntries(out))
		for _, snap := range append(slices.Clone(snaps), keys.MaxSeqNum) {
			for k := range 8 {
				ukey := fmt.Sprintf("k%d", k)
				want := readAt(in, ukey, snap, elideKeys[ukey])
				got := readAt(out, ukey, snap, elideKeys[ukey])
				require.Equal(t, want, got, "read %s at %d; %s", ukey, snap, ctx)
			}
		}
		checkMinimal(t, it, in, out, elideKeys, ctx)
	}
}

func checkMinimal(t *testing.T, it *Iter, in, out []entry, elideKeys map[string]bool, ctx string) {
	t.Helper()
	type slot struct {
		ukey   string
		stripe int
	}
	seen := map[slot]bool{}
	for i, e := range out {
		if i > 0 {
			prev := keys.Make([]byte(out[i-1].ukey), out[i-1].seq, out[i-1].kind)
			require.True(t, keys.Compare(prev, keys.Make([]byte(e.ukey), e.seq, e.kind)) < 0, "output out of order; %s", ctx)
		}
		s := slot{e.ukey, it.stripeOf(e.seq)}
		require.False(t, seen[s], "two entries for %s in stripe %d; %s", e.ukey, s.stripe, ctx)
		seen[s] = true
		if e.kind == keys.KindDelete && s.stripe == 0 {
			require.False(t, elideKeys[e.ukey], "tombstone %s should have been elided; %s", e, ctx)
		}
	}
	dropped, _ := it.Stats()
	require.Equal(t, len(in)-len(out), dropped, "Stats dropped; %s", ctx)
}

// FuzzIter feeds arbitrary entries (often out of order or malformed): the
// iterator must never panic, must report disorder as an error, and on
// well-ordered input must produce strictly increasing keys.
func FuzzIter(f *testing.F) {
	f.Add([]byte{1, 'a', 9, 1, 1, 'a', 5, 0, 1, 'b', 3, 1}, []byte{4})
	f.Add([]byte{0, 7, 1, 2, 'x', 'y', 200, 0}, []byte{})
	f.Add([]byte{3, 'k', 'e', 'y', 1, 1, 3, 'k', 'e', 'y', 1, 0}, []byte{1, 1})
	f.Fuzz(func(t *testing.T, data, snapBytes []byte) {
		in := &sliceIter{}
		for len(data) >= 3 {
			n := min(int(data[0]), len(data)-1)
			if n+3 > len(data) {
				// a short tail becomes one raw, possibly malformed key
				in.kvs = append(in.kvs, [2][]byte{data[1:], nil})
				break
			}
			ukey := data[1 : 1+n]
			seq, kind := keys.SeqNum(data[1+n]), keys.Kind(data[2+n]&1)
			in.kvs = append(in.kvs, [2][]byte{keys.Make(ukey, seq, kind), ukey})
			data = data[3+n:]
		}
		var snaps []keys.SeqNum
		for _, b := range snapBytes {
			snaps = append(snaps, keys.SeqNum(b))
		}
		it := NewIter(in, snaps, func(ukey []byte) bool { return len(ukey)%2 == 0 })
		var prev []byte
		for ok := it.First(); ok; ok = it.Next() {
			if prev != nil && keys.Compare(prev, it.Key()) >= 0 {
				t.Fatalf("output %s after %s", keys.String(it.Key()), keys.String(prev))
			}
			prev = append(prev[:0], it.Key()...)
		}
		if it.Error() == nil && !inputOrdered(in.kvs) {
			t.Fatalf("disordered input accepted")
		}
	})
}

func inputOrdered(kvs [][2][]byte) bool {
	for i, kv := range kvs {
		if !keys.Valid(kv[0]) {
			return false
		}
		if i > 0 && (keys.Compare(kvs[i-1][0], kv[0]) >= 0 ||
			bytes.Equal(keys.UserKey(kvs[i-1][0]), keys.UserKey(kv[0])) && keys.Seq(kvs[i-1][0]) == keys.Seq(kv[0])) {
			return false
		}
	}
	return true
}
