// Package places holds the hierarchy a town is governed through: city → district → town (the
// tenant) → grid (网格, a polygon) → residents' committee area (居民区) → estate or office
// building → address, and the departments of a town with the members of each grid (多格合一).
package places

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
)

// Region is a city, district or town from the national division codes.
type Region struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	Level      string `json:"level"`
	ParentCode string `json:"parent_code,omitempty"`
	Tenant     bool   `json:"tenant"`
}

// Grid is one responsibility grid (网格) of a town.
type Grid struct {
	ID       int64       `json:"id"`
	Code     string      `json:"code"`
	TownCode string      `json:"town_code"`
	Name     string      `json:"name"`
	Polygon  orb.Polygon `json:"-"`
	Note     string      `json:"note,omitempty"`
	Members  []Member    `json:"members"`
}

// Grid roles of 多格合一.
const (
	GridLeader  = "leader"  // 网格长
	GridDeputy  = "deputy"  // 副网格长
	GridLiaison = "liaison" // 联络员
	GridMember  = "member"  // 网格成员
)

// GridRoles lists the grid roles with their Chinese names, in rank order.
var GridRoles = []struct{ Code, ZH, EN string }{
	{GridLeader, "网格长", "Grid leader"},
	{GridDeputy, "副网格长", "Deputy leader"},
	{GridLiaison, "联络员", "Liaison"},
	{GridMember, "网格成员", "Member"},
}

// Member is a person serving in a grid, drawn from a department.
type Member struct {
	ID             int64  `json:"id"`
	GridCode       string `json:"grid"`
	Name           string `json:"name"`
	GridRole       string `json:"grid_role"`
	DepartmentCode string `json:"department,omitempty"`
	Phone          string `json:"phone,omitempty"`
	UserID         int64  `json:"user_id,omitempty"`
}

// Department is an organisation of a town that handles orders.
type Department struct {
	Code     string `json:"code"`
	TownCode string `json:"town"`
	Name     string `json:"name"`
	NameEN   string `json:"name_en,omitempty"`
	Kind     string `json:"kind"`
	Phone    string `json:"phone,omitempty"`
}

// Committee is a residents' committee area (居民区).
type Committee struct {
	Code     string `json:"code"`
	TownCode string `json:"town"`
	Name     string `json:"name"`
	GridCode string `json:"grid,omitempty"`
}

// Place is a landmark, estate (小区) or office building (楼宇).
type Place struct {
	ID            int64   `json:"id"`
	TownCode      string  `json:"town"`
	Name          string  `json:"name"`
	Kind          string  `json:"kind"`
	Lat           float64 `json:"lat"`
	Lng           float64 `json:"lng"`
	GridCode      string  `json:"grid,omitempty"`
	CommitteeCode string  `json:"committee,omitempty"`
}

// Address is an entry of the address book used to route written addresses to grids.
type Address struct {
	ID            int64   `json:"id"`
	TownCode      string  `json:"town"`
	Text          string  `json:"text"`
	Road          string  `json:"road"`
	Number        string  `json:"number"`
	Estate        string  `json:"estate"`
	Building      string  `json:"building,omitempty"` // a building of the estate: 12号楼
	Landmark      string  `json:"landmark,omitempty"` // a school, a market, a metro exit
	Lat           float64 `json:"lat"`
	Lng           float64 `json:"lng"`
	GridCode      string  `json:"grid,omitempty"`
	CommitteeCode string  `json:"committee,omitempty"`
}

// UpsertRegion inserts or renames a region; tenant only ever turns on.
func UpsertRegion(ctx context.Context, q store.Querier, r Region) error {
	if r.Level != "city" && r.Level != "district" && r.Level != "town" {
		return problem.Field("level", "must be city, district or town, not %q", r.Level)
	}
	_, err := q.Exec(ctx, `INSERT INTO regions (code, name, level, parent_code, tenant) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, tenant = CASE WHEN excluded.tenant = 1 THEN 1 ELSE regions.tenant END`,
		r.Code, r.Name, r.Level, store.NullIfEmpty(r.ParentCode), store.Bool(r.Tenant))
	if err != nil {
		return fmt.Errorf("region %s: %w", r.Code, err)
	}
	return nil
}

// GetRegion returns one region by code.
func GetRegion(ctx context.Context, q store.Querier, code string) (Region, error) {
	var r Region
	var parent sql.NullString
	var tenant int
	err := q.QueryRow(ctx, `SELECT code, name, level, parent_code, tenant FROM regions WHERE code = ?`, code).
		Scan(&r.Code, &r.Name, &r.Level, &parent, &tenant)
	if errors.Is(err, sql.ErrNoRows) {
		return r, problem.NotFound("region %s", code)
	}
	r.ParentCode, r.Tenant = parent.String, tenant == 1
	return r, err
}

// TenantTowns returns the towns that run CivicGrid, limited to codes when codes is not nil.
func TenantTowns(ctx context.Context, q store.Querier, codes []string) ([]Region, error) {
	query := `SELECT code, name, level, parent_code, tenant FROM regions WHERE level = 'town' AND tenant = 1`
	args := []any{}
	if codes != nil {
		if len(codes) == 0 {
			return nil, nil
		}
		query += ` AND code IN (` + store.Placeholders(len(codes)) + `)`
		for _, c := range codes {
			args = append(args, c)
		}
	}
	return store.Collect(ctx, q, scanRegion, query+` ORDER BY code`, args...)
}

func scanRegion(rows *sql.Rows) (Region, error) {
	var r Region
	var parent sql.NullString
	var tenant int
	err := rows.Scan(&r.Code, &r.Name, &r.Level, &parent, &tenant)
	r.ParentCode, r.Tenant = parent.String, tenant == 1
	return r, err
}

// TownsOfDistrict lists the tenant towns under a district or, for a city code, under any of the
// city's districts: the roll-up a district or city account sees.
func TownsOfDistrict(ctx context.Context, q store.Querier, district string) ([]string, error) {
	return store.Collect(ctx, q, func(rows *sql.Rows) (c string, err error) { return c, rows.Scan(&c) },
		`SELECT code FROM regions WHERE level = 'town' AND tenant = 1
		AND (parent_code = ? OR parent_code IN (SELECT code FROM regions WHERE level = 'district' AND parent_code = ?)) ORDER BY code`, district, district)
}

// requireTenantTown checks a town code names a town that runs CivicGrid.
func requireTenantTown(ctx context.Context, q store.Querier, field, code string) error {
	if code == "" {
		return problem.Field(field, "is required")
	}
	r, err := GetRegion(ctx, q, code)
	if errors.Is(err, problem.ErrNotFound) || (err == nil && r.Level != "town") {
		return problem.Field(field, "unknown town code %q", code)
	}
	if err != nil {
		return err
	}
	if !r.Tenant {
		return problem.Field(field, "town %s (%s) does not run CivicGrid", code, r.Name)
	}
	return nil
}

// RequireTown is requireTenantTown for other packages (users belong to a town).
func RequireTown(ctx context.Context, q store.Querier, field, code string) error {
	return requireTenantTown(ctx, q, field, code)
}

// codeInUse is the one answer when a new record's code is taken by another town's record. Codes
// are unique across the installation (other records refer to them), so the code cannot be
// used, but which town holds it is none of the caller's business.
func codeInUse(code string) error {
	return problem.Field("code", "%s is already in use; choose another code", code)
}

// SaveGrid creates a grid or replaces its name, boundary and note, inside one transaction that
// also checks the boundary against every other grid of the town, so no point routes to two grids,
// and records the change in the audit log as done by by.
func SaveGrid(ctx context.Context, db *store.DB, g Grid, by audit.Actor) (Grid, error) {
	var err error
	if g.Code, err = Code("code", g.Code); err != nil {
		return g, err
	}
	if g.Name, err = RequiredText("name", g.Name, MaxNameLen); err != nil {
		return g, err
	}
	if g.Note, err = LongText("note", g.Note, MaxNoteLen); err != nil {
		return g, err
	}
	if err := ValidatePolygon(g.Polygon); err != nil {
		return g, problem.Field("geometry", "%v", err)
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if err := requireTenantTown(ctx, tx, "town_code", g.TownCode); err != nil {
			return err
		}
		others, err := gridsWhere(ctx, tx, `town_code = ? AND code <> ?`, g.TownCode, g.Code)
		if err != nil {
			return err
		}
		for _, o := range others {
			if Overlap(g.Polygon, o.Polygon) {
				return problem.Field("geometry", "overlaps grid %s (%s); grids of one town may share edges but not area", o.Code, o.Name)
			}
		}
		geo, err := geojson.NewGeometry(g.Polygon).MarshalJSON()
		if err != nil {
			return err
		}
		b := g.Polygon.Bound()
		now := time.Now().UnixMilli()
		var existingTown string
		err = tx.QueryRow(ctx, `SELECT town_code FROM grids WHERE code = ?`, g.Code).Scan(&existingTown)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			err = tx.QueryRow(ctx, `INSERT INTO grids (code, town_code, name, geometry, min_lng, min_lat, max_lng, max_lat, note, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				g.Code, g.TownCode, g.Name, string(geo), b.Min[0], b.Min[1], b.Max[0], b.Max[1], g.Note, now, now).Scan(&g.ID)
			if store.IsUniqueViolation(err) { // another town took the code meanwhile
				return codeInUse(g.Code)
			}
		case err != nil:
			return err
		case existingTown != g.TownCode:
			return codeInUse(g.Code)
		default:
			err = tx.QueryRow(ctx, `UPDATE grids SET name = ?, geometry = ?, min_lng = ?, min_lat = ?, max_lng = ?, max_lat = ?, note = ?, updated_at = ?
				WHERE code = ? RETURNING id`,
				g.Name, string(geo), b.Min[0], b.Min[1], b.Max[0], b.Max[1], g.Note, now, g.Code).Scan(&g.ID)
		}
		if err != nil {
			return err
		}
		return by.Record(ctx, tx, audit.Entry{Action: audit.ActionUpdate, Entity: "grid", EntityID: g.Code, TownCode: g.TownCode})
	})
	return g, err
}

// DeleteGrid removes a grid that no committee, user or record still points at, and records it.
func DeleteGrid(ctx context.Context, db *store.DB, towns []string, code string, by audit.Actor) error {
	return db.InTx(ctx, func(tx *store.Tx) error {
		g, err := GridByCode(ctx, tx, towns, code)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE committees SET grid_code = NULL WHERE grid_code = ?`, g.Code); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM grids WHERE code = ?`, g.Code); err != nil {
			if store.IsForeignKeyViolation(err) {
				return problem.Conflict("grid %s still has users, places or records pointing at it", g.Code)
			}
			return err
		}
		return by.Record(ctx, tx, audit.Entry{Action: audit.ActionDelete, Entity: "grid", EntityID: g.Code, TownCode: g.TownCode})
	})
}

func gridsWhere(ctx context.Context, q store.Querier, where string, args ...any) ([]Grid, error) {
	return store.Collect(ctx, q, func(rows *sql.Rows) (Grid, error) {
		var g Grid
		var geo string
		if err := rows.Scan(&g.ID, &g.Code, &g.TownCode, &g.Name, &geo, &g.Note); err != nil {
			return g, err
		}
		gg, err := geojson.UnmarshalGeometry([]byte(geo))
		if err != nil {
			return g, fmt.Errorf("grid %s geometry: %w", g.Code, err)
		}
		g.Polygon, _ = gg.Geometry().(orb.Polygon)
		g.Members = []Member{}
		return g, nil
	}, `SELECT id, code, town_code, name, geometry, note FROM grids WHERE `+where+` ORDER BY code`, args...)
}

// Grids lists the grids of the given towns with their members.
func Grids(ctx context.Context, q store.Querier, towns []string) ([]Grid, error) {
	where, args := store.In("town_code", towns)
	grids, err := gridsWhere(ctx, q, where, args...)
	if err != nil || len(grids) == 0 {
		return grids, err
	}
	members, err := membersWhere(ctx, q, `grid_code IN (SELECT code FROM grids WHERE `+where+`)`, args...)
	if err != nil {
		return nil, err
	}
	idx := map[string]int{}
	for i, g := range grids {
		idx[g.Code] = i
	}
	for _, m := range members {
		if i, ok := idx[m.GridCode]; ok {
			grids[i].Members = append(grids[i].Members, m)
		}
	}
	return grids, nil
}

// Counts is how many grids, grid members and departments some towns have.
type Counts struct{ Grids, Members, Departments int }

// CountsOf counts the grids, their members and the departments of the given towns in one
// query, for the home page's tiles: a city account's home must not read (and parse the outline
// of) every grid of its towns only to count them.
func CountsOf(ctx context.Context, q store.Querier, towns []string) (Counts, error) {
	where, args := store.In("town_code", towns)
	var c Counts
	all := append(append(append([]any{}, args...), args...), args...)
	err := q.QueryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM grids WHERE `+where+`),
		(SELECT COUNT(*) FROM grid_members WHERE grid_code IN (SELECT code FROM grids WHERE `+where+`)),
		(SELECT COUNT(*) FROM departments WHERE `+where+`)`, all...).Scan(&c.Grids, &c.Members, &c.Departments)
	return c, err
}

// GridByID returns a grid of the given towns; a grid of another town is simply not found.
func GridByID(ctx context.Context, q store.Querier, towns []string, id int64) (Grid, error) {
	where, args := store.In("town_code", towns)
	gs, err := gridsWhere(ctx, q, `id = ? AND `+where, append([]any{id}, args...)...)
	return oneGrid(ctx, q, gs, err, fmt.Sprint(id))
}

// GridByCode is GridByID by code.
func GridByCode(ctx context.Context, q store.Querier, towns []string, code string) (Grid, error) {
	where, args := store.In("town_code", towns)
	gs, err := gridsWhere(ctx, q, `code = ? AND `+where, append([]any{code}, args...)...)
	return oneGrid(ctx, q, gs, err, code)
}

func oneGrid(ctx context.Context, q store.Querier, gs []Grid, err error, key string) (Grid, error) {
	if err != nil {
		return Grid{}, err
	}
	if len(gs) == 0 {
		return Grid{}, problem.NotFound("grid %s", key)
	}
	g := gs[0]
	g.Members, err = membersWhere(ctx, q, `grid_code = ?`, g.Code)
	return g, err
}

// Feature renders a grid as a GeoJSON feature for maps and the API.
func (g Grid) Feature(departments map[string]string) *geojson.Feature {
	f := geojson.NewFeature(g.Polygon)
	f.ID = g.Code
	members := make([]map[string]any, 0, len(g.Members))
	for _, m := range g.Members {
		members = append(members, map[string]any{
			"name": m.Name, "grid_role": m.GridRole, "department": m.DepartmentCode,
			"department_name": departments[m.DepartmentCode],
		})
	}
	f.Properties = geojson.Properties{
		"id": g.ID, "code": g.Code, "name": g.Name, "town_code": g.TownCode, "note": g.Note, "members": members,
	}
	return f
}

func membersWhere(ctx context.Context, q store.Querier, where string, args ...any) ([]Member, error) {
	return store.Collect(ctx, q, func(rows *sql.Rows) (Member, error) {
		var m Member
		var dept sql.NullString
		var uid sql.NullInt64
		err := rows.Scan(&m.ID, &m.GridCode, &m.Name, &m.GridRole, &dept, &m.Phone, &uid)
		m.DepartmentCode, m.UserID = dept.String, uid.Int64
		return m, err
	}, `SELECT id, grid_code, name, grid_role, department_code, phone, user_id FROM grid_members WHERE `+where+`
		ORDER BY grid_code, CASE grid_role WHEN 'leader' THEN 0 WHEN 'deputy' THEN 1 WHEN 'liaison' THEN 2 ELSE 3 END, id`, args...)
}

// AddMember puts a person into a grid with a grid role; the audit log records it as a change of
// the grid.
func AddMember(ctx context.Context, db *store.DB, towns []string, m Member, by audit.Actor) (Member, error) {
	var err error
	if m.Name, err = RequiredText("name", m.Name, MaxNameLen); err != nil {
		return m, err
	}
	if m.Phone, err = Phone("phone", m.Phone); err != nil {
		return m, err
	}
	if !validGridRole(m.GridRole) {
		return m, problem.Field("grid_role", "must be one of leader, deputy, liaison, member, not %q", m.GridRole)
	}
	if m.UserID < 0 {
		return m, problem.Field("user_id", "unknown user %d in this town", m.UserID)
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		g, err := GridByCode(ctx, tx, towns, m.GridCode)
		if errors.Is(err, problem.ErrNotFound) {
			return problem.Field("grid", "unknown grid %q", m.GridCode)
		}
		if err != nil {
			return err
		}
		if m.DepartmentCode != "" {
			d, err := DepartmentByCode(ctx, tx, []string{g.TownCode}, m.DepartmentCode)
			if err != nil || d.TownCode != g.TownCode {
				return problem.Field("department", "unknown department %q in town %s", m.DepartmentCode, g.TownCode)
			}
		}
		// The linked user must be of the grid's town; an unknown id and another town's user get
		// the same answer, so the link cannot be used to learn which ids exist elsewhere.
		var uid any
		if m.UserID != 0 {
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM users WHERE id = ? AND town_code = ?`, m.UserID, g.TownCode).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return problem.Field("user_id", "unknown user %d in this town", m.UserID)
			}
			uid = m.UserID
		}
		if err := tx.QueryRow(ctx, `INSERT INTO grid_members (grid_code, name, grid_role, department_code, phone, user_id) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			m.GridCode, m.Name, m.GridRole, store.NullIfEmpty(m.DepartmentCode), m.Phone, uid).Scan(&m.ID); err != nil {
			return err
		}
		return by.Record(ctx, tx, audit.Entry{Action: audit.ActionUpdate, Entity: "grid", EntityID: g.Code, TownCode: g.TownCode, Detail: "member added"})
	})
	return m, err
}

// RemoveMember takes a member out of a grid of the given towns; the audit log records it as a
// change of the grid.
func RemoveMember(ctx context.Context, db *store.DB, towns []string, id int64, by audit.Actor) error {
	where, args := store.In("g.town_code", towns)
	return db.InTx(ctx, func(tx *store.Tx) error {
		var grid, town string
		err := tx.QueryRow(ctx, `SELECT g.code, g.town_code FROM grid_members m JOIN grids g ON g.code = m.grid_code WHERE m.id = ? AND `+where,
			append([]any{id}, args...)...).Scan(&grid, &town)
		if errors.Is(err, sql.ErrNoRows) {
			return problem.NotFound("grid member %d", id)
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM grid_members WHERE id = ?`, id); err != nil {
			return err
		}
		return by.Record(ctx, tx, audit.Entry{Action: audit.ActionUpdate, Entity: "grid", EntityID: grid, TownCode: town, Detail: "member removed"})
	})
}

func validGridRole(r string) bool {
	for _, gr := range GridRoles {
		if gr.Code == r {
			return true
		}
	}
	return false
}

// SaveDepartment creates or updates a department of a town, and records it.
func SaveDepartment(ctx context.Context, db *store.DB, d Department, by audit.Actor) error {
	var err error
	if d.Code, err = Code("code", d.Code); err != nil {
		return err
	}
	if d.Name, err = RequiredText("name", d.Name, MaxNameLen); err != nil {
		return err
	}
	if d.NameEN, err = Text("name_en", d.NameEN, MaxNameENLen); err != nil {
		return err
	}
	if d.Phone, err = Phone("phone", d.Phone); err != nil {
		return err
	}
	if d.Kind = strings.TrimSpace(d.Kind); d.Kind == "" {
		d.Kind = "office"
	}
	if !ValidDepartmentKind(d.Kind) {
		return problem.Field("kind", "must be one of %s, not %q", strings.Join(departmentKindCodes(), " "), d.Kind)
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		if err := requireTenantTown(ctx, tx, "town", d.TownCode); err != nil {
			return err
		}
		// The update applies only to a department of the same town: a code of another town —
		// found here, or inserted by a concurrent request after this look — is refused, never
		// overwritten.
		var town string
		err := tx.QueryRow(ctx, `SELECT town_code FROM departments WHERE code = ?`, d.Code).Scan(&town)
		if err == nil && town != d.TownCode {
			return codeInUse(d.Code)
		}
		res, err := tx.Exec(ctx, `INSERT INTO departments (code, town_code, name, name_en, kind, phone, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en, kind = excluded.kind, phone = excluded.phone
			WHERE departments.town_code = excluded.town_code`,
			d.Code, d.TownCode, d.Name, d.NameEN, d.Kind, d.Phone, time.Now().UnixMilli())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return codeInUse(d.Code)
		}
		return by.Record(ctx, tx, audit.Entry{Action: audit.ActionUpdate, Entity: "department", EntityID: d.Code, TownCode: d.TownCode})
	})
}

// Departments lists the departments of the given towns.
func Departments(ctx context.Context, q store.Querier, towns []string) ([]Department, error) {
	where, args := store.In("town_code", towns)
	return departmentsWhere(ctx, q, where, args...)
}

// DepartmentByCode returns one department of the given towns.
func DepartmentByCode(ctx context.Context, q store.Querier, towns []string, code string) (Department, error) {
	where, args := store.In("town_code", towns)
	ds, err := departmentsWhere(ctx, q, `code = ? AND `+where, append([]any{code}, args...)...)
	if err != nil {
		return Department{}, err
	}
	if len(ds) == 0 {
		return Department{}, problem.NotFound("department %s", code)
	}
	return ds[0], nil
}

func departmentsWhere(ctx context.Context, q store.Querier, where string, args ...any) ([]Department, error) {
	return store.Collect(ctx, q, func(rows *sql.Rows) (d Department, err error) {
		return d, rows.Scan(&d.Code, &d.TownCode, &d.Name, &d.NameEN, &d.Kind, &d.Phone)
	}, `SELECT code, town_code, name, name_en, kind, phone FROM departments WHERE `+where+` ORDER BY town_code, kind, code`, args...)
}

// SaveCommittee creates or updates a residents' committee area. Its grid must be a grid of its
// own town, and a committee code of another town is refused, not taken over.
func SaveCommittee(ctx context.Context, q store.Querier, c Committee) error {
	var err error
	if c.Code, err = Code("code", c.Code); err != nil {
		return err
	}
	if c.Name, err = RequiredText("name", c.Name, MaxNameLen); err != nil {
		return err
	}
	if err := requireTenantTown(ctx, q, "town", c.TownCode); err != nil {
		return err
	}
	if err := requireOfTown(ctx, q, "grids", "grid", c.TownCode, c.GridCode); err != nil {
		return err
	}
	res, err := q.Exec(ctx, `INSERT INTO committees (code, town_code, name, grid_code) VALUES (?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, grid_code = excluded.grid_code WHERE committees.town_code = excluded.town_code`,
		c.Code, c.TownCode, c.Name, store.NullIfEmpty(c.GridCode))
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return codeInUse(c.Code)
	}
	return nil
}

// requireOfTown checks that code, when set, names a row of table (grids or committees) in town;
// an unknown code and another town's get the same field error.
func requireOfTown(ctx context.Context, q store.Querier, table, field, town, code string) error {
	if code == "" {
		return nil
	}
	var n int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM `+table+` WHERE code = ? AND town_code = ?`, code, town).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return problem.Field(field, "unknown %s %q in town %s", field, code, town)
	}
	return nil
}

// requireLinks checks that a place's or address's grid and committee, when set, are of its town.
func requireLinks(ctx context.Context, q store.Querier, town, grid, committee string) error {
	if err := requireOfTown(ctx, q, "grids", "grid", town, grid); err != nil {
		return err
	}
	return requireOfTown(ctx, q, "committees", "committee", town, committee)
}

// Committees lists the residents' committee areas of the given towns.
func Committees(ctx context.Context, q store.Querier, towns []string) ([]Committee, error) {
	where, args := store.In("town_code", towns)
	return store.Collect(ctx, q, func(rows *sql.Rows) (Committee, error) {
		var c Committee
		var g sql.NullString
		err := rows.Scan(&c.Code, &c.TownCode, &c.Name, &g)
		c.GridCode = g.String
		return c, err
	}, `SELECT code, town_code, name, grid_code FROM committees WHERE `+where+` ORDER BY code`, args...)
}

// SavePlace creates or updates a landmark, estate or building (unique by town and name).
func SavePlace(ctx context.Context, q store.Querier, p Place) error {
	var err error
	if p.Name, err = RequiredText("name", p.Name, MaxPlaceLen); err != nil {
		return err
	}
	if p.Kind, err = Text("kind", p.Kind, MaxKindLen); err != nil {
		return err
	}
	if err := requireLinks(ctx, q, p.TownCode, p.GridCode, p.CommitteeCode); err != nil {
		return err
	}
	_, err = q.Exec(ctx, `INSERT INTO places (town_code, name, kind, lat, lng, grid_code, committee_code) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (town_code, name) DO UPDATE SET kind = excluded.kind, lat = excluded.lat, lng = excluded.lng,
		grid_code = excluded.grid_code, committee_code = excluded.committee_code`,
		p.TownCode, p.Name, p.Kind, p.Lat, p.Lng, store.NullIfEmpty(p.GridCode), store.NullIfEmpty(p.CommitteeCode))
	return err
}

// Places lists the places of the given towns.
func Places(ctx context.Context, q store.Querier, towns []string) ([]Place, error) {
	where, args := store.In("town_code", towns)
	return store.Collect(ctx, q, func(rows *sql.Rows) (Place, error) {
		var p Place
		var g, c sql.NullString
		err := rows.Scan(&p.ID, &p.TownCode, &p.Name, &p.Kind, &p.Lat, &p.Lng, &g, &c)
		p.GridCode, p.CommitteeCode = g.String, c.String
		return p, err
	}, `SELECT id, town_code, name, kind, lat, lng, grid_code, committee_code FROM places WHERE `+where+` ORDER BY kind, name`, args...)
}

// SaveAddress creates or updates an address-book entry (unique by town and text).
func SaveAddress(ctx context.Context, q store.Querier, a Address) error {
	var err error
	if a.Text, err = RequiredText("text", a.Text, MaxAddressLen); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		v    *string
	}{{"road", &a.Road}, {"number", &a.Number}, {"estate", &a.Estate}, {"building", &a.Building}, {"landmark", &a.Landmark}} {
		if *f.v, err = Text(f.name, *f.v, MaxPlaceLen); err != nil {
			return err
		}
	}
	if err := requireLinks(ctx, q, a.TownCode, a.GridCode, a.CommitteeCode); err != nil {
		return err
	}
	_, err = q.Exec(ctx, `INSERT INTO addresses (town_code, text, road, number, estate, building, landmark, lat, lng, grid_code, committee_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (town_code, text) DO UPDATE SET road = excluded.road, number = excluded.number, estate = excluded.estate,
		building = excluded.building, landmark = excluded.landmark,
		lat = excluded.lat, lng = excluded.lng, grid_code = excluded.grid_code, committee_code = excluded.committee_code`,
		a.TownCode, a.Text, a.Road, a.Number, a.Estate, a.Building, a.Landmark, a.Lat, a.Lng, store.NullIfEmpty(a.GridCode), store.NullIfEmpty(a.CommitteeCode))
	return err
}

// Addresses lists the address book of the given towns.
func Addresses(ctx context.Context, q store.Querier, towns []string) ([]Address, error) {
	where, args := store.In("town_code", towns)
	return store.Collect(ctx, q, func(rows *sql.Rows) (Address, error) {
		var a Address
		var g, c sql.NullString
		err := rows.Scan(&a.ID, &a.TownCode, &a.Text, &a.Road, &a.Number, &a.Estate, &a.Building, &a.Landmark, &a.Lat, &a.Lng, &g, &c)
		a.GridCode, a.CommitteeCode = g.String, c.String
		return a, err
	}, `SELECT id, town_code, text, road, number, estate, building, landmark, lat, lng, grid_code, committee_code FROM addresses WHERE `+where+` ORDER BY text`, args...)
}

// DepartmentKinds are the kinds of department a town has, in the order forms list them. The kind
// groups departments in lists and in the demo's routing; it is a closed set, not free text.
var DepartmentKinds = []struct{ Code, ZH, EN string }{
	{"opscentre", "城运中心", "Operations centre"},
	{"police", "派出所", "Police station"},
	{"market", "市场监管所", "Market supervision"},
	{"enforcement", "城管执法", "Law enforcement"},
	{"health", "卫生健康", "Health"},
	{"housing", "房管", "Housing"},
	{"sanitation", "市容环卫", "Sanitation"},
	{"construction", "建设管理", "Construction"},
	{"property", "物业公司", "Property management"},
	{"committee", "居委会", "Residents' committee"},
	{"service", "服务中心", "Service centre"},
	{"enterprise", "企业", "Enterprise"},
	{"office", "机关科室", "Office"},
}

// ValidDepartmentKind reports whether k is one of DepartmentKinds.
func ValidDepartmentKind(k string) bool {
	for _, dk := range DepartmentKinds {
		if dk.Code == k {
			return true
		}
	}
	return false
}

func departmentKindCodes() []string {
	out := make([]string, len(DepartmentKinds))
	for i, dk := range DepartmentKinds {
		out[i] = dk.Code
	}
	return out
}

// GridNames lists the grids of the given towns as a picker or a name needs them (id, code, town,
// name), without their outlines and members: Grids parses every grid's GeoJSON and reads its
// members, which a city's order list paid for hundreds of grids to name the ten its page shows.
// codes, when not nil, keeps only those grids (a page's names): a list no longer than the page.
func GridNames(ctx context.Context, q store.Querier, towns, codes []string) ([]Grid, error) {
	where, args := store.In("town_code", towns)
	if codes != nil {
		inCodes, codeArgs := store.In("code", codes)
		where, args = where+" AND "+inCodes, append(args, codeArgs...)
	}
	return store.Collect(ctx, q, func(rows *sql.Rows) (g Grid, err error) {
		g.Members = []Member{}
		return g, rows.Scan(&g.ID, &g.Code, &g.TownCode, &g.Name)
	}, `SELECT id, code, town_code, name FROM grids WHERE `+where+` ORDER BY code`, args...)
}

// DepartmentsByCode lists the departments of the given towns among codes (a page's names).
func DepartmentsByCode(ctx context.Context, q store.Querier, towns, codes []string) ([]Department, error) {
	where, args := store.In("town_code", towns)
	inCodes, codeArgs := store.In("code", codes)
	return departmentsWhere(ctx, q, where+" AND "+inCodes, append(args, codeArgs...)...)
}
