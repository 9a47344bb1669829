package bench

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseSweep(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Sweep
		wantErr string
	}{
		{in: "bloom_bits=0,2,5,10,16", want: Sweep{"bloom_bits", []string{"0", "2", "5", "10", "16"}}},
		{in: "compression=none,snappy", want: Sweep{"compression", []string{"none", "snappy"}}},
		{in: "compaction=leveled,tiered", want: Sweep{"compaction", []string{"leveled", "tiered"}}},
		{in: "threads=1,2,4", want: Sweep{"threads", []string{"1", "2", "4"}}},
		{in: "memtable_size=1048576", want: Sweep{"memtable_size", []string{"1048576"}}},
		{in: "block_size=4096,16384", want: Sweep{"block_size", []string{"4096", "16384"}}},
		{in: "cache_size=0,8388608", want: Sweep{"cache_size", []string{"0", "8388608"}}},
		{in: "value_size=10,1000", want: Sweep{"value_size", []string{"10", "1000"}}},
		{in: "range_tombstones=0,1000,100000", want: Sweep{"range_tombstones", []string{"0", "1000", "100000"}}},
		{in: "range_tombstones=-1", wantErr: "range_tombstones"},
		{in: "bloom_bits", wantErr: "want NAME="},
		{in: "=1,2", wantErr: "want NAME="},
		{in: "bloom_bits=", wantErr: "want NAME="},
		{in: "fanout=1,2", wantErr: "unknown parameter"},
		{in: "bloom_bits=1,x", wantErr: "not a number"},
		{in: "bloom_bits=1,,2", wantErr: "not a number"},
		{in: "bloom_bits=-1", wantErr: "bloom_bits"},
		{in: "threads=0", wantErr: "threads"},
		{in: "compression=zstd", wantErr: "compression"},
		{in: "compaction=fifo", wantErr: "compaction"},
		{in: "threads=1,1", wantErr: "repeated"},
	} {
		got, err := ParseSweep(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.HasPrefix(err.Error(), "lsmkv/bench: ") {
				t.Errorf("ParseSweep(%q) err = %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseSweep(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

func TestRunSweep(t *testing.T) {
	o := testOptions(t, "fillrandom", "readrandom")
	sw, err := ParseSweep("value_size=10,200")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := RunSweep(o, sw)
	if err != nil {
		t.Fatal(err)
	}
	if rep.SweepParam != "value_size" || len(rep.Results) != 4 {
		t.Fatalf("report %+v", rep)
	}
	for i, want := range []struct{ value, name string }{{"10", "fillrandom"}, {"10", "readrandom"}, {"200", "fillrandom"}, {"200", "readrandom"}} {
		if r := rep.Results[i]; r.SweepValue != want.value || r.Name != want.name {
			t.Errorf("row %d = %s %s, want %s %s", i, r.SweepValue, r.Name, want.value, want.name)
		}
	}
	// The value really applied: fillrandom wrote num*(16+size) bytes.
	if b := rep.Results[2].Bytes; b != o.Num*(16+200) {
		t.Errorf("value_size=200 fillrandom wrote %d bytes", b)
	}
	for _, v := range sw.values {
		if _, err := os.Stat(filepath.Join(o.Engine.Dir, "value_size="+v)); err != nil {
			t.Errorf("sweep dir: %v", err)
		}
	}
	var b strings.Builder
	if err := WriteTable(&b, rep); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(b.String()), "\n"); len(lines) != 6 || !strings.Contains(lines[0], "value_size={10,200}") || !strings.HasPrefix(strings.TrimSpace(lines[1]), "value_size") {
		t.Errorf("table:\n%s", b.String())
	}
}

func FuzzParseSweep(f *testing.F) {
	for _, s := range []string{"bloom_bits=0,2,5", "compression=none,snappy", "threads=1,,2", "x=", "="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sw, err := ParseSweep(s)
		if err != nil {
			return
		}
		// An accepted sweep round-trips and names a known parameter.
		if got := sw.name + "=" + strings.Join(sw.values, ","); got != s {
			t.Errorf("ParseSweep(%q) round-trips to %q", s, got)
		}
		if _, ok := sweepParams[sw.name]; !ok {
			t.Errorf("unknown name %q accepted", sw.name)
		}
	})
}
