package memtable_test

import (
	"testing"

	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/memtable"
)

// TestGuideInternalKeys is the experiment of docs/guide/01-keys-and-memtable.md.
// It writes three versions of one key and one of another, prints each
// internal key with its bytes in the order the skiplist keeps them, and
// reads "apple" at every sequence number. Run it with
//
//	go test ./memtable -run TestGuideInternalKeys -v
func TestGuideInternalKeys(t *testing.T) {
	writes := []struct {
		seq   keys.SeqNum
		kind  keys.Kind
		key   string
		value string
	}{
		{1, keys.KindSet, "apple", "red"},
		{2, keys.KindSet, "banana", "yellow"},
		{3, keys.KindSet, "apple", "green"},
		{4, keys.KindDelete, "apple", ""},
	}
	m := memtable.New(1 << 16)
	for _, w := range writes {
		if err := m.Add(w.seq, w.kind, []byte(w.key), []byte(w.value)); err != nil {
			t.Fatal(err)
		}
	}

	// Skiplist order: user key ascending, then newest (highest seq) first.
	wantOrder := []string{`"apple"#4,DEL`, `"apple"#3,SET`, `"apple"#1,SET`, `"banana"#2,SET`}
	it := m.NewIter()
	i := 0
	for ok := it.First(); ok; ok = it.Next() {
		ikey := it.Key()
		t.Logf("%-16s bytes: % x | % x", keys.String(ikey), keys.UserKey(ikey), ikey[len(ikey)-keys.TrailerLen:])
		if i >= len(wantOrder) || keys.String(ikey) != wantOrder[i] {
			t.Errorf("entry %d is %s, want %v", i, keys.String(ikey), wantOrder)
		}
		i++
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
	if i != len(wantOrder) {
		t.Errorf("iterated %d entries, want %d", i, len(wantOrder))
	}

	// A read at sequence number s sees the newest version with seq <= s.
	wantGet := map[keys.SeqNum]string{0: "absent", 1: "SET red", 2: "SET red", 3: "SET green", 4: "DEL"}
	for seq := keys.SeqNum(0); seq <= 4; seq++ {
		v, kind, ok := m.Get([]byte("apple"), seq)
		got := "absent"
		if ok {
			got = kind.String()
			if kind == keys.KindSet {
				got += " " + string(v)
			}
		}
		t.Logf("Get(apple) at seq %d: %s", seq, got)
		if got != wantGet[seq] {
			t.Errorf("Get(apple) at seq %d = %s, want %s", seq, got, wantGet[seq])
		}
	}
	t.Logf("memtable: %d entries, %d of %d arena bytes used", m.Len(), m.Size(), m.Capacity())
}
