package volunteers

import (
	"errors"
	"math"
	"net/http"
	"sort"
	"strconv"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/capacity"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/volunteers"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// homeData is what volunteers.html shows: the caller's registration, sign-ups, hours and
// certificates, or the registration form.
type homeData struct {
	Me           *volunteers.Volunteer
	Upcoming     []volunteers.SignUp
	Past         []volunteers.SignUp
	Hours        []volunteers.HoursLine
	Service      []volunteers.ServiceLine
	Records      []volunteers.Record
	Certificates []volunteers.Certificate
	TotalHours   string
	MayRegister  bool
	MayManage    bool
	MayLead      bool
	Leading      []volunteers.Activity
	Form         volunteers.Application
	IDTypes      []volunteers.Label
	Grids        []option
	Lang         string
	Chart        chartData
}

type option struct{ Value, Label string }

// chartData is the hours chart: one bar per project and year.
type chartData struct {
	Labels []string  `json:"labels"`
	Hours  []float64 `json:"hours"`
	Title  string    `json:"title"`
}

func (s *handlers) homePage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.renderHome(w, r, c, http.StatusOK, volunteers.Application{}, nil)
}

func (s *handlers) gridOptions(r *http.Request, c *kit.Caller) ([]option, error) {
	in := "?"
	args := []any{}
	if len(c.Towns) == 0 {
		return nil, nil
	}
	for i, t := range c.Towns {
		if i > 0 {
			in += ", ?"
		}
		args = append(args, t)
	}
	rows, err := s.DB.Query(r.Context(), `SELECT code, name FROM grids WHERE town_code IN (`+in+`) ORDER BY code LIMIT 500`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []option
	for rows.Next() {
		var o option
		if err := rows.Scan(&o.Value, &o.Label); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

func (s *handlers) renderHome(w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, form volunteers.Application, ferr error) error {
	lang := kit.Language(w, r)
	T := kit.Translator(lang)
	svc := s.svc()
	d := homeData{MayRegister: c.User.Can(auth.PermVolunteersRegister), MayManage: volunteers.MayManage(c.User), MayLead: c.User.Can(auth.PermVolunteersLead),
		Form: form, IDTypes: volunteers.IDTypes, Lang: lang}
	if form.IDType == "" {
		d.Form.IDType = volunteers.IDResident
	}
	v, err := s.me(r, c)
	switch {
	case err == nil:
		d.Me = &v
		d.TotalHours = volunteers.FormatHours(v.Minutes)
		sus, err := svc.SignUps(r.Context(), v)
		if err != nil {
			return err
		}
		now := svc.Now()
		for _, su := range sus {
			if su.End.After(now) && capacity.Live(su.State) && su.Status == volunteers.ActivityOpen {
				d.Upcoming = append(d.Upcoming, su)
			} else {
				d.Past = append(d.Past, su)
			}
		}
		// Upcoming soonest first.
		sort.SliceStable(d.Upcoming, func(i, j int) bool { return d.Upcoming[i].Start.Before(d.Upcoming[j].Start) })
		if len(d.Past) > 10 {
			d.Past = d.Past[:10]
		}
		if d.Hours, err = svc.Hours(r.Context(), v.ID); err != nil {
			return err
		}
		for i := len(d.Hours) - 1; i >= 0; i-- {
			h := d.Hours[i]
			d.Chart.Labels = append(d.Chart.Labels, strconv.Itoa(h.Year)+" "+h.Project)
			d.Chart.Hours = append(d.Chart.Hours, hoursOf(h.Minutes))
		}
		d.Chart.Title = T("vol.hours")
		if d.Service, err = svc.Service(r.Context(), v.ID, 20); err != nil {
			return err
		}
		if d.Records, err = svc.Records(r.Context(), v.ID); err != nil {
			return err
		}
		if d.Certificates, err = svc.Certificates(r.Context(), v.ID); err != nil {
			return err
		}
	case errors.Is(err, problem.ErrNotFound):
		if d.Grids, err = s.gridOptions(r, c); err != nil {
			return err
		}
	default:
		return err
	}
	if d.MayLead {
		if d.Leading, err = svc.Activities(r.Context(), c.Towns, volunteers.ActivityFilter{LeadID: c.User.ID, From: svc.Now().AddDate(0, 0, -2), Limit: 10}); err != nil {
			return err
		}
	}
	pd := kit.PageData{Title: "vol.title", Data: d}
	if ferr != nil {
		_, pd.Error, pd.Field = kit.ErrorText(r, lang, ferr)
	}
	return s.Render(w, r, status, "volunteers", pd)
}

func (s *handlers) registerSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	team, _ := strconv.ParseInt(r.PostFormValue("team_id"), 10, 64)
	form := volunteers.Application{Name: r.PostFormValue("name"), IDType: r.PostFormValue("id_type"), IDNumber: r.PostFormValue("id_number"),
		Phone: r.PostFormValue("phone"), Skills: r.PostFormValue("skills"), Availability: r.PostFormValue("availability"), GridCode: r.PostFormValue("grid"), TeamID: team}
	_, err := s.svc().Register(r.Context(), c.Towns, form, c.User.ID, kit.AuditActor(r, c))
	if err != nil {
		if status, ok := formStatus(err); ok {
			form.IDNumber = "" // never echoed back into the page
			return s.renderHome(w, r, c, status, form, err)
		}
		return err
	}
	kit.RedirectFlash(w, r, "/volunteers", kit.Translator(kit.Language(w, r))("vol.registered"))
	return nil
}

// formStatus answers bad form input (422) and conflicts (409) with the page again.
func formStatus(err error) (int, bool) {
	var fe *problem.FieldError
	if errors.As(err, &fe) {
		return http.StatusUnprocessableEntity, true
	}
	if errors.Is(err, problem.ErrConflict) {
		return http.StatusConflict, true
	}
	return 0, false
}

// submitted ends a form's submit: a refusal the page can show (formStatus) renders the page
// again (through again, with that status), any other error goes up, and success redirects to `to`
// with the flash message of key in the page's language.
func submitted(w http.ResponseWriter, r *http.Request, err error, again func(status int) error, to, key string) error {
	if status, ok := formStatus(err); ok {
		return again(status)
	}
	if err != nil {
		return err
	}
	kit.RedirectFlash(w, r, to, kit.Translator(kit.Language(w, r))(key))
	return nil
}

// hoursOf is minutes as hours rounded to one decimal, as FormatHours shows them (charts agree
// with tables).
func hoursOf(m int64) float64 { return math.Round(float64(m)/6) / 10 }
