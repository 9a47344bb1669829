package lsmkv

import (
	"bufio"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lsmkv/lsmkv/vfs"
)

// The crash tests check the durability contract:
//   - kill -9: every acknowledged write survives (it reached the OS), and
//     what survives is a prefix of the writes in commit order;
//   - power loss (MemFS.CrashClone): every synced write survives, and what
//     survives is a prefix.
//
// Both write the same workload (crashBatch): each batch puts keys numbered
// in commit order, never used before, and some batches also delete a
// range of key numbers, alone or among their puts. The survivors must be
// exactly the state some prefix of whole batches leaves (crashMatch),
// no shorter than the acknowledged or synced writes demand: a range
// deletion lost, applied in part, or applied to a put that followed it
// leaves a state no prefix leaves.

const crashChildEnv = "LSMKV_CRASH_CHILD_DIR"

// crashWrite is one write of the crash workload: a put of key number key,
// or (del) a DeleteRange of the key numbers [key, end).
type crashWrite struct {
	key, end int
	del      bool
}

// crashBatch returns the writes of the workload's batch i, given next,
// the first key number no earlier batch put, and the next one after it.
// Batches put 1-3 keys (all-or-nothing is part of the check). One batch in
// ten is a standalone DeleteRange of up to 17 key numbers, some of which
// may not be written yet: the later puts of those are newer than the
// tombstone and must survive it. Another batch in ten deletes, between its
// first put and the others, a range covering that first put and reaching
// past its last one (and into the next batch's keys).
func crashBatch(i, next int) ([]crashWrite, int) {
	n := crashBatchLen(i)
	var ws []crashWrite
	switch i % 10 {
	case 9:
		lo := (i * 37) % (next + 1)
		return []crashWrite{{key: lo, end: lo + 1 + i%17, del: true}}, next
	case 4:
		ws = append(ws, crashWrite{key: next}, crashWrite{key: max(next-2, 0), end: next + n + 1, del: true})
	default:
		ws = append(ws, crashWrite{key: next})
	}
	for j := 1; j < n; j++ {
		ws = append(ws, crashWrite{key: next + j})
	}
	return ws, next + n
}

// crashBatchLen is the number of keys batch i puts.
func crashBatchLen(i int) int { return 1 + i%3 }

// crashWorkload names the keys and values of one run of the workload.
type crashWorkload struct {
	key   func(n int) string // key number n; must sort as n does
	value func(i int) string // what batch i puts
}

// batch returns batch i as a Batch, and the next key number.
func (w crashWorkload) batch(i, next int) (*Batch, int) {
	ws, next := crashBatch(i, next)
	var b Batch
	for _, c := range ws {
		if c.del {
			b.DeleteRange([]byte(w.key(c.key)), []byte(w.key(c.end)))
		} else {
			b.Put([]byte(w.key(c.key)), []byte(w.value(i)))
		}
	}
	return &b, next
}

// crashModel replays the workload's batches, keeping count of the keys on
// which its state and got differ, so that every prefix is compared with
// got in one pass.
type crashModel struct {
	w           crashWorkload
	state, got  map[string]string
	differ      int
	batch, next int // the next batch to apply, and its first key number
}

func (m *crashModel) set(k, v string, present bool) {
	agree := func() bool {
		mv, mok := m.state[k]
		gv, gok := m.got[k]
		return mok == gok && mv == gv
	}
	before := agree()
	if present {
		m.state[k] = v
	} else {
		delete(m.state, k)
	}
	switch after := agree(); {
	case before && !after:
		m.differ++
	case !before && after:
		m.differ--
	}
}

// apply applies the next batch.
func (m *crashModel) apply() {
	var ws []crashWrite
	ws, m.next = crashBatch(m.batch, m.next)
	for _, c := range ws {
		if !c.del {
			m.set(m.w.key(c.key), m.w.value(m.batch), true)
			continue
		}
		for k := c.key; k < c.end; k++ { // keys are numbered: the range holds exactly these
			m.set(m.w.key(k), "", false)
		}
	}
	m.batch++
}

// crashMatch returns the largest n in [lo, hi] such that batches 0..n-1
// of w leave exactly got, or an error saying how got differs.
func crashMatch(w crashWorkload, got map[string]string, lo, hi int) (int, error) {
	m := &crashModel{w: w, state: map[string]string{}, got: got, differ: len(got)}
	match, exact := -1, -1
	for {
		if m.differ == 0 {
			exact = m.batch
			if m.batch >= lo {
				match = m.batch
			}
		}
		if m.batch == hi {
			break
		}
		m.apply()
	}
	switch {
	case match >= 0:
		return match, nil
	case exact >= 0:
		return 0, fmt.Errorf("the survivors are the first %d batches, but %d had to survive", exact, lo)
	}
	return 0, fmt.Errorf("the %d surviving keys are the state of no prefix of whole batches (of up to %d)", len(got), hi)
}

// crashState reads the keys in [lower, upper) (nil: no bound).
func crashState(t *testing.T, db *DB, lower, upper []byte) map[string]string {
	t.Helper()
	it, err := db.NewIterator(&IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	got := map[string]string{}
	for ok := it.First(); ok; ok = it.Next() {
		got[string(it.Key())] = string(it.Value())
	}
	if err := it.Error(); err != nil {
		t.Fatal(err)
	}
	return got
}

// killWorkload is the workload of TestCrashKill's cycle.
func killWorkload(cycle string) crashWorkload {
	return crashWorkload{
		key:   func(n int) string { return fmt.Sprintf("c%s-k%07d", cycle, n) },
		value: func(i int) string { return strings.Repeat("v", 50+i%200) },
	}
}

// TestCrashChild is the child process of TestCrashKill; it does nothing
// unless started by it.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashChildEnv)
	if dir == "" {
		t.Skip("only runs as TestCrashKill's child process")
	}
	w := killWorkload(os.Getenv("LSMKV_CRASH_CYCLE"))
	opts := tinyOptions(nil)
	opts.MemtableSize = 32 << 10
	db, err := Open(dir, opts)
	if err != nil {
		fmt.Printf("open error: %v\n", err)
		os.Exit(3)
	}
	out := bufio.NewWriter(os.Stdout)
	next := 0
	for i := 0; ; i++ {
		var b *Batch
		b, next = w.batch(i, next)
		if err := db.Write(b, nil); err != nil {
			fmt.Printf("write error: %v\n", err)
			os.Exit(3)
		}
		fmt.Fprintf(out, "ack %d\n", i)
		out.Flush()
	}
}

func TestCrashKill(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(seed, 1))
	dir := t.TempDir()
	for cycle := 0; cycle < 10; cycle++ {
		lastAck := runAndKill(t, dir, cycle, time.Duration(20+rng.IntN(300))*time.Millisecond)
		checkCrashPrefix(t, dir, cycle, lastAck)
	}
}

// runAndKill starts the child, lets it write for d, kills it with SIGKILL
// and returns the number of the last batch it acknowledged (-1 if none).
func runAndKill(t *testing.T, dir string, cycle int, d time.Duration) int {
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir, "LSMKV_CRASH_CYCLE="+strconv.Itoa(cycle))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acks := make(chan int, 1024)
	go func() {
		defer close(acks)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			if n, ok := strings.CutPrefix(line, "ack "); ok {
				v, _ := strconv.Atoi(n)
				acks <- v
			} else if !strings.HasPrefix(line, "=== RUN") {
				t.Errorf("child: %s", line)
			}
		}
	}()
	timer := time.After(d)
	lastAck := -1
	for killed := false; ; {
		select {
		case v, ok := <-acks:
			if !ok {
				cmd.Wait()
				return lastAck
			}
			lastAck = v
		case <-timer:
			if !killed {
				cmd.Process.Signal(syscall.SIGKILL)
				killed = true
			}
		}
	}
}

// checkCrashPrefix reopens the DB and checks that the survivors of cycle
// are what its first n batches leave, for an n covering every
// acknowledged batch (0..lastAck) and at most the one the child may have
// been writing when it died.
func checkCrashPrefix(t *testing.T, dir string, cycle int, lastAck int) {
	t.Helper()
	db, err := Open(dir, tinyOptions(nil))
	if err != nil {
		t.Fatalf("cycle %d: reopen after kill: %v", cycle, err)
	}
	defer db.Close()
	w := killWorkload(strconv.Itoa(cycle))
	got := crashState(t, db, []byte(w.key(0)), []byte(w.key(1e7-1)))
	n, err := crashMatch(w, got, lastAck+1, lastAck+2)
	if err != nil {
		t.Fatalf("cycle %d: batch %d was acknowledged: %v", cycle, lastAck, err)
	}
	t.Logf("cycle %d: acknowledged through batch %d, %d batches survived", cycle, lastAck, n)
}

// TestPowerLoss takes CrashClones of a MemFS at random points while a DB
// writes (with flushes and compactions running) and checks that each clone
// opens and holds exactly the state some prefix of whole batches leaves,
// covering every synced batch.
func TestPowerLoss(t *testing.T) {
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(seed, 2))
	fs := vfs.NewMem()
	db, err := Open("db", tinyOptions(fs))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	w := crashWorkload{
		key:   func(n int) string { return fmt.Sprintf("k%07d", n) },
		value: func(i int) string { return strings.Repeat("x", 20+i%100) },
	}
	// 2500 batches put about as many keys (1-3 each) as the 4000 one-key
	// batches this test wrote before range deletions, in the same time.
	const batches = 2500
	lastSynced := -1
	clones := 0
	next := 0
	for i := 0; i < batches; i++ {
		sync := rng.IntN(20) == 0
		var b *Batch
		b, next = w.batch(i, next)
		if err := db.Write(b, &WriteOptions{Sync: sync}); err != nil {
			t.Fatal(err)
		}
		if sync {
			lastSynced = i
		}
		if rng.IntN(125) == 0 {
			checkPowerLossClone(t, fs.CrashClone(), w, lastSynced, i+1)
			clones++
		}
	}
	checkPowerLossClone(t, fs.CrashClone(), w, lastSynced, batches)
	t.Logf("checked %d crash clones", clones+1)
}

// checkPowerLossClone checks that a clone taken after written batches
// holds the state of a prefix covering batch lastSynced.
func checkPowerLossClone(t *testing.T, fs *vfs.MemFS, w crashWorkload, lastSynced, written int) {
	t.Helper()
	db, err := Open("db", tinyOptions(fs))
	if err != nil {
		t.Fatalf("open after power loss: %v", err)
	}
	defer db.Close()
	if _, err := crashMatch(w, crashState(t, db, nil, nil), lastSynced+1, written); err != nil {
		t.Fatalf("after power loss (batch %d synced, %d written): %v", lastSynced, written, err)
	}
}

// TestCrashMatchCatchesBrokenRangeDels proves crashMatch can fail: states
// that a range deletion lost, shortened, widened or applied out of its
// place in its batch leaves (or a batch applied in part) match no prefix,
// while the intact state matches.
func TestCrashMatchCatchesBrokenRangeDels(t *testing.T) {
	w := crashWorkload{
		key:   func(n int) string { return fmt.Sprintf("k%07d", n) },
		value: func(i int) string { return fmt.Sprint("v", i) },
	}
	const n = 30 // batches 9, 19, 29 are standalone range deletions; 4, 14, 24 hold one among their puts
	intact := crashReference(w, n, -1, nil)
	if got, err := crashMatch(w, intact, n, n+1); err != nil || got != n {
		t.Fatalf("intact state: crashMatch = %d, %v; want %d", got, err, n)
	}
	dropRange := func(ws []crashWrite) []crashWrite {
		return slices.DeleteFunc(ws, func(c crashWrite) bool { return c.del })
	}
	damages := []struct {
		name  string
		batch int
		fn    func(ws []crashWrite) []crashWrite // the writes of the batch as damaged
	}{
		{"standalone range deletion lost", 19, dropRange},
		{"last range deletion lost", 29, dropRange},
		{"range deletion in a batch lost", 24, dropRange},
		{"range deletion cut to its first key", 19, func(ws []crashWrite) []crashWrite {
			ws[0].end = ws[0].key + 1
			return ws
		}},
		{"range deletion widened below its start", 29, func(ws []crashWrite) []crashWrite {
			ws[0].key -= 3
			return ws
		}},
		{"range deletion applied after the puts of its batch", 14, func(ws []crashWrite) []crashWrite {
			return append(dropRange(slices.Clone(ws)), ws[1])
		}},
		{"half a batch", 25, func(ws []crashWrite) []crashWrite { return ws[:len(ws)-1] }},
	}
	for _, d := range damages {
		t.Run(d.name, func(t *testing.T) {
			got := crashReference(w, n, d.batch, d.fn)
			if maps.Equal(got, intact) {
				t.Fatal("the damage changes nothing: the case tests nothing")
			}
			if p, err := crashMatch(w, got, n, n+1); err == nil {
				t.Fatalf("crashMatch = %d, nil; want an error", p)
			}
		})
	}
}

// crashReference is the state batches 0..n-1 of w leave, written without
// crashModel, with the writes of batch damaged passed through fn.
func crashReference(w crashWorkload, n, damaged int, fn func([]crashWrite) []crashWrite) map[string]string {
	s := map[string]string{}
	next := 0
	for i := 0; i < n; i++ {
		var ws []crashWrite
		ws, next = crashBatch(i, next)
		if i == damaged {
			ws = fn(ws)
		}
		for _, c := range ws {
			if !c.del {
				s[w.key(c.key)] = w.value(i)
				continue
			}
			for k := range s {
				if w.key(c.key) <= k && k < w.key(c.end) {
					delete(s, k)
				}
			}
		}
	}
	return s
}
