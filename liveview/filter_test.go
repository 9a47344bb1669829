package liveview

import (
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/lsmkv/lsmkv"
)

// TestStreamFilterCountsMissed checks ?types= filtering as one connection
// sees it: filtered-out events are skipped silently, gaps in the queue
// (events dropped because the client's queue was full) are reported in
// "missed" messages with a running total, ticks always pass, and without
// a filter every frame passes unchanged and nothing is added.
func TestStreamFilterCountsMissed(t *testing.T) {
	ev := func(seq uint64, typ string) message {
		return message{event: true, seq: seq, typ: typ, data: frame(strconv.FormatUint(seq, 10), typ, []byte("{}"))}
	}
	tick := message{data: frame("", "tick", []byte("{}"))}
	stream := []message{ev(5, "flush_end"), ev(6, "stall_begin"), tick, ev(7, "stall_end"),
		ev(10, "stall_begin"), ev(11, "flush_end"), ev(15, "compaction_end")}
	tests := []struct {
		name  string
		types string
		want  string // the events and ticks written, in order
	}{
		{"no filter", "", "flush_end stall_begin tick stall_end stall_begin flush_end compaction_end"},
		{"filtered", "flush_end,stall_end,compaction_end",
			"flush_end tick stall_end missed:2 flush_end missed:5 compaction_end"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := streamState{types: parseTypes(tc.types)}
			var got []string
			for _, m := range stream {
				for _, f := range strings.Split(string(st.next(m)), "\n\n") {
					if f == "" {
						continue
					}
					name := between(f, "event: ", "\n")
					if name == "missed" {
						name += ":" + between(f, `"missed":`, "}")
					}
					got = append(got, name)
				}
			}
			if g := strings.Join(got, " "); g != tc.want {
				t.Fatalf("wrote %q\nwant  %q", g, tc.want)
			}
		})
	}
}

func between(s, from, to string) string {
	_, after, _ := strings.Cut(s, from)
	v, _, _ := strings.Cut(after, to)
	return v
}

// TestTicksCarryRecentBars checks that each tick carries the bars of the
// last barTicks intervals with stable IDs, so that a client that missed ticks (its
// queue full) or subscribed after fetching /api/snapshot still gets every
// bar, and that a burst of stalls comes again, grown, under the same ID:
// a page that merges by ID draws the same timeline as /api/snapshot.
func TestTicksCarryRecentBars(t *testing.T) {
	s := New(Options{})
	tick := func() []Bar {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.tickLocked().RecentBars
	}
	if got := tick(); got != nil {
		t.Fatalf("tick before any event: %v", got)
	}
	s.publish(Event{Type: "flush_end", Flush: &FlushEvent{Job: 1, DurationMS: 1}})
	s.publish(Event{Type: "stall_end", Stall: &StallEvent{Cause: "L0", DurationMS: 0.5}})
	first := tick()
	if len(first) != 2 || first[0].Kind != "flush" || first[1].Kind != "stall" || first[0].ID >= first[1].ID {
		t.Fatalf("tick 1 bars = %+v, want a flush then a stall, IDs increasing", first)
	}
	// A tick the client never got loses nothing: the next one has them.
	if again := tick(); len(again) != 2 || again[0] != first[0] || again[1] != first[1] {
		t.Fatalf("tick 2 bars = %+v, want the same %+v", again, first)
	}
	// The next stall follows at once: the same bar grows, same ID.
	s.publish(Event{Type: "stall_end", Stall: &StallEvent{Cause: "L0", DurationMS: 0.1}})
	grown := tick()
	if len(grown) != 2 || grown[1].ID != first[1].ID || grown[1].Start != first[1].Start || grown[1].End <= first[1].End {
		t.Fatalf("tick 3 bars = %+v, want the stall bar %+v grown", grown, first[1])
	}
	full := s.Snapshot().Bars
	if len(full) != 2 || full[1] != grown[1] {
		t.Fatalf("snapshot bars %+v, want the flush and the grown stall %+v", full, grown[1])
	}
	// Bars older than the window drop out of the ticks (not the snapshot).
	s.mu.Lock()
	for i := range s.bars {
		s.bars[i].End -= 2 * barTicks * s.o.Interval.Seconds()
	}
	s.mu.Unlock()
	if got := tick(); got != nil {
		t.Fatalf("tick after the window: %+v, want none", got)
	}
}

// TestConcurrentPublishersKeepOrder: kvbench's phase changes and the
// engine's events are published from two goroutines; every client must
// get them in the order of their ids, and a filtered stream must count
// no event as missed when none was dropped. (Before events were numbered
// and queued in one critical section, this saw hundreds of false misses.)
func TestConcurrentPublishersKeepOrder(t *testing.T) {
	for try := 0; try < 20; try++ {
		s := New(Options{ClientBuffer: 1 << 16})
		c := s.hub.subscribe()
		l := s.Listener()
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			for range 2000 {
				s.SetPhase("p")
			}
		}()
		go func() {
			defer wg.Done()
			for i := range 2000 {
				l.FlushBegin(lsmkv.FlushInfo{JobID: i})
			}
		}()
		wg.Wait()
		st := streamState{types: parseTypes("phase")}
		var last uint64
		for len(c.ch) > 0 {
			m := <-c.ch
			if !m.event {
				continue
			}
			if m.seq < last {
				t.Fatalf("try %d: event %d queued after %d", try, m.seq, last)
			}
			last = m.seq
			st.next(m)
		}
		if st.missed > 0 {
			t.Fatalf("try %d: hub dropped %d, yet the filtered stream counts %d missed", try, s.hub.stats().Dropped, st.missed)
		}
	}
}
