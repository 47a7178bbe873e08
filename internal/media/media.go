// Package media turns uploaded photos into safe, small files: the type is sniffed from the
// content (never trusted from the client), the size is limited, and every image is decoded and
// re-encoded, which drops EXIF and anything else hidden in the file. The GPS position, if the
// camera recorded one, is read first and kept, because a photo's location is evidence for a work
// order. Files are content-addressed: the same photo uploaded twice is stored once.
//
// Decoding is where an upload costs memory and time, and a few kilobytes can declare an image of
// billions of pixels (a decompression bomb). So every photo goes through two steps: Check reads
// only the header (image.DecodeConfig of the sniffed format) and refuses anything over the pixel
// budget, and only then does Checked.Process decode it, inside a server-wide gate that bounds how
// many decodes run at once and how much memory they may hold together. Process does both; it is
// the one entry point that decodes uploads (a test keeps every other package from decoding).
package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"golang.org/x/image/webp"

	"github.com/civicgrid/civicgrid/internal/problem"
)

// Limits of an accepted photo.
const (
	// MaxBytes is the largest accepted upload.
	MaxBytes = 10 << 20
	// MaxPixels is the pixel budget of one photo: the full resolution of today's 48–50 MP phone
	// sensors (8000×6000 up to 8192×6144 = 50.3 MP) with some headroom. Phones save 12–24 MP by
	// default; only the 64–200 MP "full resolution" modes go beyond, and are refused.
	MaxPixels = 52_000_000
	// MaxSide bounds either side: a 50 MP photo has 8192 px on its long side, a phone panorama
	// up to about 12,000; longer is a crafted file (or a panorama we do not need as evidence).
	MaxSide = 12_000
	// maxJPEGScans bounds the scans of a JPEG. Each scan walks the whole image again, so a small
	// progressive file of thousands of scans is a CPU bomb; encoders write 1 (baseline) to about
	// 10–20 (progressive).
	maxJPEGScans = 100
)

const (
	maxSide   = 2560 // longest side kept for the stored photo
	thumbSide = 320
)

// ErrTooLarge and ErrNotImage are the two ways an upload is refused; ErrBusy means it was not
// refused but could not be decoded in time because other photos held the decoders.
var (
	ErrTooLarge = fmt.Errorf("larger than %d MiB", MaxBytes>>20)
	ErrNotImage = errors.New("not a JPEG, PNG or WebP image")
	ErrBusy     = problem.New(problem.ErrUnavailable, "", "the server is busy processing other photos; try again in a minute")
)

// PixelError is a photo refused by its declared dimensions, before decoding. It matches
// ErrTooLarge with errors.Is.
type PixelError struct{ Width, Height int }

func (e *PixelError) Error() string {
	return fmt.Sprintf("%d×%d pixels is over the limit (at most %d pixels a side and %d megapixels in all)",
		e.Width, e.Height, MaxSide, MaxPixels/1_000_000)
}

// Is makes a PixelError an ErrTooLarge, so callers that map ErrTooLarge to 413 need no change.
func (e *PixelError) Is(target error) bool { return target == ErrTooLarge }

// Photo is a processed upload.
type Photo struct {
	ID            string // sha256 of the stored JPEG
	Mime          string // of the original
	Width, Height int
	Lat, Lng      *float64 // from the original's EXIF GPS, when present
	Full, Thumb   []byte   // JPEG
}

// Checked is an upload whose size, type and declared dimensions passed the limits, not yet
// decoded.
type Checked struct {
	raw    []byte
	mime   string
	cfg    image.Config
	memory int64 // what decoding it will hold at its peak, estimated
}

// Width and Height are the dimensions the file declares.
func (c Checked) Width() int  { return c.cfg.Width }
func (c Checked) Height() int { return c.cfg.Height }

// Check reads at most MaxBytes from r and refuses what is too large, not an accepted image, or
// declares more pixels than the budget. It reads headers only and never decodes pixels.
func Check(r io.Reader) (Checked, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return Checked{}, err
	}
	if len(raw) > MaxBytes {
		refusals.Add(1)
		return Checked{}, ErrTooLarge
	}
	c, err := check(raw)
	if err != nil {
		refusals.Add(1)
	}
	return c, err
}

func check(raw []byte) (Checked, error) {
	c := Checked{raw: raw, mime: http.DetectContentType(raw)}
	// Each accepted format is decoded by its own package, never through image.Decode: the
	// registry holds whatever formats some import registered, and a format is accepted only
	// after its DecodeConfig was checked to tell the truth (see decodeConfig).
	var err error
	switch c.mime {
	case "image/jpeg":
		if n := bytes.Count(raw, []byte{0xFF, 0xDA}); n > maxJPEGScans {
			// Every start-of-scan marker is these two bytes (0xFF is escaped inside scan data), so
			// the count is at least the number of scans.
			return Checked{}, fmt.Errorf("%w: a JPEG of %d scans (at most %d)", ErrNotImage, n, maxJPEGScans)
		}
		c.cfg, err = jpeg.DecodeConfig(bytes.NewReader(raw))
	case "image/png":
		c.cfg, err = png.DecodeConfig(bytes.NewReader(raw))
	case "image/webp":
		c.cfg, err = webp.DecodeConfig(bytes.NewReader(raw))
	default:
		return Checked{}, fmt.Errorf("%w (the content is %s)", ErrNotImage, c.mime)
	}
	if err != nil {
		return Checked{}, fmt.Errorf("%w: cannot decode its header: %v", ErrNotImage, err)
	}
	w, h := c.cfg.Width, c.cfg.Height
	if w <= 0 || h <= 0 {
		return Checked{}, fmt.Errorf("%w: %d×%d pixels", ErrNotImage, w, h)
	}
	if w > MaxSide || h > MaxSide || int64(w)*int64(h) > MaxPixels {
		return Checked{}, &PixelError{Width: w, Height: h}
	}
	c.memory = decodeMemory(c.mime, c.cfg, raw)
	return c, nil
}

// decodeMemory estimates the bytes that decoding and shrinking hold at their peak, from what the
// decoders allocate for each format and colour model.
func decodeMemory(mime string, cfg image.Config, raw []byte) int64 {
	px := int64(cfg.Width) * int64(cfg.Height)
	var perPixel int64
	switch mime {
	case "image/jpeg":
		comps := int64(3)
		switch cfg.ColorModel {
		case color.GrayModel:
			comps, perPixel = 1, 1
		case color.CMYKModel:
			comps, perPixel = 4, 8 // YCbCr + K planes, then the CMYK image
		case color.RGBAModel:
			perPixel = 7 // YCbCr planes, then the RGBA image
		default:
			perPixel = 3 // YCbCr, 4:4:4 at worst
		}
		// A progressive JPEG keeps every coefficient (an int32 each) until the last scan. 0xFF
		// 0xC2 (start of a progressive frame) cannot occur inside scan data; in metadata it only
		// makes the estimate pessimistic.
		if bytes.Contains(raw, []byte{0xFF, 0xC2}) {
			perPixel += 4 * comps
		}
	case "image/png":
		switch cfg.ColorModel {
		case color.GrayModel:
			perPixel = 1
		case color.Gray16Model:
			perPixel = 2
		case color.RGBAModel, color.NRGBAModel:
			perPixel = 4
		case color.RGBA64Model, color.NRGBA64Model:
			perPixel = 8
		default:
			perPixel = 1 // paletted
		}
		if len(raw) > 28 && raw[28] == 1 { // Adam7 interlacing: one image per pass, then the whole
			perPixel *= 2
		}
	default: // WebP: lossless decodes to NRGBA and transforms it; lossy to YCbCr (+ alpha)
		perPixel = 8
	}
	// Besides the decoded image: the shrunk copy, its JPEG, the thumbnail (bounded by maxSide).
	return px*perPixel + 32<<20
}

// Process checks and then decodes one upload, waiting at most DecodeWait for the decoders; use
// ProcessContext where a request's context should bound the wait.
func Process(r io.Reader) (Photo, error) {
	ctx, cancel := context.WithTimeout(context.Background(), DecodeWait)
	defer cancel()
	return ProcessContext(ctx, r)
}

// ProcessContext is Check followed by Checked.Process.
func ProcessContext(ctx context.Context, r io.Reader) (Photo, error) {
	c, err := Check(r)
	if err != nil {
		return Photo{}, err
	}
	return c.Process(ctx)
}

// Process decodes the checked upload and returns the cleaned photo and its thumbnail. It waits
// for room in the server-wide decode gate first; when ctx ends before there is room it returns
// ErrBusy (wrapping the context's error).
func (c Checked) Process(ctx context.Context) (Photo, error) {
	if c.raw == nil {
		return Photo{}, fmt.Errorf("%w: not checked", ErrNotImage)
	}
	release, err := decodes.enter(ctx, c.memory)
	if err != nil {
		return Photo{}, fmt.Errorf("%w (%v)", ErrBusy, err)
	}
	defer release()
	decoded.Add(1)
	var img image.Image
	switch c.mime {
	case "image/jpeg":
		img, err = jpeg.Decode(bytes.NewReader(c.raw))
	case "image/png":
		img, err = png.Decode(bytes.NewReader(c.raw))
	case "image/webp":
		img, err = webp.Decode(bytes.NewReader(c.raw))
	}
	if err != nil {
		return Photo{}, fmt.Errorf("%w: cannot decode: %v", ErrNotImage, err)
	}
	if b := img.Bounds(); b.Dx() != c.cfg.Width || b.Dy() != c.cfg.Height {
		// The decoders check this themselves; should one ever not, the file lied about its size.
		return Photo{}, fmt.Errorf("%w: declares %d×%d but holds %d×%d", ErrNotImage, c.cfg.Width, c.cfg.Height, b.Dx(), b.Dy())
	}
	p := Photo{Mime: c.mime}
	if c.mime == "image/jpeg" {
		p.Lat, p.Lng = gpsFromJPEG(c.raw)
	}
	full := fit(img, maxSide)
	p.Width, p.Height = full.Bounds().Dx(), full.Bounds().Dy()
	if p.Full, err = encode(full, 85); err != nil {
		return Photo{}, err
	}
	if p.Thumb, err = encode(fit(full, thumbSide), 75); err != nil {
		return Photo{}, err
	}
	sum := sha256.Sum256(p.Full)
	p.ID = hex.EncodeToString(sum[:])
	return p, nil
}

// decoded and refusals count what Process decoded and what Check refused since the start.
var decoded, refusals atomic.Uint64

// Stats returns how many uploads were decoded and how many were refused before decoding since the
// process started (for metrics, and for tests that prove a refusal decoded nothing).
func Stats() (decodedPhotos, refused uint64) { return decoded.Load(), refusals.Load() }

// DecodeWait is how long Process (without a context of its own) waits for the decode gate.
const DecodeWait = 30 * time.Second

func fit(img image.Image, side int) image.Image {
	b := img.Bounds()
	if b.Dx() <= side && b.Dy() <= side {
		return img
	}
	return shrink(img, side)
}

func encode(img image.Image, quality int) ([]byte, error) {
	var buf bytes.Buffer
	err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality})
	return buf.Bytes(), err
}

// Store keeps photos under a directory, two hex characters of fan-out deep.
type Store struct{ Dir string }

// Path returns where a photo (thumb: its thumbnail) lives; ids are validated hex.
func (s Store) Path(id string, thumb bool) (string, error) {
	if len(id) != 64 {
		return "", fmt.Errorf("bad photo id %q", id)
	}
	if _, err := hex.DecodeString(id); err != nil {
		return "", fmt.Errorf("bad photo id %q", id)
	}
	name := id + ".jpg"
	if thumb {
		name = id + "_t.jpg"
	}
	return filepath.Join(s.Dir, id[:2], name), nil
}

// Save writes both files atomically (write to a temporary name, then rename).
func (s Store) Save(p Photo) error {
	for _, part := range []struct {
		thumb bool
		data  []byte
	}{{false, p.Full}, {true, p.Thumb}} {
		path, err := s.Path(p.ID, part.thumb)
		if err != nil {
			return err
		}
		if _, err := os.Stat(path); err == nil {
			continue // content-addressed: already there
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return err
		}
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, part.data, 0o640); err != nil {
			return err
		}
		if err := os.Rename(tmp, path); err != nil {
			return err
		}
	}
	return nil
}
