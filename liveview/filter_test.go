package liveview

import (
	"strconv"
	"strings"
	"testing"
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

// TestTicksCarryNewBars checks that each tick's new_bars holds exactly the
// bars that ended since the previous tick, and that a burst of stalls
// comes again, grown, while it lasts: a page that merges new_bars by kind
// and start draws the same timeline as /api/snapshot's bars.
func TestTicksCarryNewBars(t *testing.T) {
	s := New(Options{})
	tick := func() []Bar {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.tickLocked().NewBars
	}
	kinds := func(bars []Bar) string {
		var k []string
		for _, b := range bars {
			k = append(k, b.Kind)
		}
		return strings.Join(k, " ")
	}
	if got := tick(); got != nil {
		t.Fatalf("first tick before any event: %v", got)
	}
	s.publish(Event{Type: "flush_end", Flush: &FlushEvent{Job: 1, DurationMS: 1}})
	s.publish(Event{Type: "stall_end", Stall: &StallEvent{Cause: "L0", DurationMS: 0.5}})
	first := tick()
	if got := kinds(first); got != "flush stall" {
		t.Fatalf("tick 1 new_bars = %q, want \"flush stall\"", got)
	}
	if got := tick(); got != nil {
		t.Fatalf("tick 2 with no event: %v", got)
	}
	// The next stall follows at once: the same bar grows.
	s.publish(Event{Type: "stall_end", Stall: &StallEvent{Cause: "L0", DurationMS: 0.1}})
	grown := tick()
	if len(grown) != 1 || grown[0].Kind != "stall" || grown[0].Start != first[1].Start || grown[0].End <= first[1].End {
		t.Fatalf("tick 3 new_bars = %+v, want the stall bar %+v grown", grown, first[1])
	}
	full := s.Snapshot().Bars
	if len(full) != 2 || full[1] != grown[0] {
		t.Fatalf("snapshot bars %+v, want the flush and the grown stall %+v", full, grown[0])
	}
}
