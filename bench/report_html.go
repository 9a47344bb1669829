package bench

import (
	"fmt"
	"html/template"
	"io"
	"time"
)

// maxLinePoints bounds a throughput series in the HTML report; longer
// series are averaged down so the page stays small.
const maxLinePoints = 500

var htmlTmpl = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>kvbench: {{.Engine}}</title>
<style>
body { font-family: sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; } td, th { padding: 2px 8px; border-bottom: 1px solid #ddd; text-align: right; }
th { background: #f4f4f4; } td:first-child, th:first-child { text-align: left; }
figure { margin: 1.5em 0; } pre { background: #f8f8f8; padding: 1em; }
</style></head><body>
<h1>kvbench report: {{.Engine}}</h1>
<p>{{.Summary}}</p>
<h2>Results</h2>
<table>
<tr>{{range .Head}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>
{{range .Notes}}<pre>{{.}}</pre>
{{end}}{{range .Charts}}<figure>{{.}}</figure>
{{end}}{{range .Texts}}<h3>Engine metrics after {{.Name}}</h3><pre>{{.Text}}</pre>
{{end}}</body></html>
`))

type htmlText struct{ Name, Text string }

type htmlPage struct {
	Engine, Summary string
	Head            []string
	Rows            [][]string
	Notes           []string // range deletion phases: method, space
	Charts          []template.HTML
	Texts           []htmlText
}

// WriteHTML writes a self-contained HTML report: the results table and
// inline SVG charts (throughput over time, latency percentiles, the LSM
// tree's shape, and for sweeps throughput per value), with no scripts and
// no external resources.
func WriteHTML(w io.Writer, rep *Report) error {
	p := htmlPage{
		Engine:  rep.Engine,
		Summary: headerLine(rep),
		Head:    []string{"benchmark", "micros/op", "ops/s", "MB/s", "p50(us)", "p99(us)", "p99.9(us)", "write-amp", "space-amp", "read-amp"},
		Notes:   rangeDelNotes(rep),
	}
	if rep.SweepParam != "" {
		p.Head = append([]string{rep.SweepParam}, p.Head...)
	}
	for i := range rep.Results {
		r := &rep.Results[i]
		p.Rows = append(p.Rows, tableRow(rep, r))
		if r.EngineText != "" {
			p.Texts = append(p.Texts, htmlText{r.Name + sweepSuffix(rep, r), r.EngineText})
		}
	}
	for _, svg := range reportCharts(rep) {
		// The SVG code escapes every string it embeds.
		p.Charts = append(p.Charts, template.HTML(svg))
	}
	return htmlTmpl.Execute(w, p)
}

// reportCharts returns the SVG charts of the HTML report.
func reportCharts(rep *Report) []string {
	charts := []string{throughputChart(rep).SVG()}
	if c, ok := timelineChart(rep); ok {
		charts = append(charts, c) // right under the throughput it explains
	}
	charts = append(charts, latencyChart(rep).SVG())
	if c, ok := levelsChart(rep); ok {
		charts = append(charts, c.SVG())
	}
	if rep.SweepParam != "" {
		charts = append(charts, sweepChart(rep).SVG())
	}
	return charts
}

func phaseLabel(rep *Report, r *PhaseResult) string {
	if rep.SweepParam == "" {
		return r.Name
	}
	return rep.SweepParam + "=" + r.SweepValue + " " + r.Name
}

func throughputChart(rep *Report) *lineChart {
	c := &lineChart{Title: "Throughput over time", XLabel: "seconds since phase start", YLabel: "ops/s"}
	for i := range rep.Results {
		r := &rep.Results[i]
		if r.Skipped || len(r.Throughput) == 0 {
			continue
		}
		ys, per := downsample(r.Throughput, maxLinePoints)
		step := (r.ThroughputInterval * time.Duration(per)).Seconds()
		s := lineSeries{Name: phaseLabel(rep, r)}
		for j, y := range ys {
			s.X, s.Y = append(s.X, float64(j+1)*step), append(s.Y, y)
		}
		c.Series = append(c.Series, s)
	}
	return c
}

// downsample averages groups of consecutive points so at most n remain,
// returning the points and the group size.
func downsample(ys []float64, n int) ([]float64, int) {
	per := (len(ys) + n - 1) / n
	if per <= 1 {
		return ys, 1
	}
	var out []float64
	for i := 0; i < len(ys); i += per {
		sum, k := 0.0, 0
		for ; k < per && i+k < len(ys); k++ {
			sum += ys[i+k]
		}
		out = append(out, sum/float64(k))
	}
	return out, per
}

func latencyChart(rep *Report) *barChart {
	c := &barChart{Title: "Latency percentiles", YLabel: "microseconds (log scale)", LogY: true}
	names := []string{"p50", "p95", "p99", "p99.9", "max"}
	c.Series = make([]barSeries, len(names))
	for i, n := range names {
		c.Series[i].Name = n
	}
	for i := range rep.Results {
		r := &rep.Results[i]
		if r.Skipped {
			continue
		}
		c.Categories = append(c.Categories, phaseLabel(rep, r))
		l := r.Latency
		for j, d := range []time.Duration{l.P50, l.P95, l.P99, l.P999, l.Max} {
			c.Series[j].Values = append(c.Series[j].Values, float64(d)/float64(time.Microsecond))
		}
	}
	return c
}

// levelsChart charts bytes per level after each phase that reported the
// tree's shape; ok is false if none did.
func levelsChart(rep *Report) (c *barChart, ok bool) {
	c = &barChart{Title: "Tree shape: bytes per level after each phase", YLabel: "bytes"}
	for i := range rep.Results {
		r := &rep.Results[i]
		if len(r.Levels) == 0 {
			continue
		}
		s := barSeries{Name: phaseLabel(rep, r)}
		for lvl, l := range r.Levels {
			if lvl >= len(c.Categories) {
				c.Categories = append(c.Categories, fmt.Sprintf("L%d", lvl))
			}
			s.Values = append(s.Values, float64(l.Size))
		}
		c.Series = append(c.Series, s)
	}
	return c, len(c.Series) > 0
}

// sweepChart charts throughput per swept value, one series per benchmark.
func sweepChart(rep *Report) *barChart {
	c := &barChart{Title: "Throughput by " + rep.SweepParam, YLabel: "ops/s (log scale)", LogY: true}
	values, series := map[string]int{}, map[string]int{}
	for i := range rep.Results {
		r := &rep.Results[i]
		if _, ok := values[r.SweepValue]; !ok {
			values[r.SweepValue] = len(c.Categories)
			c.Categories = append(c.Categories, r.SweepValue)
		}
		if _, ok := series[r.Name]; !ok {
			series[r.Name] = len(c.Series)
			c.Series = append(c.Series, barSeries{Name: r.Name})
		}
	}
	for i := range c.Series {
		c.Series[i].Values = make([]float64, len(c.Categories))
	}
	for i := range rep.Results {
		r := &rep.Results[i]
		c.Series[series[r.Name]].Values[values[r.SweepValue]] = r.OpsPerSec()
	}
	return c
}
