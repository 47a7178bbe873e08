// Package demo loads the 新泾镇 demo (and the smaller 陆家嘴街道 tenant) into a database: the real
// administrative hierarchy of Shanghai, illustrative grids, real residents' committees, the
// organisations and places of the seeds, invented people with one account per role, and — once
// the work-order capability is present — several hundred orders. Loading is idempotent: a marker
// in settings records that a town's demo is in, and a second start adds nothing.
package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
)

// Account is a demo sign-in printed at start-up.
type Account struct {
	Username, Password, Role, Name, Town string
}

// Password returns the fixed demo password of a demo user. Demo data only: fixed passwords let a
// visitor sign in from the README; a real deployment creates its users with `civicgrid user add`.
func Password(username string) string { return "demo-" + username }

const markerKey = "demo_loaded"

// demoActor is who the audit log names for the demo's records, as auth.CreateUser's "demo".
var demoActor = audit.Actor{Name: "demo"}

// Extra is run after a town's places and people are in, inside the same load; capabilities use it
// to add their demo data (orders, projects…). It must be idempotent itself.
type Extra func(ctx context.Context, db *store.DB, w *world.World, log *slog.Logger) error

// Load puts both demo towns into db unless they are there already, and returns the accounts.
func Load(ctx context.Context, db *store.DB, log *slog.Logger, extras ...Extra) ([]Account, error) {
	if log == nil {
		log = slog.Default()
	}
	if err := loadRegions(ctx, db); err != nil {
		return nil, err
	}
	var accounts []Account
	for _, get := range []func() (*world.World, error){world.Xinjing, world.Lujiazui} {
		w, err := get()
		if err != nil {
			return nil, fmt.Errorf("demo world: %w", err)
		}
		loaded, err := isLoaded(ctx, db, w.Town.Code)
		if err != nil {
			return nil, err
		}
		if !loaded {
			start := time.Now()
			if err := loadTown(ctx, db, w); err != nil {
				return nil, fmt.Errorf("demo %s: %w", w.Town.Name, err)
			}
			log.Info("demo town loaded", "town", w.Town.Name, "code", w.Town.Code, "grids", len(w.Grids), "ms", time.Since(start).Milliseconds())
		}
		for _, x := range extras {
			if err := x(ctx, db, w, log); err != nil {
				return nil, fmt.Errorf("demo %s: %w", w.Town.Name, err)
			}
		}
		if !loaded {
			if _, err := db.Exec(ctx, `INSERT INTO settings (town_code, key, value) VALUES (?, ?, ?)`, w.Town.Code, markerKey, time.Now().Format(time.RFC3339)); err != nil {
				return nil, err
			}
		}
		for _, u := range w.Users {
			town := u.TownCode
			if town == "" {
				town = u.DistrictCode
			}
			accounts = append(accounts, Account{Username: u.Username, Password: Password(u.Username), Role: u.Role, Name: u.DisplayName, Town: town})
		}
	}
	city, err := ensureCityAccount(ctx, db)
	if err != nil {
		return nil, err
	}
	return dedupe(append(accounts, city)), nil
}

// ensureCityAccount adds a 上海市 city-level leader who sees every CivicGrid town of the city: the
// top of the roll-up (city → district → town).
func ensureCityAccount(ctx context.Context, db *store.DB) (Account, error) {
	a := Account{Username: "shanghai", Password: Password("shanghai"), Role: auth.RoleLeader, Name: "陆志远", Town: world.CityCode}
	if _, err := auth.UserByUsername(ctx, db, a.Username); err == nil {
		return a, nil
	} else if !errors.Is(err, problem.ErrNotFound) {
		return a, err
	}
	_, err := auth.CreateUser(ctx, db, auth.NewUser{Username: a.Username, DisplayName: a.Name, Role: a.Role, DistrictCode: world.CityCode,
		Phone: "10021000001", Password: a.Password}, "demo")
	return a, err
}

func dedupe(as []Account) []Account {
	seen := map[string]bool{}
	var out []Account
	for _, a := range as {
		if !seen[a.Username] {
			seen[a.Username] = true
			out = append(out, a)
		}
	}
	return out
}

func isLoaded(ctx context.Context, db *store.DB, town string) (bool, error) {
	var n int
	err := db.QueryRow(ctx, `SELECT COUNT(*) FROM settings WHERE town_code = ? AND key = ?`, town, markerKey).Scan(&n)
	return n > 0, err
}

// loadRegions writes the city, its 16 districts and 234 towns (upserts: safe to repeat).
func loadRegions(ctx context.Context, db *store.DB) error {
	districts, towns, err := world.ShanghaiAdmin()
	if err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		if err := places.UpsertRegion(ctx, tx, places.Region{Code: world.CityCode, Name: "上海市", Level: "city"}); err != nil {
			return err
		}
		for _, d := range districts {
			if err := places.UpsertRegion(ctx, tx, places.Region{Code: d.Code, Name: d.Name, Level: "district", ParentCode: world.CityCode}); err != nil {
				return err
			}
		}
		for _, t := range towns {
			tenant := t.Code == world.XinjingCode || t.Code == world.LujiazuiCode
			if err := places.UpsertRegion(ctx, tx, places.Region{Code: t.Code, Name: t.Name, Level: "town", ParentCode: t.ParentCode, Tenant: tenant}); err != nil {
				return err
			}
		}
		return nil
	})
}

func loadTown(ctx context.Context, db *store.DB, w *world.World) error {
	town := w.Town.Code
	for _, d := range w.Departments {
		if err := places.SaveDepartment(ctx, db, places.Department{Code: d.Code, TownCode: town, Name: d.Name, NameEN: d.NameEn, Kind: d.Kind, Phone: d.Phone}, demoActor); err != nil {
			return fmt.Errorf("department %s: %w", d.Code, err)
		}
	}
	for _, g := range w.Grids {
		if _, err := places.SaveGrid(ctx, db, places.Grid{Code: g.Code, TownCode: town, Name: g.Name, Note: g.Note, Polygon: g.Polygon}, demoActor); err != nil {
			return fmt.Errorf("grid %s: %w", g.Code, err)
		}
	}
	err := db.InTx(ctx, func(tx *store.Tx) error {
		return savePlaces(ctx, tx, w, town)
	})
	if err != nil {
		return err
	}
	userIDs := map[string]int64{}
	for _, u := range w.Users {
		existing, err := auth.UserByUsername(ctx, db, u.Username)
		if err == nil {
			userIDs[u.Username] = existing.ID
			continue
		}
		if !errors.Is(err, problem.ErrNotFound) {
			return err
		}
		created, err := auth.CreateUser(ctx, db, auth.NewUser{Username: u.Username, DisplayName: u.DisplayName, Role: u.Role,
			TownCode: u.TownCode, DistrictCode: u.DistrictCode, DepartmentCode: u.DepartmentCode, GridCode: u.GridCode,
			Phone: u.Phone, Password: Password(u.Username)}, "demo")
		if err != nil {
			return fmt.Errorf("user %s: %w", u.Username, err)
		}
		userIDs[u.Username] = created.ID
	}
	for _, m := range w.GridMembers {
		if _, err := places.AddMember(ctx, db, []string{town}, places.Member{GridCode: m.GridCode, Name: m.Name, GridRole: m.GridRole,
			DepartmentCode: m.DepartmentCode, Phone: m.Phone, UserID: userIDs[m.Username]}, demoActor); err != nil {
			return fmt.Errorf("grid member %s: %w", m.Name, err)
		}
	}
	return nil
}

// World loads the demo world into db without its work orders, quietly: the shape test helpers
// (webtest) take, so that they need not import the demo themselves.
func World(ctx context.Context, db *store.DB, _ string) error {
	_, err := Load(ctx, db, slog.New(slog.DiscardHandler))
	return err
}

// WorldWithOrders is World with the demo's several hundred work orders, their photos under dir.
func WorldWithOrders(ctx context.Context, db *store.DB, dir string) error {
	_, err := Load(ctx, db, slog.New(slog.DiscardHandler), Orders(dir, time.Now()), DispatchRules())
	return err
}

// savePlaces writes a town's committees, places and addresses (the demo's towns and the bench's
// generated copies alike), in the caller's transaction.
func savePlaces(ctx context.Context, tx *store.Tx, w *world.World, town string) error {
	gridOf := map[string]string{}
	for _, g := range w.Grids {
		for _, c := range g.Committees {
			gridOf[c] = g.Code
		}
	}
	for _, c := range w.Committees {
		if err := places.SaveCommittee(ctx, tx, places.Committee{Code: c.Code, TownCode: town, Name: c.Name, GridCode: gridOf[c.Code]}); err != nil {
			return fmt.Errorf("committee %s: %w", c.Code, err)
		}
	}
	for _, p := range w.Places {
		if err := places.SavePlace(ctx, tx, places.Place{TownCode: town, Name: p.Name, Kind: p.Kind, Lat: p.Lat, Lng: p.Lng,
			GridCode: p.GridCode, CommitteeCode: p.CommitteeCode}); err != nil {
			return fmt.Errorf("place %s: %w", p.Name, err)
		}
	}
	for _, a := range slices.Concat(w.Addresses, w.Buildings, w.Landmarks) {
		if err := places.SaveAddress(ctx, tx, places.Address{TownCode: town, Text: a.Text, Road: a.Road, Number: a.Number, Estate: a.Estate,
			Building: a.Building, Landmark: a.Landmark, Lat: a.Lat, Lng: a.Lng, GridCode: a.GridCode, CommitteeCode: a.CommitteeCode}); err != nil {
			return fmt.Errorf("address %s: %w", a.Text, err)
		}
	}
	return nil
}
