package volunteers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/volunteers"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// pin is an activity on the map.
type pin struct {
	ID    int64   `json:"id"`
	Title string  `json:"title"`
	Place string  `json:"place"`
	When  string  `json:"when"`
	Lat   float64 `json:"lat"`
	Lng   float64 `json:"lng"`
	Left  int     `json:"left"`
}

type activitiesData struct {
	List     []volunteers.Activity
	Projects []volunteers.Project
	Project  int64
	Pins     []pin
	Past     bool
}

func (s *handlers) activitiesPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	svc := s.svc()
	f, err := activityFilter(r)
	if err != nil {
		return err
	}
	d := activitiesData{Project: f.ProjectID, Past: r.URL.Query().Get("past") == "1"}
	if f.From.IsZero() && !d.Past {
		f.From = svc.Now()
	}
	f.Limit = 200
	if d.List, err = svc.Activities(r.Context(), c.Towns, f); err != nil {
		return err
	}
	if d.Projects, err = svc.Projects(r.Context(), c.Towns); err != nil {
		return err
	}
	for _, a := range d.List {
		if a.Lat != nil {
			d.Pins = append(d.Pins, pin{ID: a.ID, Title: a.Title, Place: a.Place, When: a.Start.In(workcal.Location()).Format("01-02 15:04"), Lat: *a.Lat, Lng: *a.Lng, Left: a.Places - a.Taken})
		}
	}
	return s.Render(w, r, http.StatusOK, "vol_activities", kit.PageData{Title: "vol.activities", Data: d})
}

type activityData struct {
	A           volunteers.Activity
	Me          *volunteers.Volunteer
	Mine        *volunteers.SignUp
	Attendance  *volunteers.Attendance
	MayRegister bool
	MayLead     bool
	Started     bool
	Ended       bool
	CanCheckIn  bool
	Pins        []pin
	Radius      int
}

func (s *handlers) activityData(r *http.Request, c *kit.Caller, id int64) (activityData, error) {
	svc := s.svc()
	a, err := svc.Activity(r.Context(), c.Towns, id)
	if err != nil {
		return activityData{}, err
	}
	now := svc.Now()
	d := activityData{A: a, MayRegister: c.User.Can(auth.PermVolunteersRegister), MayLead: volunteers.MayLead(c.User, a), Started: !now.Before(a.Start), Ended: !now.Before(a.End), Radius: a.RadiusM}
	d.CanCheckIn = a.Status == volunteers.ActivityOpen && !now.Before(a.Start.Add(-volunteers.EarlyCheckIn)) && now.Before(a.End.Add(volunteers.LateCheckOut))
	if a.Lat != nil {
		d.Pins = []pin{{ID: a.ID, Title: a.Title, Place: a.Place, Lat: *a.Lat, Lng: *a.Lng}}
	}
	v, err := s.me(r, c)
	if err == nil {
		d.Me = &v
		sus, err := svc.SignUps(r.Context(), v)
		if err != nil {
			return d, err
		}
		for i := range sus {
			if sus[i].ActivityID == a.ID && sus[i].State != "cancelled" && sus[i].State != "expired" {
				d.Mine = &sus[i]
				break
			}
		}
		att, err := svc.Attendances(r.Context(), c.Towns, a.ID)
		if err != nil {
			return d, err
		}
		for i := range att {
			if att[i].VolunteerID == v.ID {
				d.Attendance = &att[i]
			}
		}
	} else if !errors.Is(err, problem.ErrNotFound) {
		return d, err
	}
	return d, nil
}

func (s *handlers) activityPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderActivity(w, r, c, id, http.StatusOK, nil)
}

func (s *handlers) renderActivity(w http.ResponseWriter, r *http.Request, c *kit.Caller, id int64, status int, ferr error) error {
	d, err := s.activityData(r, c, id)
	if err != nil {
		return err
	}
	pd := kit.PageData{Title: "vol.activity", Data: d}
	if ferr != nil {
		_, pd.Error, pd.Field = kit.ErrorText(r, kit.Language(w, r), ferr)
	}
	return s.Render(w, r, status, "vol_activity", pd)
}

func (s *handlers) signUpSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	role, _ := strconv.ParseInt(r.PostFormValue("role_id"), 10, 64)
	T := kit.Translator(kit.Language(w, r))
	err = s.roleOfActivity(r, c, id, role)
	var su volunteers.SignUp
	if err == nil {
		var v volunteers.Volunteer
		if v, err = s.me(r, c); err == nil {
			su, err = s.svc().SignUpFor(r.Context(), c.Towns, role, v, kit.AuditActor(r, c))
		} else if errors.Is(err, problem.ErrNotFound) {
			err = problem.Conflict("%s", T("vol.register first"))
		}
	}
	if status, ok := formStatus(err); ok {
		return s.renderActivity(w, r, c, id, status, err)
	}
	if err != nil {
		return err
	}
	msg := T("vol.signed up")
	if su.State == "waiting" {
		msg = fmt.Sprintf(T("vol.waiting as"), su.Position)
	}
	kit.RedirectFlash(w, r, fmt.Sprintf("/volunteers/activities/%d", id), msg)
	return nil
}

func (s *handlers) cancelSignUpSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	v, err := s.me(r, c)
	if err != nil {
		return err
	}
	err = s.svc().CancelSignUp(r.Context(), c.Towns, id, v, kit.AuditActor(r, c))
	return submitted(w, r, err, func(status int) error {
		return s.renderActivity(w, r, c, id, status, err)
	}, fmt.Sprintf("/volunteers/activities/%d", id), "vol.cancelled signup")
}

// scanSubmit checks in or out with the lead's code (code) or the phone's position (lat, lng).
func (s *handlers) scanSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	p := volunteers.Proof{Code: r.PostFormValue("code")}
	if p.Code == "" {
		if p.Lat, err = kit.FloatField(r, "lat"); err != nil {
			return err
		}
		if p.Lng, err = kit.FloatField(r, "lng"); err != nil {
			return err
		}
	}
	T := kit.Translator(kit.Language(w, r))
	v, err := s.me(r, c)
	if errors.Is(err, problem.ErrNotFound) {
		err = problem.Conflict("%s", T("vol.register first"))
	}
	var sc volunteers.Scan
	if err == nil {
		sc, err = s.svc().CheckInOut(r.Context(), c.Towns, id, v, p, kit.AuditActor(r, c))
	}
	if status, ok := formStatus(err); ok {
		return s.renderActivity(w, r, c, id, status, err)
	}
	if err != nil {
		return err
	}
	msg := fmt.Sprintf(T("vol.checked in at"), sc.Attendance.CheckIn.In(workcal.Location()).Format("15:04"))
	if sc.Action == "check_out" {
		msg = fmt.Sprintf(T("vol.checked out"), sc.Attendance.Credited(), volunteers.FormatHours(int64(sc.Attendance.Credited())))
	}
	kit.RedirectFlash(w, r, fmt.Sprintf("/volunteers/activities/%d", id), msg)
	return nil
}

// checkInPage is what the lead's code opens on a volunteer's phone: the activity and one button.
func (s *handlers) checkInPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := strconv.ParseInt(r.URL.Query().Get("a"), 10, 64)
	if err != nil {
		return kit.BadRequest("a", "not an activity id")
	}
	code := r.URL.Query().Get("c")
	if code == "" || len(code) > 64 {
		return kit.BadRequest("c", "no check-in code")
	}
	d, err := s.activityData(r, c, id)
	if err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, "vol_checkin", kit.PageData{Title: "vol.checkin", Data: map[string]any{"D": d, "Code": code}})
}

// confirmSignUpSubmit takes up the place the volunteer was offered from the waiting list.
func (s *handlers) confirmSignUpSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	v, err := s.me(r, c)
	if err != nil {
		return err
	}
	err = s.svc().ConfirmSignUp(r.Context(), c.Towns, id, v, kit.AuditActor(r, c))
	return submitted(w, r, err, func(status int) error {
		return s.renderActivity(w, r, c, id, status, err)
	}, fmt.Sprintf("/volunteers/activities/%d", id), "vol.place confirmed")
}
