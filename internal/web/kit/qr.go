package kit

import (
	"fmt"
	"html/template"
	"strings"

	qr "github.com/piglig/go-qr"
)

// QRSVG draws text as a QR code (error correction M, a quiet zone of four modules) in an SVG of
// one path of dark modules on a white square: nothing in it comes from the text but the modules,
// so it is safe inline, crisp at any size and printable. class is the svg element's class (a
// constant of the caller's, never user input). Bookings' codes and volunteers' check-in and
// certificate links share it, so the product has one QR library.
func QRSVG(text, class string) (template.HTML, error) {
	q, err := qr.EncodeText(text, qr.Medium)
	if err != nil {
		return "", fmt.Errorf("QR code: %w", err)
	}
	n := q.Size()
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="%s" xmlns="http://www.w3.org/2000/svg" viewBox="-4 -4 %d %d" role="img" shape-rendering="crispEdges"><rect x="-4" y="-4" width="%d" height="%d" fill="#fff"/><path fill="#000" d="`,
		template.HTMLEscapeString(class), n+8, n+8, n+8, n+8)
	for y := range n {
		for x := range n {
			if q.Module(x, y) {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x, y)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return template.HTML(b.String()), nil
}
