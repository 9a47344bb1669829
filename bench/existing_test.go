package bench

import (
	"strings"
	"testing"
)

// TestUseExistingDBSpaceAmp is issue 9: with UseExistingDB the runner
// assumed the store held exactly keys 0..Num-1, so a store filled with
// another -num got a wrong space amp. mapEngine reports its exact contents
// as DiskBytes, so LiveBytes must equal DiskBytes after every phase,
// whatever the store held before the run.
func TestUseExistingDBSpaceAmp(t *testing.T) {
	const num = 300
	for _, tc := range []struct {
		name    string
		keys    []string // the store's contents before the run
		wantErr string
	}{
		{"twice num keys", indexKeys(0, 2*num, 1), ""},
		{"half num keys", indexKeys(0, num/2, 1), ""},
		{"every third key and beyond num", indexKeys(0, 3*num, 3), ""},
		{"other engines' keys", append(indexKeys(0, num, 1), "user42", "00000000000000000000001", "zzz"), ""},
		{"empty", nil, ""},
		{"no room for inserts", indexKeys(1e16-100, 1e16, 1), "key_size"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := testOptions(t, "readrandom", "overwrite", "deleterandom", "ycsb-d", "ycsb-e", "readseq")
			o.Num, o.Reads, o.UseExistingDB = num, 200, true
			open := func(Config) (Engine, error) {
				e := newMapEngine()
				for _, k := range tc.keys {
					if err := e.Put([]byte(k), make([]byte, o.ValueSize)); err != nil {
						return nil, err
					}
				}
				return e, nil
			}
			results, err := runAll(&o, open)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range results {
				if r.DiskBytes != r.LiveBytes || (r.LiveBytes > 0 && r.SpaceAmp != 1) {
					t.Errorf("after %s: disk %d live %d space amp %v", r.Name, r.DiskBytes, r.LiveBytes, r.SpaceAmp)
				}
			}
		})
	}
}

// indexKeys returns the kvbench keys of indexes lo, lo+step, ... below hi.
func indexKeys(lo, hi, step int64) []string {
	var keys []string
	for i := lo; i < hi; i += step {
		keys = append(keys, string(appendKey(nil, i, defaultKeySize)))
	}
	return keys
}

func TestParseKey(t *testing.T) {
	for _, tc := range []struct {
		key  string
		size int
		want int64
		ok   bool
	}{
		{"0000000000000042", 16, 42, true},
		{"0000000000000000", 16, 0, true},
		{"9999999999999999", 16, 9999999999999999, true},
		{"000000000000042", 16, 0, false},   // too short
		{"00000000000000042", 16, 0, false}, // too long
		{"000000000000004.", 16, 0, false},  // readmissing's twin
		{"user000000000042", 16, 0, false},
		{"", 0, 0, false},
		{strings.Repeat("9", 30), 30, 0, false}, // overflows int64
	} {
		got, ok := parseKey([]byte(tc.key), tc.size)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseKey(%q, %d) = %d, %v; want %d, %v", tc.key, tc.size, got, ok, tc.want, tc.ok)
		}
	}
	for _, idx := range []int64{0, 7, 123456, 1e15} {
		if got, ok := parseKey(appendKey(nil, idx, 16), 16); !ok || got != idx {
			t.Errorf("parseKey(appendKey(%d)) = %d, %v", idx, got, ok)
		}
	}
}
