package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/lsmkv/lsmkv/internal/syncbuf"

	"github.com/lsmkv/lsmkv"
	"github.com/lsmkv/lsmkv/liveview"
)

// TestServeShowsTheTree runs "kvtool serve" on a DB directory (on a free
// loopback port), checks that /api/snapshot shows the DB's tables, that
// the directory was left as it was, and that serve exits 0 when its
// context ends (as on Ctrl-C).
func TestServeShowsTheTree(t *testing.T) {
	dir := t.TempDir()
	db, err := lsmkv.Open(dir, &lsmkv.Options{MemtableSize: 16 << 10})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2000 {
		if err := db.Put(fmt.Appendf(nil, "key%05d", i), bytes.Repeat([]byte("v"), 50)); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Flush(); err != nil {
		t.Fatal(err)
	}
	tables := db.Tables()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	before := listDir(t, dir)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	old := serveContext
	serveContext = func() (context.Context, context.CancelFunc) { return ctx, cancel }
	defer func() { serveContext = old }()
	var stdout, stderr syncbuf.Buffer
	code := make(chan int, 1)
	go func() { code <- run([]string{"serve", "-http=127.0.0.1:0", "-every=10ms", dir}, &stdout, &stderr) }()

	urlRE := regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+/`)
	var url string
	for deadline := time.Now().Add(time.Minute); url == ""; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no URL on stderr: %q", stderr.String())
		}
		url = urlRE.FindString(stderr.String())
	}
	resp, err := http.Get(url + "api/snapshot")
	if err != nil {
		t.Fatal(err)
	}
	var snap liveview.Snapshot
	err = json.NewDecoder(resp.Body).Decode(&snap)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if !snap.Open || snap.Source != "dir" || len(snap.Levels) != len(tables) {
		t.Fatalf("snapshot open=%v source=%q levels=%d", snap.Open, snap.Source, len(snap.Levels))
	}
	shown := 0
	for i, l := range snap.Levels {
		if len(l.Tables) != len(tables[i]) {
			t.Errorf("L%d: %d tables shown, want %d", i, len(l.Tables), len(tables[i]))
		}
		shown += len(l.Tables)
	}
	if shown == 0 {
		t.Fatal("no table shown")
	}

	cancel()
	if c := <-code; c != exitOK {
		t.Fatalf("exit %d, stderr %q", c, stderr.String())
	}
	if after := listDir(t, dir); !slices.Equal(before, after) {
		t.Errorf("serve changed the directory: %v -> %v", before, after)
	}
}

func TestServeRefusesNonDB(t *testing.T) {
	r := mustRun(t, exitFailure, "serve", "-http=127.0.0.1:0", t.TempDir())
	requireContains(t, r.stderr, "CURRENT")
}
