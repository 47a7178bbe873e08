package party

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/label"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// Where a task comes from.
const (
	SourceResolution = "resolution" // a council meeting's resolution (决议)
	SourceCommitment = "commitment" // a co-building agreement's commitment (联建承诺)
	SourceMatch      = "match"      // a project matching a need and a resource (供需对接)
)

// Sources lists the task sources.
var Sources = []Label{
	{Code: SourceResolution, ZH: "会议决议", EN: "Resolution"},
	{Code: SourceCommitment, ZH: "联建承诺", EN: "Commitment"},
	{Code: SourceMatch, ZH: "供需对接项目", EN: "Matched project"},
}

// Task is a tracked task: a resolution, a commitment or a matched project, with the unit that owns
// it, a due working day, its progress (0–100) and status, and the reviews it had.
type Task struct {
	ID          int64    `json:"id"`
	TownCode    string   `json:"town"`
	Source      string   `json:"source"`
	MeetingID   int64    `json:"meeting_id,omitempty"`
	AgreementID int64    `json:"agreement_id,omitempty"`
	NeedID      int64    `json:"need_id,omitempty"`
	ResourceID  int64    `json:"resource_id,omitempty"`
	Text        string   `json:"text"`
	Owner       string   `json:"owner"`
	Due         string   `json:"due"`
	Progress    int      `json:"progress"`
	Status      string   `json:"status"`
	Overdue     bool     `json:"overdue"`
	Reviews     []Review `json:"reviews,omitempty"`
	// From names where it comes from (the meeting's title and date, the agreement's title).
	From string `json:"from,omitempty"`
}

// Review is a note on a task's progress, made at a meeting (MeetingID) or between meetings.
type Review struct {
	ID        int64     `json:"id"`
	TaskID    int64     `json:"task_id"`
	MeetingID int64     `json:"meeting_id,omitempty"`
	Note      string    `json:"note"`
	Progress  int       `json:"progress"`
	Status    string    `json:"status"`
	At        time.Time `json:"at"`
}

// NewTask is a task as submitted: Due is a working day (YYYY-MM-DD), or DueDays the number of
// working days after the base day (the meeting, the signing) on the working-day calendar.
type NewTask struct {
	Text    string `json:"text"`
	Owner   string `json:"owner"`
	Due     string `json:"due"`
	DueDays int    `json:"due_days"`
}

// due resolves n's due day from base (YYYY-MM-DD) on the working-day calendar.
func (s *Service) due(field string, n NewTask, base string) (string, error) {
	if n.Due != "" {
		d, err := ParseDate(field+".due", n.Due)
		if err != nil {
			return "", err
		}
		if !s.cal().IsWorkday(d.Add(12 * time.Hour)) {
			return "", problem.Field(field+".due", "%s is not a working day", n.Due)
		}
		if n.Due < base {
			return "", problem.Field(field+".due", "%s is before %s", n.Due, base)
		}
		return d.Format(DateLayout), nil
	}
	if n.DueDays < 1 || n.DueDays > 750 {
		return "", problem.Field(field+".due", "give a due day or between 1 and 750 working days")
	}
	b, err := ParseDate(field+".due", base)
	if err != nil {
		return "", err
	}
	// AddWorkingDays counts from a moment; from the base day's end, day 1 is the next working day.
	end := b.Add(18 * time.Hour)
	return s.cal().AddWorkingDays(end, n.DueDays).In(workcal.Location()).Format(DateLayout), nil
}

func checkTask(field string, n *NewTask) error {
	var err error
	if n.Text, err = problem.Text(field+".text", n.Text, MaxText, true); err != nil {
		return err
	}
	if n.Owner, err = problem.Text(field+".owner", n.Owner, MaxName, true); err != nil {
		return err
	}
	return nil
}

type taskSource struct {
	meeting, agreement, need, resource int64
}

func (s *Service) insertTask(ctx context.Context, tx *store.Tx, town string, src taskSource, n NewTask, due string, by auth.User) (int64, error) {
	now := s.now().UnixMilli()
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO party_tasks (town_code, meeting_id, agreement_id, need_id, resource_id, text, owner_unit, due, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, town, nullID(src.meeting), nullID(src.agreement), nullID(src.need), nullID(src.resource),
		n.Text, n.Owner, due, now, now).Scan(&id)
	if err != nil {
		return 0, err
	}
	return id, record(ctx, tx, by, audit.ActionCreate, "party_task", id, town, n.Text)
}

// TaskFilter narrows Tasks.
type TaskFilter struct {
	Status    string // "" any
	Source    string // "" any
	MeetingID int64
	Agreement int64
	Limit     int // 0: 500
}

const taskCols = `t.id, t.town_code, COALESCE(t.meeting_id, 0), COALESCE(t.agreement_id, 0), COALESCE(t.need_id, 0), COALESCE(t.resource_id, 0),
	t.text, t.owner_unit, t.due, t.progress, t.status,
	COALESCE(m.title, a.title, ''), COALESCE(m.held_on, a.signed_on, '')`

// Tasks lists the tasks of towns by due day.
func (s *Service) Tasks(ctx context.Context, towns []string, f TaskFilter) ([]Task, error) {
	where, args := store.In("t.town_code", towns)
	if f.Status != "" {
		where += " AND t.status = ?"
		args = append(args, f.Status)
	}
	switch f.Source {
	case SourceResolution:
		where += " AND t.meeting_id IS NOT NULL"
	case SourceCommitment:
		where += " AND t.agreement_id IS NOT NULL"
	case SourceMatch:
		where += " AND t.need_id IS NOT NULL"
	}
	if f.MeetingID != 0 {
		where += " AND t.meeting_id = ?"
		args = append(args, f.MeetingID)
	}
	if f.Agreement != 0 {
		where += " AND t.agreement_id = ?"
		args = append(args, f.Agreement)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 500
	}
	return s.tasks(ctx, s.DB, `WHERE `+where+` ORDER BY t.due, t.id LIMIT `+fmt.Sprint(f.Limit), args...)
}

func (s *Service) tasks(ctx context.Context, q store.Querier, cond string, args ...any) ([]Task, error) {
	rows, err := q.Query(ctx, `SELECT `+taskCols+` FROM party_tasks t
		LEFT JOIN party_meetings m ON m.id = t.meeting_id LEFT JOIN party_agreements a ON a.id = t.agreement_id `+cond, args...)
	if err != nil {
		return nil, fmt.Errorf("party tasks: %w", err)
	}
	defer rows.Close()
	today := s.Today()
	var out []Task
	for rows.Next() {
		var t Task
		var title, on string
		if err := rows.Scan(&t.ID, &t.TownCode, &t.MeetingID, &t.AgreementID, &t.NeedID, &t.ResourceID, &t.Text, &t.Owner, &t.Due,
			&t.Progress, &t.Status, &title, &on); err != nil {
			return nil, err
		}
		switch {
		case t.MeetingID != 0:
			t.Source = SourceResolution
		case t.AgreementID != 0:
			t.Source = SourceCommitment
		default:
			t.Source = SourceMatch
		}
		if title != "" {
			t.From = on + " " + title
		}
		t.Overdue = t.Status == TaskOpen && t.Due < today
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.attachReviews(ctx, q, out)
}

func (s *Service) attachReviews(ctx context.Context, q store.Querier, ts []Task) error {
	if len(ts) == 0 {
		return nil
	}
	idx := map[int64]int{}
	ids := make([]string, len(ts))
	for i, t := range ts {
		idx[t.ID] = i
		ids[i] = fmt.Sprint(t.ID)
	}
	where, args := store.In("task_id", ids)
	rows, err := q.Query(ctx, `SELECT id, task_id, COALESCE(meeting_id, 0), note, progress, status, created_at FROM party_task_reviews WHERE `+where+` ORDER BY created_at, id`, args...)
	if err != nil {
		return fmt.Errorf("task reviews: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r Review
		var at int64
		if err := rows.Scan(&r.ID, &r.TaskID, &r.MeetingID, &r.Note, &r.Progress, &r.Status, &at); err != nil {
			return err
		}
		r.At = store.FromMillis(at)
		if i, ok := idx[r.TaskID]; ok {
			ts[i].Reviews = append(ts[i].Reviews, r)
		}
	}
	return rows.Err()
}

// NewReview is a review as submitted.
type NewReview struct {
	Note     string `json:"note"`
	Progress int    `json:"progress"`
	Status   string `json:"status"`
}

// ReviewTask records a review of task at meeting (0: between meetings) and sets the task's progress
// and status. A meeting reviews only tasks of its town from earlier meetings or other sources —
// not its own resolutions — and once per task (a second review at the same meeting replaces the
// first).
func (s *Service) ReviewTask(ctx context.Context, towns []string, meeting, task int64, n NewReview, by auth.User) (Task, error) {
	if err := checkManager(by); err != nil {
		return Task{}, err
	}
	var err error
	if n.Note, err = problem.Text("note", n.Note, MaxText, true); err != nil {
		return Task{}, err
	}
	if n.Progress < 0 || n.Progress > 100 {
		return Task{}, problem.Field("progress", "%d is not between 0 and 100", n.Progress)
	}
	if n.Status == "" {
		n.Status = TaskOpen
		if n.Progress == 100 {
			n.Status = TaskDone
		}
	}
	if !label.Valid(TaskStatuses, n.Status) {
		return Task{}, problem.Field("status", "%q is not one of open, done, dropped", n.Status)
	}
	if n.Status == TaskDone && n.Progress != 100 {
		return Task{}, problem.Field("progress", "a task is done at 100%%, not %d%%", n.Progress)
	}
	var out Task
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		where, args := store.In("t.town_code", towns)
		ts, err := s.tasks(ctx, tx, `WHERE t.id = ? AND `+where, append([]any{task}, args...)...)
		if err != nil {
			return err
		}
		if len(ts) == 0 {
			return problem.NotFound("task %d", task)
		}
		t := ts[0]
		if meeting != 0 {
			m, err := s.meetingRow(ctx, tx, towns, meeting)
			if err != nil {
				return err
			}
			if m.TownCode != t.TownCode {
				return problem.NotFound("task %d", task)
			}
			if t.MeetingID == meeting {
				return problem.Field("task", "task %d is this meeting's own resolution; the next meeting reviews it", task)
			}
			if t.MeetingID != 0 {
				var earlier string
				if err := tx.QueryRow(ctx, `SELECT held_on FROM party_meetings WHERE id = ?`, t.MeetingID).Scan(&earlier); err != nil {
					return err
				}
				if earlier > m.HeldOn {
					return problem.Field("task", "task %d comes from a later meeting (%s)", task, earlier)
				}
			}
			if _, err := tx.Exec(ctx, `DELETE FROM party_task_reviews WHERE task_id = ? AND meeting_id = ?`, task, meeting); err != nil {
				return err
			}
		}
		now := s.now().UnixMilli()
		if _, err := tx.Exec(ctx, `INSERT INTO party_task_reviews (task_id, meeting_id, note, progress, status, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			task, nullID(meeting), n.Note, n.Progress, n.Status, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE party_tasks SET progress = ?, status = ?, updated_at = ? WHERE id = ?`, n.Progress, n.Status, now, task); err != nil {
			return err
		}
		if err := record(ctx, tx, by, audit.ActionUpdate, "party_task", task, t.TownCode, fmt.Sprintf("review: %d%% %s", n.Progress, n.Status)); err != nil {
			return err
		}
		ts, err = s.tasks(ctx, tx, `WHERE t.id = ?`, task)
		if err != nil {
			return err
		}
		out = ts[0]
		return nil
	})
	return out, err
}

// Task returns one task of towns with its reviews.
func (s *Service) Task(ctx context.Context, towns []string, id int64) (Task, error) {
	where, args := store.In("t.town_code", towns)
	ts, err := s.tasks(ctx, s.DB, `WHERE t.id = ? AND `+where, append([]any{id}, args...)...)
	if err != nil {
		return Task{}, err
	}
	if len(ts) == 0 {
		return Task{}, problem.NotFound("task %d", id)
	}
	return ts[0], nil
}

var errNoRows = sql.ErrNoRows

func isNoRows(err error) bool { return errors.Is(err, errNoRows) }
