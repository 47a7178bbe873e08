package results

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// Milestone is a step of a result with the day it was planned for and the day it was done.
type Milestone struct {
	ID       int64  `json:"id"`
	ResultID int64  `json:"result_id"`
	Title    string `json:"title"`
	Planned  string `json:"planned"`
	Done     string `json:"done,omitempty"`
	// Due is the day the milestone is due: the planned day, or the next working day when the
	// planned day is a weekend or holiday (workcal).
	Due string `json:"due"`
	// Overdue: not done and its due day has passed; Late: done after its due day.
	Overdue bool `json:"overdue"`
	Late    bool `json:"late"`
	// Result's title and department, filled by Overdue.
	ResultTitle string `json:"result_title,omitempty"`
	Department  string `json:"department,omitempty"`
}

// DueDay is the day a milestone planned for day is due: day itself if it is a working day, else
// the next working day on cal.
func DueDay(cal *workcal.Calendar, day string) string {
	t, err := time.ParseInLocation(DayLayout, day, workcal.Location())
	if err != nil {
		return day
	}
	for i := 0; i < 30 && !cal.IsWorkday(t.Add(12*time.Hour)); i++ {
		t = t.AddDate(0, 0, 1)
	}
	return t.Format(DayLayout)
}

// flag fills Due, Overdue and Late as of day asOf.
func (s *Service) flag(m *Milestone, asOf string) {
	m.Due = DueDay(s.cal(), m.Planned)
	done := m.Done
	if done != "" && done > asOf {
		done = "" // done after the day of the report: not done then
	}
	m.Overdue = done == "" && asOf > m.Due
	m.Late = done != "" && done > m.Due
}

func scanMilestone(rows *sql.Rows) (Milestone, error) {
	var m Milestone
	return m, rows.Scan(&m.ID, &m.ResultID, &m.Title, &m.Planned, &m.Done)
}

// Milestones returns the milestones of result id, by planned day.
func (s *Service) Milestones(ctx context.Context, towns []string, id int64) ([]Milestone, error) {
	if _, err := s.Get(ctx, towns, id); err != nil {
		return nil, err
	}
	list, err := store.Collect(ctx, s.DB, scanMilestone, `SELECT id, result_id, title, planned_on, done_on FROM result_milestones
		WHERE result_id = ? ORDER BY planned_on, position, id`, id)
	today := s.Today()
	for i := range list {
		s.flag(&list[i], today)
	}
	return list, err
}

type figures struct{ done, total, overdue, late int }

func (s *Service) milestoneFigures(ctx context.Context, q store.Querier, ids []int64) (map[int64]figures, error) {
	return s.milestoneFiguresAsOf(ctx, q, ids, s.Today())
}

func (s *Service) milestoneFiguresAsOf(ctx context.Context, q store.Querier, ids []int64, asOf string) (map[int64]figures, error) {
	out := map[int64]figures{}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(len(ids), start+500)]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		list, err := store.Collect(ctx, q, scanMilestone, `SELECT id, result_id, title, planned_on, done_on FROM result_milestones
			WHERE result_id IN (`+store.Placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, err
		}
		for _, m := range list {
			s.flag(&m, asOf)
			f := out[m.ResultID]
			f.total++
			if m.Done != "" && m.Done <= asOf {
				f.done++
			}
			if m.Overdue {
				f.overdue++
			}
			if m.Late {
				f.late++
			}
			out[m.ResultID] = f
		}
	}
	return out, nil
}

// OverdueIn returns the overdue milestones of towns' results of year (of results whose
// department is dept, when dept is not empty), most overdue first.
func (s *Service) OverdueIn(ctx context.Context, towns []string, year int, dept string) ([]Milestone, error) {
	list, err := s.Year(ctx, towns, year)
	if err != nil {
		return nil, err
	}
	byID := map[int64]Result{}
	var ids []any
	for _, r := range list {
		byID[r.ID] = r
		if r.Overdue > 0 {
			ids = append(ids, r.ID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	ms, err := store.Collect(ctx, s.DB, scanMilestone, `SELECT id, result_id, title, planned_on, done_on FROM result_milestones
		WHERE done_on = '' AND result_id IN (`+store.Placeholders(len(ids))+`) ORDER BY planned_on, id`, ids...)
	if err != nil {
		return nil, err
	}
	today := s.Today()
	var out []Milestone
	for _, m := range ms {
		s.flag(&m, today)
		r := byID[m.ResultID]
		if !m.Overdue {
			continue
		}
		if dept != "" && !inDept(list, r, dept) {
			continue
		}
		m.ResultTitle, m.Department = r.Title, r.DeptName
		out = append(out, m)
	}
	return out, nil
}

// inDept reports whether r or one of its ancestors in list belongs to dept.
func inDept(list []Result, r Result, dept string) bool {
	byID := map[int64]Result{}
	for _, x := range list {
		byID[x.ID] = x
	}
	for n := 0; n <= MaxDepth+1; n++ {
		if r.Department == dept {
			return true
		}
		p, ok := byID[r.ParentID]
		if !ok {
			return false
		}
		r = p
	}
	return false
}

// NewMilestone is a milestone to add.
type NewMilestone struct {
	Title   string `json:"title"`
	Planned string `json:"planned"`
}

// AddMilestone adds a milestone to result id (results:manage, or the result's department).
func (s *Service) AddMilestone(ctx context.Context, towns []string, id int64, n NewMilestone, by auth.User) (Milestone, error) {
	var err error
	if n.Title, err = checkText("title", n.Title, MaxTitle, true); err != nil {
		return Milestone{}, err
	}
	if n.Planned, err = checkDay("planned", n.Planned, true); err != nil {
		return Milestone{}, err
	}
	var m Milestone
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		r, err := s.mayChange(ctx, tx, towns, id, by)
		if err != nil {
			return err
		}
		var count int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM result_milestones WHERE result_id = ?`, id).Scan(&count); err != nil {
			return err
		}
		if count >= MaxMilestones {
			return problem.Field("title", "at most %d milestones", MaxMilestones)
		}
		if err := tx.QueryRow(ctx, `INSERT INTO result_milestones (result_id, title, planned_on, position, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			id, n.Title, n.Planned, count+1, store.Millis(s.now())).Scan(&m.ID); err != nil {
			return err
		}
		m.ResultID, m.Title, m.Planned = id, n.Title, n.Planned
		return actor(by).Record(ctx, tx, audit.Entry{Action: audit.ActionCreate, Entity: "result_milestone", EntityID: fmt.Sprint(m.ID), TownCode: r.TownCode,
			Detail: fmt.Sprintf("result %d: %s, planned %s", id, n.Title, n.Planned)})
	})
	s.flag(&m, s.Today())
	return m, err
}

// mayChange loads result id for a change by by: managers, or an updater of its department.
func (s *Service) mayChange(ctx context.Context, tx *store.Tx, towns []string, id int64, by auth.User) (Result, error) {
	r, err := s.get(ctx, tx, towns, id)
	if err != nil {
		return r, err
	}
	if MayManage(by) {
		return r, nil
	}
	depts, err := departments(ctx, tx, id)
	if err != nil {
		return r, err
	}
	if !MayUpdate(by, depts) {
		return r, problem.Forbidden("only the result's department or the operations centre may change it")
	}
	return r, nil
}

// MilestoneChange sets the day a milestone was done ("" undoes it) and, for managers, its title
// and planned day.
type MilestoneChange struct {
	Done    string `json:"done"`
	Title   string `json:"title,omitempty"`
	Planned string `json:"planned,omitempty"`
}

// SetMilestone records a milestone done (or not) — results:update for the result's department —
// and lets managers move it; marking it done adds a timeline entry.
func (s *Service) SetMilestone(ctx context.Context, towns []string, mid int64, c MilestoneChange, by auth.User) (Milestone, error) {
	var err error
	if c.Done, err = checkDay("done", c.Done, false); err != nil {
		return Milestone{}, err
	}
	if c.Done > s.Today() {
		return Milestone{}, problem.Field("done", "%s is in the future", c.Done)
	}
	if c.Planned, err = checkDay("planned", c.Planned, false); err != nil {
		return Milestone{}, err
	}
	if c.Title, err = checkText("title", c.Title, MaxTitle, false); err != nil {
		return Milestone{}, err
	}
	var m Milestone
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		err := tx.QueryRow(ctx, `SELECT id, result_id, title, planned_on, done_on FROM result_milestones WHERE id = ?`, mid).
			Scan(&m.ID, &m.ResultID, &m.Title, &m.Planned, &m.Done)
		if err == sql.ErrNoRows {
			return problem.NotFound("milestone %d", mid)
		}
		if err != nil {
			return err
		}
		r, err := s.mayChange(ctx, tx, towns, m.ResultID, by)
		if err != nil {
			if problem.FieldOf(err) == "" && isNotFound(err) {
				return problem.NotFound("milestone %d", mid)
			}
			return err
		}
		if (c.Title != "" && c.Title != m.Title) || (c.Planned != "" && c.Planned != m.Planned) {
			if !MayManage(by) {
				return problem.Forbidden("moving a milestone needs results:manage")
			}
			if c.Title != "" {
				m.Title = c.Title
			}
			if c.Planned != "" {
				m.Planned = c.Planned
			}
		}
		wasDone := m.Done
		m.Done = c.Done
		now := store.Millis(s.now())
		if _, err := tx.Exec(ctx, `UPDATE result_milestones SET title = ?, planned_on = ?, done_on = ? WHERE id = ?`, m.Title, m.Planned, m.Done, mid); err != nil {
			return err
		}
		if m.Done != "" && wasDone == "" {
			if err := addEntry(ctx, tx, m.ResultID, Entry{Day: m.Done, Kind: KindMilestone, Body: m.Title, AuthorName: by.DisplayName}, by.ID, now); err != nil {
				return err
			}
		}
		return actor(by).Record(ctx, tx, audit.Entry{Action: audit.ActionUpdate, Entity: "result_milestone", EntityID: fmt.Sprint(mid), TownCode: r.TownCode,
			Detail: fmt.Sprintf("result %d: done %q→%q, planned %s", m.ResultID, wasDone, m.Done, m.Planned)})
	})
	s.flag(&m, s.Today())
	return m, err
}

// DeleteMilestone removes a milestone (results:manage).
func (s *Service) DeleteMilestone(ctx context.Context, towns []string, mid int64, by auth.User) error {
	if !MayManage(by) {
		return problem.Forbidden("results:manage needed")
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		var rid int64
		var title string
		if err := tx.QueryRow(ctx, `SELECT result_id, title FROM result_milestones WHERE id = ?`, mid).Scan(&rid, &title); err != nil {
			return problem.NotFound("milestone %d", mid)
		}
		r, err := s.get(ctx, tx, towns, rid)
		if err != nil {
			return problem.NotFound("milestone %d", mid)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM result_milestones WHERE id = ?`, mid); err != nil {
			return err
		}
		return actor(by).Record(ctx, tx, audit.Entry{Action: audit.ActionDelete, Entity: "result_milestone", EntityID: fmt.Sprint(mid), TownCode: r.TownCode,
			Detail: fmt.Sprintf("result %d: %s", rid, title)})
	})
}

func isNotFound(err error) bool { return errorsIs(err, problem.ErrNotFound) }
