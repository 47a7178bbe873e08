package web

import (
	"fmt"
	"net/http"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

func (s *Server) usersData(r *http.Request, c *kit.Caller) (map[string]any, error) {
	us, err := auth.Users(r.Context(), s.DB, c.Towns, r.URL.Query().Get("role"))
	if err != nil {
		return nil, err
	}
	shown := kit.ShownLog(r, privacy.Users)
	views := make([]userView, 0, len(us))
	for _, u := range us {
		views = append(views, s.viewUser(r, c, u, shown))
	}
	// The user form offers the towns' grids and departments.
	grids, err := places.Grids(r.Context(), s.DB, c.Towns)
	if err != nil {
		return nil, err
	}
	deps, err := places.Departments(r.Context(), s.DB, c.Towns)
	if err != nil {
		return nil, err
	}
	if err := s.RecordShown(r, c, shown); err != nil {
		return nil, err
	}
	return map[string]any{"Users": views, "Roles": auth.Roles, "Grids": grids, "Departments": deps, "Towns": c.Towns}, nil
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	d, err := s.usersData(r, c)
	if err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, "users", kit.PageData{Title: "users", Data: d})
}

func (s *Server) userSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	in := userInput{Username: r.PostFormValue("username"), DisplayName: r.PostFormValue("display_name"), Role: r.PostFormValue("role"),
		Town: r.PostFormValue("town"), Department: r.PostFormValue("department"), Grid: r.PostFormValue("grid"),
		Phone: r.PostFormValue("phone"), Password: r.PostFormValue("password")}
	_, err := s.createUser(r, c, in)
	if err == nil {
		kit.RedirectFlash(w, r, "/admin/users", kit.Translator(kit.Language(w, r))("saved"))
		return nil
	}
	status, body := kit.StatusOf(err)
	if status >= 500 {
		return err
	}
	d, derr := s.usersData(r, c)
	if derr != nil {
		return derr
	}
	in.Password = ""
	d["Form"] = in
	return s.Render(w, r, status, "users", kit.PageData{Title: "users", Error: body.Message, Field: body.Field, Data: d})
}

func (s *Server) userDisable(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	if id == c.User.ID {
		return problem.Conflict("you cannot disable your own account")
	}
	disable := r.PostFormValue("disabled") != "0"
	if err := auth.SetDisabled(r.Context(), s.DB, c.Towns, id, disable, c.User.Username); err != nil {
		return err
	}
	kit.RedirectFlash(w, r, "/admin/users", fmt.Sprintf("%s", kit.Translator(kit.Language(w, r))("saved")))
	return nil
}
