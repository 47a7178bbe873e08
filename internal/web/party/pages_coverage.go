package party

import (
	"bytes"
	"html/template"
	"net/http"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/party"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// pin is an entity on the coverage map.
type pin struct {
	Name   string  `json:"name"`
	Kind   string  `json:"kind"`
	Lat    float64 `json:"lat"`
	Lng    float64 `json:"lng"`
	Status string  `json:"status"` // full, org, work, none
}

// coverageData is what coverage.html shows.
type coverageData struct {
	R           party.Report
	Towns       []string
	Kinds       map[string]string
	Pins        []pin
	Labels      map[string]string
	GridNames   map[string]string
	VisitStatus map[string]string // a campaign visit's status by code
}

func (s *handlers) coveragePage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	lang := kit.Language(w, r)
	t, err := kit.CallerTown(r, c)
	if err != nil {
		return err
	}
	rep, err := s.service().Coverage(r.Context(), c.Towns, t)
	if err != nil {
		return err
	}
	T := kit.Translator(lang)
	d := coverageData{R: rep, Towns: c.Towns, Kinds: labels(party.EntityKinds, lang), GridNames: map[string]string{}, VisitStatus: party.VisitStatuses(lang),
		Labels: map[string]string{"entities": T("pt.entities"), "org": T("pt.org coverage"), "work": T("pt.work coverage"), "full": T("pt.full coverage"),
			"full_pct": T("pt.full pct"), "org_pct": T("pt.org pct"), "work_pct": T("pt.work pct")}}
	for _, g := range rep.ByGrid {
		d.GridNames[g.Grid] = g.GridName
	}
	for _, e := range rep.Entities {
		if e.Lat == 0 {
			continue
		}
		st := "none"
		o, wk := e.OrgCovered(rep.Day), e.WorkCovered(rep.Day)
		switch {
		case o && wk:
			st = "full"
		case o:
			st = "org"
		case wk:
			st = "work"
		}
		d.Pins = append(d.Pins, pin{e.Name, d.Kinds[e.Kind], e.Lat, e.Lng, st})
	}
	return s.Render(w, r, http.StatusOK, "coverage", kit.PageData{Title: "pt.coverage title", Data: d})
}

// homePanel is a leader's figures of party work: the town's full coverage and the council's
// open tasks.
func (s *handlers) homePanel(r *http.Request, c *kit.Caller, lang string) (template.HTML, error) {
	if c.User.Role != auth.RoleLeader || len(c.Towns) == 0 || c.User.TownCode == "" {
		return "", nil
	}
	svc := s.service()
	rep, err := svc.Coverage(r.Context(), c.Towns, c.User.TownCode)
	if err != nil {
		return "", err
	}
	ts, err := svc.Tasks(r.Context(), c.Towns, party.TaskFilter{Status: party.TaskOpen, Limit: 6})
	if err != nil {
		return "", err
	}
	t, err := s.panels.Clone()
	if err != nil {
		return "", err
	}
	t.Funcs(template.FuncMap{"T": kit.Translator(lang)})
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "party_home", map[string]any{"R": rep, "Tasks": ts}); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil // #nosec: executed by html/template
}
