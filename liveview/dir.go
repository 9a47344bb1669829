package liveview

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lsmkv/lsmkv"
)

// WatchDir shows the DB in dir, written by another process: it opens it
// read-only (no lock, nothing changed on disk) and reopens it whenever
// CURRENT or the manifest it names changes, checking every `every`, until
// ctx is done. A read-only DB gets no events from the writer, so table
// events are derived by diffing table sets (Event.Derived), and counters
// describe only this process's reads. A failed reopen (the writer deleted
// a file meanwhile) keeps the last tree and is retried at the next check.
// The server must have been made with Options.Source "dir".
func (s *Server) WatchDir(ctx context.Context, dir string, every time.Duration) error {
	var (
		db    *lsmkv.DB
		stamp string
	)
	defer func() {
		if db != nil {
			s.Detach(db)
			db.Close()
		}
	}()
	t := time.NewTicker(every)
	defer t.Stop()
	for first := true; ; first = false {
		if now, err := manifestStamp(dir); err != nil {
			if first {
				return err
			}
			s.SetStatus("watching " + dir + ": " + err.Error())
		} else if now != stamp {
			next, err := lsmkv.Open(dir, &lsmkv.Options{ReadOnly: true})
			switch {
			case err != nil && first:
				return err
			case err != nil:
				s.SetStatus("reopen failed, retrying: " + err.Error())
			default:
				if db != nil {
					s.Detach(db)
					db.Close()
				}
				db, stamp = next, now
				s.Attach(db)
				s.SetStatus("watching " + dir + " (read-only; reopened when its manifest changes)")
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// manifestStamp identifies the manifest state of dir: CURRENT's content
// and the size and modification time of the manifest it names.
func manifestStamp(dir string) (string, error) {
	cur, err := os.ReadFile(filepath.Join(dir, "CURRENT"))
	if err != nil {
		return "", fmt.Errorf("lsmkv/liveview: %w", err)
	}
	name := strings.TrimSpace(string(cur))
	st, err := os.Stat(filepath.Join(dir, name))
	if err != nil {
		return "", fmt.Errorf("lsmkv/liveview: %w", err)
	}
	return fmt.Sprintf("%s %d %d", name, st.Size(), st.ModTime().UnixNano()), nil
}

// deriveLocked returns table_created and table_deleted events for the
// differences between levels and the tables seen at the last poll (none
// at the first); a table that changed level counts as created there.
// REQUIRES: s.mu held.
func (s *Server) deriveLocked(levels []Level) []Event {
	now := map[uint64]int{}
	for _, l := range levels {
		for _, t := range l.Tables {
			now[t.Num] = l.Level
		}
	}
	prev := s.tables
	s.tables = now
	if prev == nil {
		return nil
	}
	var evs []Event
	for _, l := range levels {
		for _, t := range l.Tables {
			if old, ok := prev[t.Num]; !ok || old != l.Level {
				evs = append(evs, Event{Type: "table_created", Derived: true, Table: &TableEvent{Num: t.Num, Level: l.Level, Size: t.Size}})
			}
		}
	}
	for num := range prev {
		if _, ok := now[num]; !ok {
			evs = append(evs, Event{Type: "table_deleted", Derived: true, Table: &TableEvent{Num: num, Level: -1}})
		}
	}
	return evs
}
