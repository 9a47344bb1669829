package main

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/manifest"
)

// The picture: one row per level, L0 at the top; each table is a rectangle
// spanning its user-key range.
//
// Keys are placed on the x axis by rank: the distinct boundary keys (the
// smallest and largest user key of every table) are sorted and each gets
// an equal slot of the width; a table covers the slots from its smallest
// key's to its largest key's, inclusive. So tables that share a boundary
// key overlap, and tables adjacent in key order touch without a gap. Rank
// keeps any key distribution legible (reading the first 8 bytes as a number
// would crowd keys sharing a long prefix, like "user000123", into one
// pixel) at the price of scale: equal widths mean equal numbers of
// boundaries, not equal key ranges. A table whose largest key is the
// exclusive end of its range tombstones holds nothing at that key, so its
// rectangle stops at the left edge of the key's slot: it touches, without
// overlapping, the neighbour that starts there.
//
// Tables holding range tombstones are drawn in another colour, with a
// dashed outline (and say how many in their tooltip), and a legend below
// the levels says so whenever the picture has one.
const (
	svgWidth     = 1000 // total picture width in pixels
	svgLabelW    = 50   // left column holding "L0".."L6"
	svgMargin    = 10
	svgRowH      = 40
	svgRectH     = 28
	svgKeyLabelH = 30 // bottom band for the first and last key, and the legend
)

// Table colours: fill and outline.
const (
	svgFill           = "#9cc3e6"
	svgStroke         = "#2f5f8a"
	svgRangeDelFill   = "#f4c28f"
	svgRangeDelStroke = "#a3541b"
)

// writeSVGFile draws v into path.
func writeSVGFile(path string, v *manifest.Version) error {
	var buf bytes.Buffer
	writeSVG(&buf, v)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("lsmkv/kvtool: %w", err)
	}
	return nil
}

// keyAxis maps a user key to its x position by rank among the boundaries.
type keyAxis struct {
	bounds []string // sorted, distinct boundary keys
	x0, w  float64  // left edge and width of the drawing area
}

func newKeyAxis(v *manifest.Version, x0, w float64) *keyAxis {
	var bounds []string
	for _, files := range v.Levels {
		for _, f := range files {
			bounds = append(bounds, string(keys.UserKey(f.Smallest)), string(keys.UserKey(f.Largest)))
		}
	}
	slices.Sort(bounds)
	return &keyAxis{bounds: slices.Compact(bounds), x0: x0, w: w}
}

// span returns the left and right edges of the slot of a boundary key.
func (a *keyAxis) span(ukey []byte) (left, right float64) {
	i, _ := slices.BinarySearch(a.bounds, string(ukey))
	slot := a.w / float64(max(len(a.bounds), 1))
	return a.x0 + slot*float64(i), a.x0 + slot*float64(i+1)
}

// writeSVG writes the picture of v to w. Every piece of text is escaped:
// keys are shown through fmtBytes, but a quoted key may still hold < or &.
func writeSVG(w io.Writer, v *manifest.Version) {
	height := 2*svgMargin + manifest.NumLevels*svgRowH + svgKeyLabelH
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="monospace" font-size="12">`+"\n",
		svgWidth, height)
	fmt.Fprintf(w, `<rect width="%d" height="%d" fill="white"/>`+"\n", svgWidth, height)
	x0 := float64(svgMargin + svgLabelW)
	axis := newKeyAxis(v, x0, float64(svgWidth-2*svgMargin-svgLabelW))
	for level, files := range v.Levels {
		y := float64(svgMargin + level*svgRowH)
		fmt.Fprintf(w, `<text x="%d" y="%.0f">L%d</text>`+"\n", svgMargin, y+svgRectH/2+4, level)
		fmt.Fprintf(w, `<line x1="%.0f" y1="%.0f" x2="%d" y2="%.0f" stroke="#ddd"/>`+"\n",
			x0, y+svgRectH/2, svgWidth-svgMargin, y+svgRectH/2)
		for _, f := range files {
			drawTable(w, axis, f, y)
		}
	}
	if len(axis.bounds) > 0 {
		y := svgMargin + manifest.NumLevels*svgRowH + svgKeyLabelH/2
		first, last := axis.bounds[0], axis.bounds[len(axis.bounds)-1]
		fmt.Fprintf(w, `<text x="%.0f" y="%d">%s</text>`+"\n", x0, y, svgText(fmtBytes([]byte(first), false)))
		fmt.Fprintf(w, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n",
			svgWidth-svgMargin, y, svgText(fmtBytes([]byte(last), false)))
		if v.HasRangeDels() {
			fmt.Fprintf(w, `<text x="%d" y="%d" text-anchor="middle" fill="%s">%s</text>`+"\n",
				svgWidth/2, y, svgRangeDelStroke, svgRangeDelLegend)
		}
	}
	fmt.Fprintln(w, "</svg>")
}

// svgRangeDelLegend explains the mark of tables holding range tombstones.
const svgRangeDelLegend = "dashed: holds range tombstones"

// drawTable draws one table as a rectangle at row y, with its file number
// inside when it fits and its details in a tooltip.
func drawTable(w io.Writer, axis *keyAxis, f *manifest.FileMeta, y float64) {
	lo, _ := axis.span(keys.UserKey(f.Smallest))
	endLeft, hi := axis.span(keys.UserKey(f.Largest))
	if f.LargestExclusive() {
		hi = endLeft
	}
	width := hi - lo
	tip := fmt.Sprintf("%06d.sst %d bytes seqs [%d,%d] %s .. %s", f.Num, f.Size, f.SmallestSeq, f.LargestSeq,
		fmtBytes(keys.UserKey(f.Smallest), false), fmtLargest(f.Largest, false))
	style := fmt.Sprintf(`fill="%s" stroke="%s"`, svgFill, svgStroke)
	if f.NumRangeDels > 0 {
		tip += fmt.Sprintf(", %d range tombstones", f.NumRangeDels)
		style = fmt.Sprintf(`fill="%s" stroke="%s" stroke-width="2" stroke-dasharray="6 3"`, svgRangeDelFill, svgRangeDelStroke)
	}
	fmt.Fprintf(w, `<g><title>%s</title>`, svgText(tip))
	fmt.Fprintf(w, `<rect x="%.1f" y="%.0f" width="%.1f" height="%d" %s/>`, lo, y, width, svgRectH, style)
	if label := fmt.Sprintf("%06d", f.Num); width > float64(len(label)*8) {
		fmt.Fprintf(w, `<text x="%.1f" y="%.0f" text-anchor="middle">%s</text>`, lo+width/2, y+svgRectH/2+4, label)
	}
	fmt.Fprintln(w, "</g>")
}

// svgText escapes s for use as SVG (XML) character data or an attribute.
func svgText(s string) string {
	return strings.ToValidUTF8(html.EscapeString(s), "\uFFFD")
}
