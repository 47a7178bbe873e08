package results

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/results"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// portalSummary is the results' section of the public portal: the year's projects, how many are
// done and their mean progress. Figures only.
func (s *handlers) portalSummary(r *http.Request, town places.Region, lang string) ([]kit.PortalLine, error) {
	T := kit.Translator(lang)
	towns := []string{town.Code}
	year, err := s.yearOf(r, towns)
	if err != nil {
		return nil, err
	}
	list, err := s.svc().Year(r.Context(), towns, year)
	if err != nil {
		return nil, err
	}
	var projects, done int
	var sum float64
	for _, x := range list {
		if x.ParentID != 0 {
			continue
		}
		projects++
		sum += x.Progress
		if x.Status == results.StatusDone {
			done++
		}
	}
	if projects == 0 {
		return []kit.PortalLine{{Text: T("rs.portal none")}}, nil
	}
	return []kit.PortalLine{
		{Figure: strconv.Itoa(projects), Text: fmt.Sprintf(T("rs.portal projects"), year)},
		{Figure: strconv.Itoa(done), Text: T("rs.portal done")},
		{Figure: strconv.FormatFloat(sum/float64(projects), 'f', 0, 64) + "%", Text: T("rs.portal mean progress")},
	}, nil
}
