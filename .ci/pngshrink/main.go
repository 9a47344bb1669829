// Command pngshrink rewrites PNG screenshots small enough to keep in the
// repository: it maps every pixel to the nearest of the image's 256 most
// frequent colours (a page's flat colours are all among them; only
// anti-aliased edges move, and there is no dithering, so flat areas stay
// flat and compress well) and encodes with png.BestCompression.
//
//	go run ./.ci/pngshrink IN.png OUT.png
//
// .ci/browser uses it for the screenshots under docs/img.
package main

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"sort"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: pngshrink IN.png OUT.png")
		os.Exit(2)
	}
	if err := shrink(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "pngshrink:", err)
		os.Exit(1)
	}
}

func shrink(in, out string) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		return err
	}
	p := image.NewPaletted(img.Bounds(), frequent(img, 256))
	draw.Draw(p, p.Rect, img, img.Bounds().Min, draw.Src)
	w, err := os.Create(out)
	if err != nil {
		return err
	}
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(w, p); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// frequent returns the n most frequent colours of img.
func frequent(img image.Image, n int) color.Palette {
	count := map[color.RGBA]int{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			count[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)]++
		}
	}
	cs := make([]color.RGBA, 0, len(count))
	for c := range count {
		cs = append(cs, c)
	}
	sort.Slice(cs, func(i, j int) bool {
		if count[cs[i]] != count[cs[j]] {
			return count[cs[i]] > count[cs[j]]
		}
		return fmt.Sprint(cs[i]) < fmt.Sprint(cs[j]) // a stable output
	})
	pal := make(color.Palette, 0, n)
	for _, c := range cs[:min(n, len(cs))] {
		pal = append(pal, c)
	}
	return pal
}
