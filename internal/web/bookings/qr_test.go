package bookings

import (
	"image"
	"image/color"
	"regexp"
	"strconv"
	"strings"
	"testing"

	qr "github.com/piglig/go-qr"
)

// TestQRReadsBack draws a booking link as the page does, paints the SVG's modules into an image
// and decodes it: the QR code says the link, and the SVG carries nothing but modules.
func TestQRReadsBack(t *testing.T) {
	link := "https://civicgrid.example/bookings/checkin/EGH7PS8K"
	svg, err := qrSVG(link)
	if err != nil {
		t.Fatal(err)
	}
	s := string(svg)
	if strings.Contains(s, "EGH7") || strings.Contains(s, "<script") {
		t.Fatalf("the SVG carries text: %.200s", s)
	}
	vb := regexp.MustCompile(`viewBox="-4 -4 (\d+) (\d+)"`).FindStringSubmatch(s)
	if vb == nil {
		t.Fatalf("no viewBox: %.200s", s)
	}
	n, _ := strconv.Atoi(vb[1])
	const scale = 6
	img := image.NewGray(image.Rect(0, 0, n*scale, n*scale))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	mods := regexp.MustCompile(`M(\d+) (\d+)h1v1h-1z`).FindAllStringSubmatch(s, -1)
	if len(mods) < 100 {
		t.Fatalf("%d modules", len(mods))
	}
	for _, m := range mods {
		x, _ := strconv.Atoi(m[1])
		y, _ := strconv.Atoi(m[2])
		for dy := range scale {
			for dx := range scale {
				img.SetGray((x+4)*scale+dx, (y+4)*scale+dy, color.Gray{})
			}
		}
	}
	got, err := qr.Decode(img)
	if err != nil || got != link {
		t.Fatalf("decoded %q (%v), want %q", got, err, link)
	}
}
