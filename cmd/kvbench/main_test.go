package main

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/lsmkv/lsmkv/bench"
)

func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestRunDefaultSuiteOnMap(t *testing.T) {
	dir := t.TempDir()
	report, js := filepath.Join(dir, "r.html"), filepath.Join(dir, "r.json")
	code, out, errOut := runCmd(t, "-engine=map", "-num=1000", "-report="+report, "-json="+js)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2+len(bench.DefaultBenchmarks) || !strings.Contains(lines[1], "micros/op") {
		t.Fatalf("table:\n%s", out)
	}
	// Issue 9: the settings come first.
	for _, want := range []string{"engine=map ", " num=1000 ", " key_size=16 ", " value_size=100 ", " compaction=leveled ", " dir=" + os.TempDir()} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("header line %q lacks %q", lines[0], want)
		}
	}
	for i, name := range bench.DefaultBenchmarks {
		f := strings.Fields(lines[i+2])
		if len(f) != 10 || f[0] != name {
			t.Errorf("row %d = %q, want benchmark %s and 10 columns", i, f, name)
		}
		if f[8] != "1.00" { // the map engine's space amp is exact
			t.Errorf("%s space amp %s", name, f[8])
		}
	}
	if errOut != "" {
		t.Errorf("stderr not a terminal but got %q", errOut)
	}
	f, err := os.Open(js)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := bench.ReadJSON(f)
	if err != nil || rep.Options.Num != 1000 || len(rep.Results) != len(bench.DefaultBenchmarks) {
		t.Fatalf("json report %+v, %v", rep, err)
	}
	if html, err := os.ReadFile(report); err != nil || !strings.Contains(string(html), "<svg") {
		t.Errorf("html report: %v", err)
	}
}

func TestRunJSONToStdoutAndSweep(t *testing.T) {
	code, out, errOut := runCmd(t, "-engine=map", "-num=200", "-benchmarks=fillseq,readrandom",
		"-sweep=bloom_bits=0,10", "-json=-", "-v", "-db="+t.TempDir())
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	rep, err := bench.ReadJSON(strings.NewReader(out))
	if err != nil {
		t.Fatalf("stdout is not just JSON: %v\n%s", err, out)
	}
	var got []string
	for _, r := range rep.Results {
		got = append(got, r.SweepValue+"/"+r.Name)
	}
	want := []string{"0/fillseq", "0/readrandom", "10/fillseq", "10/readrandom"}
	if !reflect.DeepEqual(got, want) || rep.SweepParam != "bloom_bits" || rep.Results[0].EngineText == "" {
		t.Errorf("results %v sweep %q", got, rep.SweepParam)
	}
}

func TestBadFlagsExit2(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		// Issue 9: outputs are checked before the run, not after it.
		{[]string{"-num=100", "-json=" + filepath.Join(dir, "missing", "r.json")}, "-json"},
		{[]string{"-num=100", "-report=" + filepath.Join(dir, "missing", "r.html")}, "-report"},
		{[]string{"-num=100", "-report=" + dir}, "is a directory"},
		{[]string{"-num=100", "-json=" + filepath.Join(dir, "r"), "-report=" + filepath.Join(dir, "r")}, "same file"},
		{[]string{"-num=0"}, "-num=0"},
		{[]string{"-threads=-1"}, "-threads"},
		{[]string{"-num=abc"}, "invalid value"},
		{[]string{"-nosuchflag"}, "not defined"},
		{[]string{"-compression=zstd"}, "compression"},
		{[]string{"-compaction=fifo"}, "compaction"},
		{[]string{"-bloom_bits=-3"}, "bloom_bits"},
		{[]string{"-benchmarks=fillseq,bogus"}, "unknown benchmark"},
		{[]string{"-benchmarks=,"}, "empty"},
		{[]string{"-sweep=fanout=1,2"}, "unknown parameter"},
		{[]string{"-use_existing_db"}, "needs -db"},
		{[]string{"-engine=nope"}, "unknown engine"},
		{[]string{"-key_size=3"}, "key_size"},
		{[]string{"stray"}, "unexpected arguments"},
		{[]string{"-deleterange_span=0"}, "-deleterange_span=0"},
		{[]string{"-deleterange_fraction=0"}, "deleterange_fraction"},
		{[]string{"-deleterange_fraction=1.5"}, "deleterange_fraction"},
		{[]string{"-num=100", "-benchmarks=fillseq,rangetombstones", "-range_tombstones=101"}, "range_tombstones"},
		{[]string{"-range_tombstones=-1"}, "range_tombstones"},
	} {
		args := append([]string{"-engine=map"}, tc.args...)
		code, out, errOut := runCmd(t, args...)
		if code != exitUsage || !strings.Contains(errOut, tc.want) || out != "" {
			t.Errorf("%v: exit %d, stderr %q, want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

func TestRunFailureExit1(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "precious"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCmd(t, "-engine=map", "-num=10", "-db="+dir)
	if code != exitFailure || !strings.Contains(errOut, "not empty") {
		t.Errorf("exit %d stderr %q", code, errOut)
	}
}

// TestCheckWritable is issue 9's check of -json and -report before the
// run; it must leave what it checks as it found it.
func TestCheckWritable(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "old.json")
	if err := os.WriteFile(existing, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path, wantErr string
	}{
		{"", ""},
		{"-", ""},
		{filepath.Join(dir, "new.json"), ""},
		{existing, ""},
		{dir, "is a directory"},
		{filepath.Join(dir, "missing", "r.json"), "no such file"},
		{filepath.Join(existing, "r.json"), "not a directory"},
	} {
		err := checkWritable(tc.path)
		if (err == nil) != (tc.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("checkWritable(%q) = %v, want %q", tc.path, err, tc.wantErr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "new.json")); !os.IsNotExist(err) {
		t.Errorf("the check left new.json behind: %v", err)
	}
	if b, err := os.ReadFile(existing); err != nil || string(b) != "keep" {
		t.Errorf("the check changed an existing file: %q, %v", b, err)
	}
}

// TestDeleteRangeWorkload runs issue 10's range deletion workloads from
// the command line on the map engine and on lsmkv: the table gets its
// rows, the notes say how ranges were deleted and what space came back,
// and the reads after find the same keys on both engines.
func TestDeleteRangeWorkload(t *testing.T) {
	found := map[string][]int64{}
	for _, engine := range []string{"map", "lsmkv"} {
		js := filepath.Join(t.TempDir(), "r.json")
		code, out, errOut := runCmd(t, "-engine="+engine, "-num=2000", "-memtable_size=65536", "-json="+js,
			"-benchmarks=fillrandom,deleterange,readrandom,rangetombstones,readrandom",
			"-deleterange_span=10", "-deleterange_fraction=0.25", "-range_tombstones=500")
		if code != 0 {
			t.Fatalf("%s: exit %d, stderr %q", engine, code, errOut)
		}
		for _, want := range []string{
			" deleterange_span=10 deleterange_fraction=0.25 deleterange_compact=true range_tombstones=500 ",
			"\ndeleterange: native DeleteRange, 50 spans of 10 keys (25.0% of the keys)\n",
			"after compact", "compaction took",
			"\nrangetombstones: native DeleteRange, 500 range tombstones over gaps holding no key\n",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: output lacks %q:\n%s", engine, want, out)
			}
		}
		f, err := os.Open(js)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := bench.ReadJSON(f)
		f.Close()
		if err != nil || len(rep.Results) != 5 || rep.Results[1].Space == nil || rep.Results[1].Space.AfterCompact == nil {
			t.Fatalf("%s: json %+v, %v", engine, rep, err)
		}
		for _, r := range rep.Results {
			found[engine] = append(found[engine], r.Found)
		}
	}
	if !reflect.DeepEqual(found["map"], found["lsmkv"]) {
		t.Errorf("found per phase: map %v, lsmkv %v", found["map"], found["lsmkv"])
	}
}
