package bench

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestTimelineTake: a phase gets the events that overlap it, on its own
// clock, and an event still running at its end is kept for the next.
func TestTimelineTake(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	var tl timeline
	for _, e := range []Event{
		{Kind: EventFlush, Start: at(0), End: at(1), Label: "before"},
		{Kind: EventFlush, Start: at(1.5), End: at(3), Label: "straddles-start"},
		{Kind: EventCompaction, Start: at(4), End: at(5), Label: "inside"},
		{Kind: EventStall, Start: at(9), End: at(11), Label: "straddles-end"},
		{Kind: EventFlush, Start: at(12), End: at(13), Label: "after"},
	} {
		tl.add(e)
	}
	got := tl.take(at(2), at(10))
	require.Equal(t, []TimelineEvent{
		{Kind: EventFlush, Start: -0.5, End: 1, Label: "straddles-start"},
		{Kind: EventCompaction, Start: 2, End: 3, Label: "inside"},
		{Kind: EventStall, Start: 7, End: 9, Label: "straddles-end"},
	}, got)
	next := tl.take(at(10), at(20))
	require.Len(t, next, 2, "the straddling stall and the later flush")
	require.Equal(t, "straddles-end", next[0].Label)
	require.Empty(t, tl.take(at(20), at(30)))
	require.Equal(t, "background work: flushes 1 (1.50s), compactions 1 (1.00s), stalls 1 (2.00s)\n", timelineSummary(got))
}
