package bench

import "math"

// SVG renders the chart as a standalone SVG element.
func (c *barChart) SVG() string {
	var w svgWriter
	w.open(c.Title, "", c.YLabel)
	scale := c.axis(&w)
	groupW := float64(plotW) / float64(max(1, len(c.Categories)))
	barW := groupW * 0.8 / float64(max(1, len(c.Series)))
	for ci, cat := range c.Categories {
		gx := float64(marginL) + groupW*float64(ci)
		w.printf(`<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", gx+groupW/2, marginT+plotH+14, esc(cat))
		for si, s := range c.Series {
			if ci >= len(s.Values) {
				continue
			}
			f, ok := scale(s.Values[ci])
			if !ok {
				continue
			}
			h := f * plotH
			x := gx + groupW*0.1 + barW*float64(si)
			w.printf(`<rect class="bar" data-series="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %s</title></rect>`+"\n",
				esc(s.Name), x, float64(marginT)+plotH-h, barW, h, color(si), esc(s.Name), esc(cat), esc(fmtNum(s.Values[ci])))
		}
	}
	for si, s := range c.Series {
		w.legend(si, s.Name)
	}
	return w.close()
}

// axis draws the y axis and returns the map from a value to a fraction
// of the plot height (false: do not draw).
func (c *barChart) axis(w *svgWriter) func(float64) (float64, bool) {
	lo, hi := math.Inf(1), 0.0
	for _, s := range c.Series {
		for _, v := range s.Values {
			if v > 0 {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if !c.LogY || hi == 0 {
		top := w.linearAxis(hi)
		return func(v float64) (float64, bool) { return math.Max(v, 0) / top, v > 0 }
	}
	// Decades from below the smallest value to above the largest.
	dlo, dhi := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	if dhi == dlo {
		dhi++
	}
	for d := dlo; d <= dhi; d++ {
		w.yTick((d-dlo)/(dhi-dlo), fmtNum(math.Pow(10, d)))
	}
	return func(v float64) (float64, bool) {
		if v <= 0 {
			return 0, false
		}
		return (math.Log10(v) - dlo) / (dhi - dlo), true
	}
}
