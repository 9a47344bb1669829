package lsmkv

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lsmkv/lsmkv/vfs"
)

// TestIssue9ReadSeesAcknowledgedWriteUnderFlush is the regression test for
// a stale read: a read loaded the visible sequence number, then the read
// state; in between, a newer version of the key could be written, its
// memtable flushed (keeping only the newest version) and a new state
// published. The read then skipped the newest version as too new and
// returned an older value from a deeper table, or ErrNotFound.
//
// One writer overwrites one key and flushes in a loop, publishing the last
// value it wrote in an atomic; readers load that value, then read, and fail
// if they see anything older. The in-memory FS makes flushes cheap, so the
// window opens thousands of times a second.
func TestIssue9ReadSeesAcknowledgedWriteUnderFlush(t *testing.T) {
	readers := map[string]func(db *DB, key []byte) ([]byte, error){
		"Get": func(db *DB, key []byte) ([]byte, error) { return db.Get(key) },
		"Iterator": func(db *DB, key []byte) ([]byte, error) {
			it, err := db.NewIterator(nil)
			if err != nil {
				return nil, err
			}
			defer it.Close()
			if !it.SeekGE(key) {
				return nil, errors.Join(ErrNotFound, it.Error())
			}
			return append([]byte(nil), it.Value()...), nil
		},
		"Snapshot": func(db *DB, key []byte) ([]byte, error) {
			s := db.NewSnapshot()
			defer s.Close()
			return s.Get(key)
		},
	}
	for name, read := range readers {
		t.Run(name, func(t *testing.T) { raceReadsAgainstFlushes(t, read) })
	}
}

func raceReadsAgainstFlushes(t *testing.T, read func(db *DB, key []byte) ([]byte, error)) {
	db := openMem(t, vfs.NewMem(), &Options{L0CompactionTrigger: 2})
	defer db.Close()
	key := []byte("k")
	val := func(i uint64) []byte { return binary.BigEndian.AppendUint64(nil, i) }
	if err := db.Put(key, val(0)); err != nil {
		t.Fatal(err)
	}
	var acked atomic.Uint64 // the newest value whose Put returned
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	wg.Add(1)
	go func() { // the writer
		defer wg.Done()
		for i := uint64(1); ; i += 2 {
			select {
			case <-stop:
				return
			default:
			}
			for _, v := range []uint64{i, i + 1} {
				if err := db.Put(key, val(v)); err != nil {
					errs <- err
					return
				}
				acked.Store(v)
			}
			if err := db.Flush(); err != nil {
				errs <- err
				return
			}
		}
	}()
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				want := acked.Load()
				got, err := read(db, key)
				if err != nil {
					errs <- fmt.Errorf("read after value %d was acknowledged: %w", want, err)
					return
				}
				if v := binary.BigEndian.Uint64(got); v < want {
					errs <- fmt.Errorf("stale read: got value %d after %d was acknowledged", v, want)
					return
				}
			}
		}()
	}
	var err error
	select {
	case err = <-errs:
	case <-time.After(3 * time.Second):
	}
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
}

// TestIssue9ReadersRaceClose runs every kind of reader, a writer and
// background flushes and compactions while the DB closes: under -race this
// finds unsynchronised state, and every call must either succeed with
// correct data or fail with ErrClosed; never panic, never wrong data.
func TestIssue9ReadersRaceClose(t *testing.T) {
	for round := range 5 {
		t.Run(fmt.Sprint(round), func(t *testing.T) {
			db := openMem(t, vfs.NewMem(), tinyOptions(nil))
			writeKeys(t, db, 0, 300, "v")
			var wg sync.WaitGroup
			errs := make(chan error, 16)
			check := func(what string, err error) bool {
				if err != nil && !errors.Is(err, ErrClosed) {
					errs <- fmt.Errorf("%s: %w", what, err)
				}
				return err == nil
			}
			readers := []func(){
				func() { // Get
					for i := 0; ; i++ {
						v, err := db.Get([]byte(keyN(i % 300)))
						if !check("Get", err) {
							return
						}
						if string(v) != valueN("v", i%300) {
							errs <- fmt.Errorf("Get %s: wrong value %q", keyN(i%300), v)
						}
					}
				},
				func() { // short iterators
					for {
						it, err := db.NewIterator(nil)
						if !check("NewIterator", err) {
							return
						}
						n := 0
						for ok := it.First(); ok && n < 20; ok = it.Next() {
							n++
						}
						it.Close()
					}
				},
				func() { // one long-lived iterator, used across the Close
					it, err := db.NewIterator(nil)
					if !check("NewIterator", err) {
						return
					}
					for i := 0; ; i++ {
						if !it.SeekGE([]byte(keyN(i%300))) && !it.Next() && !it.Prev() {
							if errors.Is(it.Error(), ErrClosed) {
								return
							}
						}
					}
				},
				func() { // snapshots
					for {
						s := db.NewSnapshot()
						_, err := s.Get([]byte(keyN(7)))
						if !check("Snapshot.Get", err) {
							return
						}
						s.Close()
					}
				},
				func() { // writer, with flushes and so compactions
					for i := 0; ; i++ {
						if !check("Put", db.Put([]byte(fmt.Sprintf("w%06d", i)), []byte("x"))) {
							return
						}
						if i%50 == 0 && !check("Flush", db.Flush()) {
							return
						}
					}
				},
			}
			for _, r := range readers {
				wg.Add(1)
				go func() { defer wg.Done(); r() }()
			}
			time.Sleep(50 * time.Millisecond)
			err := db.Close()
			if err != nil && !strings.Contains(err.Error(), "released") {
				t.Errorf("Close: %v", err)
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
		})
	}
}
