package web

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/privacy"
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
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	u, err := auth.UserByID(r.Context(), s.DB, c.Towns, id)
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
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusCreated, u)
	return nil
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	kit.WriteJSON(w, http.StatusOK, map[string]any{"user": c.User, "towns": c.Towns})
	return nil
}
