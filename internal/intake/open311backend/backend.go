// Package open311backend connects the Open311 GeoReport v2 endpoint (package open311, 市民诉求接入)
// to the work-order store: a jurisdiction is a tenant town, a service is a leaf of the town's
// category tree, a request is a work order and its id is the order number.
//
// What leaves through it is public (GET requests needs no key), so every request is mapped
// through one function, toRequest, that never copies the caller's name, phone or e-mail and
// masks them inside free text too.
package open311backend

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/open311"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
)

type backend struct {
	db     *store.DB
	orders *orders.Store
}

// New returns the Open311 backend on db; st is the work-order store the server already uses, so
// that new orders share its clock and cached grid locator.
func New(db *store.DB, st *orders.Store) open311.Backend {
	return &backend{db: db, orders: st}
}

// Jurisdiction reports whether id is a town that runs CivicGrid.
func (b *backend) Jurisdiction(ctx context.Context, id string) (bool, error) {
	towns, err := places.TenantTowns(ctx, b.db, []string{id})
	if err != nil {
		return false, fmt.Errorf("jurisdiction %s: %w", id, err)
	}
	return len(towns) > 0, nil
}

// Services lists the town's leaf categories (小类): only they route an order to a department,
// so a top class (大类) is shown as the group of its leaves instead of as a service.
func (b *backend) Services(ctx context.Context, j string) ([]open311.Service, error) {
	tree, err := b.categories(ctx, j)
	if err != nil {
		return nil, err
	}
	out := []open311.Service{}
	for _, c := range tree.list {
		if !tree.isLeaf(c.Code) {
			continue
		}
		out = append(out, open311.Service{
			Code: c.Code, Name: c.Name, Description: c.NameEN, Group: tree.byCode[c.Parent].Name,
			Type: open311.TypeRealtime, Keywords: c.Keywords,
		})
	}
	return out, nil
}

// ServiceDefinition has no attributes: CivicGrid's categories ask no extra questions yet, and
// the description carries everything a handler needs.
func (b *backend) ServiceDefinition(ctx context.Context, j, code string) (open311.ServiceDefinition, error) {
	tree, err := b.categories(ctx, j)
	if err != nil {
		return open311.ServiceDefinition{}, err
	}
	if !tree.isLeaf(code) {
		return open311.ServiceDefinition{}, open311.ErrNotFound
	}
	return open311.ServiceDefinition{ServiceCode: code, Attributes: []open311.Attribute{}}, nil
}

// CheckAPIKey accepts a CivicGrid API token of an active user who may create orders in town j.
func (b *backend) CheckAPIKey(ctx context.Context, j, key string) error {
	_, err := b.keyOwner(ctx, j, key)
	return err
}

// keyOwner resolves key to its user. Every refusal is the same ErrForbidden so that a caller
// cannot tell an unknown key from a key of another town.
func (b *backend) keyOwner(ctx context.Context, j, key string) (auth.User, error) {
	u, err := auth.UserByToken(ctx, b.db, key)
	if errors.Is(err, problem.ErrNotFound) {
		return auth.User{}, open311.ErrForbidden
	}
	if err != nil {
		return auth.User{}, fmt.Errorf("api key: %w", err)
	}
	if !u.Can(auth.PermOrdersCreate) {
		return auth.User{}, open311.ErrForbidden
	}
	towns, err := u.Towns(ctx, b.db) // a district account covers its district's towns
	if err != nil {
		return auth.User{}, fmt.Errorf("towns of user %d: %w", u.ID, err)
	}
	if !slices.Contains(towns, j) {
		return auth.User{}, open311.ErrForbidden
	}
	return u, nil
}

// tree is a town's category tree indexed for the questions this package asks of it.
type tree struct {
	list     []orders.Category
	byCode   map[string]orders.Category
	children map[string]int
}

func (b *backend) categories(ctx context.Context, j string) (tree, error) {
	list, err := b.orders.Categories(ctx, j)
	if err != nil {
		return tree{}, err
	}
	t := tree{list: list, byCode: make(map[string]orders.Category, len(list)), children: map[string]int{}}
	for _, c := range list {
		t.byCode[c.Code] = c
		if c.Parent != "" {
			t.children[c.Parent]++
		}
	}
	return t, nil
}

// isLeaf is "has no children" rather than "has a parent", so that a deeper tree still offers
// only the categories a dispatcher can file an order under.
func (t tree) isLeaf(code string) bool {
	_, ok := t.byCode[code]
	return ok && t.children[code] == 0
}
