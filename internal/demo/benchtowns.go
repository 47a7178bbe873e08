package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/dispatch"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
)

// Generated towns for the benchmark harness (issue #17: "several towns for N ≥ 10^6", a city
// account over many towns). The demo has two real towns; the others are copies of 新泾镇's
// world — its grids, committees, departments, places and category tree, moved on the map and
// given codes of their own — under generated districts whose codes (310190…) no real Shanghai
// district uses and whose names say they are generated. Only `civicgrid bench pages` makes them.

// MaxBenchTowns is the most towns the harness spreads orders over (the two demo towns included).
const MaxBenchTowns = 50

// benchTownsPerDistrict is how many generated towns one generated district holds.
const benchTownsPerDistrict = 10

// BenchDistrictUser is the harness's district account: a leader whose scope is the first
// generated district (its towns) or, with no generated town, 长宁区 (新泾镇).
const BenchDistrictUser = "bench_district"

// benchDistrictCode is the code of the i-th generated district.
func benchDistrictCode(i int) string { return fmt.Sprintf("%s%02d", world.CityCode, 90+i) }

// BenchTownCodes are the codes of the first k towns the harness uses: 新泾镇, 陆家嘴, then the
// generated ones.
func BenchTownCodes(k int) []string {
	out := []string{world.XinjingCode, world.LujiazuiCode}[:min(k, 2)]
	for i := range max(0, k-2) {
		out = append(out, benchTownCode(i))
	}
	return out
}

func benchTownCode(i int) string {
	return fmt.Sprintf("%s%03d", benchDistrictCode(i/benchTownsPerDistrict), i%benchTownsPerDistrict+1)
}

// BenchDistrictCode is the district the harness's district account sees with k towns.
func BenchDistrictCode(k int) string {
	if k <= 2 {
		return world.ChangningCode
	}
	return benchDistrictCode(0)
}

// GeneratedWorld is the i-th generated town (0-based): 新泾镇's world under new codes and names,
// moved on the map so that its grids do not lie on another town's. Its accounts are a
// dispatcher, a leader, an admin and one handler (gen03_dispatcher …); loadBenchTown leaves its
// grid teams out.
func GeneratedWorld(i int) (*world.World, error) {
	xj, err := world.Xinjing()
	if err != nil {
		return nil, err
	}
	code := benchTownCode(i)
	d := i / benchTownsPerDistrict
	w := *xj
	w.District = world.Admin{Code: benchDistrictCode(d), Name: fmt.Sprintf("生成区%02d（基准测试）", d+1), ParentCode: world.CityCode}
	w.Town = world.Admin{Code: code, Name: fmt.Sprintf("生成镇%02d（基准测试）", i+1), ParentCode: w.District.Code}
	prefix := fmt.Sprintf("g%02d-", i+1)
	// Codes: a committee (and the department of the same code) keeps its last three digits under
	// the new town's code; grids keep their suffix; departments get the town's prefix.
	recode := func(c string) string {
		switch {
		case c == "":
			return ""
		case strings.HasPrefix(c, world.XinjingCode):
			return code + strings.TrimPrefix(c, world.XinjingCode)
		case strings.HasPrefix(c, "xj-"):
			return prefix + strings.TrimPrefix(c, "xj-")
		}
		return prefix + c
	}
	// Moved by whole tenths of a degree (about 10 km) on a grid of 7 × 7 steps, away from the two
	// demo towns.
	dLng, dLat := 0.12*float64(1+i%7), -0.1*float64(1+i/7)
	move := func(lng, lat float64) (float64, float64) { return lng + dLng, lat + dLat }
	w.Committees = nil
	for _, c := range xj.Committees {
		w.Committees = append(w.Committees, world.Admin{Code: recode(c.Code), Name: c.Name + "（生成）", ParentCode: code})
	}
	w.Grids = nil
	for _, g := range xj.Grids {
		ng := g
		ng.Code, ng.Name = recode(g.Code), g.Name
		ng.Committees = nil
		for _, c := range g.Committees {
			ng.Committees = append(ng.Committees, recode(c))
		}
		ng.Polygon = nil
		for _, ring := range g.Polygon {
			r := make(orb.Ring, len(ring))
			for k, p := range ring {
				r[k][0], r[k][1] = move(p[0], p[1])
			}
			ng.Polygon = append(ng.Polygon, r)
		}
		w.Grids = append(w.Grids, ng)
	}
	w.Places = nil
	for _, p := range xj.Places {
		p.GridCode, p.CommitteeCode = recode(p.GridCode), recode(p.CommitteeCode)
		p.Lng, p.Lat = move(p.Lng, p.Lat)
		if p.Line != nil {
			line := make(orb.LineString, len(p.Line))
			for k, pt := range p.Line {
				line[k][0], line[k][1] = move(pt[0], pt[1])
			}
			p.Line = line
		}
		w.Places = append(w.Places, p)
	}
	addrs := func(in []world.Address) []world.Address {
		out := make([]world.Address, len(in))
		for k, a := range in {
			a.GridCode, a.CommitteeCode = recode(a.GridCode), recode(a.CommitteeCode)
			a.Lng, a.Lat = move(a.Lng, a.Lat)
			out[k] = a
		}
		return out
	}
	w.Addresses, w.Buildings, w.Landmarks = addrs(xj.Addresses), addrs(xj.Buildings), addrs(xj.Landmarks)
	w.Departments = nil
	for _, dep := range xj.Departments {
		dep.Code = recode(dep.Code)
		w.Departments = append(w.Departments, dep)
	}
	w.Users = nil
	for _, u := range xj.Users {
		switch u.Username {
		case "dispatcher", "leader", "admin", "handler_enforcement":
		default:
			continue
		}
		u.Username = fmt.Sprintf("gen%02d_%s", i+1, u.Username)
		u.TownCode, u.DistrictCode = code, w.District.Code
		u.DepartmentCode, u.GridCode = recode(u.DepartmentCode), recode(u.GridCode)
		u.Phone = fmt.Sprintf("1002%03d%04d", i+1, len(w.Users)+1)
		w.Users = append(w.Users, u)
	}
	w.GridMembers = nil
	for _, m := range xj.GridMembers {
		m.GridCode, m.DepartmentCode, m.Username = recode(m.GridCode), recode(m.DepartmentCode), ""
		w.GridMembers = append(w.GridMembers, m)
	}
	w.Residents = nil
	for _, r := range xj.Residents {
		r.GridCode = recode(r.GridCode)
		w.Residents = append(w.Residents, r)
	}
	w.Categories = nil
	for _, c := range xj.Categories {
		c.DepartmentCode = recode(c.DepartmentCode)
		w.Categories = append(w.Categories, c)
	}
	w.Standard.Nodes = nil
	for _, n := range xj.Standard.Nodes {
		n.DepartmentCode = recode(n.DepartmentCode)
		w.Standard.Nodes = append(w.Standard.Nodes, n)
	}
	if err := w.Validate(); err != nil {
		return nil, fmt.Errorf("generated town %d: %w", i+1, err)
	}
	return &w, nil
}

// LoadBenchTowns puts the generated towns the harness needs for k towns in all into db (the
// demo already loaded), each with its category tree, and the district account
// (BenchDistrictUser). Idempotent: a town already in is skipped.
func LoadBenchTowns(ctx context.Context, db *store.DB, k int, log *slog.Logger) error {
	if k > MaxBenchTowns {
		return fmt.Errorf("at most %d towns", MaxBenchTowns)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	for i := range max(0, k-2) {
		w, err := GeneratedWorld(i)
		if err != nil {
			return err
		}
		loaded, err := isLoaded(ctx, db, w.Town.Code)
		if err != nil || loaded {
			if err != nil {
				return err
			}
			continue
		}
		start := time.Now()
		err = db.InTx(ctx, func(tx *store.Tx) error {
			if err := places.UpsertRegion(ctx, tx, places.Region{Code: w.District.Code, Name: w.District.Name, Level: "district",
				ParentCode: world.CityCode}); err != nil {
				return err
			}
			return places.UpsertRegion(ctx, tx, places.Region{Code: w.Town.Code, Name: w.Town.Name, Level: "town",
				ParentCode: w.District.Code, Tenant: true})
		})
		if err != nil {
			return fmt.Errorf("generated town %s: %w", w.Town.Code, err)
		}
		if err := loadBenchTown(ctx, db, w); err != nil {
			return fmt.Errorf("generated town %s: %w", w.Town.Code, err)
		}
		if _, err := dispatch.Publish(ctx, db, w.Town.Code, CategoryTree(w), CategoryTreeValidFrom, "默认分类（示意） default tree (illustrative)",
			audit.Actor{Name: "demo"}, time.Now()); err != nil {
			return fmt.Errorf("generated town %s: category tree: %w", w.Town.Code, err)
		}
		if _, err := db.Exec(ctx, `INSERT INTO settings (town_code, key, value) VALUES (?, ?, ?)`, w.Town.Code, markerKey,
			time.Now().Format(time.RFC3339)); err != nil {
			return err
		}
		log.Info("generated town loaded", "town", w.Town.Name, "code", w.Town.Code, "ms", time.Since(start).Milliseconds())
	}
	if _, err := auth.UserByUsername(ctx, db, BenchDistrictUser); err == nil || !errors.Is(err, problem.ErrNotFound) {
		return err
	}
	_, err := auth.CreateUser(ctx, db, auth.NewUser{Username: BenchDistrictUser, DisplayName: "区级账号（基准测试）", Role: auth.RoleLeader,
		DistrictCode: BenchDistrictCode(k), Phone: "10021000002", Password: Password(BenchDistrictUser)}, "demo")
	return err
}

// loadBenchTown is loadTown for a generated town, in a few transactions instead of one per
// record (at 48 towns the per-record commits took a quarter of an hour on a loaded machine):
// its departments go in directly, its grid teams are left out (grid pages then list no members).
func loadBenchTown(ctx context.Context, db *store.DB, w *world.World) error {
	town := w.Town.Code
	for _, g := range w.Grids {
		if _, err := places.SaveGrid(ctx, db, places.Grid{Code: g.Code, TownCode: town, Name: g.Name, Note: g.Note, Polygon: g.Polygon}, demoActor); err != nil {
			return fmt.Errorf("grid %s: %w", g.Code, err)
		}
	}
	err := db.InTx(ctx, func(tx *store.Tx) error {
		for _, d := range w.Departments {
			if _, err := tx.Exec(ctx, `INSERT INTO departments (code, town_code, name, name_en, kind, phone, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				d.Code, town, d.Name, d.NameEn, d.Kind, d.Phone, time.Now().UnixMilli()); err != nil {
				return fmt.Errorf("department %s: %w", d.Code, err)
			}
		}
		return savePlaces(ctx, tx, w, town)
	})
	if err != nil {
		return err
	}
	for _, u := range w.Users {
		if _, err := auth.CreateUser(ctx, db, auth.NewUser{Username: u.Username, DisplayName: u.DisplayName, Role: u.Role,
			TownCode: u.TownCode, DistrictCode: u.DistrictCode, DepartmentCode: u.DepartmentCode, GridCode: u.GridCode,
			Phone: u.Phone, Password: Password(u.Username)}, "demo"); err != nil {
			return fmt.Errorf("user %s: %w", u.Username, err)
		}
	}
	return nil
}
