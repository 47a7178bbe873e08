package results

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

func storeNow() int64                { return store.Millis(time.Now()) }
func shanghai() *time.Location       { return workcal.Location() }
func errorsAs(err error, t any) bool { return errors.As(err, t) }
func errorsIs(err, t error) bool     { return errors.Is(err, t) }

// Part is a child's progress and weight, for WeightedProgress.
type Part struct{ Progress, Weight float64 }

// WeightedProgress is the progress of a parent: Σ weightᵢ·progressᵢ / Σ weightᵢ over its parts
// (weights are above 0; no parts is 0).
func WeightedProgress(parts []Part) float64 {
	var sum, weights float64
	for _, p := range parts {
		sum += p.Weight * p.Progress
		weights += p.Weight
	}
	if weights <= 0 {
		return 0
	}
	return sum / weights
}

// recompute sets the progress of result id (a parent) from its children, then of its ancestors.
func recompute(ctx context.Context, tx *store.Tx, id int64, nowMs int64) error {
	for n := 0; id != 0 && n <= MaxDepth+1; n++ {
		rows, err := tx.Query(ctx, `SELECT progress, weight FROM results WHERE parent_id = ?`, id)
		if err != nil {
			return err
		}
		var parts []Part
		for rows.Next() {
			var p Part
			if err := rows.Scan(&p.Progress, &p.Weight); err != nil {
				rows.Close()
				return err
			}
			parts = append(parts, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(parts) > 0 {
			if _, err := tx.Exec(ctx, `UPDATE results SET progress = ?, updated_at = ? WHERE id = ?`, WeightedProgress(parts), nowMs, id); err != nil {
				return err
			}
		}
		if err := tx.QueryRow(ctx, `SELECT COALESCE(parent_id, 0) FROM results WHERE id = ?`, id).Scan(&id); err != nil {
			return err
		}
	}
	return nil
}

// Timeline entry kinds.
const (
	KindAdopted    = "adopted"    // 立项
	KindUpdate     = "update"     // 进展 (progress, status, a note, photos)
	KindMilestone  = "milestone"  // a milestone done
	KindInspection = "inspection" // 代表视察
	KindRectify    = "rectify"    // 整改: sent back by the evaluation
)

// Entry is one dated timeline entry.
type Entry struct {
	ID         int64    `json:"id"`
	ResultID   int64    `json:"result_id"`
	Day        string   `json:"day"`
	Kind       string   `json:"kind"`
	Body       string   `json:"body"`
	Progress   *float64 `json:"progress,omitempty"`
	Status     string   `json:"status,omitempty"`
	Photos     []string `json:"photos,omitempty"`
	AuthorName string   `json:"author,omitempty"`
}

func addEntry(ctx context.Context, tx *store.Tx, id int64, e Entry, authorID int64, nowMs int64) error {
	var author any
	if authorID != 0 {
		author = authorID
	}
	_, err := tx.Exec(ctx, `INSERT INTO result_timeline (result_id, on_day, kind, body, progress, status, photos, author_id, author_name, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, e.Day, e.Kind, e.Body, e.Progress, e.Status, strings.Join(e.Photos, " "), author, e.AuthorName, nowMs)
	return err
}

// Timeline returns the entries of result id, newest day first.
func (s *Service) Timeline(ctx context.Context, towns []string, id int64) ([]Entry, error) {
	if _, err := s.Get(ctx, towns, id); err != nil {
		return nil, err
	}
	return store.Collect(ctx, s.DB, scanEntry, `SELECT id, result_id, on_day, kind, body, progress, status, photos, author_name
		FROM result_timeline WHERE result_id = ? ORDER BY on_day DESC, id DESC LIMIT 500`, id)
}

func scanEntry(rows *sql.Rows) (Entry, error) {
	var e Entry
	var p sql.NullFloat64
	var photos string
	err := rows.Scan(&e.ID, &e.ResultID, &e.Day, &e.Kind, &e.Body, &p, &e.Status, &photos, &e.AuthorName)
	if p.Valid {
		v := round1(p.Float64)
		e.Progress = &v
	}
	e.Photos = strings.Fields(photos)
	return e, err
}

// Change is a progress update of a result: any of progress (results without parts), status and
// a note with photos, dated Day (default today; not in the future).
type Change struct {
	Progress *float64 `json:"progress"`
	Status   string   `json:"status"`
	Note     string   `json:"note"`
	Day      string   `json:"day"`
	Photos   []string `json:"photos"` // ids of uploads of the town (kit.StorePhoto)
}

// Record records a change of result id (results:update; a handler only their department's): one
// transaction with the timeline entry, the parents' progress and the audit row.
func (s *Service) Record(ctx context.Context, towns []string, id int64, c Change, by auth.User) (Result, error) {
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		return s.report(ctx, tx, towns, id, c, by)
	})
	if err != nil {
		return Result{}, err
	}
	return s.Get(ctx, towns, id)
}

func (s *Service) checkChange(ctx context.Context, q store.Querier, r Result, c *Change) error {
	var err error
	if c.Note, err = checkText("note", c.Note, MaxNote, false); err != nil {
		return err
	}
	if c.Day, err = checkDay("day", c.Day, false); err != nil {
		return err
	}
	if c.Day == "" {
		c.Day = s.Today()
	}
	if c.Day > s.Today() {
		return problem.Field("day", "%s is in the future", c.Day)
	}
	if c.Progress != nil {
		if err := checkProgress("progress", *c.Progress); err != nil {
			return err
		}
		if r.Children > 0 && round1(*c.Progress) != r.Progress {
			return problem.Field("progress", "the progress of a result with parts is computed from them (%.1f%%)", r.Progress)
		}
		if r.Children > 0 || round1(*c.Progress) == r.Progress {
			c.Progress = nil
		}
	}
	c.Status = strings.TrimSpace(c.Status)
	if c.Status != "" {
		if err := validStatus(ctx, q, r.TownCode, c.Status); err != nil {
			return err
		}
		if c.Status == r.Status {
			c.Status = ""
		}
	}
	if len(c.Photos) > MaxPhotos {
		return problem.Field("photos", "at most %d photos", MaxPhotos)
	}
	for _, p := range c.Photos {
		var n int
		if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM uploads WHERE id = ? AND town_code = ?`, p, r.TownCode).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return problem.Field("photos", "no photo %.12s of the town", p)
		}
	}
	if c.Progress == nil && c.Status == "" && c.Note == "" && len(c.Photos) == 0 {
		return problem.Field("note", "nothing to record: give a progress, a status, a note or a photo")
	}
	return nil
}

func (s *Service) report(ctx context.Context, tx *store.Tx, towns []string, id int64, c Change, by auth.User) error {
	r, err := s.get(ctx, tx, towns, id)
	if err != nil {
		return err
	}
	depts, err := departments(ctx, tx, id)
	if err != nil {
		return err
	}
	if !MayUpdate(by, depts) {
		return problem.Forbidden("only the result's department or the operations centre may update it")
	}
	if err := s.checkChange(ctx, tx, r, &c); err != nil {
		return err
	}
	now := store.Millis(s.now())
	if c.Progress != nil {
		if _, err := tx.Exec(ctx, `UPDATE results SET progress = ?, updated_at = ? WHERE id = ?`, *c.Progress, now, id); err != nil {
			return err
		}
		if r.ParentID != 0 {
			if err := recompute(ctx, tx, r.ParentID, now); err != nil {
				return err
			}
		}
	}
	if c.Status != "" {
		if _, err := tx.Exec(ctx, `UPDATE results SET status = ?, updated_at = ? WHERE id = ?`, c.Status, now, id); err != nil {
			return err
		}
	}
	if err := addEntry(ctx, tx, id, Entry{Day: c.Day, Kind: KindUpdate, Body: c.Note, Progress: c.Progress, Status: c.Status,
		Photos: c.Photos, AuthorName: by.DisplayName}, by.ID, now); err != nil {
		return err
	}
	var detail []string
	if c.Progress != nil {
		detail = append(detail, fmt.Sprintf("progress %.1f→%.1f", r.Progress, *c.Progress))
	}
	if c.Status != "" {
		detail = append(detail, "status "+r.Status+"→"+c.Status)
	}
	if c.Note != "" {
		detail = append(detail, "note")
	}
	if len(c.Photos) > 0 {
		detail = append(detail, fmt.Sprintf("%d photos", len(c.Photos)))
	}
	return actor(by).Record(ctx, tx, audit.Entry{Action: audit.ActionUpdate, Entity: "result", EntityID: fmt.Sprint(id), TownCode: r.TownCode,
		Detail: strings.Join(detail, "; ")})
}
