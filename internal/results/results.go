// Package results tracks the livelihood projects a town has chosen (为民办实事项目: 政府买单 and
// 人大验单, Decidim's "accountability"): a chosen project becomes a tracked result automatically
// (Adopt), never retyped; results form a tree whose parents' progress is the weighted mean of their
// children's; milestones with planned and actual days, overdue ones flagged on the working
// calendar; a dated timeline with photos; bulk updates from a spreadsheet (all or nothing); the
// half-year and year-end report to the congress computed as of a day; deputies' inspections (视察)
// and comments; and the anonymous evaluation in three grades that sends a result back for 整改
// when too many are dissatisfied. docs/RESULTS.md.
package results

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// Status codes the code relies on; a town may add others (result_statuses).
const (
	StatusNotStarted = "not_started" // 未开工
	StatusInProgress = "in_progress" // 推进中
	StatusDone       = "done"        // 已完工
	StatusRectifying = "rectifying"  // 整改中: sent back by the evaluation
)

// Status is one status a result may take.
type Status struct {
	Code string `json:"code"`
	ZH   string `json:"name"`
	EN   string `json:"name_en"`
}

// Name is the status's name in lang ("zh" or "en").
func (s Status) Name(lang string) string {
	if lang == "en" {
		return s.EN
	}
	return s.ZH
}

// Limits of what a request may carry.
const (
	MaxTitle       = 200
	MaxText        = 4000
	MaxNote        = 2000
	MaxShort       = 100
	MaxPhotos      = 6
	MaxDepth       = 3 // a project, its parts, their parts
	MaxChildren    = 200
	MaxMilestones  = 100
	MaxBudgetFen   = int64(1e14) // 1万亿元: a typo guard
	MaxYear        = 2100
	MinYear        = 2000
	MaxDeputies    = 1000 // characters of the deputies' names of an inspection
	MaxAdoptAtOnce = 500
)

// Result is one tracked result (a project or a part of one).
type Result struct {
	ID           int64    `json:"id"`
	TownCode     string   `json:"town"`
	Year         int      `json:"year"`
	ParentID     int64    `json:"parent_id,omitempty"`
	Source       string   `json:"source"`
	Title        string   `json:"title"`
	Description  string   `json:"description"`
	Category     string   `json:"category"`
	Department   string   `json:"department"`
	DeptName     string   `json:"department_name"`
	DeptNameEN   string   `json:"department_name_en,omitempty"`
	BudgetFen    int64    `json:"budget_fen"`
	Status       string   `json:"status"`
	Progress     float64  `json:"progress"`
	Weight       float64  `json:"weight"`
	Place        string   `json:"place"`
	Lat          *float64 `json:"lat,omitempty"`
	Lng          *float64 `json:"lng,omitempty"`
	Position     int      `json:"position"`
	RatingOpens  string   `json:"rating_opens,omitempty"`
	RatingCloses string   `json:"rating_closes,omitempty"`
	Children     int      `json:"children"`
	// Filled by Year and Get: milestones not done after their day, and done late.
	Overdue int       `json:"overdue"`
	Late    int       `json:"late"`
	Done    int       `json:"milestones_done"`
	Total   int       `json:"milestones"`
	Updated time.Time `json:"updated_at"`
}

// Dept is the department's name in lang (the Chinese name when it has no English one).
func (r Result) Dept(lang string) string {
	if lang == "en" && r.DeptNameEN != "" {
		return r.DeptNameEN
	}
	return r.DeptName
}

// BudgetYuan is the budget in yuan.
func (r Result) BudgetYuan() float64 { return float64(r.BudgetFen) / 100 }

// Service reads and changes results.
type Service struct {
	DB *store.DB
	// Now is the clock; tests set it.
	Now workcal.Clock
	// Calendar decides which days are working days (milestones due on a holiday are due the next
	// working day); nil is workcal.Default().
	Calendar *workcal.Calendar
}

// New returns a service on db.
func New(db *store.DB) *Service { return &Service{DB: db, Now: time.Now} }

func (s *Service) now() time.Time { return s.Now.Time() }

func (s *Service) cal() *workcal.Calendar {
	if s.Calendar == nil {
		return workcal.Default()
	}
	return s.Calendar
}

// Today is the service's day in Shanghai, YYYY-MM-DD.
func (s *Service) Today() string { return s.now().In(workcal.Location()).Format(DayLayout) }

// DayLayout is how days are written.
const DayLayout = "2006-01-02"

func actor(by auth.User) audit.Actor { return audit.Actor{ID: by.ID, Name: by.Username} }

// MayManage reports whether u may create, edit and delete results (results:manage).
func MayManage(u auth.User) bool { return u.Can(auth.PermResultsManage) }

// MayUpdate reports whether u may update the progress, status, timeline and milestone dates of a
// result whose own and ancestors' departments are depts: managers any of their town's, a department
// handler those of their department (their own results and every part of them).
func MayUpdate(u auth.User, depts []string) bool {
	if !u.Can(auth.PermResultsUpdate) {
		return false
	}
	if u.Role != auth.RoleHandler {
		return true
	}
	return u.DepartmentCode != "" && slices.Contains(depts, u.DepartmentCode)
}

const resultCols = `r.id, r.town_code, r.year, COALESCE(r.parent_id, 0), r.source, r.title, r.description, r.category,
	COALESCE(r.department_code, ''), COALESCE(d.name, ''), COALESCE(d.name_en, ''), r.budget_fen, r.status, r.progress, r.weight, r.place, r.lat, r.lng,
	r.position, r.rating_opens, r.rating_closes, r.updated_at,
	(SELECT COUNT(*) FROM results c WHERE c.parent_id = r.id)`

const resultFrom = ` FROM results r LEFT JOIN departments d ON d.code = r.department_code`

func scanResult(rows interface{ Scan(...any) error }) (Result, error) {
	var r Result
	var lat, lng sql.NullFloat64
	var updated int64
	err := rows.Scan(&r.ID, &r.TownCode, &r.Year, &r.ParentID, &r.Source, &r.Title, &r.Description, &r.Category,
		&r.Department, &r.DeptName, &r.DeptNameEN, &r.BudgetFen, &r.Status, &r.Progress, &r.Weight, &r.Place, &lat, &lng,
		&r.Position, &r.RatingOpens, &r.RatingCloses, &updated, &r.Children)
	if lat.Valid && lng.Valid {
		r.Lat, r.Lng = &lat.Float64, &lng.Float64
	}
	r.Progress = round1(r.Progress)
	r.Updated = store.FromMillis(updated)
	return r, err
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

// Get returns result id of one of towns, with its milestone figures.
func (s *Service) Get(ctx context.Context, towns []string, id int64) (Result, error) {
	return s.get(ctx, s.DB, towns, id)
}

func (s *Service) get(ctx context.Context, q store.Querier, towns []string, id int64) (Result, error) {
	in, args := store.In("r.town_code", towns)
	r, err := scanResult(q.QueryRow(ctx, `SELECT `+resultCols+resultFrom+` WHERE r.id = ? AND `+in, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) || len(towns) == 0 {
		return Result{}, problem.NotFound("result %d", id)
	}
	if err != nil {
		return Result{}, err
	}
	figs, err := s.milestoneFigures(ctx, q, []int64{id})
	if err != nil {
		return Result{}, err
	}
	f := figs[id]
	r.Done, r.Total, r.Overdue, r.Late = f.done, f.total, f.overdue, f.late
	return r, nil
}

// Year returns every result of towns for year (projects and their parts, parents before their
// children, in position order), with their milestone figures.
func (s *Service) Year(ctx context.Context, towns []string, year int) ([]Result, error) {
	if len(towns) == 0 {
		return nil, nil
	}
	in, args := store.In("r.town_code", towns)
	list, err := store.Collect(ctx, s.DB, func(rows *sql.Rows) (Result, error) { return scanResult(rows) },
		`SELECT `+resultCols+resultFrom+` WHERE `+in+` AND r.year = ? ORDER BY r.position, r.id`, append(args, year)...)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(list))
	for i, r := range list {
		ids[i] = r.ID
	}
	figs, err := s.milestoneFigures(ctx, s.DB, ids)
	if err != nil {
		return nil, err
	}
	for i := range list {
		f := figs[list[i].ID]
		list[i].Done, list[i].Total, list[i].Overdue, list[i].Late = f.done, f.total, f.overdue, f.late
	}
	return TreeOrder(list), nil
}

// Years lists the years that have results in towns, newest first.
func (s *Service) Years(ctx context.Context, towns []string) ([]int, error) {
	if len(towns) == 0 {
		return nil, nil
	}
	in, args := store.In("town_code", towns)
	return store.Collect(ctx, s.DB, func(rows *sql.Rows) (int, error) {
		var y int
		return y, rows.Scan(&y)
	}, `SELECT DISTINCT year FROM results WHERE `+in+` ORDER BY year DESC`, args...)
}

// TreeOrder orders results depth first: each parent, then its children, in their order.
func TreeOrder(list []Result) []Result {
	kids := map[int64][]Result{}
	present := map[int64]bool{}
	for _, r := range list {
		present[r.ID] = true
	}
	var roots []Result
	for _, r := range list {
		if r.ParentID != 0 && present[r.ParentID] {
			kids[r.ParentID] = append(kids[r.ParentID], r)
		} else {
			roots = append(roots, r)
		}
	}
	out := make([]Result, 0, len(list))
	var walk func(rs []Result)
	walk = func(rs []Result) {
		for _, r := range rs {
			out = append(out, r)
			walk(kids[r.ID])
		}
	}
	walk(roots)
	return out
}

// Depth is the depth of each result in a TreeOrder list (0 for a project).
func Depth(list []Result) map[int64]int {
	d := map[int64]int{}
	for _, r := range list {
		if r.ParentID != 0 {
			d[r.ID] = d[r.ParentID] + 1
		}
	}
	return d
}

// Statuses returns the statuses of town: its own if it has any, else the defaults.
func (s *Service) Statuses(ctx context.Context, town string) ([]Status, error) {
	return statuses(ctx, s.DB, town)
}

func statuses(ctx context.Context, q store.Querier, town string) ([]Status, error) {
	list, err := store.Collect(ctx, q, func(rows *sql.Rows) (Status, error) {
		var st Status
		return st, rows.Scan(&st.Code, &st.ZH, &st.EN)
	}, `SELECT code, name, name_en FROM result_statuses WHERE town_code = (
		SELECT COALESCE(MAX(town_code), '') FROM result_statuses WHERE town_code = ?) ORDER BY position, code`, town)
	if err != nil {
		return nil, err
	}
	return list, nil
}

// StatusName is the name of code among list in lang, or the code.
func StatusName(list []Status, code, lang string) string {
	for _, st := range list {
		if st.Code == code {
			return st.Name(lang)
		}
	}
	return code
}

// SetStatuses replaces the statuses of town (results:manage). The list must keep not_started,
// in_progress, done and rectifying, and may not drop a status a result of the town has.
func (s *Service) SetStatuses(ctx context.Context, town string, list []Status, by auth.User) error {
	if !MayManage(by) {
		return problem.Forbidden("results:manage needed")
	}
	if len(list) > 30 {
		return problem.Field("statuses", "at most 30 statuses")
	}
	seen := map[string]bool{}
	for i, st := range list {
		st.Code, st.ZH, st.EN = strings.TrimSpace(st.Code), strings.TrimSpace(st.ZH), strings.TrimSpace(st.EN)
		list[i] = st
		if st.Code == "" || st.ZH == "" || st.EN == "" || len(st.Code) > 32 || utf8.RuneCountInString(st.ZH) > 20 || utf8.RuneCountInString(st.EN) > 40 {
			return problem.Field("statuses", "status %d: a code (≤ 32), a Chinese name (≤ 20) and an English name (≤ 40)", i+1)
		}
		if seen[st.Code] {
			return problem.Field("statuses", "status %s twice", st.Code)
		}
		seen[st.Code] = true
	}
	for _, c := range []string{StatusNotStarted, StatusInProgress, StatusDone, StatusRectifying} {
		if !seen[c] {
			return problem.Field("statuses", "status %s must stay", c)
		}
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, `SELECT DISTINCT status FROM results WHERE town_code = ?`, town)
		if err != nil {
			return err
		}
		var used []string
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				rows.Close()
				return err
			}
			used = append(used, c)
		}
		rows.Close()
		for _, c := range used {
			if !seen[c] {
				return problem.Field("statuses", "status %s is in use", c)
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM result_statuses WHERE town_code = ?`, town); err != nil {
			return err
		}
		for i, st := range list {
			if _, err := tx.Exec(ctx, `INSERT INTO result_statuses (town_code, code, name, name_en, position) VALUES (?, ?, ?, ?, ?)`,
				town, st.Code, st.ZH, st.EN, i+1); err != nil {
				return err
			}
		}
		return actor(by).Record(ctx, tx, audit.Entry{Action: audit.ActionUpdate, Entity: "result_statuses", EntityID: town, TownCode: town,
			Detail: fmt.Sprintf("%d statuses", len(list))})
	})
}

func validStatus(ctx context.Context, q store.Querier, town, code string) error {
	list, err := statuses(ctx, q, town)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(list, func(st Status) bool { return st.Code == code }) {
		var cs []string
		for _, st := range list {
			cs = append(cs, st.Code)
		}
		return problem.Field("status", "%q is not a status (%s)", code, strings.Join(cs, ", "))
	}
	return nil
}

// departments returns the department codes of result id and its ancestors.
func departments(ctx context.Context, q store.Querier, id int64) ([]string, error) {
	var out []string
	for n := 0; id != 0 && n <= MaxDepth+1; n++ {
		var dept string
		var parent int64
		if err := q.QueryRow(ctx, `SELECT COALESCE(department_code, ''), COALESCE(parent_id, 0) FROM results WHERE id = ?`, id).Scan(&dept, &parent); err != nil {
			return nil, err
		}
		if dept != "" {
			out = append(out, dept)
		}
		id = parent
	}
	return out, nil
}

// MayUpdateResult reports whether u may update result id (see MayUpdate).
func (s *Service) MayUpdateResult(ctx context.Context, u auth.User, id int64) (bool, error) {
	depts, err := departments(ctx, s.DB, id)
	if err != nil {
		return false, err
	}
	return MayUpdate(u, depts), nil
}

// Mine returns the ids of the results of towns in year that u may update as a department handler
// (their department's, with their parts); nil for roles that are not handlers.
func (s *Service) Mine(ctx context.Context, u auth.User, list []Result) map[int64]bool {
	if u.Role != auth.RoleHandler {
		return nil
	}
	mine := map[int64]bool{}
	for _, r := range list { // TreeOrder: parents first
		if (r.Department != "" && r.Department == u.DepartmentCode) || mine[r.ParentID] {
			mine[r.ID] = true
		}
	}
	return mine
}

func checkText(field, s string, max int, required bool) (string, error) {
	s = strings.TrimSpace(s)
	if required && s == "" {
		return "", problem.Field(field, "required")
	}
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		return "", problem.Field(field, "not valid text")
	}
	if utf8.RuneCountInString(s) > max {
		return "", problem.Field(field, "at most %d characters", max)
	}
	return s, nil
}

func checkDay(field, s string, required bool) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			return "", problem.Field(field, "required (YYYY-MM-DD)")
		}
		return "", nil
	}
	t, err := time.ParseInLocation(DayLayout, s, workcal.Location())
	if err != nil || t.Year() < MinYear || t.Year() > MaxYear {
		return "", problem.Field(field, "%q is not a day (YYYY-MM-DD)", s)
	}
	return s, nil
}

func checkProgress(field string, p float64) error {
	if math.IsNaN(p) || p < 0 || p > 100 {
		return problem.Field(field, "progress is a percentage from 0 to 100")
	}
	return nil
}
