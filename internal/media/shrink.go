package media

import (
	"image"
	"image/draw"
	"math"
)

// shrink scales img down so that its longer side is side pixels, by area averaging: each
// destination pixel is the mean of the source area it covers, weighted by the overlap. It reads
// the source one row at a time and holds, besides the result, one source row and two rows of
// sums. (x/image/draw's kernel scalers hold a float64 buffer of destination width × source
// height: 245 MB for a 12 MP photo, 580 MB at the pixel budget.)
func shrink(img image.Image, side int) *image.RGBA {
	b := img.Bounds()
	sw, sh := b.Dx(), b.Dy()
	dw, dh := side, side
	if sw >= sh {
		dh = max(1, sh*side/sw)
	} else {
		dw = max(1, sw*side/sh)
	}
	cols := spans(sw, dw)
	rows := spans(sh, dh)

	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	src := image.NewRGBA(image.Rect(0, 0, sw, 1)) // one source row, converted to RGBA
	line := make([]float32, 4*dw)                 // the source row, averaged horizontally
	cur := make([]float32, 4*dw)                  // sums of destination row y
	next := make([]float32, 4*dw)                 // sums of destination row y+1
	y := 0
	flush := func() {
		out := dst.Pix[y*dst.Stride : y*dst.Stride+4*dw]
		for i, v := range cur {
			out[i] = uint8(min(255, max(0, math.Round(float64(v)))))
		}
		cur, next = next, cur
		clear(next)
		y++
	}
	for sy := 0; sy < sh; sy++ {
		draw.Draw(src, src.Rect, img, image.Point{b.Min.X, b.Min.Y + sy}, draw.Src)
		clear(line)
		for sx, c := range cols {
			p := src.Pix[4*sx : 4*sx+4]
			d := line[4*c.to : 4*c.to+4]
			for k := range 4 {
				d[k] += c.w0 * float32(p[k])
			}
			if c.w1 > 0 {
				d := line[4*c.to+4 : 4*c.to+8]
				for k := range 4 {
					d[k] += c.w1 * float32(p[k])
				}
			}
		}
		r := rows[sy]
		for y < r.to {
			flush()
		}
		for i, v := range line {
			cur[i] += r.w0 * v
		}
		if r.w1 > 0 {
			for i, v := range line {
				next[i] += r.w1 * v
			}
		}
	}
	for y < dh {
		flush()
	}
	return dst
}

// span tells which destination pixels one source pixel covers: to with weight w0, and to+1 with
// weight w1 when it straddles their boundary. Weights are in destination pixels, so those of all
// source pixels covering one destination pixel add up to 1.
type span struct {
	to     int
	w0, w1 float32
}

// spans maps n source pixels onto m ≤ n destination pixels.
func spans(n, m int) []span {
	out := make([]span, n)
	scale := float64(m) / float64(n) // destination pixels per source pixel, ≤ 1
	for i := range out {
		lo, hi := float64(i)*scale, float64(i+1)*scale
		to := min(int(lo), m-1)
		edge := float64(to + 1)
		if hi > edge && to+1 < m {
			out[i] = span{to: to, w0: float32(edge - lo), w1: float32(hi - edge)}
		} else {
			out[i] = span{to: to, w0: float32(hi - lo)}
		}
	}
	return out
}
