package main

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lsmkv/lsmkv/internal/filename"
	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/manifest"
	"github.com/lsmkv/lsmkv/vfs"
)

// Range tombstones in every command, on the DB makeRangeDelDB writes. The
// golden files show the whole outputs; the other tests check the facts the
// history guarantees, so that a wrongly blessed golden file still fails.
//
// Sequence numbers follow from that history (one per write, in order):
// 1..200 the v1 batch, 201 DeleteRange [key020, key180), 202..204 the v2
// batch, 205..214 the v3 puts, 215 DeleteRange [key303, key306), 216
// Delete key301, 217 DeleteRange [key305, key308), 218 DeleteRange
// [key400, key410), 219 and 220 the WAL's DeleteRange and put.

func TestGoldenRangeDels(t *testing.T) {
	dir := makeRangeDelDB(t)
	rt := loadRangeDelTables(t, dir)
	file := func(f *manifest.FileMeta) string { return filepath.Join(dir, tableName(f)) }
	cases := []struct {
		name string
		args []string
	}{
		{"rangedel-sst-dump", []string{"sst", "dump", file(rt.mixed)}},
		{"rangedel-sst-dump-only", []string{"sst", "dump", file(rt.only)}},
		{"rangedel-sst-props", []string{"sst", "props", file(rt.mixed)}},
		{"rangedel-sst-blocks", []string{"sst", "blocks", file(rt.mixed)}},
		{"rangedel-wal-dump", []string{"wal", "dump", filepath.Join(dir, filename.Make(filename.Log, walNum(t, dir)))}},
		{"rangedel-manifest-dump", []string{"manifest", "dump", dir}},
		{"rangedel-lsm", []string{"lsm", dir}},
		{"rangedel-check", []string{"check", dir}},
		{"rangedel-scan", []string{"scan", dir, "-start", "key175", "-end", "key400"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkGolden(t, dir, c.name, c.args...) })
	}
}

// walNum is the log number of the DB's current WAL.
func walNum(t *testing.T, dir string) uint64 {
	t.Helper()
	tr, err := loadTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	return tr.logNum
}

// TestSSTDumpShowsRangeDels: the dump lists a table's tombstones as stored,
// fragmented, one line per fragment and sequence number, newest first, and
// counts them; a table may hold tombstones and no point at all.
func TestSSTDumpShowsRangeDels(t *testing.T) {
	dir := makeRangeDelDB(t)
	rt := loadRangeDelTables(t, dir)
	r := mustRun(t, exitOK, "sst", "dump", filepath.Join(dir, tableName(rt.mixed)))
	want := "rangedel [\"key303\", \"key305\") #215\n" +
		"rangedel [\"key305\", \"key306\") #217\n" +
		"rangedel [\"key305\", \"key306\") #215\n" +
		"rangedel [\"key306\", \"key308\") #217\n" +
		"4 range tombstones\n"
	if !strings.HasSuffix(r.stdout, want) {
		t.Errorf("sst dump: got\n%s\nwant it to end with\n%s", r.stdout, want)
	}
	requireLines(t, r.stdout, `"key300"#205,SET = "v3-key300"`, `"key301"#216,DEL`, `"key309"#214,SET = "v3-key309"`)

	r = mustRun(t, exitOK, "sst", "dump", filepath.Join(dir, tableName(rt.only)))
	if want := "0 entries\nrangedel [\"key400\", \"key410\") #218\n1 range tombstones\n"; r.stdout != want {
		t.Errorf("sst dump of a tombstone-only table: got\n%s\nwant\n%s", r.stdout, want)
	}
}

// TestSSTPropsAndBlocksShowRangeDels: props count the tombstones and locate
// their block, and show bounds that cover them; blocks lists that block in
// file order, between the data and the filter.
func TestSSTPropsAndBlocksShowRangeDels(t *testing.T) {
	dir := makeRangeDelDB(t)
	rt := loadRangeDelTables(t, dir)
	path := filepath.Join(dir, tableName(rt.mixed))
	r, err := openTable(path)
	if err != nil {
		t.Fatal(err)
	}
	h := r.Properties().RangeDel
	r.Close()

	out := mustRun(t, exitOK, "sst", "props", path).stdout
	requireLines(t, out, "range-dels:         4", `smallest:           "key300"#205,SET`, fmt.Sprintf("range-del-block:    offset %d, length %d", h.Offset, h.Length))
	out = mustRun(t, exitOK, "sst", "props", filepath.Join(dir, tableName(rt.only))).stdout
	requireLines(t, out, "entries:            0", "range-dels:         1",
		`smallest:           "key400"#218,RANGEDEL`, `largest:            "key410"#max,RANGEDEL`)

	out = mustRun(t, exitOK, "sst", "blocks", path).stdout
	var kinds []string
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) == 7 && f[3] != "KIND" {
			kinds = append(kinds, f[3])
		}
		if len(f) == 7 && f[3] == "rangedel" {
			if want := fmt.Sprintf("%d %d %d rangedel", h.Offset, h.Length, h.Length+sstBlockTrailerLen); strings.Join(f[:4], " ") != want || f[5] != "4" {
				t.Errorf("range-deletion block row %q, want %q with 4 entries", l, want)
			}
		}
	}
	if got := strings.Join(kinds, " "); got != "data rangedel filter index properties footer" {
		t.Errorf("blocks in file order: %s", got)
	}
}

// tableRow returns the fields of the lsm row of table num.
func tableRow(t *testing.T, out string, num uint64) []string {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) > 1 && f[1] == fmt.Sprintf("%06d", num) {
			return f
		}
	}
	t.Fatalf("no row for table %06d in\n%s", num, out)
	return nil
}

// TestLSMShowsRangeDels: every table row counts its range tombstones, and a
// table that ends at the exclusive end of its tombstones says so.
func TestLSMShowsRangeDels(t *testing.T) {
	dir := makeRangeDelDB(t)
	rt := loadRangeDelTables(t, dir)
	out := mustRun(t, exitOK, "lsm", dir).stdout
	requireContains(t, out, "SEQS       RANGEDELS  SMALLEST")
	if got, want := strings.Join(tableRow(t, out, rt.only.Num)[3:], " "), `[218,218] 1 "key400" before "key410"`; got != want {
		t.Errorf("tombstone-only table: %s, want %s", got, want)
	}
	if got, want := strings.Join(tableRow(t, out, rt.mixed.Num)[3:], " "), `[205,217] 4 "key300" "key309"`; got != want {
		t.Errorf("mixed table: %s, want %s", got, want)
	}
	a, b := rt.joined[0], rt.joined[1]
	if got, want := strings.Join(tableRow(t, out, a.Num)[6:], " "), "before "+fmtBytes(b.SmallestUserKey(), false); got != want {
		t.Errorf("L6 table %06d ends at %s, want %s", a.Num, got, want)
	}
	// The fixture has no range tombstone: zero in every row.
	fx := loadFixture(t)
	out = mustRun(t, exitOK, "lsm", copyFixture(t)).stdout
	if f := tableRow(t, out, fx.l0.Num); f[4] != "0" {
		t.Errorf("fixture L0 table row %q: want 0 range tombstones", f)
	}
}

// svgBoxes is the table rectangles of a picture, by tooltip.
type svgBoxes struct {
	G []struct {
		Title string `xml:"title"`
		Rect  struct {
			X     float64 `xml:"x,attr"`
			Width float64 `xml:"width,attr"`
			Dash  string  `xml:"stroke-dasharray,attr"`
		} `xml:"rect"`
	} `xml:"g"`
}

// TestLSMSVGMarksRangeDels: tables holding range tombstones are dashed and
// say so in their tooltip, a legend explains the mark, and a table ending
// at an exclusive sentinel touches its neighbour without overlapping it.
// The fixture, without tombstones, has no mark and no legend.
func TestLSMSVGMarksRangeDels(t *testing.T) {
	dir := makeRangeDelDB(t)
	rt := loadRangeDelTables(t, dir)
	svg := func(dir string) []byte {
		out := filepath.Join(t.TempDir(), "tree.svg")
		mustRun(t, exitOK, "lsm", "-svg", out, dir)
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	data := svg(dir)
	parseSVG(t, data) // well-formed
	var doc svgBoxes
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	boxes := map[uint64]int{}
	for i, g := range doc.G {
		var num uint64
		fmt.Sscanf(g.Title, "%06d.sst", &num)
		boxes[num] = i
		if g.Rect.Dash == "" || !strings.Contains(g.Title, " range tombstones") {
			t.Errorf("table %q is not marked as holding range tombstones", g.Title)
		}
	}
	requireContains(t, string(data), svgRangeDelLegend)
	requireContains(t, doc.G[boxes[rt.only.Num]].Title, `"key400" .. before "key410", 1 range tombstones`)
	a, b := doc.G[boxes[rt.joined[0].Num]].Rect, doc.G[boxes[rt.joined[1].Num]].Rect
	if end := a.X + a.Width; end < b.X-0.1 || end > b.X+0.1 {
		t.Errorf("table %06d ends at x=%.1f, its neighbour %06d starts at x=%.1f: want them to touch",
			rt.joined[0].Num, end, rt.joined[1].Num, b.X)
	}

	plain := svg(copyFixture(t))
	if bytes.Contains(plain, []byte("stroke-dasharray")) || bytes.Contains(plain, []byte(svgRangeDelLegend)) {
		t.Error("the fixture has no range tombstone but its picture marks some")
	}
}

// TestCheckAcceptsRangeDels: check passes on a DB with tombstones in L0 and
// L6, where L6 neighbours meet at an exclusive end sentinel (it used to
// call those overlapping, and the bounds widened by tombstones wrong).
func TestCheckAcceptsRangeDels(t *testing.T) {
	dir := makeRangeDelDB(t)
	rt := loadRangeDelTables(t, dir)
	out := mustRun(t, exitOK, "check", dir).stdout
	requireLines(t, out,
		fmt.Sprintf("table %06d (L0): 0 entries, 1 range tombstones, %d bytes ok", rt.only.Num, rt.only.Size),
		"ok: no problems found")
	requireContains(t, out, fmt.Sprintf(" entries, 4 range tombstones, %d bytes ok\ntable %06d (L6)", rt.mixed.Size, rt.l6[0].Num))
}

// TestCheckLevelOrder: in L1+, a table may end exclusively where the next
// one starts, but not inclusively, and not past it.
func TestCheckLevelOrder(t *testing.T) {
	incl := func(k string) []byte { return keys.Make([]byte(k), 5, keys.KindSet) }
	excl := func(k string) []byte { return keys.RangeDeleteSentinel([]byte(k)) }
	tests := []struct {
		name    string
		largest []byte // of the first table; the second starts at "m"
		ok      bool
	}{
		{"ends below the next start", incl("l"), true},
		{"ends exclusively at the next start", excl("m"), true},
		{"ends inclusively at the next start", incl("m"), false},
		{"ends exclusively past the next start", excl("n"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			files := []*manifest.FileMeta{
				{Num: 1, Smallest: incl("a"), Largest: tc.largest},
				{Num: 2, Smallest: keys.Make([]byte("m"), 9, keys.KindRangeDelete), Largest: incl("z")},
			}
			var out bytes.Buffer
			c := &checker{w: &out}
			c.checkLevelOrder("MANIFEST-000001", 3, files)
			if ok := c.problems == 0; ok != tc.ok {
				t.Errorf("problems=%d, want ok=%v; output:\n%s", c.problems, tc.ok, out.String())
			}
		})
	}
}

// TestWidenToRangeDels: the bounds check expects are the points' bounds
// widened to the tombstones, as the writer records them.
func TestWidenToRangeDels(t *testing.T) {
	db := makeRangeDelDB(t)
	rt := loadRangeDelTables(t, db)
	for _, f := range append([]*manifest.FileMeta{rt.only, rt.mixed}, rt.l6...) {
		r, err := openTable(filepath.Join(db, tableName(f)))
		if err != nil {
			t.Fatal(err)
		}
		var first, last []byte
		it := r.NewIter()
		for ok := it.First(); ok; ok = it.Next() {
			if first == nil {
				first = bytes.Clone(it.Key())
			}
			last = append(last[:0], it.Key()...)
		}
		if err := it.Close(); err != nil {
			t.Fatal(err)
		}
		lo, hi := widenToRangeDels(first, last, r.RangeDels())
		r.Close()
		if !bytes.Equal(lo, f.Smallest) || !bytes.Equal(hi, f.Largest) {
			t.Errorf("table %06d: widened to [%s .. %s], the manifest says [%s .. %s]", f.Num,
				fmtIKey(lo, true), fmtIKey(hi, true), fmtIKey(f.Smallest, true), fmtIKey(f.Largest, true))
		}
	}
}

// rewriteManifest rewrites the DB's manifest with fn applied to every
// table an edit adds.
func rewriteManifest(t *testing.T, dir string, fn func(m *manifest.FileMeta)) {
	t.Helper()
	tr, err := loadTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	var payloads [][]byte
	_, err = manifest.ReadEdits(vfs.Default, tr.manifestPath, func(_ int64, ed *manifest.VersionEdit) error {
		for i := range ed.Added {
			fn(&ed.Added[i].Meta)
		}
		payloads = append(payloads, ed.Encode(nil))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, num, _ := filename.Parse(filepath.Base(tr.manifestPath))
	writeWAL(t, tr.manifestPath, num, payloads...)
}

// TestCheckCatchesRangeDelMetadata: a manifest that miscounts a table's
// range tombstones, or whose bounds stop short of a tombstone (the trap of
// RocksDB #2752: compactions would not see what the tombstone covers), is
// reported.
func TestCheckCatchesRangeDelMetadata(t *testing.T) {
	dir := makeRangeDelDB(t)
	rt := loadRangeDelTables(t, dir)
	short := keys.Make([]byte("key409"), 218, keys.KindRangeDelete)
	rewriteManifest(t, dir, func(m *manifest.FileMeta) {
		switch m.Num {
		case rt.mixed.Num:
			m.NumRangeDels = 0
		case rt.only.Num:
			m.Largest = short
		}
	})
	out := mustRun(t, exitFailure, "check", dir).stdout
	requireContains(t, out,
		fmt.Sprintf("%s: holds 4 range tombstones but the manifest says 0", tableName(rt.mixed)),
		fmt.Sprintf(`%s: holds keys ["key400"#218,RANGEDEL .. "key410"#max,RANGEDEL] but the manifest says ["key400"#218,RANGEDEL .. "key409"#218,RANGEDEL]`,
			tableName(rt.only)),
		"2 problem(s) found")
}

// TestGetAndScanHonourRangeDels: get and scan read through the engine, so
// keys under a range tombstone are gone wherever it lives (a table of L0
// or L6, or the WAL), and keys written after it are back.
func TestGetAndScanHonourRangeDels(t *testing.T) {
	dir := makeRangeDelDB(t)
	model := map[string][]byte{}
	for k, v := range rangeDelModel() {
		model[k] = []byte(v)
	}
	checkScan(t, dir, model)
	for _, k := range []string{"key020", "key049", "key179", "key301", "key303", "key307", "key308", "key405"} {
		r := mustRun(t, exitFailure, "get", dir, k)
		requireContains(t, r.stderr, "not found")
	}
	for k, v := range map[string]string{
		"key019": "v1-key019", "key100": "v2-key100", "key180": "v1-key180",
		"key302": "v3-key302", "key309": "wal-only",
	} {
		if r := mustRun(t, exitOK, "get", dir, k); r.stdout != fmt.Sprintf("%q\n", v) {
			t.Errorf("get %s = %q, want %q", k, r.stdout, v)
		}
	}
	r := mustRun(t, exitOK, "scan", dir, "-start", "key298", "-reverse")
	want := `"key309" = "wal-only"` + "\n" + `"key302" = "v3-key302"` + "\n" + `"key300" = "v3-key300"` + "\n" + "3 entries\n"
	if r.stdout != want {
		t.Errorf("scan -reverse from key298: got\n%s\nwant\n%s", r.stdout, want)
	}
}
