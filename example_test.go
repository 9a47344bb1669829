package lsmkv_test

import (
	"fmt"
	"log"
	"os"

	"github.com/lsmkv/lsmkv"
)

func ExampleOpen() {
	dir, err := os.MkdirTemp("", "lsmkv-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	db, err := lsmkv.Open(dir, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	if err := db.Put([]byte("hello"), []byte("world")); err != nil {
		log.Fatal(err)
	}
	v, err := db.Get([]byte("hello"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("hello=%s\n", v)

	_, err = db.Get([]byte("absent"))
	fmt.Println(err == lsmkv.ErrNotFound)
	// Output:
	// hello=world
	// true
}

func ExampleBatch() {
	dir, _ := os.MkdirTemp("", "lsmkv-example")
	defer os.RemoveAll(dir)
	db, err := lsmkv.Open(dir, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	// A batch is applied atomically: after a crash, all or nothing.
	var b lsmkv.Batch
	b.Put([]byte("alice"), []byte("10"))
	b.Put([]byte("bob"), []byte("20"))
	b.Delete([]byte("carol"))
	if err := db.Write(&b, &lsmkv.WriteOptions{Sync: true}); err != nil {
		log.Fatal(err)
	}
	v, _ := db.Get([]byte("bob"))
	fmt.Printf("%d writes, bob=%s\n", b.Len(), v)
	// Output: 3 writes, bob=20
}

func ExampleDB_NewIterator() {
	dir, _ := os.MkdirTemp("", "lsmkv-example")
	defer os.RemoveAll(dir)
	db, err := lsmkv.Open(dir, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	for _, k := range []string{"a", "b", "c", "d"} {
		db.Put([]byte(k), []byte("value-"+k))
	}

	// Keys in [b, d), forwards then backwards.
	it, err := db.NewIterator(&lsmkv.IterOptions{LowerBound: []byte("b"), UpperBound: []byte("d")})
	if err != nil {
		log.Fatal(err)
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		fmt.Printf("%s=%s ", it.Key(), it.Value())
	}
	for ok := it.Last(); ok; ok = it.Prev() {
		fmt.Printf("%s ", it.Key())
	}
	fmt.Println()
	// Output: b=value-b c=value-c c b
}

func ExampleDB_NewSnapshot() {
	dir, _ := os.MkdirTemp("", "lsmkv-example")
	defer os.RemoveAll(dir)
	db, err := lsmkv.Open(dir, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	db.Put([]byte("k"), []byte("old"))
	snap := db.NewSnapshot()
	defer snap.Close()
	db.Put([]byte("k"), []byte("new"))

	before, _ := snap.Get([]byte("k"))
	now, _ := db.Get([]byte("k"))
	fmt.Printf("snapshot sees %s, the DB sees %s\n", before, now)
	// Output: snapshot sees old, the DB sees new
}
