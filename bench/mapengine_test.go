package bench

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
)

// TestMapEngineAgainstModel applies random puts, deletes, batches and range
// deletions, and checks Get and every iterator movement against a plain
// map and a sorted key list.
func TestMapEngineAgainstModel(t *testing.T) {
	r := rand.New(rand.NewPCG(testSeed(t), 2))
	e := newMapEngine()
	model := map[string]string{}
	for i := range 3000 {
		k := fmt.Sprintf("k%03d", r.IntN(300))
		v := fmt.Sprintf("v%d", i)
		var err error
		switch r.IntN(5) {
		case 0:
			err = e.Delete([]byte(k))
			delete(model, k)
		case 4: // a range of up to 10 keys
			n := r.IntN(300)
			lo, hi := fmt.Sprintf("k%03d", n), fmt.Sprintf("k%03d", n+1+r.IntN(10))
			err = e.DeleteRange([]byte(lo), []byte(hi))
			for mk := range model {
				if mk >= lo && mk < hi {
					delete(model, mk)
				}
			}
		case 1:
			k2 := fmt.Sprintf("k%03d", r.IntN(300))
			err = e.WriteBatch([]Op{{OpPut, []byte(k), []byte(v)}, {OpDelete, []byte(k2), nil}}, true)
			model[k] = v
			delete(model, k2)
		default:
			err = e.Put([]byte(k), []byte(v))
			model[k] = v
		}
		if err != nil {
			t.Fatal(err)
		}
		if i%100 == 0 {
			checkMapEngine(t, e, model, r)
		}
	}
	checkMapEngine(t, e, model, r)
}

func checkMapEngine(t *testing.T, e *mapEngine, model map[string]string, r *rand.Rand) {
	t.Helper()
	keys := make([]string, 0, len(model))
	for k := range model {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if e.Len() != len(keys) {
		t.Fatalf("Len = %d, want %d", e.Len(), len(keys))
	}
	for range 20 {
		k := fmt.Sprintf("k%03d", r.IntN(300))
		v, ok, err := e.Get([]byte(k))
		if want, wantOK := model[k]; err != nil || ok != wantOK || string(v) != want {
			t.Fatalf("Get(%s) = %q %v %v, want %q %v", k, v, ok, err, want, wantOK)
		}
	}
	it, err := e.NewIterator()
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var fwd, rev []string
	for ok := it.First(); ok; ok = it.Next() {
		fwd = append(fwd, string(it.Key()))
		if string(it.Value()) != model[string(it.Key())] {
			t.Fatalf("value of %s = %q", it.Key(), it.Value())
		}
	}
	for ok := it.Last(); ok; ok = it.Prev() {
		rev = append([]string{string(it.Key())}, rev...)
	}
	if fmt.Sprint(fwd) != fmt.Sprint(keys) || fmt.Sprint(rev) != fmt.Sprint(keys) {
		t.Fatalf("forward %v / reverse %v, want %v", fwd, rev, keys)
	}
	target := fmt.Sprintf("k%03d", r.IntN(300))
	i := sort.SearchStrings(keys, target)
	if ok := it.SeekGE([]byte(target)); ok != (i < len(keys)) || (ok && string(it.Key()) != keys[i]) {
		t.Fatalf("SeekGE(%s) landed wrong", target)
	}
}

func TestMapEngineCopiesInputsAndCloses(t *testing.T) {
	e := newMapEngine()
	k, v := []byte("key"), []byte("value")
	if err := e.Put(k, v); err != nil {
		t.Fatal(err)
	}
	it, _ := e.NewIterator() // snapshot taken before the overwrite below
	v[0] = 'X'
	if err := e.Put(k, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if !it.First() || !bytes.Equal(it.Value(), []byte("value")) {
		t.Errorf("snapshot saw %q", it.Value())
	}
	if m := e.Metrics(); m.DiskBytes != 6 || m.Gets != 0 {
		t.Errorf("metrics %+v", m)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.Get(k); !errors.Is(err, errClosed) {
		t.Errorf("Get after Close: %v", err)
	}
	if err := e.DeleteRange([]byte("a"), []byte("b")); !errors.Is(err, errClosed) {
		t.Errorf("DeleteRange after Close: %v", err)
	}
	if err := e.Compact(); !errors.Is(err, errClosed) {
		t.Errorf("Compact after Close: %v", err)
	}
}
