package volunteers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/volunteers"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

type leadData struct {
	A       volunteers.Activity
	Code    string
	URL     string
	Expires time.Time
	Period  int
	Roster  []volunteers.RosterEntry
	In, Out int
	Missing int
	Ended   bool
	// Objections counts the open objections to published hours (the lead answers each here).
	Objections int
	// Fix is the roster form that was refused, to show again open with its error and input.
	Fix *leadFix
}

// leadFix is a refused form of one roster row: which attendance and form ("resolve", "adjust",
// "checkout"), the field at fault, the message in the page's language and what was entered.
type leadFix struct {
	Attendance int64
	Form       string
	Field      string
	Msg        string
	Reason     string
	Minutes    string
}

// fixFor is the refused form's leadFix for err, its message in the page's language: the domain's
// field errors are English, so the fields a roster form has get their own zh/en wording.
func fixFor(r *http.Request, lang string, attendance int64, form string, err error) *leadFix {
	T := kit.Translator(lang)
	f := &leadFix{Attendance: attendance, Form: form, Reason: r.PostFormValue("reason"), Minutes: r.PostFormValue("minutes")}
	var fe *problem.FieldError
	switch {
	case errors.As(err, &fe) && kit.HasMessage("vol.err "+fe.Field):
		f.Field, f.Msg = fe.Field, T("vol.err "+fe.Field)
	case errors.Is(err, problem.ErrConflict) && form == "resolve":
		f.Msg = T("vol.err answered")
	default:
		_, f.Msg, f.Field = kit.ErrorText(r, lang, err)
	}
	return f
}

func (s *handlers) leadPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderLead(w, r, c, id, http.StatusOK, nil)
}

func (s *handlers) renderLead(w http.ResponseWriter, r *http.Request, c *kit.Caller, id int64, status int, ferr error) error {
	return s.renderLeadFix(w, r, c, id, status, ferr, nil)
}

// renderLeadFix renders the lead's page; fix, when set, is a refused roster form shown again
// open, its field marked and its message beside it.
func (s *handlers) renderLeadFix(w http.ResponseWriter, r *http.Request, c *kit.Caller, id int64, status int, ferr error, fix *leadFix) error {
	a, err := s.leadActivity(r, c, id)
	if err != nil {
		return err
	}
	// The lead has opened the roster: the notices of objections to answer here are read.
	if err := s.svc().ReadLeadNotices(r.Context(), c.User.ID, a.ID); err != nil {
		return err
	}
	code, until, err := s.svc().CheckInCode(r.Context(), id, time.Now())
	if err != nil {
		return err
	}
	es, err := s.svc().Roster(r.Context(), c.Towns, id)
	if err != nil {
		return err
	}
	if es, err = s.shownRoster(r, c, a.TownCode, es); err != nil {
		return err
	}
	d := leadData{A: a, Code: code, URL: checkInURL(r, id, code), Expires: until, Period: int(volunteers.CodePeriod / time.Second), Roster: es,
		Ended: !s.svc().Now().Before(a.End), Fix: fix}
	for _, e := range es {
		if e.Attendance != nil {
			if e.Attendance.Objection != "" {
				d.Objections++
			}
			d.In++
			if e.Attendance.CheckOut != nil {
				d.Out++
			} else {
				d.Missing++
			}
		}
	}
	pd := kit.PageData{Title: "vol.lead", Data: d}
	switch {
	case fix != nil:
		pd.Error, pd.Field = fix.Msg, fix.Field
	case ferr != nil:
		_, pd.Error, pd.Field = kit.ErrorText(r, kit.Language(w, r), ferr)
	}
	return s.Render(w, r, status, "vol_lead", pd)
}

// codeQR is the lead's current check-in code as a QR image (the page reloads it every period).
func (s *handlers) codeQR(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	a, err := s.pathActivity(r, c)
	if err != nil {
		return err
	}
	id := a.ID
	code, _, err := s.svc().CheckInCode(r.Context(), id, time.Now())
	if err != nil {
		return err
	}
	return writeQR(w, checkInURL(r, id, code))
}

func (s *handlers) walkInSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	a, err := s.pathActivity(r, c)
	if err != nil {
		return err
	}
	id := a.ID
	role, _ := strconv.ParseInt(r.PostFormValue("role_id"), 10, 64)
	at, err := s.svc().WalkIn(r.Context(), c.Towns, id, r.PostFormValue("number"), role, kit.AuditActor(r, c))
	if status, ok := formStatus(err); ok {
		return s.renderLead(w, r, c, id, status, err)
	}
	if err != nil {
		return err
	}
	kit.RedirectFlash(w, r, fmt.Sprintf("/volunteers/activities/%d/lead", id), fmt.Sprintf(kit.Translator(kit.Language(w, r))("vol.walked in"), at.Name))
	return nil
}

func (s *handlers) checkOutSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, a, err := s.ledAttendance(r, c)
	if err != nil {
		return err
	}
	at, perr := time.ParseInLocation("2006-01-02T15:04", r.PostFormValue("at"), workcal.Location())
	if perr != nil {
		err = problem.Field("at", "a date and time")
	} else {
		_, err = s.svc().CheckOutFor(r.Context(), c.Towns, id, at, r.PostFormValue("reason"), kit.AuditActor(r, c))
	}
	return submitted(w, r, err, func(status int) error {
		return s.renderLead(w, r, c, a.ID, status, err)
	}, fmt.Sprintf("/volunteers/activities/%d/lead", a.ID), "vol.check-out recorded")
}

func (s *handlers) adjustSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, a, err := s.ledAttendance(r, c)
	if err != nil {
		return err
	}
	min, perr := strconv.Atoi(r.PostFormValue("minutes"))
	if perr != nil {
		err = problem.Field("minutes", "a whole number of minutes")
	} else {
		_, err = s.svc().Adjust(r.Context(), c.Towns, id, min, r.PostFormValue("reason"), kit.AuditActor(r, c))
	}
	return submitted(w, r, err, func(status int) error {
		return s.renderLeadFix(w, r, c, a.ID, status, nil, fixFor(r, kit.Language(w, r), id, "adjust", err))
	}, fmt.Sprintf("/volunteers/activities/%d/lead", a.ID), "vol.adjusted")
}

// ledAttendance is the path's attendance {id} and its activity, when the caller leads it.
func (s *handlers) ledAttendance(r *http.Request, c *kit.Caller) (int64, volunteers.Activity, error) {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return 0, volunteers.Activity{}, err
	}
	a, err := s.svc().AttendanceActivity(r.Context(), c.Towns, id)
	if err != nil {
		return 0, a, err
	}
	a, err = s.leadActivity(r, c, a.ID)
	return id, a, err
}
