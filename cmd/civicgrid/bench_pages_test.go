package main

import (
	"slices"
	"testing"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/web"
)

// TestPlanCells: the bench measures each GET route of the table for the roles that may call it,
// with path parameters filled from the generated data and the list's variants; a route whose
// parameter it cannot fill is reported, not guessed.
func TestPlanCells(t *testing.T) {
	routes := []web.Route{
		{Method: "GET", Path: "/api/v1/orders/{id}", Perm: auth.PermOrdersRead},
		{Method: "POST", Path: "/api/v1/orders", Perm: auth.PermOrdersCreate},
		{Method: "GET", Path: "/api/v1/users", Perm: auth.PermUsersRead},
		{Method: "GET", Path: "/healthz", Perm: web.PermPublic},
		{Method: "GET", Path: "/things/{id}", Perm: web.PermSignedIn},
		{Method: "GET", Path: "/orders", Perm: auth.PermOrdersRead},
	}
	users := map[string]auth.User{}
	for _, name := range benchUsers {
		role := map[string]string{"handler_enforcement": auth.RoleHandler, "shanghai": auth.RoleLeader, demo.BenchDistrictUser: auth.RoleLeader}[name]
		if role == "" {
			role = name
		}
		users[name] = auth.User{Username: name, Role: role}
	}
	cells, skipped := planCells(routes, map[string]string{"orders/{id}": "42", "grid": "G1", "category": "C1"}, users, nil)
	got := map[string][]string{}
	for _, c := range cells {
		got[c.URL] = append(got[c.URL], c.User)
	}
	if want := []string{"dispatcher", "leader", "admin", "gridworker", "handler_enforcement", "resident", "shanghai", demo.BenchDistrictUser}; !slices.Equal(got["/api/v1/orders/42"], want) {
		t.Errorf("/api/v1/orders/42 as %v, want %v", got["/api/v1/orders/42"], want)
	}
	if u := got["/api/v1/users"]; !slices.Contains(u, "admin") || slices.Contains(u, "resident") || slices.Contains(u, "gridworker") {
		t.Errorf("/api/v1/users as %v: users:read is the admin's, not a resident's or a grid worker's", u)
	}
	if want := []string{"dispatcher"}; !slices.Equal(got["/healthz"], want) {
		t.Errorf("/healthz as %v, want once", got["/healthz"])
	}
	if _, ok := got["/orders"]; ok {
		t.Error("the bare /orders (a redirect) was measured")
	}
	if _, ok := got["/orders?grid=G1&category=C1"]; !ok {
		t.Errorf("the grid × category variant is missing: %v", got)
	}
	if len(skipped) != 1 || skipped[0] != "/things/{id} (no value for things/{id})" {
		t.Errorf("skipped %v", skipped)
	}
	for u := range got {
		if u == "/api/v1/orders" {
			t.Error("a POST route was measured")
		}
	}
}
