package bench

import (
	"bytes"
	"encoding/xml"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

// sampleReport is a report with every feature the renderers draw.
func sampleReport() *Report {
	o := Options{EngineName: "map", Engine: Config{Dir: "/tmp/x", Compression: CompressionSnappy}}
	o.EnsureDefaults()
	lat := HistSummary{Count: 10, Mean: 2 * time.Microsecond, P50: time.Microsecond, P95: 3 * time.Microsecond,
		P99: 5 * time.Microsecond, P999: 9 * time.Microsecond, Max: 20 * time.Microsecond}
	return &Report{Engine: "map", Options: o, Results: []PhaseResult{
		{Name: "fillseq", Ops: 1000, Elapsed: time.Millisecond, Bytes: 116000, Latency: lat,
			Throughput: []float64{1e6, 9e5, 1.1e6}, ThroughputInterval: throughputInterval,
			WriteAmp: 2.5, SpaceAmp: 1.25, DiskBytes: 145000, LiveBytes: 116000,
			Levels: []LevelShape{{1, 1000}, {0, 0}, {4, 90000}}, EngineText: "levels <&> stuff\n"},
		{Name: "readrandom", Ops: 1000, Elapsed: 2 * time.Millisecond, Found: 900, Latency: lat,
			Throughput: []float64{5e5}, ThroughputInterval: throughputInterval, ReadAmp: 1.5},
		{Name: "fillrandom", Skipped: true},
	}}
}

func TestWriteTable(t *testing.T) {
	var b strings.Builder
	if err := WriteTable(&b, sampleReport()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	lines := strings.Split(out, "\n")
	for _, want := range []struct {
		line  int
		words []string
	}{
		{1, []string{"benchmark", "micros/op", "ops/s", "MB/s", "p50(us)", "p99(us)", "p99.9(us)", "write-amp", "space-amp", "read-amp"}},
		{2, []string{"fillseq", "1.000", "1000000", "110.6", "1.0", "5.0", "9.0", "2.50", "1.25", "-"}},
		{3, []string{"readrandom", "2.000", "500000", "0.0", "1.0", "5.0", "9.0", "-", "-", "1.50"}},
		{4, []string{"fillrandom", "skipped"}},
	} {
		if got := strings.Fields(lines[want.line]); !reflect.DeepEqual(got, want.words) {
			t.Errorf("line %d = %q, want %q", want.line, got, want.words)
		}
	}
	if lines[0] != headerLine(sampleReport()) {
		t.Errorf("line 0 = %q, want the header line", lines[0])
	}
	if !strings.Contains(out, "--- fillseq\nlevels <&> stuff\n") {
		t.Errorf("verbose text missing:\n%s", out)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	rep := sampleReport()
	var b bytes.Buffer
	if err := WriteJSON(&b, rep); err != nil {
		t.Fatal(err)
	}
	got, err := ReadJSON(&b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, rep) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, rep)
	}
	if _, err := ReadJSON(strings.NewReader(`{"Results": 5}`)); err == nil {
		t.Error("bad JSON accepted")
	}
}

// checkXML parses s fully and returns how many elements of each name it has.
func checkXML(t *testing.T, s string) map[string]int {
	t.Helper()
	counts := map[string]int{}
	d := xml.NewDecoder(strings.NewReader(s))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return counts
		}
		if err != nil {
			t.Fatalf("invalid XML: %v\n%s", err, s)
		}
		if se, ok := tok.(xml.StartElement); ok {
			counts[se.Name.Local]++
		}
	}
}

func TestChartsAreWellFormedSVG(t *testing.T) {
	rep := sampleReport()
	rep.Results[0].Name = `fill"<seq>&`
	charts := reportCharts(rep)
	if len(charts) != 3 {
		t.Fatalf("%d charts, want throughput, latency, levels", len(charts))
	}
	line := checkXML(t, charts[0])
	// readrandom has one throughput point: a polyline of one point is
	// invisible, so it gets a dot.
	if line["svg"] != 1 || line["polyline"] != 2 || line["circle"] != 1 {
		t.Errorf("throughput chart elements %v, want 2 polylines and a circle", line)
	}
	if !strings.Contains(charts[0], `data-name="fill&#34;&lt;seq&gt;&amp;"`) {
		t.Errorf("series name not escaped in:\n%s", charts[0])
	}
	// 2 phases (the skipped one is left out) x 5 percentiles.
	if bars := checkXML(t, charts[1])["rect"]; bars != 1+5+10 { // frame + legend + bars
		t.Errorf("latency chart has %d rects", bars)
	}
	// One phase reported levels; L1 is empty so only 2 bars are drawn.
	if bars := strings.Count(charts[2], `class="bar"`); bars != 2 {
		t.Errorf("levels chart has %d bars", bars)
	}
	checkXML(t, charts[2])
}

func TestSweepChart(t *testing.T) {
	rep := sampleReport()
	rep.SweepParam = "bloom_bits"
	rep.Results[0].SweepValue, rep.Results[1].SweepValue, rep.Results[2].SweepValue = "0", "0", "10"
	c := sweepChart(rep)
	if !reflect.DeepEqual(c.Categories, []string{"0", "10"}) || len(c.Series) != 3 {
		t.Fatalf("sweep chart %+v", c)
	}
	if c.Series[0].Values[0] != rep.Results[0].OpsPerSec() {
		t.Errorf("values %v", c.Series[0].Values)
	}
	checkXML(t, c.SVG())
}

func TestWriteHTML(t *testing.T) {
	var b strings.Builder
	if err := WriteHTML(&b, sampleReport()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"<!DOCTYPE html>", "<svg", "Throughput over time", "Latency percentiles", "Tree shape", "levels &lt;&amp;&gt; stuff", "<td>readrandom</td>"} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	for _, banned := range []string{"<script", "http://", "https://", "src="} {
		if strings.Contains(strings.ReplaceAll(out, `xmlns="http://www.w3.org/2000/svg"`, ""), banned) {
			t.Errorf("HTML contains %q: not self-contained", banned)
		}
	}
}

func TestDownsample(t *testing.T) {
	ys := make([]float64, 1001)
	for i := range ys {
		ys[i] = float64(i % 2)
	}
	out, per := downsample(ys, 500)
	if per != 3 || len(out) != 334 || out[0] != 1.0/3 {
		t.Errorf("downsample: per %d len %d first %v", per, len(out), out[0])
	}
	if out, per := downsample(ys[:10], 500); per != 1 || len(out) != 10 {
		t.Errorf("short series changed")
	}
}

func FuzzReadJSON(f *testing.F) {
	var b bytes.Buffer
	if err := WriteJSON(&b, sampleReport()); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	f.Add([]byte(`{"Results":[{"Name":"x","ThroughputOpsPerSec":[1,2],"ThroughputIntervalNs":100}]}`))
	f.Add([]byte(`{"Options":{"Num":0,"DeleteRangeSpanKeys":0},"Results":[{"Name":"deleterange","Ops":5,"RangeDel":"native",` +
		`"Space":{"Before":{"LiveBytes":1},"AfterCompact":{"DiskBytes":-1}}},{"Name":"rangetombstones","RangeDel":"x","Skipped":true}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := ReadJSON(bytes.NewReader(data))
		if err != nil {
			return
		}
		// Whatever decodes must render without panicking.
		var out bytes.Buffer
		if err := WriteTable(&out, rep); err != nil {
			t.Fatal(err)
		}
		reportCharts(rep)
	})
}

// TestHeaderLine is issue 9: the table did not say what it measured.
func TestHeaderLine(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Report)
		want string
	}{
		{"defaults", func(*Report) {},
			"engine=map num=100000 reads=100000 key_size=16 value_size=100 threads=1 batch_size=1 seek_nexts=0 " +
				"compression=snappy compression_ratio=0.5 compaction=default bloom_bits=0 memtable_size=default " +
				"cache_size=default block_size=default sync=false use_existing_db=false seed=301 dir=/tmp/x"},
		{"knobs set", func(r *Report) {
			r.Options.Num, r.Options.Engine.Compaction, r.Options.Engine.BloomBits = 5000, CompactionTiered, 10
			r.Options.Engine.MemtableSize, r.Options.UseExistingDB, r.Options.Engine.Dir = 65536, true, "/data/my db"
		}, "engine=map num=5000 reads=100000 key_size=16 value_size=100 threads=1 batch_size=1 seek_nexts=0 " +
			"compression=snappy compression_ratio=0.5 compaction=tiered bloom_bits=10 memtable_size=65536 " +
			`cache_size=default block_size=default sync=false use_existing_db=true seed=301 dir="/data/my db"`},
		{"range deletions", func(r *Report) {
			r.Options.Benchmarks = []string{"fillseq", "deleterange", "rangetombstones"}
			r.Options.RangeTombstones, r.Options.DeleteRangeNoCompact = 1000, true
		}, "engine=map num=100000 reads=100000 key_size=16 value_size=100 threads=1 batch_size=1 seek_nexts=0 " +
			"compression=snappy compression_ratio=0.5 compaction=default bloom_bits=0 memtable_size=default " +
			"cache_size=default block_size=default sync=false use_existing_db=false seed=301 " +
			"deleterange_span=100 deleterange_fraction=0.5 deleterange_compact=false range_tombstones=1000 dir=/tmp/x"},
		{"sweep", func(r *Report) {
			r.SweepParam = "bloom_bits"
			r.Results[0].SweepValue, r.Results[1].SweepValue, r.Results[2].SweepValue = "0", "0", "10"
		}, "engine=map num=100000 reads=100000 key_size=16 value_size=100 threads=1 batch_size=1 seek_nexts=0 " +
			"compression=snappy compression_ratio=0.5 compaction=default bloom_bits={0,10} memtable_size=default " +
			"cache_size=default block_size=default sync=false use_existing_db=false seed=301 dir=/tmp/x"},
	} {
		rep := sampleReport()
		tc.edit(rep)
		if got := headerLine(rep); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
		var b strings.Builder
		if err := WriteTable(&b, rep); err != nil || !strings.HasPrefix(b.String(), tc.want+"\n") {
			t.Errorf("%s: table does not start with the header line:\n%s", tc.name, b.String())
		}
	}
}
