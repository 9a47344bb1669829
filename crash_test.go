package lsmkv

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
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
// Writes go to keys numbered in commit order, so "a prefix survives" means:
// the surviving keys of a run are exactly 0..k-1 for some k.

const crashChildEnv = "LSMKV_CRASH_CHILD_DIR"

// TestCrashChild is the child process of TestCrashKill; it does nothing
// unless started by it.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashChildEnv)
	if dir == "" {
		t.Skip("only runs as TestCrashKill's child process")
	}
	cycle := os.Getenv("LSMKV_CRASH_CYCLE")
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
		var b Batch
		// Batches of 1-3 keys: all-or-nothing is part of the check.
		n := crashBatchLen(i)
		for j := 0; j < n; j++ {
			b.Put(crashKey(cycle, next+j), []byte(strings.Repeat("v", 50+i%200)))
		}
		if err := db.Write(&b, nil); err != nil {
			fmt.Printf("write error: %v\n", err)
			os.Exit(3)
		}
		next += n
		fmt.Fprintf(out, "ack %d\n", next-1)
		out.Flush()
	}
}

// crashBatchLen is the number of keys in the child's i-th batch.
func crashBatchLen(i int) int { return 1 + i%3 }

// isBatchBoundary reports whether the first n keys are whole batches.
func isBatchBoundary(n int) bool {
	total := 0
	for i := 0; total < n; i++ {
		total += crashBatchLen(i)
	}
	return total == n
}

func crashKey(cycle string, i int) []byte { return []byte(fmt.Sprintf("c%s-k%07d", cycle, i)) }

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
// and returns the last key number it acknowledged.
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

// checkCrashPrefix reopens the DB and checks that the keys of cycle that
// survived are exactly 0..k-1 with k > lastAck.
func checkCrashPrefix(t *testing.T, dir string, cycle int, lastAck int) {
	t.Helper()
	db, err := Open(dir, tinyOptions(nil))
	if err != nil {
		t.Fatalf("cycle %d: reopen after kill: %v", cycle, err)
	}
	defer db.Close()
	c := strconv.Itoa(cycle)
	it, err := db.NewIterator(&IterOptions{LowerBound: crashKey(c, 0), UpperBound: crashKey(c, 1e7-1)})
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	n := 0
	for ok := it.First(); ok; ok = it.Next() {
		if string(it.Key()) != string(crashKey(c, n)) {
			t.Fatalf("cycle %d: survivors are not a prefix: key %d is %q", cycle, n, it.Key())
		}
		n++
	}
	if err := it.Error(); err != nil {
		t.Fatal(err)
	}
	if n <= lastAck {
		t.Fatalf("cycle %d: %d keys survived but key %d was acknowledged", cycle, n, lastAck)
	}
	if !isBatchBoundary(n) {
		t.Fatalf("cycle %d: %d keys survived: a batch was recovered in part", cycle, n)
	}
	t.Logf("cycle %d: acknowledged through key %d, %d keys survived", cycle, lastAck, n)
}

// TestPowerLoss takes CrashClones of a MemFS at random points while a DB
// writes (with flushes and compactions running) and checks that each clone
// opens, holds every synced write, and holds a prefix of the writes.
func TestPowerLoss(t *testing.T) {
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(seed, 2))
	fs := vfs.NewMem()
	db, err := Open("db", tinyOptions(fs))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	lastSynced := -1
	clones := 0
	for i := 0; i < 4000; i++ {
		sync := rng.IntN(20) == 0
		if err := db.Write(batchOf(i), &WriteOptions{Sync: sync}); err != nil {
			t.Fatal(err)
		}
		if sync {
			lastSynced = i
		}
		if rng.IntN(200) == 0 {
			checkPowerLossClone(t, fs.CrashClone(), lastSynced)
			clones++
		}
	}
	checkPowerLossClone(t, fs.CrashClone(), lastSynced)
	t.Logf("checked %d crash clones", clones+1)
}

func batchOf(i int) *Batch {
	var b Batch
	b.Put([]byte(fmt.Sprintf("k%07d", i)), []byte(strings.Repeat("x", 20+i%100)))
	return &b
}

func checkPowerLossClone(t *testing.T, fs *vfs.MemFS, lastSynced int) {
	t.Helper()
	db, err := Open("db", tinyOptions(fs))
	if err != nil {
		t.Fatalf("open after power loss: %v", err)
	}
	defer db.Close()
	it, err := db.NewIterator(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	n := 0
	for ok := it.First(); ok; ok = it.Next() {
		if want := fmt.Sprintf("k%07d", n); string(it.Key()) != want {
			t.Fatalf("after power loss: key %d is %q, want %q: not a prefix", n, it.Key(), want)
		}
		n++
	}
	if err := it.Error(); err != nil {
		t.Fatal(err)
	}
	if n <= lastSynced {
		t.Fatalf("after power loss: %d writes survived but write %d was synced", n, lastSynced)
	}
}
