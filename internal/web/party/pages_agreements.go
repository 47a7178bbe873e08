package party

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/civicgrid/civicgrid/internal/party"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// The agreements page: signing an agreement with its parties and commitments (the rows as typed
// come back with the field at fault when it is refused), and the list of agreements.

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
