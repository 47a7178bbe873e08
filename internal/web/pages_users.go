package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// userRow is a user as the users page lists them: the codes of their town, department and grid
// with the names people know.
type userRow struct {
	userView
	TownName, DepartmentName, GridName string
}

func (s *Server) usersData(r *http.Request, c *kit.Caller, lang string) (map[string]any, error) {
	n, err := s.loadNames(r.Context(), c.Towns)
	if err != nil {
		return nil, err
	}
	role := r.URL.Query().Get("role")
	shown := kit.ShownLog(r, privacy.Users)
	rows := make([]userRow, 0, len(n.userList))
	for _, u := range n.userList {
		if role != "" && u.Role != role {
			continue
		}
		town := u.TownCode
		if town == "" {
			town = u.DistrictCode
		}
		rows = append(rows, userRow{userView: s.viewUser(r, c, u, shown), TownName: s.region(r.Context(), n, town),
			DepartmentName: n.depName(u.DepartmentCode, lang), GridName: n.gridName(u.GridCode)})
	}
	if err := s.RecordShown(r, c, shown); err != nil {
		return nil, err
	}
	towns := make([]map[string]string, 0, len(c.Towns))
	for _, t := range c.Towns {
		towns = append(towns, map[string]string{"Code": t, "Name": s.region(r.Context(), n, t)})
	}
	return map[string]any{"Users": rows, "Roles": auth.Roles, "Grids": n.gridList, "Departments": n.depList, "Towns": towns,
		"MinPassword": auth.MinPasswordLen}, nil
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	d, err := s.usersData(r, c, kit.Language(w, r))
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
	status, msg, field := kit.ErrorText(r, kit.Language(w, r), err)
	if status >= 500 {
		return err
	}
	d, derr := s.usersData(r, c, kit.Language(w, r))
	if derr != nil {
		return derr
	}
	in.Password = ""
	d["Form"] = in
	return s.Render(w, r, status, "users", kit.PageData{Title: "users", Error: msg, Field: field, Data: d})
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
	kit.RedirectFlash(w, r, "/admin/users", kit.Translator(kit.Language(w, r))("saved"))
	return nil
}

// renderUserEdit shows one user's edit form and password reset; secret is a password just set,
// shown this once.
func (s *Server) renderUserEdit(w http.ResponseWriter, r *http.Request, c *kit.Caller, u auth.User, status int, pd kit.PageData, secret string) error {
	n, err := s.loadNames(r.Context(), []string{u.TownCode})
	if err != nil {
		return err
	}
	// The form shows the phone whole: an administrator editing a user of their town may see it
	// (privacy.Users), and that view is audited like any other.
	shown := kit.ShownLog(r, privacy.Users)
	v := s.viewUser(r, c, u, shown)
	if err := s.RecordShown(r, c, shown); err != nil {
		return err
	}
	pd.Title = "usr.edit"
	pd.Data = map[string]any{"U": v, "Roles": auth.Roles, "Grids": n.gridList, "Departments": n.depList, "Self": u.ID == c.User.ID,
		"TownName": s.region(r.Context(), n, u.TownCode), "Secret": secret, "MinPassword": auth.MinPasswordLen}
	return s.Render(w, r, status, "user_edit", pd)
}

func (s *Server) userEditPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	u, err := s.userOfTowns(r, c)
	if err != nil {
		return err
	}
	return s.renderUserEdit(w, r, c, u, http.StatusOK, kit.PageData{}, "")
}

// userUpdateSubmit saves the edit form. An administrator may not change their own role or
// disable themselves (they would lock themselves out).
func (s *Server) userUpdateSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	u, err := s.userOfTowns(r, c)
	if err != nil {
		return err
	}
	up := auth.UserUpdate{DisplayName: r.PostFormValue("display_name"), Phone: r.PostFormValue("phone"), Role: r.PostFormValue("role"),
		DepartmentCode: r.PostFormValue("department"), GridCode: r.PostFormValue("grid"), Disabled: r.PostFormValue("enabled") != "1"}
	if u.ID == c.User.ID && (up.Role != u.Role || up.Disabled) {
		err = problem.Field("role", "you cannot change your own role or disable your own account")
	} else {
		_, err = auth.UpdateUser(r.Context(), s.DB, c.Towns, u.ID, up, kit.AuditActor(r, c))
	}
	if err == nil {
		kit.RedirectFlash(w, r, "/admin/users", kit.Translator(kit.Language(w, r))("saved"))
		return nil
	}
	status, msg, field := kit.ErrorText(r, kit.Language(w, r), err)
	if status >= 500 {
		return err
	}
	u.DisplayName, u.Phone, u.Role, u.DepartmentCode, u.GridCode, u.Disabled = up.DisplayName, up.Phone, up.Role, up.DepartmentCode, up.GridCode, up.Disabled
	return s.renderUserEdit(w, r, c, u, status, kit.PageData{Error: msg, Field: field}, "")
}

// userPasswordReset sets a user's password: the one the administrator typed, or a generated one
// shown on the answering page once (never in a URL or the log).
func (s *Server) userPasswordReset(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	u, err := s.userOfTowns(r, c)
	if err != nil {
		return err
	}
	if u.ID == c.User.ID {
		return problem.Conflict("change your own password on the account page")
	}
	chosen := r.PostFormValue("password")
	pw, err := auth.ResetPassword(r.Context(), s.DB, c.Towns, u.ID, chosen, kit.AuditActor(r, c))
	if err != nil {
		status, msg, field := kit.ErrorText(r, kit.Language(w, r), err)
		if status >= 500 {
			return err
		}
		return s.renderUserEdit(w, r, c, u, status, kit.PageData{Error: msg, Field: field}, "")
	}
	secret := ""
	if chosen == "" {
		secret = pw
	}
	T := kit.Translator(kit.Language(w, r))
	return s.renderUserEdit(w, r, c, u, http.StatusOK, kit.PageData{Flash: T("usr.password reset")}, secret)
}

// accountPage is every signed-in user's own account: change the password.
func (s *Server) accountPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.Render(w, r, http.StatusOK, "account", kit.PageData{Title: "acct.title", Data: map[string]any{"MinPassword": auth.MinPasswordLen}})
}

// accountPasswordSubmit changes the caller's own password: the current one checked like a
// sign-in (throttled), the new one typed twice; the caller's other sessions end.
func (s *Server) accountPasswordSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	T := kit.Translator(kit.Language(w, r))
	next := r.PostFormValue("new_password")
	var err error
	if next != r.PostFormValue("confirm_password") {
		err = problem.Field("confirm_password", "%s", T("acct.mismatch"))
	} else {
		token := ""
		if c.Session != nil {
			token = c.Session.Token
		}
		err = auth.ChangePassword(r.Context(), s.DB, c.User.Username, r.PostFormValue("current_password"), next, kit.ClientIP(r), token)
	}
	if err == nil {
		kit.RedirectFlash(w, r, "/account/password", T("acct.changed"))
		return nil
	}
	pd := kit.PageData{Title: "acct.title", Data: map[string]any{"MinPassword": auth.MinPasswordLen}}
	var te *auth.ThrottledError
	switch {
	case errors.As(err, &te):
		w.Header().Set("Retry-After", strconv.Itoa(te.Seconds()))
		pd.Error, pd.Field = T("acct.throttled"), "current_password"
		return s.Render(w, r, http.StatusTooManyRequests, "account", pd)
	case errors.Is(err, auth.ErrBadCredentials):
		pd.Error, pd.Field = T("acct.wrong current"), "current_password"
		return s.Render(w, r, http.StatusUnprocessableEntity, "account", pd)
	}
	status, msg, field := kit.ErrorText(r, kit.Language(w, r), err)
	if status >= 500 {
		return err
	}
	pd.Error, pd.Field = msg, field
	if field == "new_password" {
		pd.Error = fmt.Sprintf(T("acct.too short"), auth.MinPasswordLen)
		if next == r.PostFormValue("current_password") {
			pd.Error = T("acct.same")
		}
	}
	return s.Render(w, r, status, "account", pd)
}
