package main

import (
	"bytes"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lsmkv/lsmkv"
	"github.com/lsmkv/lsmkv/internal/keys"
)

var seedFlag = flag.Uint64("seed", 0, "seed for the randomized tests; 0 picks one from the clock")

// op is one write of the model history.
type op struct {
	kind       keys.Kind
	key, value []byte
}

// randomBytes returns a key or value: usually short printable text, sometimes
// binary, sometimes longer than the 32 bytes shown without -full.
func randomBytes(rng *rand.Rand, n int) []byte {
	switch rng.IntN(4) {
	case 0:
		b := make([]byte, rng.IntN(3)+1)
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		return b
	case 1:
		return []byte(strings.Repeat("long", 9) + strconv.Itoa(rng.IntN(n)))
	}
	return []byte(fmt.Sprintf("k%03d", rng.IntN(n)))
}

// randomRange returns a DeleteRange's start and end (start < end), drawn
// like the keys, so that it covers a few of them.
func randomRange(rng *rand.Rand) (start, end []byte) {
	for {
		start, end = randomBytes(rng, 40), randomBytes(rng, 40)
		switch c := bytes.Compare(start, end); {
		case c < 0:
			return start, end
		case c > 0:
			return end, start
		}
	}
}

// TestRandomHistoryMatchesModel writes a random history of batches to a DB
// (puts, deletes and range deletions) and closes it without flushing, then
// checks that "wal dump -full" shows exactly those writes with consecutive
// sequence numbers, and that "scan" and "get" show the model's final state,
// both before and after a reopen flushes the WAL into a table (when
// "check" must also pass).
func TestRandomHistoryMatchesModel(t *testing.T) {
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed=%d (replay with go test -run %s -seed %d)", seed, t.Name(), seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	dir := filepath.Join(t.TempDir(), "db")
	db, err := lsmkv.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	var history []op
	model := make(map[string][]byte)
	for range 60 {
		var b lsmkv.Batch
		for range rng.IntN(4) + 1 {
			o := op{kind: keys.KindSet, key: randomBytes(rng, 40), value: randomBytes(rng, 1000)}
			switch r := rng.IntN(12); {
			case r < 3:
				o.kind, o.value = keys.KindDelete, nil
				b.Delete(o.key)
				delete(model, string(o.key))
			case r < 4:
				o.kind = keys.KindRangeDelete
				o.key, o.value = randomRange(rng)
				b.DeleteRange(o.key, o.value)
				for k := range model {
					if k >= string(o.key) && k < string(o.value) {
						delete(model, k)
					}
				}
			default:
				b.Put(o.key, o.value)
				model[string(o.key)] = o.value
			}
			history = append(history, o)
		}
		if err := db.Write(&b, nil); err != nil {
			t.Fatal(err)
		}
	}
	wal := liveWAL(t, dir)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	checkWALDump(t, wal, history)
	checkScan(t, dir, model)
	// Reopening flushes the WAL into an L0 table.
	if db, err = lsmkv.Open(dir, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	mustRun(t, exitOK, "check", dir)
	checkScan(t, dir, model)
}

// liveWAL returns the path of the DB's only WAL.
func liveWAL(t *testing.T, dir string) string {
	t.Helper()
	logs, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	if len(logs) != 1 {
		t.Fatalf("want one WAL, found %v", logs)
	}
	return logs[0]
}

// checkWALDump compares the entry lines of "wal dump -full" with history.
func checkWALDump(t *testing.T, path string, history []op) {
	t.Helper()
	r := mustRun(t, exitOK, "wal", "dump", "-full", path)
	var got []string
	var seqs []uint64
	for _, l := range strings.Split(r.stdout, "\n") {
		if l, ok := strings.CutPrefix(l, "    #"); ok {
			seq, rest, _ := strings.Cut(l, " ")
			n, err := strconv.ParseUint(seq, 10, 64)
			if err != nil {
				t.Fatalf("bad line %q", l)
			}
			seqs = append(seqs, n)
			got = append(got, rest)
		}
	}
	var want []string
	for _, o := range history {
		switch o.kind {
		case keys.KindDelete:
			want = append(want, "DEL "+fmtBytes(o.key, true))
		case keys.KindRangeDelete:
			want = append(want, "RANGEDEL ["+fmtBytes(o.key, true)+", "+fmtBytes(o.value, true)+")")
		default:
			want = append(want, "SET "+fmtBytes(o.key, true)+" = "+fmtBytes(o.value, true))
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("wal dump entries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for i := 1; i < len(seqs); i++ {
		if seqs[i] != seqs[i-1]+1 {
			t.Fatalf("sequence numbers not consecutive: %v", seqs)
		}
	}
}

// checkScan compares "scan -full" (forwards and backwards) and "get" with
// the model.
func checkScan(t *testing.T, dir string, model map[string][]byte) {
	t.Helper()
	var want []string
	for _, k := range slices.Sorted(maps.Keys(model)) {
		want = append(want, fmtBytes([]byte(k), true)+" = "+fmtBytes(model[k], true))
	}
	count := fmt.Sprintf("%d entries", len(want))
	r := mustRun(t, exitOK, "scan", "-full", dir)
	if exp := strings.Join(append(slices.Clone(want), count), "\n") + "\n"; r.stdout != exp {
		t.Fatalf("scan:\n%s\nwant:\n%s", r.stdout, exp)
	}
	slices.Reverse(want)
	r = mustRun(t, exitOK, "scan", "-full", "-reverse", dir)
	if exp := strings.Join(append(want, count), "\n") + "\n"; r.stdout != exp {
		t.Fatalf("scan -reverse:\n%s\nwant:\n%s", r.stdout, exp)
	}
	for k, v := range model {
		if !printable([]byte(k)) || len(k) == 0 {
			continue // command-line keys are text here; binary keys need -hex
		}
		r := mustRun(t, exitOK, "get", "-full", dir, "--", k) // a key may start with "-"
		if r.stdout != fmtBytes(v, true)+"\n" {
			t.Fatalf("get %q = %s, want %s", k, r.stdout, fmtBytes(v, true))
		}
		break // one get per check: each opens the DB
	}
}
