package results

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
)

// Chosen is a project chosen for a year — a ballot's winner (Source "project:<id>"), a demo
// project ("seed:…") or a result created by hand ("manual:…") — as Adopt takes it.
type Chosen struct {
	Town        string `json:"town"`
	Year        int    `json:"year"`
	Source      string `json:"source"` // unique per town: adopting the same source twice keeps one result
	Title       string `json:"title"`
	Description string `json:"description"`
	Category    string `json:"category"`
	Department  string `json:"department"` // owner department's code (same town), may be empty
	BudgetFen   int64  `json:"budget_fen"` // fen: 1 yuan = 100 fen
	Place       string `json:"place"`
	Lat         float64
	Lon         float64
	// ParentID makes the result a part of another of the same town and year (0: a project).
	ParentID int64   `json:"parent_id"`
	Weight   float64 `json:"weight"` // in the parent's progress; 0 means 1
	// By is who adopts, for the audit (zero: the projects capability's publish hook).
	By audit.Actor `json:"-"`
}

// Adopt makes each chosen project a tracked result (status 未开工, progress 0, a first timeline
// entry), in tx — the transaction that chose them, so that a published ballot and its results
// land together. A source already adopted in its town is left as it is and its result returned:
// adopting twice is harmless. Returns the results' ids in the order of cs.
func Adopt(ctx context.Context, tx *store.Tx, cs []Chosen) ([]int64, error) {
	return adopt(ctx, tx, cs, storeNow())
}

// Adopt is the package's Adopt on the service's clock.
func (s *Service) Adopt(ctx context.Context, tx *store.Tx, cs []Chosen) ([]int64, error) {
	return adopt(ctx, tx, cs, store.Millis(s.now()))
}

func adopt(ctx context.Context, tx *store.Tx, cs []Chosen, nowMs int64) ([]int64, error) {
	if len(cs) > MaxAdoptAtOnce {
		return nil, problem.Field("results", "at most %d at once", MaxAdoptAtOnce)
	}
	ids := make([]int64, len(cs))
	for i, c := range cs {
		id, err := adoptOne(ctx, tx, c, nowMs)
		if err != nil {
			return nil, fmt.Errorf("adopt %s: %w", c.Source, err)
		}
		ids[i] = id
	}
	return ids, nil
}

func adoptOne(ctx context.Context, tx *store.Tx, c Chosen, nowMs int64) (int64, error) {
	var err error
	c.Source = strings.TrimSpace(c.Source)
	if c.Source == "" || len(c.Source) > 100 {
		return 0, problem.Field("source", "required, at most 100 characters")
	}
	var existing int64
	err = tx.QueryRow(ctx, `SELECT id FROM results WHERE town_code = ? AND source = ?`, c.Town, c.Source).Scan(&existing)
	if err == nil {
		return existing, nil
	}
	if c.Title, err = checkText("title", c.Title, MaxTitle, true); err != nil {
		return 0, err
	}
	if c.Description, err = checkText("description", c.Description, MaxText, false); err != nil {
		return 0, err
	}
	if c.Category, err = checkText("category", c.Category, MaxShort, false); err != nil {
		return 0, err
	}
	if c.Place, err = checkText("place", c.Place, MaxTitle, false); err != nil {
		return 0, err
	}
	if c.Year < MinYear || c.Year > MaxYear {
		return 0, problem.Field("year", "a year from %d to %d", MinYear, MaxYear)
	}
	if c.BudgetFen < 0 || c.BudgetFen > MaxBudgetFen {
		return 0, problem.Field("budget_fen", "a budget from 0 fen")
	}
	if c.Weight == 0 {
		c.Weight = 1
	}
	if c.Weight < 0 || c.Weight > 1e6 || math.IsNaN(c.Weight) {
		return 0, problem.Field("weight", "a weight above 0")
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM regions WHERE code = ? AND level = 'town'`, c.Town).Scan(&n); err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, problem.Field("town", "no town %q", c.Town)
	}
	if c.Department != "" {
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM departments WHERE code = ? AND town_code = ?`, c.Department, c.Town).Scan(&n); err != nil {
			return 0, err
		}
		if n == 0 {
			return 0, problem.Field("department", "no department %q in the town", c.Department)
		}
	}
	var lat, lng any
	if c.Lat != 0 || c.Lon != 0 {
		if c.Lat < -90 || c.Lat > 90 || c.Lon < -180 || c.Lon > 180 {
			return 0, problem.Field("lat", "not a position")
		}
		lat, lng = c.Lat, c.Lon
	}
	position := 0
	if c.ParentID != 0 {
		var town string
		var year, depth int
		if err := tx.QueryRow(ctx, `SELECT town_code, year FROM results WHERE id = ?`, c.ParentID).Scan(&town, &year); err != nil || town != c.Town {
			return 0, problem.Field("parent_id", "no result %d in the town", c.ParentID)
		}
		if year != c.Year {
			return 0, problem.Field("parent_id", "the parent is of %d, not %d", year, c.Year)
		}
		for id := c.ParentID; id != 0 && depth <= MaxDepth; depth++ {
			if err := tx.QueryRow(ctx, `SELECT COALESCE(parent_id, 0) FROM results WHERE id = ?`, id).Scan(&id); err != nil {
				return 0, err
			}
		}
		if depth >= MaxDepth {
			return 0, problem.Field("parent_id", "results nest at most %d deep", MaxDepth)
		}
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM results WHERE parent_id = ?`, c.ParentID).Scan(&n); err != nil {
			return 0, err
		}
		if n >= MaxChildren {
			return 0, problem.Field("parent_id", "at most %d parts", MaxChildren)
		}
		position = n + 1
	} else {
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM results WHERE town_code = ? AND year = ? AND parent_id IS NULL`, c.Town, c.Year).Scan(&n); err != nil {
			return 0, err
		}
		position = n + 1
	}
	var createdBy any
	if c.By.ID != 0 {
		createdBy = c.By.ID
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO results (town_code, year, parent_id, source, title, description, category, department_code,
		budget_fen, status, progress, weight, place, lat, lng, position, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.Town, c.Year, store.NullIfZero(c.ParentID), c.Source, c.Title, c.Description, c.Category, store.NullIfEmpty(c.Department),
		c.BudgetFen, StatusNotStarted, c.Weight, c.Place, lat, lng, position, createdBy, nowMs, nowMs).Scan(&id)
	if store.IsUniqueViolation(err) {
		return 0, problem.Conflict("source %s is adopted already", c.Source)
	}
	if err != nil {
		return 0, err
	}
	day := store.FromMillis(nowMs).In(shanghai()).Format(DayLayout)
	zero := 0.0
	if err := addEntry(ctx, tx, id, Entry{Day: day, Kind: KindAdopted, Progress: &zero, Status: StatusNotStarted,
		Body: "立项：" + c.Title, AuthorName: c.By.Name}, c.By.ID, nowMs); err != nil {
		return 0, err
	}
	if c.ParentID != 0 {
		if err := recompute(ctx, tx, c.ParentID, nowMs); err != nil {
			return 0, err
		}
	}
	by := c.By
	if by.Name == "" {
		by.Name = "projects"
	}
	return id, by.Record(ctx, tx, audit.Entry{Action: "adopt", Entity: "result", EntityID: fmt.Sprint(id), TownCode: c.Town,
		Detail: c.Source + " " + c.Title})
}

// Create adopts one result by hand (results:manage): a project not from a ballot, or a part of
// one (ParentID). Its source is "manual:<town>:<n>" unless given.
func (s *Service) Create(ctx context.Context, towns []string, c Chosen, by auth.User) (Result, error) {
	if !MayManage(by) {
		return Result{}, problem.Forbidden("results:manage needed")
	}
	if c.Town == "" && len(towns) == 1 {
		c.Town = towns[0]
	}
	if !containsTown(towns, c.Town) {
		return Result{}, problem.Field("town", "not a town of yours")
	}
	c.By = actor(by)
	var id int64
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		if strings.TrimSpace(c.Source) == "" {
			var n int64
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM results WHERE town_code = ?`, c.Town).Scan(&n); err != nil {
				return err
			}
			c.Source = fmt.Sprintf("manual:%d:%d", store.Millis(s.now()), n+1)
		}
		ids, err := adopt(ctx, tx, []Chosen{c}, store.Millis(s.now()))
		if err != nil {
			return err
		}
		id = ids[0]
		return nil
	})
	if err != nil {
		return Result{}, unwrapAdopt(err)
	}
	return s.Get(ctx, towns, id)
}

// unwrapAdopt keeps a field error's field when it came through adopt's context.
func unwrapAdopt(err error) error {
	var fe *problem.FieldError
	if errorsAs(err, &fe) {
		return fe
	}
	return err
}

func containsTown(towns []string, t string) bool {
	for _, x := range towns {
		if x == t {
			return true
		}
	}
	return false
}

// Edit is what a manager may change of a result.
type Edit struct {
	Title        string   `json:"title"`
	Description  string   `json:"description"`
	Category     string   `json:"category"`
	Department   string   `json:"department"`
	BudgetFen    int64    `json:"budget_fen"`
	Weight       float64  `json:"weight"`
	Place        string   `json:"place"`
	Lat          *float64 `json:"lat"`
	Lng          *float64 `json:"lng"`
	RatingOpens  string   `json:"rating_opens"`
	RatingCloses string   `json:"rating_closes"`
}

// Update changes a result's description fields (results:manage); a weight change recomputes the
// parent's progress.
func (s *Service) Update(ctx context.Context, towns []string, id int64, e Edit, by auth.User) (Result, error) {
	if !MayManage(by) {
		return Result{}, problem.Forbidden("results:manage needed")
	}
	var err error
	if e.Title, err = checkText("title", e.Title, MaxTitle, true); err != nil {
		return Result{}, err
	}
	if e.Description, err = checkText("description", e.Description, MaxText, false); err != nil {
		return Result{}, err
	}
	if e.Category, err = checkText("category", e.Category, MaxShort, false); err != nil {
		return Result{}, err
	}
	if e.Place, err = checkText("place", e.Place, MaxTitle, false); err != nil {
		return Result{}, err
	}
	if e.BudgetFen < 0 || e.BudgetFen > MaxBudgetFen {
		return Result{}, problem.Field("budget_fen", "a budget from 0 fen")
	}
	if e.Weight == 0 {
		e.Weight = 1
	}
	if e.Weight < 0 || e.Weight > 1e6 || math.IsNaN(e.Weight) {
		return Result{}, problem.Field("weight", "a weight above 0")
	}
	if e.RatingOpens, err = checkDay("rating_opens", e.RatingOpens, false); err != nil {
		return Result{}, err
	}
	if e.RatingCloses, err = checkDay("rating_closes", e.RatingCloses, false); err != nil {
		return Result{}, err
	}
	if (e.RatingOpens == "") != (e.RatingCloses == "") || (e.RatingOpens != "" && e.RatingCloses < e.RatingOpens) {
		return Result{}, problem.Field("rating_closes", "a rating window has a first and a last day, in that order")
	}
	if (e.Lat == nil) != (e.Lng == nil) || (e.Lat != nil && (*e.Lat < -90 || *e.Lat > 90 || *e.Lng < -180 || *e.Lng > 180)) {
		return Result{}, problem.Field("lat", "not a position")
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		r, err := s.get(ctx, tx, towns, id)
		if err != nil {
			return err
		}
		if e.Department != "" {
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM departments WHERE code = ? AND town_code = ?`, e.Department, r.TownCode).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return problem.Field("department", "no department %q in the town", e.Department)
			}
		}
		now := store.Millis(s.now())
		if _, err := tx.Exec(ctx, `UPDATE results SET title = ?, description = ?, category = ?, department_code = ?, budget_fen = ?, weight = ?,
			place = ?, lat = ?, lng = ?, rating_opens = ?, rating_closes = ?, updated_at = ? WHERE id = ?`,
			e.Title, e.Description, e.Category, store.NullIfEmpty(e.Department), e.BudgetFen, e.Weight, e.Place, e.Lat, e.Lng,
			e.RatingOpens, e.RatingCloses, now, id); err != nil {
			return err
		}
		if r.ParentID != 0 && r.Weight != e.Weight {
			if err := recompute(ctx, tx, r.ParentID, now); err != nil {
				return err
			}
		}
		return actor(by).Record(ctx, tx, audit.Entry{Action: audit.ActionUpdate, Entity: "result", EntityID: fmt.Sprint(id), TownCode: r.TownCode,
			Detail: changed(r, e)})
	})
	if err != nil {
		return Result{}, err
	}
	return s.Get(ctx, towns, id)
}

func changed(r Result, e Edit) string {
	var fs []string
	add := func(name string, diff bool) {
		if diff {
			fs = append(fs, name)
		}
	}
	add("title", r.Title != e.Title)
	add("description", r.Description != e.Description)
	add("category", r.Category != e.Category)
	add("department", r.Department != e.Department)
	add("budget_fen", r.BudgetFen != e.BudgetFen)
	add("weight", r.Weight != e.Weight)
	add("place", r.Place != e.Place)
	add("rating_window", r.RatingOpens != e.RatingOpens || r.RatingCloses != e.RatingCloses)
	return strings.Join(fs, ",")
}

// Delete removes a result without parts, ratings or inspections (results:manage): a mistake, not
// a project that failed (that one stays, with its status and timeline).
func (s *Service) Delete(ctx context.Context, towns []string, id int64, by auth.User) error {
	if !MayManage(by) {
		return problem.Forbidden("results:manage needed")
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		r, err := s.get(ctx, tx, towns, id)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM results WHERE parent_id = ?) + (SELECT COUNT(*) FROM result_ratings WHERE result_id = ?)
			+ (SELECT COUNT(*) FROM result_inspections WHERE result_id = ?)`, id, id, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return problem.Conflict("result %d has parts, ratings or inspections: it stays on record", id)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM results WHERE id = ?`, id); err != nil {
			return err
		}
		if r.ParentID != 0 {
			if err := recompute(ctx, tx, r.ParentID, store.Millis(s.now())); err != nil {
				return err
			}
		}
		return actor(by).Record(ctx, tx, audit.Entry{Action: audit.ActionDelete, Entity: "result", EntityID: fmt.Sprint(id), TownCode: r.TownCode,
			Detail: r.Source + " " + r.Title})
	})
}
