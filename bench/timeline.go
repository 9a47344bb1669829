package bench

import (
	"sync"
	"time"
)

// timeline collects an EventSource's events for the phases of one run.
//
// Concurrency: add is called from the engine's goroutines; the runner
// calls take between phases.
type timeline struct {
	mu     sync.Mutex
	events []Event
}

// attach makes eng send its events here, if it can.
func (tl *timeline) attach(eng Engine) {
	if src, ok := eng.(EventSource); ok {
		src.SetEventSink(tl.add)
	}
}

func (tl *timeline) add(e Event) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	tl.events = append(tl.events, e)
}

// take returns the events that overlap [start, end), on start's clock,
// and forgets every event that ended before end.
func (tl *timeline) take(start, end time.Time) []TimelineEvent {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	var out []TimelineEvent
	kept := tl.events[:0]
	for _, e := range tl.events {
		if e.End.After(start) && e.Start.Before(end) {
			out = append(out, TimelineEvent{Kind: e.Kind, Label: e.Label,
				Start: e.Start.Sub(start).Seconds(), End: e.End.Sub(start).Seconds()})
		}
		if !e.End.Before(end) {
			kept = append(kept, e) // still running into the next phase
		}
	}
	tl.events = kept
	return out
}
