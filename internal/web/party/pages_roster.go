package party

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/party"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/sheet"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// MaxRosterUpload bounds a roster file (5000 members of seven columns is well under 1 MB).
const MaxRosterUpload = 4 << 20

// rosterProblem is a problem of a roster file as the page lists it.
type rosterProblem struct {
	Row          int
	Column, What string
	Text         string
}

// rosterData is what party_roster.html shows.
type rosterData struct {
	Town     string
	Towns    []string
	Columns  []party.RosterColumn
	Problems []rosterProblem
	Lang     string
	Members  int
	Honoured int
	Year     int
}

func (s *handlers) rosterPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.renderRoster(w, r, c, http.StatusOK, nil)
}

func (s *handlers) renderRoster(w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, ferr error) error {
	lang := kit.Language(w, r)
	t, err := rosterTown(r, c)
	if err != nil {
		return err
	}
	svc := s.service()
	y := party.HonourYear(svc.Clock())
	_, awarded, err := svc.TownHonours(r.Context(), t, y)
	if err != nil {
		return err
	}
	ms, err := svc.TownRoster(r.Context(), c.Towns, t, y)
	if err != nil {
		return err
	}
	d := rosterData{Town: t, Towns: c.Towns, Columns: party.RosterColumns, Lang: lang, Members: len(ms), Honoured: awarded, Year: y}
	pd := kit.PageData{Title: "pt.roster title", Data: &d}
	var re *party.RosterError
	if errors.As(ferr, &re) {
		d.Problems = rosterProblems(lang, re)
		pd.Error = fmt.Sprintf(kit.Translator(lang)("pt.roster refused"), len(re.Problems))
	} else if ferr != nil {
		pd.Error, pd.Field = formError(w, r, ferr)
	}
	return s.Render(w, r, status, "party_roster", pd)
}

// rosterTown is the town of a roster request (?town= or the form's town, one of the caller's).
func rosterTown(r *http.Request, c *kit.Caller) (string, error) {
	if t := r.PostFormValue("town"); t != "" {
		q := r.URL.Query()
		q.Set("town", t)
		r.URL.RawQuery = q.Encode()
	}
	return kit.CallerTown(r, c)
}

// rosterProblems tells the problems of a refused roster in lang: the row, the column (its letter
// and its name), and what is wrong.
func rosterProblems(lang string, e *party.RosterError) []rosterProblem {
	T := kit.Translator(lang)
	names := map[string]string{"file": T("field.file")}
	for _, c := range party.RosterColumns {
		names[c.Code] = c.ZH
		if lang == "en" {
			names[c.Code] = c.EN
		}
	}
	out := make([]rosterProblem, len(e.Problems))
	for i, p := range e.Problems {
		text := T("pt.problem." + p.Code)
		if strings.Contains(text, "%s") {
			text = fmt.Sprintf(text, p.Value)
		}
		out[i] = rosterProblem{Row: p.Row, Column: p.Column, What: names[p.Field], Text: text}
	}
	return out
}

func (s *handlers) rosterSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	T := kit.Translator(kit.Language(w, r))
	t, err := rosterTown(r, c)
	if err != nil {
		return err
	}
	file, _, err := r.FormFile("file")
	if err != nil {
		return s.renderRoster(w, r, c, http.StatusUnprocessableEntity, kit.BadRequest("file", T("pt.roster no file")))
	}
	defer file.Close()
	svc := s.service()
	rows, err := party.ReadRoster(file, svc.Clock())
	var res party.RosterImport
	if err == nil {
		res, err = svc.ImportRoster(r.Context(), c.Towns, t, rows, c.User)
	}
	if status, ok := fieldStatus(err); ok {
		return s.renderRoster(w, r, c, status, err)
	}
	var re *party.RosterError
	if errors.As(err, &re) {
		return s.renderRoster(w, r, c, http.StatusUnprocessableEntity, err)
	}
	if err != nil {
		return err
	}
	kit.RedirectFlash(w, r, "/party/roster?town="+t, fmt.Sprintf(T("pt.roster imported"), res.Added, res.Updated))
	return nil
}

// maskIDNumber keeps an ID number's region (6) and last character: 310105***********X.
func maskIDNumber(id string) string {
	if len(id) < 8 {
		return strings.Repeat("*", len(id))
	}
	return id[:6] + strings.Repeat("*", len(id)-7) + id[len(id)-1:]
}

// maskDate keeps a date's year: 1950-**-**.
func maskDate(d string) string {
	if len(d) < 4 {
		return d
	}
	return d[:4] + "-**-**"
}

// rosterExport writes the town's roster as xlsx (the import's columns, then standing and honour),
// cells as text. A caller who keeps rosters (party:roster and the privacy rule) gets it whole,
// recorded in one audit row naming the members; everyone else gets names, phones, birth dates
// and ID numbers masked.
func (s *handlers) rosterExport(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	lang := kit.Language(w, r)
	T := kit.Translator(lang)
	t, err := kit.CallerTown(r, c)
	if err != nil {
		return err
	}
	svc := s.service()
	y := party.HonourYear(svc.Clock())
	ms, err := svc.TownRoster(r.Context(), c.Towns, t, y)
	if err != nil {
		return err
	}
	whole := c.User.Can(auth.PermPartyRoster) && kit.Viewer(r, c).Whole(privacy.PartyMembers, privacy.Facts{Town: t})
	genders := map[string]string{"male": T("pt.male"), "female": T("pt.female")}
	sw, err := sheet.New(w, sheet.XLSX, sheet.Options{Sheet: T("pt.roster"), Widths: []float64{12, 6, 12, 12, 28, 16, 22, 8, 14}})
	if err != nil {
		return err
	}
	head := make([]string, 0, len(party.RosterColumns)+2)
	for _, col := range party.RosterColumns {
		if lang == "en" {
			head = append(head, col.EN)
		} else {
			head = append(head, col.ZH)
		}
	}
	head = append(head, T("pt.standing"), T("pt.honour"))
	if err := sw.Row(head...); err != nil {
		sw.Abort()
		return err
	}
	shown := kit.ShownLog(r, privacy.PartyMembers)
	for _, m := range ms {
		name, phone, birth, id := m.Name, m.Phone, m.BirthDate, m.IDNumber
		if whole {
			shown.Add(strconv.FormatInt(m.ID, 10), t)
		} else {
			name, phone, birth, id = privacy.MaskName(name), privacy.MaskPhone(phone), maskDate(birth), maskIDNumber(id)
		}
		honour := ""
		if m.Awarded {
			honour = fmt.Sprintf("%s %d", T("pt.awarded"), y)
		} else if m.Honour {
			honour = T("pt.holder")
		}
		if err := sw.Row(name, genders[m.Gender], birth, m.Joined, m.Org, phone, id, strconv.Itoa(m.Standing), honour); err != nil {
			sw.Abort()
			return err
		}
	}
	// The audit row is written before a byte of the file leaves: data that cannot be audited is
	// not shown.
	if err := s.RecordShown(r, c, shown); err != nil {
		sw.Abort()
		return err
	}
	suffix := "masked"
	if whole {
		suffix = "whole"
	}
	w.Header().Set("Content-Type", sheet.XLSX.ContentType())
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="party-roster-%s-%s.xlsx"`, t, suffix))
	return sw.Close()
}
