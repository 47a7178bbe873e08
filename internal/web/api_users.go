package web

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// userView is a user as shown to a caller: personal data masked unless package privacy's rule
// lets the caller see it whole, and every response that shows it whole audited.
type userView struct {
	auth.User
	PhoneMasked bool `json:"phone_masked"`
	NameMasked  bool `json:"name_masked,omitempty"`
}

func (s *Server) viewUser(r *http.Request, c *kit.Caller, u auth.User, shown *privacy.Log) userView {
	v := userView{}
	var whole bool
	v.User, v.PhoneMasked, v.NameMasked, whole = kit.Viewer(r, c).User(u)
	if whole {
		shown.Add(fmt.Sprint(u.ID), u.TownCode)
	}
	return v
}

func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	us, err := auth.Users(r.Context(), s.DB, c.Towns, r.URL.Query().Get("role"))
	if err != nil {
		return err
	}
	shown := kit.ShownLog(r, privacy.Users)
	out := make([]userView, 0, len(us))
	for _, u := range us {
		out = append(out, s.viewUser(r, c, u, shown))
	}
	if err := s.RecordShown(r, c, shown); err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"users": out})
	return nil
}

func (s *Server) apiUser(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	u, err := s.userOfTowns(r, c)
	if err != nil {
		return err
	}
	shown := kit.ShownLog(r, privacy.Users)
	v := s.viewUser(r, c, u, shown)
	if err := s.RecordShown(r, c, shown); err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, v)
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

func (s *Server) createUser(r *http.Request, c *kit.Caller, in userInput) (auth.User, error) {
	if in.Town == "" && len(c.Towns) == 1 {
		in.Town = c.Towns[0]
	}
	if in.Town != "" && !slices.Contains(c.Towns, in.Town) {
		return auth.User{}, badRequestField("town", fmt.Sprintf("unknown town code %q", in.Town))
	}
	return auth.CreateUser(r.Context(), s.DB, auth.NewUser{Username: in.Username, DisplayName: in.DisplayName, Role: in.Role,
		TownCode: in.Town, DepartmentCode: in.Department, GridCode: in.Grid, Phone: in.Phone, Password: in.Password}, c.User.Username)
}

func badRequestField(field, msg string) error {
	return &kit.HTTPError{Status: http.StatusUnprocessableEntity, Msg: field + ": " + msg, Field: field}
}

func (s *Server) apiCreateUser(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var in userInput
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	u, err := s.createUser(r, c, in)
	return kit.Reply(w, http.StatusCreated, u, err)
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	kit.WriteJSON(w, http.StatusOK, map[string]any{"user": c.User, "towns": c.Towns})
	return nil
}

// userUpdateInput is the JSON of PATCH /api/v1/users/{id}: the whole editable state (absent
// fields are emptied, as on the form).
type userUpdateInput struct {
	DisplayName string `json:"display_name"`
	Phone       string `json:"phone"`
	Role        string `json:"role"`
	Department  string `json:"department"`
	Grid        string `json:"grid"`
	Disabled    bool   `json:"disabled"`
}

func (s *Server) apiUpdateUser(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	var in userUpdateInput
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	old, err := auth.UserByID(r.Context(), s.DB, c.Towns, id)
	if err != nil {
		return err
	}
	if id == c.User.ID && (in.Role != old.Role || in.Disabled) {
		return problem.Field("role", "you cannot change your own role or disable your own account")
	}
	u, err := auth.UpdateUser(r.Context(), s.DB, c.Towns, id, auth.UserUpdate{DisplayName: in.DisplayName, Phone: in.Phone, Role: in.Role,
		DepartmentCode: in.Department, GridCode: in.Grid, Disabled: in.Disabled}, kit.AuditActor(r, c))
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, u)
	return nil
}

// apiResetPassword sets a user's password: {"password": "…"}, or {} for a generated one that the
// answer carries once.
func (s *Server) apiResetPassword(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Password string `json:"password"`
	}
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	if id == c.User.ID {
		return problem.Conflict("change your own password with the current one (/account/password)")
	}
	pw, err := auth.ResetPassword(r.Context(), s.DB, c.Towns, id, in.Password, kit.AuditActor(r, c))
	if err != nil {
		return err
	}
	out := map[string]any{"reset": true}
	if in.Password == "" {
		out["password"] = pw
	}
	w.Header().Set("Cache-Control", "no-store")
	kit.WriteJSON(w, http.StatusOK, out)
	return nil
}
