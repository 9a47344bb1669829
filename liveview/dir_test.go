package liveview

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lsmkv/lsmkv"
)

// TestWatchDirFollowsAnotherWriter has a writer change a directory while
// WatchDir watches it read-only, and checks that the view catches up with
// the writer's tables after each change and derives table events.
func TestWatchDirFollowsAnotherWriter(t *testing.T) {
	dir := t.TempDir()
	w, err := lsmkv.Open(dir, tinyOptions(lsmkv.EventListener{}))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	writeKeys(t, w, 0, 300)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}

	srv := New(Options{Source: "dir"})
	c := srv.hub.subscribe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.WatchDir(ctx, dir, 5*time.Millisecond) }()

	sameTables := func() bool {
		s := srv.Snapshot()
		want := w.Tables()
		for i, l := range s.Levels {
			if len(l.Tables) != len(want[i]) {
				return false
			}
			seen := map[uint64]bool{}
			for _, tb := range l.Tables {
				seen[tb.Num] = true
			}
			for _, ti := range want[i] {
				if !seen[ti.FileNum] {
					return false
				}
			}
		}
		return s.Open && len(s.Levels) == len(want)
	}
	eventually(t, "the first view", sameTables)
	writeKeys(t, w, 300, 3000)
	if err := w.Compact(nil, nil); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the view after a compaction", sameTables)

	created, deleted := 0, 0
	for len(c.ch) > 0 {
		if m := <-c.ch; m.event {
			if contains(m.data, `"type":"table_created"`) && contains(m.data, `"derived":true`) {
				created++
			}
			if contains(m.data, `"type":"table_deleted"`) {
				deleted++
			}
		}
	}
	if created == 0 || deleted == 0 {
		t.Errorf("derived %d table_created and %d table_deleted events", created, deleted)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if s := srv.Snapshot(); s.Open || s.Source != "dir" {
		t.Errorf("after WatchDir returned: open=%v source=%q", s.Open, s.Source)
	}
}

// TestWatchDirRefusesNonDB checks that a directory without a DB is an
// error at once rather than an empty page.
func TestWatchDirRefusesNonDB(t *testing.T) {
	if err := New(Options{Source: "dir"}).WatchDir(context.Background(), t.TempDir(), time.Second); err == nil {
		t.Fatal("no error for an empty directory")
	}
}

func contains(b []byte, s string) bool { return strings.Contains(string(b), s) }
