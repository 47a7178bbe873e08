package volunteers

import (
	"fmt"
	"net/http"

	"github.com/civicgrid/civicgrid/internal/volunteers"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// object records the caller's objection to an attendance's hours in their 7-day publication:
// the volunteer's own (or, for a caller who leads the activity, any of it).
func (s *handlers) object(r *http.Request, c *kit.Caller, id int64, objection string) (volunteers.Attendance, error) {
	var own int64
	if v, err := s.me(r, c); err == nil {
		own = v.ID
	}
	return s.svc().Object(r.Context(), c.Towns, id, objection, c.User, own, kit.AuditActor(r, c))
}

func (s *handlers) objectSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	_, err = s.object(r, c, id, r.PostFormValue("objection"))
	return submitted(w, r, err, func(status int) error {
		return s.renderHome(w, r, c, status, volunteers.Application{}, err)
	}, "/volunteers", "vol.objection sent")
}

func (s *handlers) resolveSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, a, err := s.ledAttendance(r, c)
	if err != nil {
		return err
	}
	_, err = s.svc().ResolveObjection(r.Context(), c.Towns, id, r.PostFormValue("reason"), kit.AuditActor(r, c))
	return submitted(w, r, err, func(status int) error {
		return s.renderLeadFix(w, r, c, a.ID, status, nil, fixFor(r, kit.Language(w, r), id, "resolve", err))
	}, fmt.Sprintf("/volunteers/activities/%d/lead", a.ID), "vol.objection answered")
}

func (s *handlers) apiObject(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var in struct {
		Objection string `json:"objection"`
	}
	return attendanceAPI(w, r, http.StatusOK, &in, func(id int64) (volunteers.Attendance, error) {
		return s.object(r, c, id, in.Objection)
	})
}

func (s *handlers) apiResolve(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var in struct {
		Reason string `json:"reason"`
	}
	return attendanceAPI(w, r, http.StatusOK, &in, func(id int64) (volunteers.Attendance, error) {
		if err := s.leadAttendance(r, c, id); err != nil {
			return volunteers.Attendance{}, err
		}
		return s.svc().ResolveObjection(r.Context(), c.Towns, id, in.Reason, kit.AuditActor(r, c))
	})
}
