package volunteers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unicode/utf8"

	"codeberg.org/go-pdf/fpdf"
	qr "github.com/piglig/go-qr"
)

// A certificate PDF embeds two TrueType fonts: one with Chinese glyphs and one with Latin ones,
// because the freely packaged CJK TrueType fonts either lack Latin glyphs (Droid Sans Fallback)
// or come as collections or CFF outlines (Noto CJK, WenQuanYi) that fpdf cannot embed. Each run
// of text is set in the font that has its characters.
//
// The paths are CIVICGRID_PDF_FONT_CJK and CIVICGRID_PDF_FONT_LATIN when set, else the first of
// the defaults that exists (Debian: fonts-droid-fallback, fonts-dejavu-core).
var (
	cjkFontPaths = []string{
		"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
		"/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf",
		"/usr/share/fonts/truetype/arphic/gbsn00lp.ttf",
	}
	latinFontPaths = []string{
		"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
		"/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
	}
)

// errNoPDFFont says the server has no font to set a certificate's Chinese text in.
var errNoPDFFont = errors.New("no TrueType font with Chinese glyphs found")

// pdfFonts holds the font files read once per path (the CJK one is several megabytes).
var pdfFonts sync.Map // path → []byte

func loadFont(env string, defaults []string) ([]byte, string, error) {
	paths := defaults
	if p := strings.TrimSpace(os.Getenv(env)); p != "" {
		paths = []string{p}
	}
	for _, p := range paths {
		if b, ok := pdfFonts.Load(p); ok {
			return b.([]byte), p, nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if !strings.EqualFold(filepath.Ext(p), ".ttf") || len(b) < 4 || !bytes.Equal(b[:4], []byte{0, 1, 0, 0}) {
			return nil, p, fmt.Errorf("%s: %s is not a TrueType (.ttf, glyf outlines) font", env, p)
		}
		pdfFonts.Store(p, b)
		return b, p, nil
	}
	return nil, "", fmt.Errorf("%w (%s, or one of %s)", errNoPDFFont, env, strings.Join(paths, ", "))
}

// certPDF is what a certificate's PDF prints, its labels already in the reader's language.
type certPDF struct {
	Title, NumberLabel, Number string
	Body                       string
	Rows                       [][2]string // label, value; a row of two pairs is split in the table
	VerifyLabel, VerifyURL     string
	Issuer, Seal, Issued       string
}

// writeCertificatePDF sets one A4 page: the heading, the number, the statement, the table of the
// rules' fields, the verification QR code (its modules drawn as rectangles, from the same QR
// library as kit.QRSVG) with the link, and the issuer's signature block with room for the seal.
func writeCertificatePDF(w io.Writer, d certPDF) error {
	cjk, _, err := loadFont("CIVICGRID_PDF_FONT_CJK", cjkFontPaths)
	if err != nil {
		return err
	}
	latin, _, err := loadFont("CIVICGRID_PDF_FONT_LATIN", latinFontPaths)
	if err != nil {
		return err
	}
	p := fpdf.New("P", "mm", "A4", "")
	p.SetCreator("CivicGrid", true)
	p.SetTitle(d.Title+" "+d.Number, true)
	p.AddUTF8FontFromBytes("cjk", "", cjk)
	p.AddUTF8FontFromBytes("latin", "", latin)
	p.SetAutoPageBreak(false, 0)
	p.SetMargins(20, 20, 20)
	p.AddPage()
	t := &pdfText{p: p}

	// Frame.
	p.SetLineWidth(0.8)
	p.Rect(12, 12, 186, 273, "D")
	p.SetLineWidth(0.2)
	p.Rect(14, 14, 182, 269, "D")

	t.size = 24
	t.centred(105, 38, d.Title)
	t.size = 10
	t.right(190, 50, d.NumberLabel+"："+d.Number)

	t.size = 12.5
	y := t.paragraph(20, 62, 170, 7.5, d.Body)

	// The table: label column 34 mm, value column 136 mm; values wrap.
	y += 6
	t.size = 11
	const x0, lw, vw = 20.0, 34.0, 136.0
	for _, row := range d.Rows {
		lines := t.wrap(row[1], vw-6)
		h := float64(len(lines))*6 + 4
		p.SetFillColor(242, 242, 242)
		p.Rect(x0, y, lw, h, "FD")
		p.Rect(x0+lw, y, vw, h, "D")
		t.left(x0+3, y+4+4.2, row[0])
		for i, l := range lines {
			t.left(x0+lw+3, y+4+4.2+float64(i)*6, l)
		}
		y += h
	}

	// Issuer, seal and date, right-aligned under the table.
	t.size = 12
	t.right(190, y+14, d.Issuer)
	t.right(190, y+24, d.Seal)
	t.right(190, y+34, d.Issued)

	// Verification QR and link.
	y += 44
	q, err := qr.EncodeText(d.VerifyURL, qr.Medium)
	if err != nil {
		return fmt.Errorf("QR code: %w", err)
	}
	const side = 36.0
	m := side / float64(q.Size())
	p.SetFillColor(0, 0, 0)
	for j := range q.Size() {
		for i := range q.Size() {
			if q.Module(i, j) {
				p.Rect(x0+float64(i)*m, y+float64(j)*m, m, m, "F")
			}
		}
	}
	t.size = 9
	t.left(x0+side+5, y+8, d.VerifyLabel)
	for i, l := range t.wrap(d.VerifyURL, 190-x0-side-5) {
		t.left(x0+side+5, y+14+float64(i)*4.5, l)
	}

	if err := p.Error(); err != nil {
		return err
	}
	return p.Output(w)
}

// pdfText sets mixed Chinese and Latin text, choosing the font per run of characters.
type pdfText struct {
	p    *fpdf.Fpdf
	size float64
}

// isCJK tells which font a character needs: CJK scripts, their punctuation and full-width forms
// from the CJK font, everything else from the Latin one.
func isCJK(r rune) bool { return r >= 0x2E80 }

// runs splits s at the changes between the fonts.
func runs(s string) []string {
	var out []string
	start := 0
	for i, r := range s {
		if i > start {
			prev, _ := utf8.DecodeLastRuneInString(s[:i])
			if isCJK(prev) != isCJK(r) {
				out = append(out, s[start:i])
				start = i
			}
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

func (t *pdfText) font(run string) {
	r, _ := utf8.DecodeRuneInString(run)
	if isCJK(r) {
		t.p.SetFont("cjk", "", t.size)
	} else {
		t.p.SetFont("latin", "", t.size)
	}
}

func (t *pdfText) width(s string) float64 {
	var w float64
	for _, r := range runs(s) {
		t.font(r)
		w += t.p.GetStringWidth(r)
	}
	return w
}

// left sets s with its baseline at (x, y).
func (t *pdfText) left(x, y float64, s string) {
	for _, r := range runs(s) {
		t.font(r)
		t.p.Text(x, y, r)
		x += t.p.GetStringWidth(r)
	}
}

func (t *pdfText) right(x, y float64, s string)   { t.left(x-t.width(s), y, s) }
func (t *pdfText) centred(x, y float64, s string) { t.left(x-t.width(s)/2, y, s) }

// wrap breaks s into lines no wider than width: between any two CJK characters, and at spaces
// (or anywhere, for a word longer than a line) in Latin text.
func (t *pdfText) wrap(s string, width float64) []string {
	var lines []string
	var line []rune
	lastBreak := -1 // index in line after which it may break
	for _, r := range s {
		line = append(line, r)
		if r == ' ' || isCJK(r) {
			lastBreak = len(line)
		}
		if t.width(string(line)) <= width || len(line) == 1 {
			continue
		}
		cut := len(line) - 1
		if lastBreak > 0 && lastBreak < len(line) && !isCJK(r) {
			cut = lastBreak
		}
		lines = append(lines, strings.TrimRight(string(line[:cut]), " "))
		line = append([]rune(nil), line[cut:]...)
		lastBreak = -1
	}
	if len(line) > 0 || len(lines) == 0 {
		lines = append(lines, string(line))
	}
	return lines
}

// paragraph sets s wrapped in width from (x, y), lines apart by lh, and returns the y below it.
func (t *pdfText) paragraph(x, y, width, lh float64, s string) float64 {
	for _, l := range t.wrap(s, width) {
		y += lh
		t.left(x, y, l)
	}
	return y + lh/2
}
