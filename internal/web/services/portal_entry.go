package services

import (
	"net/http"
	"strconv"

	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/services"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// portalSummary is the catalogue's card on a town's portal front page: how many items each
// catalogue offers (public figures only — no request, no requester).
func (s *handlers) portalSummary(r *http.Request, town places.Region, lang string) ([]kit.PortalLine, error) {
	T := kit.Translator(lang)
	var lines []kit.PortalLine
	for _, cat := range services.Catalogues {
		tree, err := s.svc().Catalogue(r.Context(), town.Code, cat.Code, false)
		if err != nil {
			return nil, err
		}
		n := services.Count(tree)
		if n.Items == 0 {
			continue
		}
		lines = append(lines, kit.PortalLine{
			Figure: strconv.Itoa(n.Items),
			Text:   T("sv.portal items") + " · " + cat.Name(lang),
			Href:   kit.PortalHref("/portal/services?catalogue="+cat.Code, town.Code),
		})
	}
	return lines, nil
}
