// Package media turns uploaded photos into safe, small files: the type is sniffed from the
// content (never trusted from the client), the size is limited, and every image is decoded and
// re-encoded, which drops EXIF and anything else hidden in the file. The GPS position, if the
// camera recorded one, is read first and kept, because a photo's location is evidence for a work
// order. Files are content-addressed: the same photo uploaded twice is stored once.
package media

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	_ "image/png" // decoders for the accepted types
	"io"
	"net/http"
	"os"
	"path/filepath"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp"
)

// MaxBytes is the largest accepted upload.
const MaxBytes = 10 << 20

const (
	maxSide   = 2560 // longest side kept for the stored photo
	thumbSide = 320
)

// ErrTooLarge and ErrNotImage are the two ways an upload is refused.
var (
	ErrTooLarge = fmt.Errorf("larger than %d MiB", MaxBytes>>20)
	ErrNotImage = errors.New("not a JPEG, PNG or WebP image")
)

// Photo is a processed upload.
type Photo struct {
	ID            string // sha256 of the stored JPEG
	Mime          string // of the original
	Width, Height int
	Lat, Lng      *float64 // from the original's EXIF GPS, when present
	Full, Thumb   []byte   // JPEG
}

// Process reads at most MaxBytes from r and returns the cleaned photo and its thumbnail.
func Process(r io.Reader) (Photo, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return Photo{}, err
	}
	if len(raw) > MaxBytes {
		return Photo{}, ErrTooLarge
	}
	mime := http.DetectContentType(raw)
	switch mime {
	case "image/jpeg", "image/png", "image/webp":
	default:
		return Photo{}, fmt.Errorf("%w (the content is %s)", ErrNotImage, mime)
	}
	img, _, err := image.Decode(bytes.NewReader(raw))
	if err != nil {
		return Photo{}, fmt.Errorf("%w: cannot decode: %v", ErrNotImage, err)
	}
	p := Photo{Mime: mime}
	if mime == "image/jpeg" {
		p.Lat, p.Lng = gpsFromJPEG(raw)
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

func fit(img image.Image, side int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= side && h <= side {
		return img
	}
	if w >= h {
		h, w = max(1, h*side/w), side
	} else {
		w, h = max(1, w*side/h), side
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	return dst
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
