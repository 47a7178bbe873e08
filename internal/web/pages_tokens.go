package web

import (
	"fmt"
	"net/http"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// tokensData is what tokens.html shows: whose tokens, and where their revoke buttons post.
type tokensData struct {
	Owner      auth.User
	Own        bool
	Tokens     []auth.Token
	RevokeBase string
}

func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, owner auth.User, own bool) error {
	ts, err := auth.Tokens(r.Context(), s.DB, owner.ID)
	if err != nil {
		return err
	}
	base := fmt.Sprintf("/admin/users/%d/tokens", owner.ID)
	if own {
		base = "/account/tokens"
	}
	return s.Render(w, r, http.StatusOK, "tokens", kit.PageData{Title: "tok.title", Data: tokensData{Owner: owner, Own: own, Tokens: ts, RevokeBase: base}})
}

func (s *Server) myTokensPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.renderTokens(w, r, c.User, true)
}

func (s *Server) myTokenRevoke(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	tid, err := kit.PathID(r, "tid")
	if err != nil {
		return err
	}
	if _, err := auth.RevokeToken(r.Context(), s.DB, c.User.ID, tid, c.User.Username, kit.ClientIP(r)); err != nil {
		return err
	}
	kit.RedirectFlash(w, r, "/account/tokens", kit.Translator(kit.Language(w, r))("tok.revoked"))
	return nil
}

// userOfTowns is the user {id} of the caller's towns; users elsewhere are not found.
func (s *Server) userOfTowns(r *http.Request, c *kit.Caller) (auth.User, error) {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return auth.User{}, err
	}
	return auth.UserByID(r.Context(), s.DB, c.Towns, id)
}

func (s *Server) userTokensPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	u, err := s.userOfTowns(r, c)
	if err != nil {
		return err
	}
	return s.renderTokens(w, r, u, u.ID == c.User.ID)
}

func (s *Server) userTokenRevoke(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	u, err := s.userOfTowns(r, c)
	if err != nil {
		return err
	}
	tid, err := kit.PathID(r, "tid")
	if err != nil {
		return err
	}
	if _, err := auth.RevokeToken(r.Context(), s.DB, u.ID, tid, c.User.Username, kit.ClientIP(r)); err != nil {
		return err
	}
	kit.RedirectFlash(w, r, fmt.Sprintf("/admin/users/%d/tokens", u.ID), kit.Translator(kit.Language(w, r))("tok.revoked"))
	return nil
}
