package main

import (
	"strings"
	"testing"
	"time"
)

// TestRunBothStores runs a tiny workload on both stores: the program still
// builds and works, and every phase reports for each store.
func TestRunBothStores(t *testing.T) {
	c := config{
		dir: t.TempDir(), stores: "raftstore,boltdb", batch: 8, backlogBatch: 64, valueSize: 64,
		window: 100, truncateEvery: 64, backlog: 1000, steady: 200 * time.Millisecond, interval: 50 * time.Millisecond,
	}
	var out strings.Builder
	if err := run(c, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"raftstore  steady", "raftstore  after", "raftstore  summary", "boltdb     steady", "boltdb     summary"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
