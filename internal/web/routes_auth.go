package web

import "github.com/civicgrid/civicgrid/internal/auth"

// authRoutes registers the API-token pages: everyone signed in lists and revokes their own
// tokens; an administrator (users:write) does the same for the users of their towns. Tokens
// are issued from the command line (`civicgrid token create`), never from a browser session, so
// that a stolen session cannot turn itself into a long-lived credential.
func (s *Server) authRoutes() {
	s.page("GET /account/tokens", loggedIn, s.myTokensPage)
	s.page("POST /account/tokens/{tid}/revoke", loggedIn, s.myTokenRevoke)
	s.page("GET /admin/users/{id}/tokens", auth.PermUsersWrite, s.userTokensPage)
	s.page("POST /admin/users/{id}/tokens/{tid}/revoke", auth.PermUsersWrite, s.userTokenRevoke)
}
