package volunteers

import (
	"net/http"

	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// writeQR answers with text as a QR code in SVG (kit.QRSVG), as an image of its own.
func writeQR(w http.ResponseWriter, text string) error {
	svg, err := kit.QRSVG(text, "vol-qr")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	_, err = w.Write([]byte(svg))
	return err
}
