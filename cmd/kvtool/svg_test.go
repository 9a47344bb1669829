package main

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/manifest"
)

// svgShape is what the test reads back from a picture.
type svgShape struct {
	rects  int      // table rectangles (inside a <g>)
	titles []string // tooltips, unescaped
	texts  []string // all text, unescaped
}

// parseSVG decodes an SVG with encoding/xml, failing on malformed XML
// (such as an unescaped "<" or "&" in a key).
func parseSVG(t *testing.T, data []byte) svgShape {
	t.Helper()
	var s svgShape
	d := xml.NewDecoder(strings.NewReader(string(data)))
	var stack []string
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return s
		}
		if err != nil {
			t.Fatalf("picture is not well-formed XML: %v\n%s", err, data)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if tok.Name.Local == "rect" && len(stack) > 0 && stack[len(stack)-1] == "g" {
				s.rects++
			}
			stack = append(stack, tok.Name.Local)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				continue // white space after the root element
			}
			switch stack[len(stack)-1] {
			case "title":
				s.titles = append(s.titles, string(tok))
			case "text":
				s.texts = append(s.texts, string(tok))
			}
		}
	}
}

func TestLSMSVG(t *testing.T) {
	fx := loadFixture(t)
	dir := copyFixture(t)
	out := filepath.Join(t.TempDir(), "tree.svg")
	r := mustRun(t, exitOK, "lsm", "-svg", out, dir)
	requireLines(t, r.stdout, "wrote "+out)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	s := parseSVG(t, data)
	if want := 1 + len(fx.l6); s.rects != want {
		t.Errorf("%d table rectangles, want %d", s.rects, want)
	}
	requireContains(t, strings.Join(s.titles, "\n"),
		fmt.Sprintf(`%s %d bytes seqs [401,451] "key150" .. "key349"`, tableName(fx.l0), fx.l0.Size),
		fmt.Sprintf(`%s %d bytes seqs [%d,%d] %q .. %q`, tableName(fx.shadowed), fx.shadowed.Size,
			fx.shadowed.SmallestSeq, fx.shadowed.LargestSeq, keys.UserKey(fx.shadowed.Smallest), keys.UserKey(fx.shadowed.Largest)))
	requireContains(t, strings.Join(s.texts, "\n"), "L0", "L6", `"key000"`, `"key349"`)
}

// TestSVGEscapesKeys draws tables whose keys hold XML's special characters
// and checks that the picture still parses and shows them.
func TestSVGEscapesKeys(t *testing.T) {
	meta := func(num uint64, lo, hi string) *manifest.FileMeta {
		return &manifest.FileMeta{Num: num, Size: 10,
			Smallest: keys.Make([]byte(lo), 1, keys.KindSet), Largest: keys.Make([]byte(hi), 1, keys.KindSet)}
	}
	v := &manifest.Version{}
	v.Levels[0] = []*manifest.FileMeta{meta(1, "<a&b>", "z'\"")}
	v.Levels[1] = []*manifest.FileMeta{meta(2, "<a&b>", "<a&b>"), meta(3, "m", "n")}
	var sb strings.Builder
	writeSVG(&sb, v)
	s := parseSVG(t, []byte(sb.String()))
	if s.rects != 3 {
		t.Errorf("%d rectangles, want 3", s.rects)
	}
	requireContains(t, strings.Join(s.titles, "\n"), `"<a&b>" .. "z'\""`)
	requireContains(t, strings.Join(s.texts, "\n"), `"<a&b>"`)
}

// TestKeyAxis checks the rank mapping: adjacent tables touch, a one-key
// table gets one slot, and tables sharing a boundary overlap.
func TestKeyAxis(t *testing.T) {
	v := &manifest.Version{}
	k := func(s string) []byte { return keys.Make([]byte(s), 1, keys.KindSet) }
	v.Levels[1] = []*manifest.FileMeta{
		{Num: 1, Smallest: k("a"), Largest: k("b")},
		{Num: 2, Smallest: k("c"), Largest: k("d")},
	}
	v.Levels[0] = []*manifest.FileMeta{{Num: 3, Smallest: k("d"), Largest: k("d")}}
	a := newKeyAxis(v, 0, 400) // 4 boundaries: 100 px each
	cases := []struct {
		key         string
		left, right float64
	}{{"a", 0, 100}, {"b", 100, 200}, {"c", 200, 300}, {"d", 300, 400}}
	for _, c := range cases {
		if l, r := a.span([]byte(c.key)); l != c.left || r != c.right {
			t.Errorf("span(%q) = [%v, %v], want [%v, %v]", c.key, l, r, c.left, c.right)
		}
	}
	empty := newKeyAxis(&manifest.Version{}, 0, 400)
	if len(empty.bounds) != 0 {
		t.Errorf("empty version has bounds %q", empty.bounds)
	}
}
