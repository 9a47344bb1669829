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

func ExampleDB_Scan() {
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
	for _, k := range []string{"apple", "banana", "cherry", "damson"} {
		if err := db.Put([]byte(k), []byte("fruit")); err != nil {
			log.Fatal(err)
		}
	}

	// Keys in [b, d), in order; a break would release the iterator too.
	s := db.Scan(&lsmkv.IterOptions{LowerBound: []byte("b"), UpperBound: []byte("d")})
	for key, value := range s.All() {
		fmt.Printf("%s=%s\n", key, value) // key and value are valid for this step only
	}
	if err := s.Err(); err != nil {
		log.Fatal(err)
	}
	var keys []string
	for key := range db.Scan(nil).Backward() {
		keys = append(keys, string(key)) // string(key) copies it
	}
	fmt.Println(keys)
	// Output:
	// banana=fruit
	// cherry=fruit
	// [damson cherry banana apple]
}

func ExampleDB_Checkpoint() {
	dir, err := os.MkdirTemp("", "lsmkv-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := lsmkv.Open(dir+"/db", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := db.Put([]byte("k"), []byte("v1")); err != nil {
		log.Fatal(err)
	}

	// A consistent copy, taken while the DB stays open; tables are hard
	// links, so it is quick and shares disk space with the DB.
	if err := db.Checkpoint(dir + "/backup"); err != nil {
		log.Fatal(err)
	}
	if err := db.Put([]byte("k"), []byte("v2")); err != nil {
		log.Fatal(err)
	}

	backup, err := lsmkv.Open(dir+"/backup", &lsmkv.Options{ReadOnly: true})
	if err != nil {
		log.Fatal(err)
	}
	defer backup.Close()
	v, err := backup.Get([]byte("k"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("backup has k=%s\n", v)
	// Output: backup has k=v1
}
