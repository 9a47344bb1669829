package bench

import (
	"fmt"
	"math"
	"strings"
)

// timelineLanes are the rows of a phase's timeline, top to bottom.
var timelineLanes = []EventKind{EventFlush, EventCompaction, EventStall}

var plural = map[EventKind]string{EventFlush: "flushes", EventCompaction: "compactions", EventStall: "stalls"}

// timelineChart draws, for each phase with events, a band of three lanes
// (flushes, compactions, stalls) on the phase's clock, each event a bar
// from its start to its end with its label as a tooltip: the background
// work under the throughput chart's lines.
func timelineChart(rep *Report) (string, bool) {
	type band struct {
		name   string
		events []TimelineEvent
	}
	var bands []band
	maxX := 0.0
	for i := range rep.Results {
		r := &rep.Results[i]
		if len(r.Events) == 0 {
			continue
		}
		bands = append(bands, band{phaseLabel(rep, r), r.Events})
		maxX = math.Max(maxX, r.Elapsed.Seconds())
		for _, e := range r.Events {
			maxX = math.Max(maxX, e.End)
		}
	}
	if len(bands) == 0 {
		return "", false
	}
	const laneH, laneGap, bandGap = 10, 2, 16
	bandH := len(timelineLanes)*(laneH+laneGap) + bandGap
	height := marginT + len(bands)*bandH + marginB
	var w svgWriter
	w.printf(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="11">`+"\n", chartW, height, chartW, height)
	w.printf(`<title>Background work over time</title>` + "\n")
	w.printf(`<text x="%d" y="18" font-size="14" font-weight="bold">Background work over time (flushes, compactions, stalls)</text>`+"\n", marginL)
	right := math.Max(maxX, 1e-3)
	xOf := func(s float64) float64 { return float64(marginL) + math.Max(0, s)/right*plotW }
	for bi, b := range bands {
		y0 := marginT + bi*bandH
		w.printf(`<text x="%d" y="%d" font-weight="bold">%s</text>`+"\n", marginL, y0+8, esc(b.name))
		for li, kind := range timelineLanes {
			y := y0 + 12 + li*(laneH+laneGap)
			w.printf(`<text x="%d" y="%d" text-anchor="end">%s</text>`, marginL-4, y+laneH-1, esc(string(kind)))
			w.printf(`<rect x="%d" y="%d" width="%d" height="%d" fill="#f6f6f6"/>`+"\n", marginL, y, plotW, laneH)
			for _, e := range b.events {
				if e.Kind != kind {
					continue
				}
				x1, x2 := xOf(e.Start), xOf(math.Min(e.End, right))
				w.printf(`<rect class="event %s" x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"><title>%s</title></rect>`+"\n",
					esc(string(kind)), x1, y, math.Max(x2-x1, 0.8), laneH, color(li), esc(fmt.Sprintf("%s: %.3fs-%.3fs", e.Label, e.Start, e.End)))
			}
		}
	}
	step := niceStep(right)
	axisY := marginT + len(bands)*bandH
	for v := 0.0; v <= right+step/2; v += step {
		w.printf(`<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", xOf(v), axisY+12, esc(fmtNum(v)))
	}
	w.printf(`<text x="%d" y="%d" text-anchor="middle">seconds since phase start</text>`+"\n", marginL+plotW/2, axisY+30)
	return w.close(), true
}

// timelineSummary is the text form, for kvbench -v: per kind, how many
// events and how long they took in all.
func timelineSummary(events []TimelineEvent) string {
	if len(events) == 0 {
		return ""
	}
	var parts []string
	for _, kind := range timelineLanes {
		n, total := 0, 0.0
		for _, e := range events {
			if e.Kind == kind {
				n++
				total += e.End - e.Start
			}
		}
		parts = append(parts, fmt.Sprintf("%s %d (%.2fs)", plural[kind], n, total))
	}
	return "background work: " + strings.Join(parts, ", ") + "\n"
}
