package volunteers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/volunteers"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// The API of activities: listing, creating and cancelling them, sign-ups, check-in codes and scans, the roster, walk-ins and adjustments.

// activityFilter reads ?project=&from=&to= (days, Shanghai).
func activityFilter(r *http.Request) (volunteers.ActivityFilter, error) {
	q := r.URL.Query()
	var f volunteers.ActivityFilter
	if p := q.Get("project"); p != "" {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return f, kit.BadRequest("project", "not a project id")
		}
		f.ProjectID = id
	}
	for _, x := range []struct {
		name string
		dst  *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := q.Get(x.name); v != "" {
			t, err := time.ParseInLocation("2006-01-02", v, workcal.Location())
			if err != nil {
				return f, kit.BadRequest(x.name, "a date (YYYY-MM-DD)")
			}
			*x.dst = t
		}
	}
	return f, nil
}

func (s *handlers) apiActivities(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	f, err := activityFilter(r)
	if err != nil {
		return err
	}
	as, err := s.svc().Activities(r.Context(), c.Towns, f)
	return kit.Reply(w, http.StatusOK, map[string]any{"activities": as}, err)
}

func (s *handlers) apiCreateActivity(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var in volunteers.NewActivity
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	a, err := s.svc().CreateActivity(r.Context(), c.Towns, in, kit.AuditActor(r, c))
	return kit.Reply(w, http.StatusCreated, a, err)
}

func (s *handlers) apiActivity(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	a, err := s.svc().Activity(r.Context(), c.Towns, id)
	return kit.Reply(w, http.StatusOK, a, err)
}

func (s *handlers) apiCancelActivity(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	if _, err := s.leadActivity(r, c, id); err != nil {
		return err
	}
	if err := s.svc().CancelActivity(r.Context(), c.Towns, id, in.Reason, kit.AuditActor(r, c)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// roleOfActivity checks that role belongs to activity id.
func (s *handlers) roleOfActivity(r *http.Request, c *kit.Caller, id, role int64) error {
	a, err := s.svc().Activity(r.Context(), c.Towns, id)
	if err != nil {
		return err
	}
	for _, x := range a.Roles {
		if x.ID == role {
			return nil
		}
	}
	return problem.Field("role_id", "not a role of the activity")
}

func (s *handlers) apiSignUp(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		RoleID int64 `json:"role_id"`
	}
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	v, err := s.me(r, c)
	if err != nil {
		return err
	}
	if err := s.roleOfActivity(r, c, id, in.RoleID); err != nil {
		return err
	}
	su, err := s.svc().SignUpFor(r.Context(), c.Towns, in.RoleID, v, kit.AuditActor(r, c))
	return kit.Reply(w, http.StatusCreated, su, err)
}

// ownSignUp is the API handler that applies act to the caller's own sign-up of the activity in
// the path: cancelling it, or confirming a place offered from the waiting list before its hold runs
// out.
func (s *handlers) ownSignUp(act func(svc *volunteers.Service, ctx context.Context, towns []string, activity int64, v volunteers.Volunteer, by audit.Actor) error) kit.Handler {
	return func(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
		id, err := kit.PathID(r, "id")
		if err != nil {
			return err
		}
		v, err := s.me(r, c)
		if err != nil {
			return err
		}
		if err := act(s.svc(), r.Context(), c.Towns, id, v, kit.AuditActor(r, c)); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

func (s *handlers) apiScan(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	var in volunteers.Proof
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	v, err := s.me(r, c)
	if err != nil {
		return err
	}
	sc, err := s.svc().CheckInOut(r.Context(), c.Towns, id, v, in, kit.AuditActor(r, c))
	return kit.Reply(w, http.StatusOK, sc, err)
}

// leadActivity is activity id when the caller leads it (its lead, or volunteers:manage).
func (s *handlers) leadActivity(r *http.Request, c *kit.Caller, id int64) (volunteers.Activity, error) {
	a, err := s.svc().Activity(r.Context(), c.Towns, id)
	if err != nil {
		return a, err
	}
	if !volunteers.MayLead(c.User, a) {
		return a, problem.Forbidden("only the activity's lead or volunteer staff (volunteers:manage) may do this")
	}
	return a, nil
}

// pathActivity is leadActivity of the activity the request's path names ({id}).
func (s *handlers) pathActivity(r *http.Request, c *kit.Caller) (volunteers.Activity, error) {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return volunteers.Activity{}, err
	}
	return s.leadActivity(r, c, id)
}

// checkInURL is the address the lead's code opens on a volunteer's phone.
func checkInURL(r *http.Request, id int64, code string) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return fmt.Sprintf("%s://%s/volunteers/checkin?a=%d&c=%s", scheme, r.Host, id, url.QueryEscape(code))
}

func (s *handlers) apiCode(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	a, err := s.pathActivity(r, c)
	if err != nil {
		return err
	}
	id := a.ID
	code, until, err := s.svc().CheckInCode(r.Context(), id, time.Now())
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	kit.WriteJSON(w, http.StatusOK, map[string]any{"code": code, "url": checkInURL(r, id, code), "expires": until, "period_seconds": int(volunteers.CodePeriod / time.Second)})
	return nil
}

func (s *handlers) apiRoster(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	a, err := s.pathActivity(r, c)
	if err != nil {
		return err
	}
	id := a.ID
	es, err := s.svc().Roster(r.Context(), c.Towns, id)
	if err != nil {
		return err
	}
	if es, err = s.shownRoster(r, c, a.TownCode, es); err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"roster": es})
	return nil
}

func (s *handlers) apiWalkIn(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var in struct {
		Number string `json:"number"`
		RoleID int64  `json:"role_id"`
	}
	return attendanceAPI(w, r, http.StatusCreated, &in, func(id int64) (volunteers.Attendance, error) {
		if _, err := s.leadActivity(r, c, id); err != nil {
			return volunteers.Attendance{}, err
		}
		return s.svc().WalkIn(r.Context(), c.Towns, id, in.Number, in.RoleID, kit.AuditActor(r, c))
	})
}

// leadAttendance checks that the caller leads the activity of attendance id.
func (s *handlers) leadAttendance(r *http.Request, c *kit.Caller, id int64) error {
	a, err := s.svc().AttendanceActivity(r.Context(), c.Towns, id)
	if err != nil {
		return err
	}
	_, err = s.leadActivity(r, c, a.ID)
	return err
}

func (s *handlers) apiCheckOutFor(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var in struct {
		At     time.Time `json:"at"`
		Reason string    `json:"reason"`
	}
	return attendanceAPI(w, r, http.StatusOK, &in, func(id int64) (volunteers.Attendance, error) {
		if err := s.leadAttendance(r, c, id); err != nil {
			return volunteers.Attendance{}, err
		}
		return s.svc().CheckOutFor(r.Context(), c.Towns, id, in.At, in.Reason, kit.AuditActor(r, c))
	})
}

func (s *handlers) apiAdjust(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var in struct {
		Minutes int    `json:"minutes"`
		Reason  string `json:"reason"`
	}
	return attendanceAPI(w, r, http.StatusOK, &in, func(id int64) (volunteers.Attendance, error) {
		if err := s.leadAttendance(r, c, id); err != nil {
			return volunteers.Attendance{}, err
		}
		return s.svc().Adjust(r.Context(), c.Towns, id, in.Minutes, in.Reason, kit.AuditActor(r, c))
	})
}

// attendanceAPI is the shape of the API's changes to attendance: the path's {id} and the JSON
// body (into in) read, then change — which checks the caller's right to it first —, and the
// attendance answered with status, the volunteer's phone masked.
func attendanceAPI(w http.ResponseWriter, r *http.Request, status int, in any, change func(id int64) (volunteers.Attendance, error)) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := kit.DecodeJSON(r, in); err != nil {
		return err
	}
	a, err := change(id)
	if err != nil {
		return err
	}
	a.Phone = privacy.MaskPhone(a.Phone)
	kit.WriteJSON(w, status, a)
	return nil
}
