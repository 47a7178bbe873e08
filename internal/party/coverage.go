package party

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/campaigns"
	"github.com/civicgrid/civicgrid/internal/label"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// Kinds of new-sector entity (新兴领域).
var EntityKinds = []Label{
	{Code: "office_building", ZH: "商务楼宇", EN: "Office building"},
	{Code: "enterprise", ZH: "企业", EN: "Enterprise"},
	{Code: "merchant_group", ZH: "街区商户群体", EN: "Street-merchant group"},
	{Code: "new_employment", ZH: "新就业群体", EN: "New-employment group"},
}

// Entity is a new-sector entity of a town and what covers it.
type Entity struct {
	ID           int64   `json:"id"`
	TownCode     string  `json:"town"`
	Kind         string  `json:"kind"`
	Name         string  `json:"name"`
	Grid         string  `json:"grid,omitempty"`
	Lat          float64 `json:"lat,omitempty"`
	Lng          float64 `json:"lng,omitempty"`
	ListedOn     string  `json:"listed_on"`
	OrgID        int64   `json:"org_id,omitempty"`
	Org          string  `json:"org,omitempty"`
	OrgSince     string  `json:"org_since,omitempty"`
	Liaison      string  `json:"liaison,omitempty"`
	LiaisonSince string  `json:"liaison_since,omitempty"`
	// Contacts are the days its activities and services reached it, and the visited campaign visits.
	Activities []Activity              `json:"activities,omitempty"`
	Visits     []campaigns.TargetVisit `json:"visits,omitempty"`
}

// Activity is an activity held or a service delivered at an entity.
type Activity struct {
	HeldOn string `json:"held_on"`
	Kind   string `json:"kind"` // activity, service
	Text   string `json:"text"`
}

// The coverage definitions (docs/PARTY.md), each on a day d:
//
//   - in scope: the entity was listed on or before d;
//   - organisational coverage (组织覆盖): it is linked to a party organisation of the tree, from
//     org_since, on or before d;
//   - work coverage (工作覆盖): it has a liaison (党建联络员/指导员) appointed on or before d, and by d
//     at least one activity or service reached it, or a campaign visit with status visited;
//   - full coverage (全覆盖): both.
//
// A rate is covered ÷ in scope × 100, rounded to one decimal (0 when nothing is in scope).

// InScope reports whether e counts on day d.
func (e Entity) InScope(d string) bool { return e.ListedOn <= d }

// OrgCovered reports whether e has organisational coverage on day d.
func (e Entity) OrgCovered(d string) bool { return e.OrgID != 0 && e.OrgSince != "" && e.OrgSince <= d }

// WorkCovered reports whether e has work coverage on day d.
func (e Entity) WorkCovered(d string) bool {
	if e.Liaison == "" || e.LiaisonSince == "" || e.LiaisonSince > d {
		return false
	}
	for _, a := range e.Activities {
		if a.HeldOn <= d {
			return true
		}
	}
	for _, v := range e.Visits {
		if v.Status == campaigns.StatusVisited && v.VisitedAt.In(workcal.Location()).Format(DateLayout) <= d {
			return true
		}
	}
	return false
}

// Figures are the coverage figures of a set of entities on a day.
type Figures struct {
	Entities int     `json:"entities"`
	Org      int     `json:"org"`
	Work     int     `json:"work"`
	Full     int     `json:"full"`
	OrgPct   float64 `json:"org_pct"`
	WorkPct  float64 `json:"work_pct"`
	FullPct  float64 `json:"full_pct"`
}

func pct(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return math.Round(float64(n)*1000/float64(of)) / 10
}

// Compute counts es on day d by the definitions above.
func Compute(es []Entity, d string) Figures {
	var f Figures
	for _, e := range es {
		if !e.InScope(d) {
			continue
		}
		f.Entities++
		o, w := e.OrgCovered(d), e.WorkCovered(d)
		if o {
			f.Org++
		}
		if w {
			f.Work++
		}
		if o && w {
			f.Full++
		}
	}
	f.OrgPct, f.WorkPct, f.FullPct = pct(f.Org, f.Entities), pct(f.Work, f.Entities), pct(f.Full, f.Entities)
	return f
}

// GridFigures are a grid's figures.
type GridFigures struct {
	Grid     string `json:"grid"`
	GridName string `json:"grid_name"`
	Figures
}

// KindFigures are a kind's figures.
type KindFigures struct {
	Kind string `json:"kind"`
	Figures
}

// MonthFigures are the figures at a month's end (or today for the current month).
type MonthFigures struct {
	Month string `json:"month"` // YYYY-MM
	Day   string `json:"day"`
	Figures
}

// Gap is an entity in scope today that is not fully covered, and what it lacks.
type Gap struct {
	Entity
	NoOrg  bool `json:"no_org"`
	NoWork bool `json:"no_work"`
}

// Report is the coverage of a town on a day.
type Report struct {
	Town     string         `json:"town"`
	Day      string         `json:"day"`
	Total    Figures        `json:"total"`
	ByKind   []KindFigures  `json:"by_kind"`
	ByGrid   []GridFigures  `json:"by_grid"`
	Trend    []MonthFigures `json:"trend"`
	Gaps     []Gap          `json:"gaps"`
	Entities []Entity       `json:"entities"`
}

// Build is the report of es (entities of town) on day, with grid names and months of trend.
func Build(town, day string, es []Entity, grids []GridFigures, months int) Report {
	r := Report{Town: town, Day: day, Total: Compute(es, day), Entities: es}
	for _, k := range EntityKinds {
		var sub []Entity
		for _, e := range es {
			if e.Kind == k.Code {
				sub = append(sub, e)
			}
		}
		r.ByKind = append(r.ByKind, KindFigures{Kind: k.Code, Figures: Compute(sub, day)})
	}
	for _, g := range grids {
		var sub []Entity
		for _, e := range es {
			if e.Grid == g.Grid {
				sub = append(sub, e)
			}
		}
		g.Figures = Compute(sub, day)
		r.ByGrid = append(r.ByGrid, g)
	}
	d, err := time.ParseInLocation(DateLayout, day, workcal.Location())
	if err == nil {
		first := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, d.Location())
		for i := months - 1; i >= 0; i-- {
			m := first.AddDate(0, -i, 0)
			end := m.AddDate(0, 1, -1).Format(DateLayout)
			if i == 0 {
				end = day
			}
			r.Trend = append(r.Trend, MonthFigures{Month: m.Format("2006-01"), Day: end, Figures: Compute(es, end)})
		}
	}
	for _, e := range es {
		if !e.InScope(day) {
			continue
		}
		o, w := e.OrgCovered(day), e.WorkCovered(day)
		if !o || !w {
			r.Gaps = append(r.Gaps, Gap{Entity: e, NoOrg: !o, NoWork: !w})
		}
	}
	return r
}

// MaxEntities is how many entities a town's coverage reads.
const MaxEntities = 5000

// Coverage is the report of town (one of towns) today, with 12 months of trend.
func (s *Service) Coverage(ctx context.Context, towns []string, town string) (Report, error) {
	if !slices.Contains(towns, town) {
		return Report{}, problem.NotFound("town %s", town)
	}
	es, err := s.Entities(ctx, town)
	if err != nil {
		return Report{}, err
	}
	rows, err := s.DB.Query(ctx, `SELECT code, name FROM grids WHERE town_code = ? ORDER BY code`, town)
	if err != nil {
		return Report{}, err
	}
	var grids []GridFigures
	for rows.Next() {
		var g GridFigures
		if err := rows.Scan(&g.Grid, &g.GridName); err != nil {
			rows.Close()
			return Report{}, err
		}
		grids = append(grids, g)
	}
	rows.Close()
	return Build(town, s.Today(), es, grids, 12), nil
}

// Entities lists the new-sector entities of town with their organisations, activities and the
// campaign visits to targets of the same name.
func (s *Service) Entities(ctx context.Context, town string) ([]Entity, error) {
	rows, err := s.DB.Query(ctx, `SELECT e.id, e.town_code, e.kind, e.name, COALESCE(e.grid_code, ''), COALESCE(e.lat, 0), COALESCE(e.lng, 0), e.listed_on,
		COALESCE(e.org_id, 0), COALESCE(o.name, ''), e.org_since, e.liaison, e.liaison_since
		FROM coverage_entities e LEFT JOIN party_orgs o ON o.id = e.org_id WHERE e.town_code = ? ORDER BY e.kind, e.name LIMIT ?`, town, MaxEntities)
	if err != nil {
		return nil, fmt.Errorf("coverage entities: %w", err)
	}
	var es []Entity
	idx := map[int64]int{}
	byName := map[string][]int{}
	for rows.Next() {
		var e Entity
		if err := rows.Scan(&e.ID, &e.TownCode, &e.Kind, &e.Name, &e.Grid, &e.Lat, &e.Lng, &e.ListedOn, &e.OrgID, &e.Org, &e.OrgSince, &e.Liaison, &e.LiaisonSince); err != nil {
			rows.Close()
			return nil, err
		}
		idx[e.ID] = len(es)
		byName[e.Name] = append(byName[e.Name], len(es))
		es = append(es, e)
	}
	rows.Close()
	rows, err = s.DB.Query(ctx, `SELECT a.entity_id, a.held_on, a.kind, a.text FROM coverage_activities a JOIN coverage_entities e ON e.id = a.entity_id
		WHERE e.town_code = ? ORDER BY a.held_on, a.id`, town)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var a Activity
		if err := rows.Scan(&id, &a.HeldOn, &a.Kind, &a.Text); err != nil {
			rows.Close()
			return nil, err
		}
		if i, ok := idx[id]; ok {
			es[i].Activities = append(es[i].Activities, a)
		}
	}
	rows.Close()
	vs, err := campaigns.VisitsOfTown(ctx, s.DB, town, 20000)
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		for _, i := range byName[v.TargetName] {
			es[i].Visits = append(es[i].Visits, v)
		}
	}
	return es, nil
}

// NewEntity is a new-sector entity as submitted.
type NewEntity struct {
	TownCode     string   `json:"town"`
	Kind         string   `json:"kind"`
	Name         string   `json:"name"`
	Grid         string   `json:"grid"`
	Lat          *float64 `json:"lat"`
	Lng          *float64 `json:"lng"`
	ListedOn     string   `json:"listed_on"`
	OrgID        int64    `json:"org_id"`
	OrgSince     string   `json:"org_since"`
	Liaison      string   `json:"liaison"`
	LiaisonSince string   `json:"liaison_since"`
}

// AddEntity lists a new-sector entity of a town (coverage:write).
func (s *Service) AddEntity(ctx context.Context, towns []string, n NewEntity, by auth.User) (int64, error) {
	if !by.Can(auth.PermCoverageWrite) {
		return 0, problem.Forbidden("coverage:write is needed (role %s)", by.Role)
	}
	if !slices.Contains(towns, n.TownCode) {
		return 0, problem.Field("town", "%q is not a town you may act in", n.TownCode)
	}
	if !label.Valid(EntityKinds, n.Kind) {
		return 0, problem.Field("kind", "%q is not one of office_building, enterprise, merchant_group, new_employment", n.Kind)
	}
	var err error
	if n.Name, err = problem.Text("name", n.Name, MaxName, true); err != nil {
		return 0, err
	}
	if n.Liaison, err = problem.Text("liaison", n.Liaison, MaxName, false); err != nil {
		return 0, err
	}
	if n.ListedOn == "" {
		n.ListedOn = s.Today()
	}
	for f, d := range map[string]string{"listed_on": n.ListedOn, "org_since": n.OrgSince, "liaison_since": n.LiaisonSince} {
		if d != "" {
			if _, err := ParseDate(f, d); err != nil {
				return 0, err
			}
		}
	}
	if (n.OrgID == 0) != (n.OrgSince == "") {
		return 0, problem.Field("org_since", "give the organisation and the day it covers the entity together")
	}
	if (n.Liaison == "") != (n.LiaisonSince == "") {
		return 0, problem.Field("liaison_since", "give the liaison and the day they were appointed together")
	}
	var id int64
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if n.OrgID != 0 {
			var town string
			if err := tx.QueryRow(ctx, `SELECT town_code FROM party_orgs WHERE id = ?`, n.OrgID).Scan(&town); err != nil || town != n.TownCode {
				return problem.Field("org_id", "organisation %d is not in this town", n.OrgID)
			}
		}
		var lat, lng any
		if n.Lat != nil && n.Lng != nil {
			lat, lng = *n.Lat, *n.Lng
		}
		err := tx.QueryRow(ctx, `INSERT INTO coverage_entities (town_code, kind, name, grid_code, lat, lng, listed_on, org_id, org_since, liaison, liaison_since, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, n.TownCode, n.Kind, n.Name, store.NullIfEmpty(n.Grid), lat, lng, n.ListedOn, nullID(n.OrgID),
			n.OrgSince, n.Liaison, n.LiaisonSince, s.now().UnixMilli()).Scan(&id)
		if store.IsUniqueViolation(err) {
			return problem.Field("name", "%q is listed already", n.Name)
		}
		if store.IsForeignKeyViolation(err) {
			return problem.Field("grid", "%q is not a grid", n.Grid)
		}
		if err != nil {
			return err
		}
		return record(ctx, tx, by, audit.ActionCreate, "coverage_entity", id, n.TownCode, n.Name)
	})
	return id, err
}

// AddActivity records an activity or service at entity id of towns (coverage:write).
func (s *Service) AddActivity(ctx context.Context, towns []string, id int64, a Activity, by auth.User) error {
	if !by.Can(auth.PermCoverageWrite) {
		return problem.Forbidden("coverage:write is needed (role %s)", by.Role)
	}
	if a.Kind != "activity" && a.Kind != "service" {
		return problem.Field("kind", "%q is not activity or service", a.Kind)
	}
	if _, err := ParseDate("held_on", a.HeldOn); err != nil {
		return err
	}
	var err error
	if a.Text, err = problem.Text("text", a.Text, MaxText, true); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		where, args := store.In("town_code", towns)
		var town string
		if err := tx.QueryRow(ctx, `SELECT town_code FROM coverage_entities WHERE id = ? AND `+where, append([]any{id}, args...)...).Scan(&town); err != nil {
			if isNoRows(err) {
				return problem.NotFound("entity %d", id)
			}
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO coverage_activities (entity_id, held_on, kind, text, created_at) VALUES (?, ?, ?, ?, ?)`,
			id, a.HeldOn, a.Kind, a.Text, s.now().UnixMilli()); err != nil {
			return err
		}
		return record(ctx, tx, by, audit.ActionCreate, "coverage_activity", id, town, a.HeldOn+" "+a.Kind)
	})
}

// VisitStatuses names the campaign visits' statuses in lang.
func VisitStatuses(lang string) map[string]string {
	m := map[string]string{}
	for _, l := range campaigns.Statuses {
		m[l.Code] = l.Name(lang)
	}
	return m
}
