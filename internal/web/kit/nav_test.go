package kit

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/civicgrid/civicgrid/internal/auth"
)

// TestNavItems: the bar orders its own links and its menus by Order; a menu holds its links in
// their Order; a menu of one visible link is that link; a menu never declared is placed by its
// first link; the menu holding the page is active.
func TestNavItems(t *testing.T) {
	k := New(http.NewServeMux(), nil)
	m := k.Mount("test")
	m.NavGroup(NavGroup{Key: "g admin", Order: 90})
	m.NavGroup(NavGroup{Key: "g work", Order: 10})
	m.NavGroup(NavGroup{Key: "g alone", Order: 20})
	adminOnly := func(u auth.User) bool { return u.Role == auth.RoleAdmin }
	m.Nav(NavEntry{Href: "/", Key: "home", Order: 0})
	m.Nav(NavEntry{Href: "/users", Key: "users", Group: "g admin", Order: 2, Show: adminOnly})
	m.Nav(NavEntry{Href: "/audit", Key: "audit", Group: "g admin", Order: 1, Show: adminOnly})
	m.Nav(NavEntry{Href: "/orders", Key: "orders", Group: "g work", Order: 50})
	m.Nav(NavEntry{Href: "/patrol", Key: "patrol", Group: "g work", Order: 40})
	m.Nav(NavEntry{Href: "/map", Key: "map", Group: "g alone", Order: 30})
	m.Nav(NavEntry{Href: "/late", Key: "late", Group: "g undeclared", Order: 60})
	m.Nav(NavEntry{Href: "/later", Key: "later", Group: "g undeclared", Order: 70})

	got := k.navItems(&Caller{User: auth.User{Role: auth.RoleAdmin}}, "zh", "/orders/7")
	want := []NavItem{
		{Href: "/", Label: "home"},
		{Label: "g work", ID: "nav-menu-2", Active: true, Items: []NavItem{{Href: "/patrol", Label: "patrol"}, {Href: "/orders", Label: "orders", Active: true}}},
		{Href: "/map", Label: "map"},
		{Label: "g undeclared", ID: "nav-menu-4", Items: []NavItem{{Href: "/late", Label: "late"}, {Href: "/later", Label: "later"}}},
		{Label: "g admin", ID: "nav-menu-5", Items: []NavItem{{Href: "/audit", Label: "audit"}, {Href: "/users", Label: "users"}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("admin's bar:\n got %+v\nwant %+v", got, want)
	}
	if links := k.NavLinks(auth.User{Role: auth.RoleResident}); len(links) != 6 {
		t.Errorf("a resident's flat list has %d links, want 6 (the admin's two hidden)", len(links))
	}
	if got := k.navItems(nil, "zh", "/"); got != nil {
		t.Errorf("an anonymous visitor's bar: %+v", got)
	}
}
