package projects

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/projects"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// portalSummary is the projects' section of the public portal: the latest published ballot
// (year, seats filled, the first projects chosen) and how many proposals this year's collection
// has received. Titles and counts only; proposals' authors never appear.
func (s *handlers) portalSummary(r *http.Request, town places.Region, lang string) ([]kit.PortalLine, error) {
	T := kit.Translator(lang)
	var lines []kit.PortalLine
	rs, err := s.published(r.Context(), town.Code)
	if err != nil {
		return nil, err
	}
	if len(rs) > 0 {
		last := rs[0]
		lines = append(lines, kit.PortalLine{Figure: strconv.Itoa(len(last.Chosen)), Text: fmt.Sprintf(T("pj.portal chosen"), last.Year),
			Href: kit.PortalHref("/portal/projects/"+strconv.Itoa(last.Year), town.Code)})
		for i, c := range last.Chosen {
			if i == 2 {
				break
			}
			lines = append(lines, kit.PortalLine{Text: c.Title})
		}
	}
	year := projects.ProposalYear(s.Orders.Now())
	ps, err := s.publicProposals(r, town.Code, projects.Filter{Year: year, Limit: 200})
	if err != nil {
		return nil, err
	}
	lines = append(lines, kit.PortalLine{Figure: strconv.Itoa(len(ps)), Text: fmt.Sprintf(T("pj.portal proposals"), year)})
	return lines, nil
}
