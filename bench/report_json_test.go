package bench

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestJSONNamesStateUnits is issue 9: a reader of the JSON alone must be
// able to tell the unit of every quantity. It looks up one value of each
// kind by its key, then walks the report's types so that a field added
// later without a unit in its name fails too.
func TestJSONNamesStateUnits(t *testing.T) {
	rep := sampleReport()
	rep.Options.Engine.MemtableSize = 4 << 20
	var b bytes.Buffer
	if err := WriteJSON(&b, rep); err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		want float64
	}{
		{"Results.0.ElapsedNs", 1e6},
		{"Results.0.Latency.MeanNs", 2000},
		{"Results.0.Latency.P50Ns", 1000},
		{"Results.0.Latency.P999Ns", 9000},
		{"Results.0.Latency.MaxNs", 20000},
		{"Results.0.Latency.Count", 10},
		{"Results.0.ThroughputIntervalNs", float64(throughputInterval)},
		{"Results.0.ThroughputOpsPerSec.1", 9e5},
		{"Results.0.Levels.2.SizeBytes", 90000},
		{"Results.0.DiskBytes", 145000},
		{"Options.KeySizeBytes", defaultKeySize},
		{"Options.BatchSizeEntries", 1},
		{"Options.ValueSizeBytes", defaultValueSize},
		{"Options.Engine.MemtableSizeBytes", 4 << 20},
	} {
		got, ok := jsonPath(doc, tc.path)
		if !ok || got != tc.want {
			t.Errorf("%s = %v (found %v), want %v", tc.path, got, ok, tc.want)
		}
	}
	checkUnitNames(t, reflect.TypeOf(Report{}), "Report")
}

// jsonPath follows a dotted path of object keys and array indexes.
func jsonPath(v any, path string) (any, bool) {
	for _, p := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[p]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// checkUnitNames requires durations to be keyed ...Ns and sizes (Go
// fields named ...Size) ...Bytes or ...Entries, in every struct reachable
// from typ.
func checkUnitNames(t *testing.T, typ reflect.Type, where string) {
	t.Helper()
	durationType := reflect.TypeOf(time.Duration(0))
	for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
		typ = typ.Elem()
	}
	if typ.Kind() != reflect.Struct || typ == durationType {
		return
	}
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		elem := f.Type
		for elem.Kind() == reflect.Slice {
			elem = elem.Elem()
		}
		switch {
		case elem == durationType && !strings.HasSuffix(name, "Ns"):
			t.Errorf("%s.%s: a duration keyed %q: the key must end in Ns", where, f.Name, name)
		case strings.HasSuffix(f.Name, "Size") && !strings.HasSuffix(name, "Bytes") && !strings.HasSuffix(name, "Entries"):
			t.Errorf("%s.%s: a size keyed %q: the key must end in Bytes or Entries", where, f.Name, name)
		}
		checkUnitNames(t, f.Type, where+"."+f.Name)
	}
}
