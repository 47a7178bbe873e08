package web

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
)

// userView is a user as shown to a caller: personal data masked unless the caller's role needs
// it, and every unmasked view of a resident's data written to the audit log.
type userView struct {
	auth.User
	PhoneMasked bool `json:"phone_masked"`
	NameMasked  bool `json:"name_masked,omitempty"`
}

func (s *Server) viewUser(r *http.Request, c *caller, u auth.User) userView {
	v := userView{User: u}
	if c.User.ID == u.ID {
		return v
	}
	if !c.User.Can(auth.PermPersonalData) {
		v.Phone, v.PhoneMasked = auth.MaskPhone(u.Phone), u.Phone != ""
		if u.Role == auth.RoleResident {
			v.DisplayName, v.NameMasked = auth.MaskName(u.DisplayName), true
		}
		return v
	}
	if u.Role == auth.RoleResident && u.Phone != "" {
		_ = audit.Record(r.Context(), s.db, audit.Entry{ActorID: c.User.ID, Actor: c.User.Username, Action: audit.ActionViewPII,
			Entity: "user", EntityID: fmt.Sprint(u.ID), TownCode: u.TownCode, Detail: "phone,name", IP: clientIP(r)})
	}
	return v
}

func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request, c *caller) error {
	us, err := auth.Users(r.Context(), s.db, c.Towns, r.URL.Query().Get("role"))
	if err != nil {
		return err
	}
	out := make([]userView, 0, len(us))
	for _, u := range us {
		out = append(out, s.viewUser(r, c, u))
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": out})
	return nil
}

func (s *Server) apiUser(w http.ResponseWriter, r *http.Request, c *caller) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u, err := auth.UserByID(r.Context(), s.db, c.Towns, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.viewUser(r, c, u))
	return nil
}

type userInput struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Role        string `json:"role"`
	Town        string `json:"town"`
	Department  string `json:"department"`
	Grid        string `json:"grid"`
	Phone       string `json:"phone"`
	Password    string `json:"password"`
}

func (s *Server) createUser(r *http.Request, c *caller, in userInput) (auth.User, error) {
	if in.Town == "" && len(c.Towns) == 1 {
		in.Town = c.Towns[0]
	}
	if in.Town != "" && !slices.Contains(c.Towns, in.Town) {
		return auth.User{}, badRequestField("town", fmt.Sprintf("unknown town code %q", in.Town))
	}
	return auth.CreateUser(r.Context(), s.db, auth.NewUser{Username: in.Username, DisplayName: in.DisplayName, Role: in.Role,
		TownCode: in.Town, DepartmentCode: in.Department, GridCode: in.Grid, Phone: in.Phone, Password: in.Password}, c.User.Username)
}

func badRequestField(field, msg string) error {
	return &httpError{status: http.StatusUnprocessableEntity, msg: field + ": " + msg, field: field}
}

func (s *Server) apiCreateUser(w http.ResponseWriter, r *http.Request, c *caller) error {
	var in userInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	u, err := s.createUser(r, c, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request, c *caller) error {
	q := r.URL.Query()
	es, err := audit.List(r.Context(), s.db, audit.Filter{Towns: c.Towns, Entity: q.Get("entity"), EntityID: q.Get("entity_id"), Action: q.Get("action")})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": es})
	return nil
}
