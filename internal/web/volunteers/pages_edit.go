package volunteers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/volunteers"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// newRoleRows is how many empty rows the edit form offers for new roles.
const newRoleRows = 2

type editData struct {
	A     volunteers.Activity
	E     volunteers.ActivityEdit
	Roles []volunteers.EditRole // the edit's roles and the empty rows for new ones
}

// editPage is the lead's form to change an activity: time, place, text and roles with places.
func (s *handlers) editPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	a, err := s.pathActivity(r, c)
	if err != nil {
		return err
	}
	return s.renderEdit(w, r, a, volunteers.EditOf(a), http.StatusOK, nil)
}

func (s *handlers) renderEdit(w http.ResponseWriter, r *http.Request, a volunteers.Activity, e volunteers.ActivityEdit, status int, ferr error) error {
	d := editData{A: a, E: e, Roles: append([]volunteers.EditRole(nil), e.Roles...)}
	for range newRoleRows {
		d.Roles = append(d.Roles, volunteers.EditRole{})
	}
	pd := kit.PageData{Title: "vol.edit activity", Data: d}
	if ferr != nil {
		lang := kit.Language(w, r)
		_, pd.Error, pd.Field = kit.ErrorText(r, lang, ferr)
		// A role row's error names the row and what the places must be, in the page's language.
		var row int
		var what string
		if _, err := fmt.Sscanf(strings.ReplaceAll(strings.ReplaceAll(pd.Field, "[", " "), "].", " "), "roles %d %s", &row, &what); err == nil {
			key := "vol.role row error"
			if what == "places" {
				key = "vol.role places error"
			}
			pd.Error = fmt.Sprintf(kit.Translator(lang)(key), row+1)
			var fe *problem.FieldError
			if lang == "en" && errors.As(ferr, &fe) {
				pd.Error += " (" + fe.Reason + ")"
			}
		}
	}
	return s.Render(w, r, status, "vol_edit", pd)
}

// editForm reads the edit form: the activity's fields and parallel lists of role rows (an empty
// row is skipped; a row without an id adds a role).
func editForm(r *http.Request) (volunteers.ActivityEdit, error) {
	loc := workcal.Location()
	e := volunteers.ActivityEdit{Title: r.PostFormValue("title"), Description: r.PostFormValue("description"), Requirements: r.PostFormValue("requirements"),
		Place: r.PostFormValue("place")}
	var err error
	if e.Start, err = time.ParseInLocation("2006-01-02T15:04", r.PostFormValue("start"), loc); err != nil {
		return e, problem.Field("start", "a date and time")
	}
	if e.End, err = time.ParseInLocation("2006-01-02T15:04", r.PostFormValue("end"), loc); err != nil {
		return e, problem.Field("end", "a date and time")
	}
	if e.Lat, err = kit.FloatField(r, "lat"); err != nil {
		return e, problem.Field("lat", "a latitude")
	}
	if e.Lng, err = kit.FloatField(r, "lng"); err != nil {
		return e, problem.Field("lng", "a longitude")
	}
	if v := strings.TrimSpace(r.PostFormValue("radius_m")); v != "" {
		if e.RadiusM, err = strconv.Atoi(v); err != nil {
			return e, problem.Field("radius_m", "a whole number of metres")
		}
	}
	ids, names, places, reqs := r.PostForm["role_id"], r.PostForm["role_name"], r.PostForm["role_places"], r.PostForm["role_requirements"]
	if len(ids) > volunteers.MaxRoles+newRoleRows || len(names) != len(ids) || len(places) != len(ids) || len(reqs) != len(ids) {
		return e, problem.Field("roles", "the role rows do not match")
	}
	for i := range ids {
		if strings.TrimSpace(names[i]) == "" && strings.TrimSpace(places[i]) == "" && ids[i] == "" {
			continue
		}
		var role volunteers.EditRole
		if ids[i] != "" {
			if role.ID, err = strconv.ParseInt(ids[i], 10, 64); err != nil {
				return e, problem.Field(fmt.Sprintf("roles[%d].id", len(e.Roles)), "a role id")
			}
		}
		if role.Places, err = strconv.Atoi(strings.TrimSpace(places[i])); err != nil {
			return e, problem.Field(fmt.Sprintf("roles[%d].places", len(e.Roles)), "a whole number of places")
		}
		role.Name, role.Requirements = names[i], reqs[i]
		e.Roles = append(e.Roles, role)
	}
	return e, nil
}

func (s *handlers) editSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	a, err := s.pathActivity(r, c)
	if err != nil {
		return err
	}
	id := a.ID
	e, err := editForm(r)
	if err == nil {
		_, err = s.svc().EditActivity(r.Context(), c.Towns, id, e, kit.AuditActor(r, c))
	}
	return submitted(w, r, err, func(status int) error {
		return s.renderEdit(w, r, a, e, status, err)
	}, fmt.Sprintf("/volunteers/activities/%d", id), "vol.activity saved")
}

// cancelSubmit cancels an activity from its edit page (the lead or staff), with a reason.
func (s *handlers) cancelSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	a, err := s.pathActivity(r, c)
	if err != nil {
		return err
	}
	id := a.ID
	err = s.svc().CancelActivity(r.Context(), c.Towns, id, r.PostFormValue("reason"), kit.AuditActor(r, c))
	return submitted(w, r, err, func(status int) error {
		return s.renderEdit(w, r, a, volunteers.EditOf(a), status, err)
	}, fmt.Sprintf("/volunteers/activities/%d", id), "vol.activity cancelled")
}

// apiEditActivity changes an activity (the lead or staff): the JSON of volunteers.ActivityEdit.
func (s *handlers) apiEditActivity(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	a, err := s.pathActivity(r, c)
	if err != nil {
		return err
	}
	id := a.ID
	var e volunteers.ActivityEdit
	if err := kit.DecodeJSON(r, &e); err != nil {
		return err
	}
	if len(e.Roles) > volunteers.MaxRoles {
		return problem.Field("roles", "at most %d roles", volunteers.MaxRoles)
	}
	a, err = s.svc().EditActivity(r.Context(), c.Towns, id, e, kit.AuditActor(r, c))
	return kit.Reply(w, http.StatusOK, a, err)
}
