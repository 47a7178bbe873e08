package bookings

import (
	"html/template"

	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// qrSVG draws text as a booking's QR code (kit.QRSVG).
func qrSVG(text string) (template.HTML, error) { return kit.QRSVG(text, "bk-qr") }
