package bookings

import (
	"net/http"
	"strconv"

	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// portalSummary is the bookings' section of the public portal: how many places of the town take
// bookings and the names of the first ones (places, never bookers).
func (s *handlers) portalSummary(r *http.Request, town places.Region, lang string) ([]kit.PortalLine, error) {
	T := kit.Translator(lang)
	list, err := s.svc().Resources(r.Context(), []string{town.Code})
	if err != nil {
		return nil, err
	}
	lines := []kit.PortalLine{{Figure: strconv.Itoa(len(list)), Text: T("bk.portal bookable")}}
	for i, res := range list {
		if i == 3 {
			break
		}
		lines = append(lines, kit.PortalLine{Text: res.DisplayName(lang), Href: "/portal/bookings/" + strconv.FormatInt(res.ID, 10)})
	}
	return lines, nil
}
