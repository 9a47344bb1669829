package bench

import (
	"encoding/xml"
	"fmt"
	"math"
	"strings"
)

// Chart geometry, in SVG user units.
const (
	chartW, chartH     = 760, 340
	marginL, marginR   = 70, 170 // the right margin holds the legend
	marginT, marginB   = 30, 50
	plotW, plotH       = chartW - marginL - marginR, chartH - marginT - marginB
	chartTickCount     = 5
	chartLegendSpacing = 18
)

var palette = []string{"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"}

// lineSeries is one line of a lineChart; X and Y have equal length.
type lineSeries struct {
	Name string
	X, Y []float64
}

// lineChart draws series as polylines over a linear x and y axis from 0.
type lineChart struct {
	Title, XLabel, YLabel string
	Series                []lineSeries
}

// barSeries is one colour of a barChart: a value per category.
type barSeries struct {
	Name   string
	Values []float64
}

// barChart draws grouped bars: one group per category, one bar per series.
// With LogY the y axis is logarithmic and non-positive values are omitted.
type barChart struct {
	Title, YLabel string
	Categories    []string
	Series        []barSeries
	LogY          bool
}

// svgWriter accumulates an SVG document; every text goes through esc.
type svgWriter struct{ b strings.Builder }

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder never fails
	return b.String()
}

func (w *svgWriter) printf(format string, args ...any) { fmt.Fprintf(&w.b, format, args...) }

func (w *svgWriter) open(title, xlabel, ylabel string) {
	w.printf(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="11">`+"\n", chartW, chartH, chartW, chartH)
	w.printf(`<title>%s</title>`+"\n", esc(title))
	w.printf(`<text x="%d" y="18" font-size="14" font-weight="bold">%s</text>`+"\n", marginL, esc(title))
	w.printf(`<text x="%d" y="%d" text-anchor="middle">%s</text>`+"\n", marginL+plotW/2, chartH-10, esc(xlabel))
	w.printf(`<text x="14" y="%d" text-anchor="middle" transform="rotate(-90 14 %d)">%s</text>`+"\n", marginT+plotH/2, marginT+plotH/2, esc(ylabel))
	w.printf(`<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#888"/>`+"\n", marginL, marginT, plotW, plotH)
}

func (w *svgWriter) close() string {
	w.b.WriteString("</svg>\n")
	return w.b.String()
}

func (w *svgWriter) legend(i int, name string) {
	y := marginT + 10 + i*chartLegendSpacing
	x := marginL + plotW + 12
	w.printf(`<rect x="%d" y="%d" width="10" height="10" fill="%s"/>`, x, y-9, color(i))
	w.printf(`<text class="legend" x="%d" y="%d">%s</text>`+"\n", x+15, y, esc(name))
}

func color(i int) string { return palette[i%len(palette)] }

// yTick draws a horizontal grid line and label at plot height fraction f.
func (w *svgWriter) yTick(f float64, label string) {
	y := float64(marginT) + float64(plotH)*(1-f)
	w.printf(`<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>`, marginL, y, marginL+plotW, y)
	w.printf(`<text x="%d" y="%.1f" text-anchor="end">%s</text>`+"\n", marginL-4, y+4, esc(label))
}

// niceStep returns a round step (1, 2 or 5 times a power of ten) that
// cuts [0, max] into about chartTickCount pieces.
func niceStep(maxV float64) float64 {
	if maxV <= 0 || math.IsInf(maxV, 0) || math.IsNaN(maxV) {
		return 1
	}
	raw := maxV / chartTickCount
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}

// fmtNum formats an axis label compactly (1.5k, 2M).
func fmtNum(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1e9:
		return fmt.Sprintf("%.3gG", v/1e9)
	case a >= 1e6:
		return fmt.Sprintf("%.3gM", v/1e6)
	case a >= 1e3:
		return fmt.Sprintf("%.3gk", v/1e3)
	}
	return fmt.Sprintf("%.3g", v)
}

// linearAxis draws y ticks for [0, top] and returns top rounded up.
func (w *svgWriter) linearAxis(maxV float64) float64 {
	step := niceStep(maxV)
	top := math.Max(step, math.Ceil(maxV/step)*step)
	for v := 0.0; v <= top+step/2; v += step {
		w.yTick(v/top, fmtNum(v))
	}
	return top
}

// SVG renders the chart as a standalone SVG element.
func (c *lineChart) SVG() string {
	var w svgWriter
	w.open(c.Title, c.XLabel, c.YLabel)
	maxX, maxY := 0.0, 0.0
	for _, s := range c.Series {
		for i := range s.X {
			maxX, maxY = math.Max(maxX, s.X[i]), math.Max(maxY, s.Y[i])
		}
	}
	top := w.linearAxis(maxY)
	maxX = w.xAxis(maxX)
	for i, s := range c.Series {
		var pts strings.Builder
		var x, y float64
		for j := range s.X {
			x = float64(marginL) + s.X[j]/maxX*plotW
			y = float64(marginT) + float64(plotH)*(1-s.Y[j]/top)
			fmt.Fprintf(&pts, "%.1f,%.1f ", x, y)
		}
		w.printf(`<polyline class="series" data-name="%s" fill="none" stroke="%s" stroke-width="1.5" points="%s"/>`+"\n",
			esc(s.Name), color(i), strings.TrimSpace(pts.String()))
		if len(s.X) == 1 { // a polyline of one point is invisible
			w.printf(`<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>`+"\n", x, y, color(i))
		}
		w.legend(i, s.Name)
	}
	return w.close()
}

// xAxis labels the x axis from 0 to maxX rounded up, which it returns.
func (w *svgWriter) xAxis(maxX float64) float64 {
	step := niceStep(maxX)
	right := math.Max(step, math.Ceil(maxX/step)*step)
	for v := 0.0; v <= right+step/2; v += step {
		x := float64(marginL) + v/right*plotW
		w.printf(`<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", x, marginT+plotH+14, esc(fmtNum(v)))
	}
	return right
}
