package consult

import (
	"net/http"
	"strconv"

	"github.com/civicgrid/civicgrid/internal/consult"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// portalSummary is the consultations' section of the public portal: how many are open now and
// the titles of the first ones (public consultations only; no answer, no resident).
func (s *handlers) portalSummary(r *http.Request, town places.Region, lang string) ([]kit.PortalLine, error) {
	T := kit.Translator(lang)
	list, err := s.service().List(r.Context(), []string{town.Code}, consult.Filter{Public: true})
	if err != nil {
		return nil, err
	}
	var open []consult.Consultation
	for _, x := range list {
		if x.Status == consult.StatusOpen {
			open = append(open, x)
		}
	}
	lines := []kit.PortalLine{{Figure: strconv.Itoa(len(open)), Text: T("cs.portal open now")}}
	for i, x := range open {
		if i == 2 {
			break
		}
		lines = append(lines, kit.PortalLine{Text: x.Title, Href: "/portal/consultations/" + strconv.FormatInt(x.ID, 10)})
	}
	return lines, nil
}
