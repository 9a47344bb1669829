package memtable_test

import (
	"fmt"

	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/memtable"
)

func Example() {
	m := memtable.New(1 << 16)
	_ = m.Add(1, keys.KindSet, []byte("apple"), []byte("red"))
	_ = m.Add(2, keys.KindSet, []byte("banana"), []byte("yellow"))
	_ = m.Add(3, keys.KindDelete, []byte("apple"), nil)

	// Get reads as of a sequence number: apple was set at 1, deleted at 3.
	v, kind, ok := m.Get([]byte("apple"), 2)
	fmt.Println(string(v), kind, ok)
	_, kind, ok = m.Get([]byte("apple"), 3)
	fmt.Println(kind, ok)

	// Iterators see every version, newest first within a user key.
	it := m.NewIter()
	for valid := it.First(); valid; valid = it.Next() {
		fmt.Printf("%s=%q\n", keys.String(it.Key()), it.Value())
	}
	_ = it.Close()
	// Output:
	// red SET true
	// DEL true
	// "apple"#3,DEL=""
	// "apple"#1,SET="red"
	// "banana"#2,SET="yellow"
}
