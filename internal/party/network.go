package party

import (
	"context"
	"fmt"
	"strings"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
)

// Kinds of the 新时代文明实践 network ("1+31+N": one centre, stations, points).
var NetworkKinds = []Label{
	{Code: "centre", ZH: "文明实践分中心", EN: "Practice centre"},
	{Code: "station", ZH: "文明实践站", EN: "Practice station"},
	{Code: "point", ZH: "文明实践点", EN: "Practice point"},
}

// Site is a place of the practice network with what it offers (free text and links).
type Site struct {
	ID         int64    `json:"id"`
	TownCode   string   `json:"town"`
	Kind       string   `json:"kind"`
	Name       string   `json:"name"`
	Enterprise bool     `json:"enterprise"`
	Offers     string   `json:"offers"`
	Links      []string `json:"links"`
	Lat        float64  `json:"lat"`
	Lng        float64  `json:"lng"`
	Grid       string   `json:"grid,omitempty"`
}

// NetworkCount is the "1+31+N" shape of a town's network.
type NetworkCount struct {
	Centres, Stations, Points, Enterprises int
}

// AddSite adds a place to a town's practice network.
func (s *Service) AddSite(ctx context.Context, towns []string, n Site, by auth.User) (Site, error) {
	if err := checkManagerIn(by, towns, n.TownCode); err != nil {
		return Site{}, err
	}
	if err := checkSite(&n); err != nil {
		return Site{}, err
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO party_network (town_code, kind, name, enterprise, offers, links, lat, lng, grid_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			n.TownCode, n.Kind, n.Name, store.Bool(n.Enterprise), n.Offers, strings.Join(n.Links, "\n"), n.Lat, n.Lng, store.NullIfEmpty(n.Grid)).Scan(&n.ID)
		if store.IsUniqueViolation(err) {
			return problem.Field("name", "%q is in the network already", n.Name)
		}
		if store.IsForeignKeyViolation(err) {
			return problem.Field("grid", "%q is not a grid", n.Grid)
		}
		if err != nil {
			return err
		}
		return record(ctx, tx, by, audit.ActionCreate, "party_site", n.ID, n.TownCode, n.Name)
	})
	return n, err
}

// Network lists the practice network of towns (centre, stations, points) and its shape.
func (s *Service) Network(ctx context.Context, towns []string) ([]Site, NetworkCount, error) {
	where, args := store.In("town_code", towns)
	rows, err := s.DB.Query(ctx, `SELECT id, town_code, kind, name, enterprise, offers, links, lat, lng, COALESCE(grid_code, '') FROM party_network
		WHERE `+where+` ORDER BY CASE kind WHEN 'centre' THEN 0 WHEN 'station' THEN 1 ELSE 2 END, id LIMIT 2000`, args...)
	if err != nil {
		return nil, NetworkCount{}, fmt.Errorf("network: %w", err)
	}
	defer rows.Close()
	var out []Site
	var c NetworkCount
	for rows.Next() {
		var x Site
		var ent int
		var links string
		if err := rows.Scan(&x.ID, &x.TownCode, &x.Kind, &x.Name, &ent, &x.Offers, &links, &x.Lat, &x.Lng, &x.Grid); err != nil {
			return nil, c, err
		}
		x.Enterprise = ent != 0
		if links != "" {
			x.Links = strings.Split(links, "\n")
		}
		switch x.Kind {
		case "centre":
			c.Centres++
		case "station":
			c.Stations++
		default:
			c.Points++
			if x.Enterprise {
				c.Enterprises++
			}
		}
		out = append(out, x)
	}
	return out, c, rows.Err()
}
