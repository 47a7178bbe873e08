package party

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/party"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// labels maps the codes of ls to their names in lang.
func labels(ls []party.Label, lang string) map[string]string {
	m := map[string]string{}
	for _, l := range ls {
		m[l.Code] = l.Name(lang)
	}
	return m
}

// treeData is what party_tree.html shows.
type treeData struct {
	Year     int
	Orgs     []*party.Org // depth first
	Kinds    map[string]string
	Sectors  map[string]string
	Members  int
	Honoured int
	Holders  int
	Chart    []chartRow // members and honours by top-level branch, for the chart
	Labels   map[string]string
	// MayManage adds and edits organisations; MayRoster imports rosters.
	MayManage, MayRoster bool
}

type chartRow struct {
	Name     string `json:"name"`
	Members  int    `json:"members"`
	Honoured int    `json:"honoured"`
}

func (s *handlers) treePage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	lang := kit.Language(w, r)
	y, err := s.year(r)
	if err != nil {
		return err
	}
	roots, err := s.service().Tree(r.Context(), c.Towns, y)
	if err != nil {
		return err
	}
	d := treeData{Year: y, Orgs: party.Flatten(roots), Kinds: labels(party.OrgKinds, lang), Sectors: labels(party.Sectors, lang),
		MayManage: party.MayManage(c.User), MayRoster: c.User.Can(auth.PermPartyRoster)}
	T := kit.Translator(lang)
	d.Labels = map[string]string{"members": T("pt.members"), "honoured": T("pt.honoured")}
	for _, o := range roots {
		d.Members += o.Total
		d.Honoured += o.HonouredTotal
		d.Holders += o.Holders
		for _, ch := range o.Children {
			d.Chart = append(d.Chart, chartRow{ch.Name, ch.Total, ch.HonouredTotal})
		}
	}
	return s.Render(w, r, http.StatusOK, "party_tree", kit.PageData{Title: "pt.tree title", Data: d})
}

// orgData is what party_org.html shows.
type orgData struct {
	Org     party.Org
	Parent  *party.Org
	Year    int
	Members []party.Member
	Masked  bool
	Kinds   map[string]string
	Sectors map[string]string
	Genders map[string]string
	// MayManage edits the organisation and adds one below it.
	MayManage bool
}

func (s *handlers) orgPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	lang := kit.Language(w, r)
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	y, err := s.year(r)
	if err != nil {
		return err
	}
	svc := s.service()
	o, ms, err := svc.Roster(r.Context(), c.Towns, id, y)
	if err != nil {
		return err
	}
	ms, whole, err := s.rosterAs(r, c, o, ms)
	if err != nil {
		return err
	}
	T := kit.Translator(lang)
	d := orgData{Org: o, Year: y, Members: ms, Masked: !whole, Kinds: labels(party.OrgKinds, lang), Sectors: labels(party.Sectors, lang),
		Genders: map[string]string{"male": T("pt.male"), "female": T("pt.female")}, MayManage: party.MayManage(c.User)}
	if o.ParentID != 0 {
		if p, err := svc.Org(r.Context(), c.Towns, o.ParentID, y); err == nil {
			d.Parent = &p
		}
	}
	return s.Render(w, r, http.StatusOK, "party_org", kit.PageData{Title: "pt.org title", Data: d})
}

// fieldStatus answers bad form input with its status (422) and the page again.
func fieldStatus(err error) (int, bool) {
	var fe *problem.FieldError
	if errors.As(err, &fe) {
		return http.StatusUnprocessableEntity, true
	}
	return 0, false
}

func idPath(format string, id int64) string { return fmt.Sprintf(format, id) }
