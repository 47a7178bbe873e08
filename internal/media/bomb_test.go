package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	_ "image/gif" // registered on purpose: a registered format is still not accepted
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/tiff"
)

// pngHeader is a PNG that declares w×h (8-bit RGBA) in a valid IHDR and carries a few bytes of
// image data: all DecodeConfig reads. Decoding it would allocate w×h×4 bytes before failing.
func pngHeader(w, h uint32) []byte {
	chunk := func(typ string, data []byte) []byte {
		out := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
		out = append(out, typ...)
		out = append(out, data...)
		return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // depth 8, RGBA, deflate, no filter, no interlace
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, chunk("IHDR", ihdr)...)
	return append(out, chunk("IDAT", []byte{0x78, 0x9c, 0x62, 0x60})...)
}

// jpegHeader is a JPEG that declares w×h in its frame header (sof: 0xC0 baseline, 0xC2
// progressive), optionally after a JFIF APP0 segment, followed by the start of a scan.
func jpegHeader(w, h uint16, sof byte, jfif bool) []byte {
	out := []byte{0xFF, 0xD8}
	if jfif {
		out = append(out, 0xFF, 0xE0, 0, 16)
		out = append(out, "JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"...)
	}
	out = append(out, 0xFF, sof, 0, 17, 8)
	out = binary.BigEndian.AppendUint16(out, h)
	out = binary.BigEndian.AppendUint16(out, w)
	out = append(out, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0)
	return append(out, 0xFF, 0xDA, 0, 12, 3, 1, 0, 2, 0x11, 3, 0x11, 0, 63, 0, 0x12, 0x34)
}

// riff wraps chunks into a WebP file.
func riff(chunks ...[]byte) []byte {
	var body []byte
	body = append(body, "WEBP"...)
	for _, c := range chunks {
		body = append(body, c...)
	}
	out := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...)
	return append(out, body...)
}

func riffChunk(id string, data []byte) []byte {
	out := append([]byte(id), binary.LittleEndian.AppendUint32(nil, uint32(len(data)))...)
	out = append(out, data...)
	if len(data)%2 == 1 {
		out = append(out, 0)
	}
	return out
}

// vp8Chunk is a lossy key frame header declaring w×h (at most 16383 a side).
func vp8Chunk(w, h uint16) []byte {
	d := []byte{0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a}
	d = binary.LittleEndian.AppendUint16(d, w&0x3fff)
	d = binary.LittleEndian.AppendUint16(d, h&0x3fff)
	return riffChunk("VP8 ", append(d, make([]byte, 16)...))
}

// vp8lChunk is a lossless header declaring w×h (at most 16384 a side).
func vp8lChunk(w, h uint32) []byte {
	bits := (w - 1) | (h-1)<<14
	d := append([]byte{0x2f}, binary.LittleEndian.AppendUint32(nil, bits)...)
	return riffChunk("VP8L", append(d, make([]byte, 16)...))
}

// vp8xChunk is the extended-format header declaring a w×h canvas.
func vp8xChunk(w, h uint32) []byte {
	d := []byte{0, 0, 0, 0, byte(w - 1), byte((w - 1) >> 8), byte((w - 1) >> 16), byte(h - 1), byte((h - 1) >> 8), byte((h - 1) >> 16)}
	return riffChunk("VP8X", d)
}

func gifHeader(w, h uint16) []byte {
	out := []byte("GIF89a")
	out = binary.LittleEndian.AppendUint16(out, w)
	out = binary.LittleEndian.AppendUint16(out, h)
	out = append(out, 0, 0, 0)
	// One frame as large as the screen, with a few bytes of LZW data.
	out = append(out, 0x2C, 0, 0, 0, 0)
	out = binary.LittleEndian.AppendUint16(out, w)
	out = binary.LittleEndian.AppendUint16(out, h)
	return append(out, 0, 8, 2, 0x4c, 0x01, 0, 0x3b)
}

func bmpHeader(w, h int32) []byte {
	out := []byte("BM")
	out = binary.LittleEndian.AppendUint32(out, 54)
	out = binary.LittleEndian.AppendUint32(out, 0)
	out = binary.LittleEndian.AppendUint32(out, 54)
	out = binary.LittleEndian.AppendUint32(out, 40)
	out = binary.LittleEndian.AppendUint32(out, uint32(w))
	out = binary.LittleEndian.AppendUint32(out, uint32(h))
	out = binary.LittleEndian.AppendUint16(out, 1)
	out = binary.LittleEndian.AppendUint16(out, 24)
	return append(out, make([]byte, 24)...)
}

// TestBombsRefusedBeforeDecoding sweeps every accepted format (and some that are not accepted)
// with files of a few bytes that declare far more pixels than the budget. Each must be refused
// with an error naming the dimensions and the limit, without decoding: the decode counter does
// not move and the allocations stay tiny (decoding any of them would allocate gigabytes).
func TestBombsRefusedBeforeDecoding(t *testing.T) {
	cases := []struct {
		name   string
		file   []byte
		want   error
		pixels string // in the message, for pixel refusals
	}{
		{"png 50000x50000", pngHeader(50000, 50000), ErrTooLarge, "50000×50000"},
		{"png 8000x7000 (56 MP, over the budget)", pngHeader(8000, 7000), ErrTooLarge, "8000×7000"},
		{"png 12001x10 (over the side limit)", pngHeader(12001, 10), ErrTooLarge, "12001×10"},
		{"jpeg baseline 50000x50000", jpegHeader(50000, 50000, 0xC0, false), ErrTooLarge, "50000×50000"},
		{"jpeg progressive 50000x50000", jpegHeader(50000, 50000, 0xC2, false), ErrTooLarge, "50000×50000"},
		{"jpeg jfif 65535x65535", jpegHeader(65535, 65535, 0xC0, true), ErrTooLarge, "65535×65535"},
		{"webp lossy 16383x16383", riff(vp8Chunk(16383, 16383)), ErrTooLarge, "16383×16383"},
		{"webp lossless 16384x16384", riff(vp8lChunk(16384, 16384)), ErrTooLarge, "16384×16384"},
		{"webp extended canvas 40000x40000", riff(vp8xChunk(40000, 40000), vp8lChunk(100, 100)), ErrTooLarge, "40000×40000"},
		// DecodeConfig of an extended WebP reads the canvas; the frame inside may claim more. The
		// decoder must compare them before allocating (golang.org/x/image ≥ v0.18 does).
		{"webp small canvas, huge lossless frame", riff(vp8xChunk(100, 100), vp8lChunk(16384, 16384)), ErrNotImage, ""},
		{"webp small canvas, huge lossy frame", riff(vp8xChunk(100, 100), vp8Chunk(16383, 16383)), ErrNotImage, ""},
		{"jpeg of 101 scans", append(jpegHeader(100, 100, 0xC2, false), bytes.Repeat([]byte{0xFF, 0xDA, 0, 2}, 100)...), ErrNotImage, ""},
		{"gif 50000x50000 (not accepted)", gifHeader(50000, 50000), ErrNotImage, ""},
		{"bmp 50000x50000 (not accepted)", bmpHeader(50000, 50000), ErrNotImage, ""},
		{"tiff (not accepted)", []byte("II*\x00\x08\x00\x00\x00\x00\x00"), ErrNotImage, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if len(c.file) > 300 && !strings.Contains(c.name, "scans") {
				t.Fatalf("the test file is %d bytes; a bomb should be tiny", len(c.file))
			}
			before, _ := Stats()
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			_, err := ProcessContext(context.Background(), bytes.NewReader(c.file))
			runtime.ReadMemStats(&ms1)
			after, _ := Stats()
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if alloc := ms1.TotalAlloc - ms0.TotalAlloc; alloc > 4<<20 {
				t.Errorf("refusing it allocated %d MB", alloc>>20)
			}
			if c.pixels != "" {
				var pe *PixelError
				if !errors.As(err, &pe) {
					t.Fatalf("err %v is not a PixelError", err)
				}
				if after != before {
					t.Errorf("%d decodes for a photo refused by its header", after-before)
				}
				msg := err.Error()
				for _, s := range []string{c.pixels, "12000", "52 megapixels"} {
					if !strings.Contains(msg, s) {
						t.Errorf("message %q does not name %q", msg, s)
					}
				}
			}
		})
	}
}

// TestBudgetAdmitsPhoneSensors: the header check lets the full resolution of 48–50 MP phones
// through, and a panorama within the side limit.
func TestBudgetAdmitsPhoneSensors(t *testing.T) {
	for _, d := range [][2]uint16{{8192, 6144}, {8160, 6120}, {6144, 8192}, {11000, 3000}, {4000, 3000}} {
		for name, file := range map[string][]byte{"png": pngHeader(uint32(d[0]), uint32(d[1])), "jpeg": jpegHeader(d[0], d[1], 0xC0, false)} {
			c, err := Check(bytes.NewReader(file))
			if err != nil || c.Width() != int(d[0]) || c.Height() != int(d[1]) {
				t.Errorf("%s %dx%d: %v (%dx%d)", name, d[0], d[1], err, c.Width(), c.Height())
			}
		}
	}
}

func TestGate(t *testing.T) {
	g := newGate(2, 100)
	ctx := context.Background()
	r1, err := g.enter(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := g.enter(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	// Two slots are taken however small the decodes: a third waits, and gives up with its context.
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := g.enter(short, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("third decode entered: %v", err)
	}
	r1()
	r3, err := g.enter(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	// A decode larger than the whole budget runs alone, once the others left.
	done := make(chan struct{})
	go func() {
		r, err := g.enter(ctx, 1000)
		if err == nil {
			r()
		}
		close(done)
	}()
	select {
	case <-done:
		t.Fatal("the large decode ran beside two others")
	case <-time.After(20 * time.Millisecond):
	}
	r2()
	r3()
	<-done

	// Through Process: a cancelled context while the gate is full is ErrBusy, not a refusal.
	saved := decodes
	defer func() { decodes = saved }()
	decodes = newGate(1, 100)
	hold, _ := decodes.enter(ctx, 100)
	defer hold()
	cctx, cancel2 := context.WithCancel(ctx)
	cancel2()
	if _, err := ProcessContext(cctx, bytes.NewReader(testPNG(10, 10))); !errors.Is(err, ErrBusy) {
		t.Errorf("full gate: %v, want ErrBusy", err)
	}
}

func TestShrink(t *testing.T) {
	// A uniform image stays uniform; a 1-pixel checkerboard halved becomes its mean.
	flat := image.NewRGBA(image.Rect(0, 0, 301, 97))
	draw.Draw(flat, flat.Rect, image.NewUniform(color.RGBA{200, 100, 50, 255}), image.Point{}, draw.Src)
	out := shrink(flat, 128)
	if out.Rect.Dx() != 128 || out.Rect.Dy() != 41 {
		t.Fatalf("shrunk to %v", out.Rect)
	}
	for i := 0; i < len(out.Pix); i += 4 {
		if got := (color.RGBA{out.Pix[i], out.Pix[i+1], out.Pix[i+2], out.Pix[i+3]}); got != (color.RGBA{200, 100, 50, 255}) {
			t.Fatalf("pixel %d = %v", i/4, got)
		}
	}
	check := image.NewGray(image.Rect(0, 0, 64, 32))
	for y := 0; y < 32; y++ {
		for x := 0; x < 64; x++ {
			if (x+y)%2 == 0 {
				check.Pix[y*check.Stride+x] = 255
			}
		}
	}
	half := shrink(check, 32)
	for i := 0; i < len(half.Pix); i += 4 {
		if v := half.Pix[i]; v < 127 || v > 128 {
			t.Fatalf("halved checkerboard pixel %d = %d, want 127–128", i/4, v)
		}
	}

	// Memory: a 12 MP photo shrinks to 2560 px holding little more than the result (x/image/draw's
	// CatmullRom held 245 MB here).
	src := image.NewYCbCr(image.Rect(0, 0, 4000, 3000), image.YCbCrSubsampleRatio420)
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	big := shrink(src, maxSide)
	runtime.ReadMemStats(&ms1)
	if big.Rect.Dx() != 2560 || big.Rect.Dy() != 1920 {
		t.Errorf("shrunk to %v", big.Rect)
	}
	if alloc := ms1.TotalAlloc - ms0.TotalAlloc; alloc > 32<<20 {
		t.Errorf("shrinking 12 MP allocated %d MB", alloc>>20)
	}
}

// decodeCall is a call of any image decoder; uploads must go through this package, which checks
// the declared size first.
var decodeCall = regexp.MustCompile(`\b(image|jpeg|png|gif|webp|bmp|tiff|vp8|vp8l)\.Decode(Config)?\(`)

// TestOnlyMediaDecodes proves that every decode of an uploaded image goes through Process: no
// other non-test Go file of the module calls a decoder (nor image.Decode, which would decode any
// registered format unchecked).
func TestOnlyMediaDecodes(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found at %s", root)
	}
	here, _ := filepath.Abs(".")
	seen := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || filepath.Dir(path) == here {
			return nil
		}
		seen++
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if m := decodeCall.Find(b); m != nil {
			rel, _ := filepath.Rel(root, path)
			t.Errorf("%s calls %s: decode uploads with media.Process (or media.Check + Checked.Process)", rel, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen < 50 {
		t.Fatalf("walked only %d Go files under %s", seen, root)
	}
}
