package memtable

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/lsmkv/lsmkv/internal/keys"
)

// TestConcurrentReadersOneWriter runs readers (scans in both directions,
// seeks and Gets) while one writer adds entries, under -race. Readers check
// that what they see is sorted, was inserted with that value, and includes
// every entry published before they started looking.
func TestConcurrentReadersOneWriter(t *testing.T) {
	rng := testRand(t)
	const numEntries, numReaders = 4000, 4
	type kv struct{ ukey, value []byte }
	entries := make([]kv, numEntries)
	inserted := make(map[string]string, numEntries) // internal key -> value; read-only once readers start
	for i := range entries {
		// Sequence number i+1 belongs to entries[i]; user keys repeat.
		e := kv{[]byte(fmt.Sprintf("key%04d", rng.IntN(numEntries/4))), []byte(fmt.Sprint("value", i))}
		entries[i] = e
		inserted[string(keys.Make(e.ukey, keys.SeqNum(i+1), keys.KindSet))] = string(e.value)
	}

	m := New(1 << 20)
	var published atomic.Int64   // entries[:published] are in m
	var overlapping atomic.Int64 // reader rounds that ran during writes
	var wg sync.WaitGroup
	errs := make(chan error, numReaders)
	entry := func(i int) ([]byte, []byte) { return entries[i].ukey, entries[i].value }
	for range numReaders {
		rr := rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64()))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for done := false; !done; {
				n := published.Load()
				done = n == numEntries // one last round once the writer is done
				if !done {
					overlapping.Add(1)
				}
				if err := readOnce(m, rr, n, inserted, entry); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i, e := range entries {
		if err := m.Add(keys.SeqNum(i+1), keys.KindSet, e.ukey, e.value); err != nil {
			t.Fatalf("Add #%d: %v", i, err)
		}
		published.Store(int64(i + 1))
	}
	wg.Wait()
	t.Logf("%d reader rounds overlapped the writer", overlapping.Load())
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// readOnce runs one round of reader checks. At least the first n entries
// are published; entry(i) returns entry i's user key and value.
func readOnce(m *Memtable, rng *rand.Rand, n int64, inserted map[string]string, entry func(int) ([]byte, []byte)) error {
	if n > 0 {
		i := rng.IntN(int(n))
		ukey, want := entry(i)
		// Sequence numbers increase with i, so no later entry is visible
		// at seq i+1: Get must return exactly entry i.
		if v, kind, ok := m.Get(ukey, keys.SeqNum(i+1)); !ok || kind != keys.KindSet || !bytes.Equal(v, want) {
			return fmt.Errorf("Get(%q, %d) = %q, %v, %v; want %q", ukey, i+1, v, kind, ok, want)
		}
	}
	it := m.NewIter()
	var prev []byte
	seen := 0
	for valid := it.First(); valid; valid = it.Next() {
		if err := checkSeen(it, prev, inserted, +1); err != nil {
			return err
		}
		prev = it.Key()
		if seen++; seen > len(inserted) {
			return fmt.Errorf("forward scan saw more than the %d entries inserted", len(inserted))
		}
	}
	if int64(seen) < n {
		return fmt.Errorf("forward scan saw %d entries, %d were published before it", seen, n)
	}
	prev = nil
	steps := 0
	for valid := it.Last(); valid && steps < 50; valid = it.Prev() {
		if err := checkSeen(it, prev, inserted, -1); err != nil {
			return err
		}
		prev = it.Key()
		steps++
	}
	probe := keys.Make([]byte(fmt.Sprintf("key%04d", rng.IntN(1000))), keys.SeqNum(rng.IntN(4000)), keys.KindSet)
	if it.SeekGE(probe) && keys.Compare(it.Key(), probe) < 0 {
		return fmt.Errorf("SeekGE(%s) landed on smaller %s", keys.String(probe), keys.String(it.Key()))
	}
	if it.SeekLT(probe) && keys.Compare(it.Key(), probe) >= 0 {
		return fmt.Errorf("SeekLT(%s) landed on %s, not smaller", keys.String(probe), keys.String(it.Key()))
	}
	return it.Close()
}

// checkSeen checks that the iterator's entry was inserted with that value
// and comes strictly after prev in direction dir (+1 forward, -1 backward).
func checkSeen(it *Iter, prev []byte, inserted map[string]string, dir int) error {
	want, ok := inserted[string(it.Key())]
	if !ok {
		return fmt.Errorf("found %s, which was never inserted", keys.String(it.Key()))
	}
	if string(it.Value()) != want {
		return fmt.Errorf("%s has value %q, want %q", keys.String(it.Key()), it.Value(), want)
	}
	if prev != nil && keys.Compare(prev, it.Key())*dir >= 0 {
		return fmt.Errorf("out of order: %s then %s (direction %d)", keys.String(prev), keys.String(it.Key()), dir)
	}
	return nil
}
