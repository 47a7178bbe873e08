package demo

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"math/rand/v2"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/civicgrid/civicgrid/internal/media"
	"github.com/civicgrid/civicgrid/internal/orders"
)

// The demo's evidence photos are painted, not shipped: a handful of scenes a handler would
// photograph after the work (a street, a residential block, a stairwell, a bin room, a shop front,
// a pocket park, a service counter), with the grain and the corner watermark of a phone camera so
// the order pages look like the real thing. Each category is shown the scene it would be
// photographed in; the watermark says plainly that it is a demo picture.

// scene names; photoScene maps a category to one.
const (
	sceneStreet    = "street"
	sceneEstate    = "estate"
	sceneStairwell = "stairwell"
	sceneBins      = "bins"
	sceneShop      = "shop"
	scenePark      = "park"
	sceneCounter   = "counter"
)

var scenePainters = map[string]func(*canvas){
	sceneStreet: paintStreet, sceneEstate: paintEstate, sceneStairwell: paintStairwell, sceneBins: paintBins,
	sceneShop: paintShop, scenePark: paintPark, sceneCounter: paintCounter,
}

// sceneOrder fixes the order in which scenes are painted (map order would change the photo IDs).
var sceneOrder = []string{sceneStreet, sceneEstate, sceneStairwell, sceneBins, sceneShop, scenePark, sceneCounter}

// photoScene says which scene a category's evidence photo shows: by leaf first, then by top class.
func photoScene(category string) string {
	byLeaf := map[string]string{
		"0101": sceneBins, "0104": sceneBins, "0102": sceneEstate, "0103": sceneStreet,
		"0201": sceneStairwell, "0202": sceneShop, "0403": sceneStairwell, "0404": sceneEstate,
		"0502": sceneShop, "0505": sceneShop, "1003": sceneStairwell, "1005": sceneEstate,
		"1101": scenePark, "1102": sceneShop, "1204": sceneStairwell, "1205": scenePark,
		"1401": sceneStairwell, "1403": sceneStairwell,
	}
	if s, ok := byLeaf[category]; ok {
		return s
	}
	if len(category) >= 2 {
		switch category[:2] {
		case "01", "03", "04", "05", "12":
			return sceneStreet
		case "10", "14":
			return sceneEstate
		case "13":
			return scenePark
		case "15":
			return sceneShop
		case "16", "17":
			return sceneCounter
		}
	}
	return sceneStreet
}

// demoPhotos paints two variants of every scene, stores them and returns their IDs by scene.
func demoPhotos(ctx context.Context, st *orders.Store, ms media.Store, town string) (map[string][]string, error) {
	ids := map[string][]string{}
	for i, name := range sceneOrder {
		for v := range 2 {
			c := newCanvas(640, 480, uint64(i*10+v+1))
			scenePainters[name](c)
			c.grain(6)
			c.vignette()
			c.watermark("CIVICGRID DEMO PHOTO", strings.ToUpper(name))
			var buf bytes.Buffer
			if err := png.Encode(&buf, c.img); err != nil {
				return nil, err
			}
			p, err := media.Process(&buf)
			if err != nil {
				return nil, err
			}
			if err := ms.Save(p); err != nil {
				return nil, err
			}
			if err := st.SaveUpload(ctx, orders.Upload{ID: p.ID, TownCode: town, MIME: "image/jpeg", Size: int64(len(p.Full)), Width: p.Width, Height: p.Height}); err != nil {
				return nil, err
			}
			ids[name] = append(ids[name], p.ID)
		}
	}
	return ids, nil
}

// canvas is a tiny painter: rectangles, gradients, polygons, ellipses and lines, enough for a scene.
type canvas struct {
	img *image.RGBA
	rng *rand.Rand
}

func newCanvas(w, h int, seed uint64) *canvas {
	return &canvas{img: image.NewRGBA(image.Rect(0, 0, w, h)), rng: rand.New(rand.NewPCG(seed, 0x70686f746f))}
}

func rgb(r, g, b uint8) color.RGBA { return color.RGBA{r, g, b, 255} }

// jitter returns col varied by up to ±d on each channel, so repeated objects are not identical.
func (c *canvas) jitter(col color.RGBA, d int) color.RGBA {
	f := func(v uint8) uint8 { return clamp8(int(v) + c.rng.IntN(2*d+1) - d) }
	return rgb(f(col.R), f(col.G), f(col.B))
}

func clamp8(v int) uint8 { return uint8(max(0, min(255, v))) }

func (c *canvas) rect(x0, y0, x1, y1 int, col color.RGBA) {
	draw.Draw(c.img, image.Rect(x0, y0, x1, y1), &image.Uniform{col}, image.Point{}, draw.Src)
}

func (c *canvas) vgrad(x0, y0, x1, y1 int, top, bottom color.RGBA) {
	for y := y0; y < y1; y++ {
		t := float64(y-y0) / float64(max(1, y1-y0-1))
		mix := func(a, b uint8) uint8 { return uint8(float64(a)*(1-t) + float64(b)*t) }
		c.rect(x0, y, x1, y+1, rgb(mix(top.R, bottom.R), mix(top.G, bottom.G), mix(top.B, bottom.B)))
	}
}

// poly fills a polygon by scanlines with the even-odd rule.
func (c *canvas) poly(col color.RGBA, pts ...[2]float64) {
	b := c.img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		fy := float64(y) + 0.5
		var xs []float64
		for i := range pts {
			a, d := pts[i], pts[(i+1)%len(pts)]
			if (a[1] <= fy) != (d[1] <= fy) {
				xs = append(xs, a[0]+(fy-a[1])*(d[0]-a[0])/(d[1]-a[1]))
			}
		}
		for i := 1; i < len(xs); i++ {
			for j := i; j > 0 && xs[j] < xs[j-1]; j-- {
				xs[j], xs[j-1] = xs[j-1], xs[j]
			}
		}
		for i := 0; i+1 < len(xs); i += 2 {
			c.rect(int(math.Round(xs[i])), y, int(math.Round(xs[i+1])), y+1, col)
		}
	}
}

func (c *canvas) ellipse(cx, cy, rx, ry float64, col color.RGBA) {
	for y := int(cy - ry); y <= int(cy+ry); y++ {
		dy := (float64(y) - cy) / ry
		if dy*dy > 1 {
			continue
		}
		dx := rx * math.Sqrt(1-dy*dy)
		c.rect(int(cx-dx), y, int(cx+dx), y+1, col)
	}
}

// line draws a thick line as a quadrilateral.
func (c *canvas) line(x0, y0, x1, y1, w float64, col color.RGBA) {
	dx, dy := x1-x0, y1-y0
	l := math.Hypot(dx, dy)
	if l == 0 {
		return
	}
	nx, ny := -dy/l*w/2, dx/l*w/2
	c.poly(col, [2]float64{x0 + nx, y0 + ny}, [2]float64{x1 + nx, y1 + ny}, [2]float64{x1 - nx, y1 - ny}, [2]float64{x0 - nx, y0 - ny})
}

// windows draws a facade's grid of windows.
func (c *canvas) windows(x0, y0, x1, y1, cols, rows int, glass color.RGBA) {
	cw, rh := float64(x1-x0)/float64(cols), float64(y1-y0)/float64(rows)
	for r := range rows {
		for k := range cols {
			wx, wy := x0+int(float64(k)*cw+cw*0.2), y0+int(float64(r)*rh+rh*0.25)
			c.rect(wx, wy, wx+int(cw*0.6), wy+int(rh*0.5), c.jitter(glass, 12))
			c.rect(wx, wy+int(rh*0.5), wx+int(cw*0.6), wy+int(rh*0.5)+2, rgb(230, 230, 225))
		}
	}
}

func (c *canvas) sky(h int) {
	c.vgrad(0, 0, c.img.Bounds().Dx(), h, rgb(150, 185, 220), rgb(222, 232, 240))
}

func (c *canvas) tree(x, ground, size float64) {
	c.rect(int(x-size*0.06), int(ground-size*0.9), int(x+size*0.06), int(ground), rgb(95, 75, 55))
	for i := range 5 {
		ox, oy := float64(c.rng.IntN(int(size*0.5)+1))-size*0.25, float64(c.rng.IntN(int(size*0.3)+1))
		c.ellipse(x+ox, ground-size*1.1+oy-float64(i)*size*0.05, size*0.32, size*0.28, c.jitter(rgb(70, 120, 60), 15))
	}
}

// grain adds the sensor noise of a phone camera.
func (c *canvas) grain(d int) {
	p := c.img.Pix
	for i := 0; i+3 < len(p); i += 4 {
		n := c.rng.IntN(2*d+1) - d
		p[i], p[i+1], p[i+2] = clamp8(int(p[i])+n), clamp8(int(p[i+1])+n), clamp8(int(p[i+2])+n)
	}
}

// vignette darkens the corners a little, as a small lens does.
func (c *canvas) vignette() {
	b := c.img.Bounds()
	cx, cy := float64(b.Dx())/2, float64(b.Dy())/2
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			d := math.Hypot((float64(x)-cx)/cx, (float64(y)-cy)/cy)
			k := 1 - 0.18*math.Max(0, d-0.55)
			i := c.img.PixOffset(x, y)
			for j := range 3 {
				c.img.Pix[i+j] = uint8(float64(c.img.Pix[i+j]) * k)
			}
		}
	}
}

// watermark writes two lines on a dark band at the bottom, twice the size of the 7×13 font.
func (c *canvas) watermark(left, right string) {
	b := c.img.Bounds()
	band := image.Rect(0, b.Max.Y-40, b.Max.X, b.Max.Y)
	draw.Draw(c.img, band, &image.Uniform{color.RGBA{0, 0, 0, 120}}, image.Point{}, draw.Over)
	small := image.NewRGBA(image.Rect(0, 0, b.Dx()/2, 20))
	d := font.Drawer{Dst: small, Src: image.NewUniform(color.RGBA{255, 255, 255, 255}), Face: basicfont.Face7x13}
	d.Dot = fixed.P(6, 14)
	d.DrawString(left)
	d.Dot = fixed.P(b.Dx()/2-6-7*len(right), 14)
	d.DrawString(right)
	for y := range 20 {
		for x := range b.Dx() / 2 {
			if small.RGBAAt(x, y).A > 0 {
				c.rect(2*x, band.Min.Y+2*y, 2*x+2, band.Min.Y+2*y+2, rgb(255, 255, 255))
			}
		}
	}
}

func paintStreet(c *canvas) {
	const horizon = 200
	c.sky(horizon)
	for x := -20; x < 640; {
		w := 60 + c.rng.IntN(70)
		h := 60 + c.rng.IntN(110)
		facade := c.jitter(rgb(196, 184, 168), 20)
		c.rect(x, horizon-h, x+w, horizon, facade)
		c.windows(x+4, horizon-h+6, x+w-4, horizon-4, w/18, h/22, rgb(90, 110, 130))
		x += w + 2
	}
	c.poly(rgb(150, 150, 148), [2]float64{0, horizon}, [2]float64{640, horizon}, [2]float64{640, 480}, [2]float64{0, 480})
	c.poly(rgb(72, 74, 78), [2]float64{90, 480}, [2]float64{560, 480}, [2]float64{345, horizon}, [2]float64{300, horizon})
	// kerbs, lane marks and a fresh patch of asphalt where the pothole was
	c.line(90, 480, 300, horizon, 4, rgb(215, 215, 210))
	c.line(560, 480, 345, horizon, 4, rgb(215, 215, 210))
	for t := 0.0; t < 1; t += 0.16 {
		y0, y1 := horizon+(480-horizon)*t*t, horizon+(480-horizon)*(t+0.08)*(t+0.08)
		x0, x1 := 322+(325-322)*t, 322+(325-322)*(t+0.08)
		c.line(x0, y0, x1, y1, 1+6*t, rgb(235, 235, 225))
	}
	c.poly(rgb(45, 46, 50), [2]float64{380, 400}, [2]float64{470, 396}, [2]float64{476, 440}, [2]float64{372, 446})
	for i := range 4 {
		t := 0.25 + 0.22*float64(i)
		c.tree(60-40*t+float64(i)*4, horizon+(480-horizon)*t*t+20, 40+110*t*t)
		c.tree(600+30*t, horizon+(480-horizon)*t*t+20, 40+110*t*t)
	}
}

func paintEstate(c *canvas) {
	const ground = 330
	c.sky(ground)
	for i, x := range []int{-30, 220, 450} {
		h := 210 + 20*i
		facade := c.jitter([]color.RGBA{rgb(232, 216, 196), rgb(220, 200, 190), rgb(236, 228, 210)}[i], 8)
		c.rect(x, ground-h, x+210, ground, facade)
		c.rect(x, ground-h, x+210, ground-h+10, rgb(170, 90, 70))
		c.windows(x+8, ground-h+16, x+202, ground-10, 6, 7, rgb(110, 130, 150))
		for f := range 7 {
			c.rect(x+20, ground-h+20+f*((h-30)/7), x+36, ground-h+30+f*((h-30)/7), rgb(235, 235, 235))
		}
	}
	c.rect(0, ground, 640, 480, rgb(176, 170, 160))
	c.rect(0, ground, 640, ground+30, rgb(90, 140, 70))
	c.poly(rgb(200, 194, 184), [2]float64{250, 480}, [2]float64{400, 480}, [2]float64{340, ground + 30}, [2]float64{300, ground + 30})
	c.tree(120, ground+40, 120)
	c.tree(540, ground+50, 140)
}

func paintStairwell(c *canvas) {
	c.rect(0, 0, 640, 480, rgb(232, 230, 224))
	c.rect(0, 250, 640, 480, rgb(110, 150, 120))
	c.rect(0, 246, 640, 252, rgb(90, 120, 100))
	c.poly(rgb(160, 158, 152), [2]float64{0, 480}, [2]float64{640, 480}, [2]float64{470, 360}, [2]float64{170, 360})
	// the flight of stairs going up on the right, with its hand-rail
	for i := range 9 {
		y := 360 - float64(i)*24
		x := 430 + float64(i)*20
		c.poly(rgb(175, 172, 165), [2]float64{x, y}, [2]float64{640, y}, [2]float64{640, y - 24}, [2]float64{x + 20, y - 24})
		c.line(x, y, 640, y, 2, rgb(120, 118, 112))
	}
	c.line(420, 250, 640, 40, 5, rgb(150, 60, 40))
	// a flat's door with its number plate, and the fire extinguisher box
	c.rect(200, 120, 320, 360, rgb(120, 60, 45))
	c.rect(206, 126, 314, 354, rgb(140, 75, 55))
	c.rect(245, 140, 275, 156, rgb(220, 200, 120))
	c.ellipse(300, 250, 5, 5, rgb(210, 190, 120))
	c.rect(60, 250, 120, 330, rgb(200, 30, 30))
	c.rect(66, 256, 114, 300, rgb(230, 230, 230))
	c.rect(20, 60, 160, 110, rgb(250, 250, 245))
	c.rect(30, 72, 150, 78, rgb(60, 120, 70))
	c.rect(30, 88, 120, 94, rgb(60, 120, 70))
}

func paintBins(c *canvas) {
	c.rect(0, 0, 640, 480, rgb(214, 210, 200))
	for y := 0; y < 300; y += 24 {
		for x := (y / 24 % 2) * 20; x < 640; x += 40 {
			c.rect(x, y, x+38, y+22, c.jitter(rgb(222, 218, 208), 6))
		}
	}
	c.rect(0, 0, 640, 50, rgb(120, 110, 100))
	c.rect(120, 70, 520, 130, rgb(40, 120, 70))
	for i := range 3 {
		c.rect(140, 82+i*16, 140+int(360-float64(i)*80), 90+i*16, rgb(235, 240, 235))
	}
	c.rect(0, 300, 640, 480, rgb(170, 168, 162))
	// Shanghai's four bins: dry (black), wet (brown), recyclable (blue), hazardous (red)
	for i, col := range []color.RGBA{rgb(45, 45, 45), rgb(120, 75, 40), rgb(40, 80, 160), rgb(190, 40, 40)} {
		x := 60 + float64(i)*135
		c.poly(col, [2]float64{x, 190}, [2]float64{x + 110, 190}, [2]float64{x + 102, 380}, [2]float64{x + 8, 380})
		c.rect(int(x)-4, 180, int(x)+114, 196, c.jitter(col, 10))
		c.rect(int(x)+30, 240, int(x)+80, 270, rgb(240, 240, 240))
		c.ellipse(x+20, 384, 10, 8, rgb(30, 30, 30))
		c.ellipse(x+90, 384, 10, 8, rgb(30, 30, 30))
	}
}

func paintShop(c *canvas) {
	c.sky(60)
	c.vgrad(0, 60, 640, 360, rgb(214, 208, 200), rgb(176, 170, 164))
	c.windows(0, 60, 640, 150, 8, 1, rgb(100, 120, 140))
	c.rect(30, 160, 610, 215, rgb(170, 30, 35))
	for i := range 5 {
		c.rect(80+i*95, 175, 140+i*95, 200, rgb(250, 225, 120))
	}
	c.rect(30, 215, 610, 360, rgb(60, 70, 80))
	c.vgrad(40, 225, 380, 355, rgb(150, 178, 196), rgb(90, 112, 130))
	c.line(60, 340, 200, 230, 10, rgb(170, 200, 215))
	c.rect(420, 225, 600, 360, rgb(90, 80, 70))
	c.rect(500, 230, 510, 355, rgb(60, 55, 50))
	c.vgrad(0, 360, 640, 480, rgb(176, 170, 160), rgb(200, 194, 184))
	for y := 360; y < 480; y += 30 {
		c.rect(0, y, 640, y+2, rgb(160, 155, 148))
	}
	for x := 0; x < 640; x += 60 {
		c.rect(x, 360, x+2, 480, rgb(160, 155, 148))
	}
}

func paintPark(c *canvas) {
	const ground = 260
	c.sky(ground)
	c.rect(0, ground, 640, 480, rgb(100, 150, 75))
	c.poly(rgb(196, 186, 160), [2]float64{200, 480}, [2]float64{460, 480}, [2]float64{340, ground}, [2]float64{320, ground})
	for i := range 6 {
		c.tree(40+float64(i)*115, ground+10+float64(i%2)*15, 110+float64(c.rng.IntN(40)))
	}
	// fitness equipment and a bench
	c.line(60, 430, 60, 330, 8, rgb(240, 190, 40))
	c.line(150, 430, 150, 330, 8, rgb(240, 190, 40))
	c.line(56, 335, 154, 335, 8, rgb(40, 110, 190))
	c.ellipse(105, 380, 22, 22, rgb(40, 110, 190))
	c.rect(480, 380, 600, 392, rgb(130, 90, 60))
	c.rect(480, 360, 600, 370, rgb(130, 90, 60))
	c.rect(488, 392, 496, 420, rgb(60, 60, 60))
	c.rect(584, 392, 592, 420, rgb(60, 60, 60))
}

func paintCounter(c *canvas) {
	c.vgrad(0, 0, 640, 300, rgb(246, 246, 242), rgb(214, 214, 208))
	c.rect(0, 0, 640, 40, rgb(250, 250, 250))
	c.rect(80, 60, 560, 120, rgb(190, 40, 40))
	for i := range 6 {
		c.rect(110+i*72, 78, 160+i*72, 102, rgb(250, 230, 150))
	}
	c.vgrad(0, 300, 640, 480, rgb(180, 174, 164), rgb(210, 204, 194))
	c.vgrad(40, 250, 600, 330, rgb(165, 122, 90), rgb(120, 88, 62))
	c.rect(40, 250, 600, 262, rgb(200, 170, 130))
	for i := range 3 {
		x := 100 + i*180
		c.rect(x, 170, x+90, 235, rgb(40, 45, 55))
		c.rect(x+4, 174, x+86, 229, rgb(120, 160, 200))
		c.rect(x+40, 235, x+50, 250, rgb(60, 60, 60))
		c.ellipse(float64(x+45), 380, 40, 14, rgb(60, 90, 140))
		c.rect(x+15, 330, x+75, 380, rgb(60, 90, 140))
	}
}
