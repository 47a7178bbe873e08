package volunteers

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/label"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// Record kinds besides service (民政部令第67号: training, awards, evaluations).
const (
	RecordTraining   = "training"   // 培训
	RecordAward      = "award"      // 表彰奖励
	RecordEvaluation = "evaluation" // 评价
)

// RecordKinds lists the record kinds.
var RecordKinds = []Label{
	{Code: RecordTraining, ZH: "培训", EN: "Training"},
	{Code: RecordAward, ZH: "表彰奖励", EN: "Award"},
	{Code: RecordEvaluation, ZH: "评价", EN: "Evaluation"},
}

// Record is a training, award or evaluation of a volunteer.
type Record struct {
	ID          int64  `json:"id"`
	VolunteerID int64  `json:"volunteer_id"`
	Kind        string `json:"kind"`
	Title       string `json:"title"`
	Detail      string `json:"detail"`
	Day         string `json:"day"`
}

// AddRecord adds a training, award or evaluation to a volunteer of towns.
func (s *Service) AddRecord(ctx context.Context, towns []string, rec Record, by audit.Actor) (Record, error) {
	if !label.Valid(RecordKinds, rec.Kind) {
		return Record{}, problem.Field("kind", "one of training, award, evaluation")
	}
	var err error
	if rec.Title, err = text("title", rec.Title, true, MaxName); err != nil {
		return Record{}, err
	}
	if rec.Detail, err = text("detail", rec.Detail, false, 500); err != nil {
		return Record{}, err
	}
	if _, err := time.ParseInLocation("2006-01-02", rec.Day, workcal.Location()); err != nil {
		return Record{}, problem.Field("day", "a date (YYYY-MM-DD)")
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		v, err := s.get(ctx, tx, towns, rec.VolunteerID)
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO vol_records (volunteer_id, kind, title, detail, on_day, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			rec.VolunteerID, rec.Kind, rec.Title, rec.Detail, rec.Day, store.NullIfZero(by.ID), store.Millis(s.now())).Scan(&rec.ID); err != nil {
			return err
		}
		return by.Record(ctx, tx, audit.Entry{Action: audit.ActionCreate, Entity: "vol_record", EntityID: fmt.Sprint(rec.ID), TownCode: v.TownCode, Detail: rec.Kind + " " + rec.Title})
	})
	return rec, err
}

// Records lists the trainings, awards and evaluations of a volunteer.
func (s *Service) Records(ctx context.Context, volunteerID int64) ([]Record, error) {
	return store.Collect(ctx, s.DB, func(r *sql.Rows) (Record, error) {
		var rec Record
		return rec, r.Scan(&rec.ID, &rec.VolunteerID, &rec.Kind, &rec.Title, &rec.Detail, &rec.Day)
	}, `SELECT id, volunteer_id, kind, title, detail, on_day FROM vol_records WHERE volunteer_id = ? ORDER BY on_day DESC, id DESC LIMIT 500`, volunteerID)
}

// HoursLine is a volunteer's service minutes in one project and year.
type HoursLine struct {
	Year        int    `json:"year"`
	ProjectID   int64  `json:"project_id"`
	Project     string `json:"project"`
	Activities  int    `json:"activities"`
	Minutes     int64  `json:"minutes"`
	Unconfirmed int    `json:"unconfirmed"`     // attendances waiting for a check-out
	Pending     int64  `json:"pending_minutes"` // minutes in their 公示 (or objected to): not yet in Minutes
}

// ServiceLine is one attendance of a volunteer, for the record.
type ServiceLine struct {
	Attendance
	Activity string    `json:"activity"`
	Project  string    `json:"project"`
	Place    string    `json:"place"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
}

// Service lists a volunteer's attendances, newest first.
func (s *Service) Service(ctx context.Context, volunteerID int64, limit int) ([]ServiceLine, error) {
	if limit <= 0 || limit > MaxListRows {
		limit = MaxListRows
	}
	return store.Collect(ctx, s.DB, func(r *sql.Rows) (ServiceLine, error) {
		var l ServiceLine
		var start, end int64
		err := scanAttendanceInto(r, &l.Attendance, &l.Activity, &l.Project, &l.Place, &start, &end)
		l.Start, l.End = store.FromMillis(start), store.FromMillis(end)
		l.Publicity = l.publicity(s.now())
		return l, err
	}, `SELECT `+attendanceCols+`, ac.title, p.name, ac.place, ac.starts_at, ac.ends_at`+attendanceFrom+`
		JOIN vol_activities ac ON ac.id = t.activity_id JOIN vol_projects p ON p.id = ac.project_id
		WHERE t.volunteer_id = ? ORDER BY t.check_in_at DESC, t.id DESC LIMIT `+fmt.Sprint(limit), volunteerID)
}

// Hours sums a volunteer's credited minutes by year (of the activity's start, Shanghai) and
// project. The sum over the lines is the volunteer's total: every attendance counts once.
func (s *Service) Hours(ctx context.Context, volunteerID int64) ([]HoursLine, error) {
	lines, err := s.Service(ctx, volunteerID, MaxListRows)
	if err != nil {
		return nil, err
	}
	type key struct {
		year int
		proj string
	}
	idx := map[key]int{}
	out := []HoursLine{}
	for _, l := range lines {
		k := key{l.Start.In(workcal.Location()).Year(), l.Project}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, HoursLine{Year: k.year, Project: k.proj})
		}
		out[i].Activities++
		out[i].Minutes += int64(l.Counted(s.now()))
		if !l.Final(s.now()) {
			out[i].Pending += int64(l.Credited())
		}
		if l.MissingCheckOut() && l.Adjusted == nil {
			out[i].Unconfirmed++
		}
	}
	return out, nil
}

// TotalMinutes is the sum of a volunteer's credited minutes, by one SQL sum (the figure lists show).
func (s *Service) TotalMinutes(ctx context.Context, volunteerID int64) (int64, error) {
	var n int64
	err := s.DB.QueryRow(ctx, `SELECT COALESCE(SUM(`+s.counted("t")+`), 0) FROM vol_attendance t WHERE t.volunteer_id = ?`, volunteerID).Scan(&n)
	return n, err
}

// FormatHours shows minutes as hours with one decimal (125 → "2.1").
func FormatHours(minutes int64) string {
	return fmt.Sprintf("%.1f", float64(minutes)/60)
}

// projectsOf names the projects of a volunteer's attendances in a period, for a certificate's
// content: "泾彩悦读 12.5 小时；健康守护 3.0 小时".
func projectsContent(lines []ServiceLine, from, to string, now time.Time) (string, int64) {
	var parts []string
	mins := map[string]int64{}
	var order []string
	var total int64
	for i := len(lines) - 1; i >= 0; i-- {
		l := lines[i]
		d := day(l.Start)
		if d < from || d > to {
			continue
		}
		if _, ok := mins[l.Project]; !ok {
			order = append(order, l.Project)
		}
		mins[l.Project] += int64(l.Counted(now))
		total += int64(l.Counted(now))
	}
	for _, p := range order {
		parts = append(parts, fmt.Sprintf("%s %s 小时", p, FormatHours(mins[p])))
	}
	return strings.Join(parts, "；"), total
}
