package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"testing"
)

func testPNG(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		for y := 0; y < h; y++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 100, 255})
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}

// jpegWithGPS builds a JPEG whose APP1 EXIF block carries a GPS position (and a camera model string
// that must not survive re-encoding).
func jpegWithGPS(lat, lng float64) []byte {
	var img bytes.Buffer
	_ = jpeg.Encode(&img, image.NewRGBA(image.Rect(0, 0, 40, 30)), nil)
	bo := binary.LittleEndian
	tiff := make([]byte, 0, 256)
	put16 := func(v uint16) { tiff = bo.AppendUint16(tiff, v) }
	put32 := func(v uint32) { tiff = bo.AppendUint32(tiff, v) }
	tiff = append(tiff, 'I', 'I')
	put16(42)
	put32(8)
	// IFD0 at 8: one entry (GPS IFD pointer) → GPS IFD at 26.
	put16(1)
	put16(0x8825)
	put16(4)
	put32(1)
	put32(26)
	put32(0)
	// GPS IFD at 26: 4 entries, rationals after it at 26+2+48+4 = 80.
	put16(4)
	put16(1)
	put16(2)
	put32(2)
	tiff = append(tiff, 'N', 0, 0, 0)
	put16(2)
	put16(5)
	put32(3)
	put32(80)
	put16(3)
	put16(2)
	put32(2)
	tiff = append(tiff, 'E', 0, 0, 0)
	put16(4)
	put16(5)
	put32(3)
	put32(104)
	put32(0)
	dms := func(v float64) {
		d := math.Floor(v)
		m := math.Floor((v - d) * 60)
		s := ((v-d)*60 - m) * 60
		put32(uint32(d))
		put32(1)
		put32(uint32(m))
		put32(1)
		put32(uint32(s * 1000))
		put32(1000)
	}
	dms(lat)
	dms(lng)
	tiff = append(tiff, []byte("CameraModel-SECRET")...)
	seg := append([]byte("Exif\x00\x00"), tiff...)
	out := []byte{0xFF, 0xD8, 0xFF, 0xE1}
	out = binary.BigEndian.AppendUint16(out, uint16(len(seg)+2))
	out = append(out, seg...)
	return append(out, img.Bytes()[2:]...)
}

func TestProcess(t *testing.T) {
	big := testPNG(3000, 1000)
	p, err := Process(bytes.NewReader(big))
	if err != nil {
		t.Fatal(err)
	}
	if p.Width != 2560 || p.Height != 853 || p.Mime != "image/png" || len(p.ID) != 64 {
		t.Errorf("processed %dx%d %s id %q", p.Width, p.Height, p.Mime, p.ID)
	}
	th, err := jpeg.Decode(bytes.NewReader(p.Thumb))
	if err != nil || th.Bounds().Dx() != 320 {
		t.Errorf("thumbnail: %v %v", th.Bounds(), err)
	}
	again, _ := Process(bytes.NewReader(big))
	if again.ID != p.ID {
		t.Error("the same photo got two ids")
	}

	gps := jpegWithGPS(31.2165, 121.3809)
	g, err := Process(bytes.NewReader(gps))
	if err != nil {
		t.Fatal(err)
	}
	if g.Lat == nil || math.Abs(*g.Lat-31.2165) > 1e-4 || math.Abs(*g.Lng-121.3809) > 1e-4 {
		t.Errorf("GPS = %v %v, want 31.2165 121.3809", g.Lat, g.Lng)
	}
	if bytes.Contains(g.Full, []byte("SECRET")) || bytes.Contains(g.Full, []byte("Exif")) {
		t.Error("EXIF survived re-encoding")
	}

	if _, err := Process(bytes.NewReader([]byte("hello, not an image"))); !errors.Is(err, ErrNotImage) {
		t.Errorf("text: %v", err)
	}
	if _, err := Process(bytes.NewReader(append([]byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, make([]byte, 100)...))); !errors.Is(err, ErrNotImage) {
		t.Errorf("truncated PNG: %v", err)
	}
	if _, err := Process(bytes.NewReader(make([]byte, MaxBytes+10))); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized: %v", err)
	}
}

func TestStore(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	p, _ := Process(bytes.NewReader(testPNG(50, 50)))
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	path, _ := s.Path(p.ID, true)
	if b, err := os.ReadFile(path); err != nil || !bytes.Equal(b, p.Thumb) {
		t.Errorf("thumbnail not stored: %v", err)
	}
	if _, err := s.Path("../../etc/passwd", false); err == nil {
		t.Error("path traversal accepted")
	}
}
