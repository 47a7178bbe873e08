package party

import (
	"net/http"
	"strconv"

	"github.com/civicgrid/civicgrid/internal/party"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// publicSite is a place of the practice network as anyone sees it: a public building with what
// it offers. Links (which may be internal pages) stay inside.
type publicSite struct {
	TownCode   string  `json:"town"`
	Kind       string  `json:"kind"`
	KindName   string  `json:"kind_name"`
	Name       string  `json:"name"`
	Enterprise bool    `json:"enterprise"`
	Offers     string  `json:"offers"`
	Lat        float64 `json:"lat"`
	Lng        float64 `json:"lng"`
}

// portalNetworkPage is the public map of a town's practice network (/portal/network).
func (s *handlers) portalNetworkPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	lang := kit.Language(w, r)
	t, _, err := s.PublicTown(r, nil)
	if err != nil {
		return err
	}
	sites, n, err := s.service().Network(r.Context(), []string{t.Code})
	if err != nil {
		return err
	}
	views := make([]publicSite, len(sites))
	for i, x := range sites {
		views[i] = publicSite{TownCode: x.TownCode, Kind: x.Kind, KindName: party.LabelOf(party.NetworkKinds, x.Kind, lang), Name: x.Name,
			Enterprise: x.Enterprise, Offers: x.Offers, Lat: x.Lat, Lng: x.Lng}
	}
	T := kit.Translator(lang)
	return s.Render(w, r, http.StatusOK, "party_portal_network", kit.PageData{Title: "pt.portal entry", Data: map[string]any{
		"Town": t, "Sites": views, "Count": n, "Labels": map[string]string{"offers": T("pt.offers"), "enterprise": T("pt.enterprise")}}})
}

// portalSummary is the network's section of the public portal: centres, stations and points (the "1+N+N" shape).
func (s *handlers) portalSummary(r *http.Request, town places.Region, lang string) ([]kit.PortalLine, error) {
	T := kit.Translator(lang)
	_, n, err := s.service().Network(r.Context(), []string{town.Code})
	if err != nil {
		return nil, err
	}
	// Only the kinds the town has: a town without a mapped network shows no card of zeros (its
	// button still leads to the map).
	var lines []kit.PortalLine
	for _, k := range []struct {
		n   int
		key string
	}{{n.Centres, "pt.centres"}, {n.Stations, "pt.stations"}, {n.Points, "pt.points"}} { // enterprises' points are among the points
		if k.n > 0 {
			lines = append(lines, kit.PortalLine{Figure: strconv.Itoa(k.n), Text: T(k.key)})
		}
	}
	return lines, nil
}
