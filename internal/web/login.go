package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	if c != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	return s.Render(w, r, http.StatusOK, "login", kit.PageData{Title: "sign in", Data: map[string]string{"Next": kit.SafeNext(r.URL.Query().Get("next"))}})
}

func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	username := strings.TrimSpace(r.PostFormValue("username"))
	next := kit.SafeNext(r.PostFormValue("next"))
	u, err := auth.Authenticate(r.Context(), s.DB, username, r.PostFormValue("password"), kit.ClientIP(r))
	if err != nil {
		T := kit.Translator(kit.Language(w, r))
		msg, status := T("wrong login"), http.StatusUnauthorized
		var te *auth.ThrottledError
		if errors.As(err, &te) {
			secs := te.Seconds()
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			msg, status = fmt.Sprintf(T("throttled wait"), secs), http.StatusTooManyRequests
			if secs > 90 {
				msg = fmt.Sprintf(T("throttled wait m"), (secs+59)/60)
			}
		} else if !errors.Is(err, auth.ErrBadCredentials) {
			return err
		}
		return s.Render(w, r, status, "login", kit.PageData{Title: "sign in", Error: msg, Field: "password",
			Data: map[string]string{"Next": next, "Username": username}})
	}
	sess, err := auth.CreateSession(r.Context(), s.DB, u)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: kit.SessionCookie, Value: sess.Token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.cfg.SecureCookies, MaxAge: 12 * 3600})
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	if c.Session != nil {
		if err := auth.EndSession(r.Context(), s.DB, c.Session.Token); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: kit.SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.cfg.SecureCookies})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}
