package web

import (
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// authRoutes registers the API-token pages: everyone signed in lists and revokes their own
// tokens; an administrator (users:write) does the same for the users of their towns. Tokens
// are issued from the command line (`civicgrid token create`), never from a browser session, so
// that a stolen session cannot turn itself into a long-lived credential.
func (s *Server) authRoutes(m *kit.Mount) {
	m.Page("GET /account/tokens", kit.SignedIn, s.myTokensPage)
	m.Page("POST /account/tokens/{tid}/revoke", kit.SignedIn, s.myTokenRevoke)
	m.Page("GET /admin/users/{id}/tokens", auth.PermUsersWrite, s.userTokensPage)
	m.Page("POST /admin/users/{id}/tokens/{tid}/revoke", auth.PermUsersWrite, s.userTokenRevoke)
}
