package web

import (
	_ "embed"
	"net/http"
)

// openAPISpec documents the JSON API; docs/API.md is its readable companion. A test checks that
// every /api/v1 route registered in routes.go appears in it.
//
//go:embed openapi.json
var openAPISpec []byte

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(openAPISpec)
}
