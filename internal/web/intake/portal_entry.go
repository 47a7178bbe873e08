package intake

import (
	"net/http"
	"strconv"
	"time"

	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// reportSummary is the report section of the public portal: how many of the town's orders were
// closed in the last 30 days — one figure, no order, no resident.
func (s *handlers) reportSummary(r *http.Request, town places.Region, lang string) ([]kit.PortalLine, error) {
	T := kit.Translator(lang)
	since := s.Orders.Now().Add(-30 * 24 * time.Hour).UnixMilli()
	var n int
	if err := s.DB.QueryRow(r.Context(), `SELECT COUNT(*) FROM orders WHERE town_code = ? AND closed_at >= ?`, town.Code, since).Scan(&n); err != nil {
		return nil, err
	}
	return []kit.PortalLine{{Figure: strconv.Itoa(n), Text: T("res.portal closed 30d")}}, nil
}
