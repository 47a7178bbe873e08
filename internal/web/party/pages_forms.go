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

// ---- agreements ----

// agreementForm is the signing form's state: parties and commitments as the rows typed.
type agreementForm struct {
	Town, Title, SignedOn, TermEnd, Summary string
	Parties                                 []string
	Commitments                             []party.NewTask
}

// Rows the signing form shows empty for parties and commitments (the page adds more).
const (
	formParties     = 3
	formCommitments = 3
)

func (s *handlers) renderAgreements(w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, f agreementForm, ferr error) error {
	as, err := s.service().Agreements(r.Context(), c.Towns)
	if err != nil {
		return err
	}
	if f.SignedOn == "" {
		f.SignedOn = s.service().Today()
	}
	for len(f.Parties) < formParties {
		f.Parties = append(f.Parties, "")
	}
	for len(f.Commitments) < formCommitments {
		f.Commitments = append(f.Commitments, party.NewTask{})
	}
	units, err := s.unitNames(r, c)
	if err != nil {
		return err
	}
	pd := kit.PageData{Title: "pt.agreements title", Data: map[string]any{"Agreements": as, "Statuses": labels(party.TaskStatuses, kit.Language(w, r)),
		"MayManage": party.MayManage(c.User), "Form": f, "Units": units, "Towns": c.Towns, "MaxParties": party.MaxParties}}
	if ferr != nil {
		pd.Error, pd.Field = formError(w, r, ferr)
	}
	return s.Render(w, r, status, "party_agreements", pd)
}

// unitNames are the names a party or an owner may take: the towns' organisations and council
// member units, offered as suggestions (any unit may be typed).
func (s *handlers) unitNames(r *http.Request, c *kit.Caller) ([]string, error) {
	svc := s.service()
	roots, err := svc.Tree(r.Context(), c.Towns, party.HonourYear(svc.Clock()))
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, o := range party.Flatten(roots) {
		if !seen[o.Name] {
			seen[o.Name] = true
			out = append(out, o.Name)
		}
	}
	cs, err := svc.Councils(r.Context(), c.Towns)
	if err != nil {
		return nil, err
	}
	for _, cn := range cs {
		full, err := svc.Council(r.Context(), c.Towns, cn.ID)
		if err != nil {
			return nil, err
		}
		for _, u := range full.Units {
			if !seen[u.Name] {
				seen[u.Name] = true
				out = append(out, u.Name)
			}
		}
	}
	return out, nil
}

func (s *handlers) agreementSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	f := agreementForm{Town: r.PostFormValue("town"), Title: r.PostFormValue("title"), SignedOn: r.PostFormValue("signed_on"),
		TermEnd: r.PostFormValue("term_end"), Summary: strings.ReplaceAll(r.PostFormValue("summary"), "\r\n", "\n")}
	if f.Town == "" && len(c.Towns) > 0 {
		f.Town = c.Towns[0]
	}
	if len(r.PostForm["party"]) > party.MaxParties+formParties || len(r.PostForm["commitment_text"]) > party.MaxCommitments+formCommitments {
		return kit.BadRequest("party", "too many rows")
	}
	n := party.NewAgreement{TownCode: f.Town, Title: f.Title, SignedOn: f.SignedOn, TermEnd: f.TermEnd, Summary: f.Summary}
	for _, p := range r.PostForm["party"] {
		f.Parties = append(f.Parties, p)
		if strings.TrimSpace(p) != "" {
			n.Parties = append(n.Parties, p)
		}
	}
	texts, owners, dues := r.PostForm["commitment_text"], r.PostForm["commitment_owner"], r.PostForm["commitment_due"]
	for i, t := range texts {
		ct := party.NewTask{Text: t}
		if i < len(owners) {
			ct.Owner = owners[i]
		}
		if i < len(dues) {
			ct.Due = dues[i]
		}
		f.Commitments = append(f.Commitments, ct)
		if strings.TrimSpace(ct.Text) == "" && strings.TrimSpace(ct.Owner) == "" && strings.TrimSpace(ct.Due) == "" {
			continue // an empty row the form offered
		}
		if ct.Due == "" {
			ct.DueDays = defaultDueDays
		}
		n.Commitments = append(n.Commitments, ct)
	}
	a, err := s.service().CreateAgreement(r.Context(), c.Towns, n, c.User)
	if err != nil {
		err = renumber(err, f, n)
	}
	if status, ok := fieldStatus(err); ok {
		return s.renderAgreements(w, r, c, status, f, err)
	}
	if err != nil {
		return err
	}
	kit.RedirectFlash(w, r, idPath("/party/agreements#pt-agreement-%d", a.ID), kit.Translator(kit.Language(w, r))("pt.agreement signed"))
	return nil
}

// renumber maps the index of a field error of the submitted lists (empty rows left out) back to
// the row of the form, so that "commitment 2" is the second row the user sees.
func renumber(err error, f agreementForm, n party.NewAgreement) error {
	var fe *problem.FieldError
	if !errors.As(err, &fe) {
		return err
	}
	m := indexed.FindStringSubmatch(fe.Field)
	if m == nil {
		return err
	}
	i, _ := strconv.Atoi(m[2])
	row := -1
	switch m[1] {
	case "parties":
		for k, seen := 0, 0; k < len(f.Parties); k++ {
			if strings.TrimSpace(f.Parties[k]) == "" {
				continue
			}
			if seen == i {
				row = k
				break
			}
			seen++
		}
	case "commitments":
		for k, seen := 0, 0; k < len(f.Commitments); k++ {
			ct := f.Commitments[k]
			if strings.TrimSpace(ct.Text) == "" && strings.TrimSpace(ct.Owner) == "" && strings.TrimSpace(ct.Due) == "" {
				continue
			}
			if seen == i {
				row = k
				break
			}
			seen++
		}
	}
	if row < 0 || row == i {
		return err
	}
	field := fmt.Sprintf("%s[%d]", m[1], row)
	if m[3] != "" {
		field += "." + m[3]
	}
	return problem.Field(field, "%s", fe.Reason)
}

func (s *handlers) agreementsPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.renderAgreements(w, r, c, http.StatusOK, agreementForm{}, nil)
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
