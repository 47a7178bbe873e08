package web

import (
	"context"
	"fmt"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/privacy"
)

// names resolves the codes and ids the admin pages show — users, grids, departments, towns — to
// the names people know, from one query each over the caller's towns.
type names struct {
	usersByID   map[int64]auth.User
	usersByName map[string]auth.User
	grids       map[string]places.Grid
	deps        map[string]places.Department
	regions     map[string]string
	gridList    []places.Grid
	depList     []places.Department
	userList    []auth.User
}

func (s *Server) loadNames(ctx context.Context, towns []string) (*names, error) {
	n := &names{usersByID: map[int64]auth.User{}, usersByName: map[string]auth.User{}, grids: map[string]places.Grid{},
		deps: map[string]places.Department{}, regions: map[string]string{}}
	var err error
	if n.userList, err = auth.Users(ctx, s.DB, towns, ""); err != nil {
		return nil, err
	}
	for _, u := range n.userList {
		n.usersByID[u.ID], n.usersByName[u.Username] = u, u
	}
	// Names and codes only: places.Grids would parse every grid's outline and read its members.
	if n.gridList, err = places.GridNames(ctx, s.DB, towns, nil); err != nil {
		return nil, err
	}
	for _, g := range n.gridList {
		n.grids[g.Code] = g
	}
	if n.depList, err = places.Departments(ctx, s.DB, towns); err != nil {
		return nil, err
	}
	for _, d := range n.depList {
		n.deps[d.Code] = d
	}
	ts, err := places.TenantTowns(ctx, s.DB, towns)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		n.regions[t.Code] = t.Name
	}
	return n, nil
}

// region names a town or district code, looking up a code outside the caller's towns (a
// district) once.
func (s *Server) region(ctx context.Context, n *names, code string) string {
	if code == "" {
		return ""
	}
	if name, ok := n.regions[code]; ok {
		return name
	}
	name := code
	if r, err := places.GetRegion(ctx, s.DB, code); err == nil && r.Name != "" {
		name = r.Name
	}
	n.regions[code] = name
	return name
}

// person is "display name (username)", or the username alone for an actor with no account
// (a tool such as "demo" or "cli") or outside the caller's towns.
// A resident's name is personal data: it is shown masked here (the username beside it).
func (n *names) person(username string) string {
	if u, ok := n.usersByName[username]; ok && u.DisplayName != "" && u.DisplayName != username {
		name := u.DisplayName
		if u.Role == auth.RoleResident {
			name = privacy.MaskName(name)
		}
		return fmt.Sprintf("%s (%s)", name, username)
	}
	return username
}

func (n *names) gridName(code string) string {
	if g, ok := n.grids[code]; ok && g.Name != "" {
		return g.Name
	}
	return code
}

func (n *names) depName(code, lang string) string {
	if d, ok := n.deps[code]; ok {
		if lang == "en" && d.NameEN != "" {
			return d.NameEN
		}
		if d.Name != "" {
			return d.Name
		}
	}
	return code
}
