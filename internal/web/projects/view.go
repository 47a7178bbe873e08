package projects

import (
	"net/http"
	"strconv"

	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/projects"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// residentAuthored reports whether p's author is a private person (a resident, or one for whom a
// grid worker proposed): their name and phone are personal data. A deputy's, committee's or
// department's name is not.
func residentAuthored(p projects.Proposal) bool {
	return p.Source == projects.SourceResident || p.Source == projects.SourceGridWorker
}

// masked is p as anyone may see it: a resident author's name masked, no phone, no follow code.
func masked(p projects.Proposal) projects.Proposal {
	if residentAuthored(p) {
		p.AuthorName = privacy.MaskName(p.AuthorName)
	}
	p.AuthorPhone, p.Code, p.AuthorID, p.EnteredBy = "", "", 0, 0
	return p
}

// shown is ps as c may see them: whole for the author and the roles privacy.Proposals names,
// masked for everyone else; the records shown whole are written to one audit row.
func (s *handlers) shown(r *http.Request, c *kit.Caller, ps []projects.Proposal) ([]projects.Proposal, error) {
	v := kit.Viewer(r, c)
	log := kit.ShownLog(r, privacy.Proposals)
	out := make([]projects.Proposal, len(ps))
	for i, p := range ps {
		own := c.User.ID != 0 && (p.AuthorID == c.User.ID || p.EnteredBy == c.User.ID)
		switch {
		case !residentAuthored(p):
			p.AuthorPhone = ""
		case own:
		case v.Whole(privacy.Proposals, privacy.Facts{Town: p.TownCode, Grid: p.Grid}):
			if p.AuthorPhone != "" || p.AuthorName != "" {
				log.Add(strconv.FormatInt(p.ID, 10), p.TownCode)
			}
		default:
			id, entered := p.AuthorID, p.EnteredBy
			p = masked(p)
			p.AuthorID, p.EnteredBy = id, entered
		}
		p.Code = ""
		out[i] = p
	}
	return out, s.RecordShown(r, c, log)
}

func (s *handlers) shownOne(r *http.Request, c *kit.Caller, p projects.Proposal) (projects.Proposal, error) {
	ps, err := s.shown(r, c, []projects.Proposal{p})
	if err != nil {
		return p, err
	}
	return ps[0], nil
}

// labels maps codes to names in lang.
func labels(ls []projects.Label, lang string) map[string]string {
	m := map[string]string{}
	for _, l := range ls {
		m[l.Code] = l.Name(lang)
	}
	return m
}

// roundParam reads the {round} of a path.
func roundParam(r *http.Request) (int, error) {
	n, err := strconv.Atoi(r.PathValue("round"))
	if err != nil || n < 1 || n > 100 {
		return 0, problem.Field("round", "%q is not a round number", r.PathValue("round"))
	}
	return n, nil
}

// yearParam reads the {year} of a path.
func yearParam(r *http.Request) (int, error) {
	n, err := strconv.Atoi(r.PathValue("year"))
	if err != nil || n < 2000 || n > 2100 {
		return 0, problem.Field("year", "%q is not a year", r.PathValue("year"))
	}
	return n, nil
}

// titles maps the proposals of a town (by id) to their titles, for the session and result pages.
func (s *handlers) titles(r *http.Request, towns []string, year int) (map[int64]projects.Proposal, error) {
	ps, err := s.service().List(r.Context(), towns, projects.Filter{Year: year})
	if err != nil {
		return nil, err
	}
	out := map[int64]projects.Proposal{}
	for _, p := range ps {
		out[p.ID] = masked(p)
	}
	return out, nil
}
