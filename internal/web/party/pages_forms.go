package party

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/civicgrid/civicgrid/internal/party"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// The page forms of the party-building office: organisations, agreements with commitments,
// needs and resources, and the practice network. A refused form comes back with what was typed
// and the field at fault named in the page's language (formError).

// indexed reads a field error's name such as "commitments[2].due" as its base ("commitments.due")
// and its index (2); -1 when it has none.
var indexed = regexp.MustCompile(`^([a-z_]+)\[(\d+)\](?:\.([a-z_]+))?$`)

// formError is err told in the page's language, the field at fault named by its label (a row of
// a list by its number: "承诺 3 的完成期限").
func formError(w http.ResponseWriter, r *http.Request, err error) (msg, field string) {
	lang := kit.Language(w, r)
	_, msg, field = kit.ErrorText(r, lang, err)
	var fe *problem.FieldError
	if !errors.As(err, &fe) || field == "" {
		return msg, field
	}
	T := kit.Translator(lang)
	base, nth := field, -1
	if m := indexed.FindStringSubmatch(field); m != nil {
		base = m[1]
		if m[3] != "" {
			base += "." + m[3]
		}
		nth, _ = strconv.Atoi(m[2])
	}
	key := "pt.field." + base
	if !kit.HasMessage(key) {
		return msg, field
	}
	name := T(key)
	if nth >= 0 {
		name = fmt.Sprintf(T("pt.field.nth"), name, nth+1)
	}
	if lang == "en" {
		return fmt.Sprintf(T("err.invalid.y"), name, fe.Reason), field
	}
	return fmt.Sprintf(T("err.invalid.x"), name), field
}

// lines splits a textarea into its non-empty trimmed lines, at most max (more is an error of field).
func lines(s, field string, max int) ([]string, error) {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	if len(out) > max {
		return nil, problem.Field(field, "at most %d lines", max)
	}
	return out, nil
}

// ---- organisations ----

// orgForm is the organisation form's state.
type orgForm struct {
	party.NewOrg
	ID int64 // 0: a new organisation
}

// orgFormData is what party_org_form.html shows.
type orgFormData struct {
	F       orgForm
	Orgs    []*party.Org // parents to choose from
	Kinds   []party.Label
	Sectors []party.Label
	Towns   []string
	Lang    string
}

func (s *handlers) renderOrgForm(w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, f orgForm, ferr error) error {
	roots, err := s.service().Tree(r.Context(), c.Towns, party.HonourYear(s.service().Clock()))
	if err != nil {
		return err
	}
	var parents []*party.Org
	for _, o := range party.Flatten(roots) {
		if o.Kind != party.KindBranch && o.ID != f.ID {
			parents = append(parents, o)
		}
	}
	title := "pt.org new"
	if f.ID != 0 {
		title = "pt.org edit"
	}
	pd := kit.PageData{Title: title, Data: orgFormData{F: f, Orgs: parents, Kinds: party.OrgKinds, Sectors: party.Sectors, Towns: c.Towns, Lang: kit.Language(w, r)}}
	if ferr != nil {
		pd.Error, pd.Field = formError(w, r, ferr)
	}
	return s.Render(w, r, status, "party_org_form", pd)
}

func (s *handlers) newOrgPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	f := orgForm{NewOrg: party.NewOrg{Kind: party.KindBranch}}
	if len(c.Towns) > 0 {
		f.TownCode = c.Towns[0]
	}
	if p, err := strconv.ParseInt(r.URL.Query().Get("parent"), 10, 64); err == nil {
		f.ParentID = p
	}
	return s.renderOrgForm(w, r, c, http.StatusOK, f, nil)
}

func (s *handlers) editOrgPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	o, err := s.service().Org(r.Context(), c.Towns, id, party.HonourYear(s.service().Clock()))
	if err != nil {
		return err
	}
	f := orgForm{ID: o.ID, NewOrg: party.NewOrg{TownCode: o.TownCode, ParentID: o.ParentID, Name: o.Name, Kind: o.Kind, Sector: o.Sector,
		Secretary: o.Secretary, Unit: o.Unit, Grid: o.Grid, Founded: o.Founded, Reported: o.Reported}}
	return s.renderOrgForm(w, r, c, http.StatusOK, f, nil)
}

func orgFormOf(r *http.Request) (orgForm, error) {
	f := orgForm{NewOrg: party.NewOrg{TownCode: r.PostFormValue("town"), Name: r.PostFormValue("name"), Kind: r.PostFormValue("kind"),
		Sector: r.PostFormValue("sector"), Secretary: r.PostFormValue("secretary"), Unit: r.PostFormValue("unit"), Grid: r.PostFormValue("grid"),
		Founded: r.PostFormValue("founded")}}
	if v := r.PostFormValue("parent_id"); v != "" {
		p, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return f, problem.Field("parent_id", "not an organisation")
		}
		f.ParentID = p
	}
	if v := strings.TrimSpace(r.PostFormValue("reported_members")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return f, problem.Field("reported_members", "is a whole number")
		}
		f.Reported = n
	}
	return f, nil
}

func (s *handlers) createOrgSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	f, err := orgFormOf(r)
	var o party.Org
	if err == nil {
		o, err = s.service().CreateOrg(r.Context(), c.Towns, f.NewOrg, c.User)
	}
	if status, ok := fieldStatus(err); ok {
		return s.renderOrgForm(w, r, c, status, f, err)
	}
	if err != nil {
		return err
	}
	kit.RedirectFlash(w, r, idPath("/party/orgs/%d", o.ID), kit.Translator(kit.Language(w, r))("pt.org saved"))
	return nil
}

func (s *handlers) updateOrgSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	f, err := orgFormOf(r)
	f.ID = id
	if err == nil {
		_, err = s.service().UpdateOrg(r.Context(), c.Towns, id, f.NewOrg, c.User)
	}
	if status, ok := fieldStatus(err); ok {
		return s.renderOrgForm(w, r, c, status, f, err)
	}
	if err != nil {
		return err
	}
	kit.RedirectFlash(w, r, idPath("/party/orgs/%d", id), kit.Translator(kit.Language(w, r))("pt.org saved"))
	return nil
}

// ---- needs and resources ----

// marketForm keeps the need and resource forms' input when one is refused.
type marketForm struct {
	Town, Area, NeedText, Grid, Unit, ResourceText, Note, Due string
	Need, Resource                                            int64
}

func (s *handlers) needSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	f := marketForm{Town: formTown(r, c), Area: r.PostFormValue("area"), NeedText: r.PostFormValue("text"), Grid: r.PostFormValue("grid")}
	_, err := s.service().AddNeed(r.Context(), c.Towns, party.Need{TownCode: f.Town, Area: f.Area, Text: f.NeedText, Grid: strings.TrimSpace(f.Grid)}, c.User)
	if status, ok := fieldStatus(err); ok {
		return s.renderMatchingForm(w, r, c, status, f, err, "need")
	}
	if err != nil {
		return err
	}
	kit.RedirectFlash(w, r, "/party/matching#pt-needs", kit.Translator(kit.Language(w, r))("pt.need added"))
	return nil
}

func (s *handlers) resourceSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	f := marketForm{Town: formTown(r, c), Unit: r.PostFormValue("unit"), ResourceText: r.PostFormValue("text")}
	_, err := s.service().AddResource(r.Context(), c.Towns, party.Resource{TownCode: f.Town, Unit: f.Unit, Text: f.ResourceText}, c.User)
	if status, ok := fieldStatus(err); ok {
		return s.renderMatchingForm(w, r, c, status, f, err, "resource")
	}
	if err != nil {
		return err
	}
	kit.RedirectFlash(w, r, "/party/matching#pt-resources", kit.Translator(kit.Language(w, r))("pt.resource added"))
	return nil
}

// formTown is the town a form names (checked by the service), by default the caller's first.
func formTown(r *http.Request, c *kit.Caller) string {
	if t := r.PostFormValue("town"); t != "" {
		return t
	}
	if len(c.Towns) > 0 {
		return c.Towns[0]
	}
	return ""
}

// ---- the practice network ----
