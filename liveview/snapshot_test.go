package liveview

import (
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/lsmkv/lsmkv"
)

// TestSnapshotMatchesMetrics builds a tree with flushes and compactions,
// then checks that /api/snapshot shows, level by level, the files, bytes,
// scores and byte counters of Metrics, exactly the tables of Tables (L0
// oldest first), the memtables, and the counters the page derives.
func TestSnapshotMatchesMetrics(t *testing.T) {
	srv := New(Options{})
	opts := tinyOptions(srv.Listener())
	// L0 keeps several tables (compacted at 8), to check their order.
	opts.L0CompactionTrigger, opts.L0StopWritesTrigger = 8, 12
	db, err := lsmkv.Open(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv.Attach(db)
	defer srv.Detach(db)
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()

	writeKeys(t, db, 0, 3000)
	if err := db.Compact(nil, nil); err != nil {
		t.Fatal(err)
	}
	writeKeys(t, db, 0, 500) // L0 tables and a partly full memtable again
	if err := db.Flush(); err != nil {
		t.Fatal(err)
	}
	writeKeys(t, db, 500, 530)

	// Background compactions may still move things: take the snapshot
	// between two equal Metrics.
	var m *lsmkv.Metrics
	var tables [][]lsmkv.TableInfo
	var snap Snapshot
	eventually(t, "a quiet tree", func() bool {
		before := db.Metrics()
		snap = getSnapshot(t, hs.URL)
		m, tables = db.Metrics(), db.Tables()
		return reflect.DeepEqual(before.Levels, m.Levels) && before.Compactions == m.Compactions
	})

	if !snap.Open || snap.Source != "live" || len(snap.Levels) != len(m.Levels) {
		t.Fatalf("snapshot open=%v source=%q levels=%d", snap.Open, snap.Source, len(snap.Levels))
	}
	deep := 0
	for i, l := range snap.Levels {
		lm := m.Levels[i]
		if l.Level != i || l.Files != lm.NumFiles || l.Bytes != lm.Size || l.Score != lm.Score ||
			l.BytesIn != lm.BytesIn || l.BytesRead != lm.BytesRead || l.BytesWritten != lm.BytesWritten {
			t.Errorf("L%d: snapshot %+v, metrics %+v", i, l, lm)
		}
		if len(l.Tables) != len(tables[i]) {
			t.Fatalf("L%d: %d tables shown, Tables has %d", i, len(l.Tables), len(tables[i]))
		}
		for j, tb := range l.Tables {
			want := tables[i][j]
			if i == 0 {
				want = tables[0][len(tables[0])-1-j] // shown oldest first
				if tb.Row != j {
					t.Errorf("L0 table %d in row %d, want %d", tb.Num, tb.Row, j)
				}
			}
			if tb.Num != want.FileNum || tb.Size != want.Size {
				t.Errorf("L%d[%d] = table %d (%d bytes), want %d (%d bytes)", i, j, tb.Num, tb.Size, want.FileNum, want.Size)
			}
			if tb.X0 < 0 || tb.X0 > tb.X1 || tb.X1 > 1 {
				t.Errorf("table %d placed at [%g, %g]", tb.Num, tb.X0, tb.X1)
			}
			if i > 0 && j > 0 && l.Tables[j-1].X1 > tb.X0 {
				t.Errorf("L%d: tables %d and %d overlap on screen", i, l.Tables[j-1].Num, tb.Num)
			}
		}
		if i > 0 {
			deep += len(l.Tables)
		}
	}
	if deep == 0 || len(snap.Levels[0].Tables) < 2 {
		t.Fatalf("want 2 tables in L0 at least, and some below: %d in L0, %d below", len(snap.Levels[0].Tables), deep)
	}
	c := snap.Counters
	if c.WriteAmp != m.WriteAmplification() || c.UserBytes != m.UserBytes || c.Flushes != m.Flushes ||
		c.Compactions != m.Compactions || c.CacheHits != m.BlockCacheHits || c.CacheMisses != m.BlockCacheMisses ||
		c.FilterChecks != m.FilterChecks || c.FilterNegatives != m.FilterNegatives || c.Stalls != m.Stalls {
		t.Errorf("counters %+v\nmetrics %+v", c, m)
	}
	var total, bottom int64
	for _, l := range m.Levels {
		total += l.Size
		if l.Size > 0 {
			bottom = l.Size
		}
	}
	if c.TableBytes != total || c.SpaceAmpEst != float64(total)/float64(bottom) {
		t.Errorf("table bytes %d, space amp %g; want %d, %g", c.TableBytes, c.SpaceAmpEst, total, float64(total)/float64(bottom))
	}
	mt := snap.Memtables
	if mt.Capacity != m.MemtableCapacity || mt.Mutable != m.MutableMemtableBytes || mt.Mutable == 0 ||
		len(mt.Frozen) != m.MemtableCount-1 {
		t.Errorf("memtables %+v, metrics capacity %d mutable %d count %d", mt, m.MemtableCapacity, m.MutableMemtableBytes, m.MemtableCount)
	}
}

// TestKeyScaleKeepsOrder checks the mapping of keys onto [0,1]: linear for
// decimal keys, and order-preserving for binary ones.
func TestKeyScaleKeepsOrder(t *testing.T) {
	dec := newKeyScale([][]lsmkv.TableInfo{{{Smallest: []byte("0000000000000000"), Largest: []byte("0000000000000100")}}})
	for _, c := range []struct {
		key  string
		want float64
	}{{"0000000000000000", 0}, {"0000000000000050", 0.5}, {"0000000000000025", 0.25}, {"0000000000000100", 1}} {
		if got := dec.at([]byte(c.key)); got != c.want {
			t.Errorf("at(%s) = %g, want %g", c.key, got, c.want)
		}
	}
	bin := newKeyScale([][]lsmkv.TableInfo{{{Smallest: []byte{0, 1}, Largest: []byte{0xff, 0xfe, 3}}}})
	keys := [][]byte{{0, 1}, {0, 2}, {0x10}, {0x7f, 0xff, 0xff}, {0x80}, {0xff, 0xfe, 3}}
	for i := 1; i < len(keys); i++ {
		if a, b := bin.at(keys[i-1]), bin.at(keys[i]); a >= b {
			t.Errorf("at(%x) = %g >= at(%x) = %g", keys[i-1], a, keys[i], b)
		}
	}
	if one := newKeyScale([][]lsmkv.TableInfo{{{Smallest: []byte("a"), Largest: []byte("a")}}}); one.at([]byte("a")) != 0.5 {
		t.Errorf("a single key is not centred")
	}
}
