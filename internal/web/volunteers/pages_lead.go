package volunteers

import (
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
}

func (s *handlers) leadPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderLead(w, r, c, id, http.StatusOK, nil)
}

func (s *handlers) renderLead(w http.ResponseWriter, r *http.Request, c *kit.Caller, id int64, status int, ferr error) error {
	a, err := s.leadActivity(r, c, id)
	if err != nil {
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
		Ended: !s.svc().Now().Before(a.End)}
	for _, e := range es {
		if e.Attendance != nil {
			d.In++
			if e.Attendance.CheckOut != nil {
				d.Out++
			} else {
				d.Missing++
			}
		}
	}
	pd := kit.PageData{Title: "vol.lead", Data: d}
	if ferr != nil {
		_, pd.Error, pd.Field = kit.ErrorText(r, kit.Language(w, r), ferr)
	}
	return s.Render(w, r, status, "vol_lead", pd)
}

// codeQR is the lead's current check-in code as a QR image (the page reloads it every period).
func (s *handlers) codeQR(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.leadActivity(r, c, id); err != nil {
		return err
	}
	code, _, err := s.svc().CheckInCode(r.Context(), id, time.Now())
	if err != nil {
		return err
	}
	return writeQR(w, checkInURL(r, id, code))
}

func (s *handlers) walkInSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.leadActivity(r, c, id); err != nil {
		return err
	}
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
	if status, ok := formStatus(err); ok {
		return s.renderLead(w, r, c, a.ID, status, err)
	}
	if err != nil {
		return err
	}
	kit.RedirectFlash(w, r, fmt.Sprintf("/volunteers/activities/%d/lead", a.ID), kit.Translator(kit.Language(w, r))("vol.check-out recorded"))
	return nil
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
	if status, ok := formStatus(err); ok {
		return s.renderLead(w, r, c, a.ID, status, err)
	}
	if err != nil {
		return err
	}
	kit.RedirectFlash(w, r, fmt.Sprintf("/volunteers/activities/%d/lead", a.ID), kit.Translator(kit.Language(w, r))("vol.adjusted"))
	return nil
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
