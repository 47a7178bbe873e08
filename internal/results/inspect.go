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
)

// Inspection is a deputies' inspection (视察) of a result: when, who, where and what they found.
// Deputies inspect in their public office: their names are not personal data here.
type Inspection struct {
	ID       int64  `json:"id"`
	ResultID int64  `json:"result_id"`
	Day      string `json:"day"`
	Deputies string `json:"deputies"`
	Place    string `json:"place"`
	Findings string `json:"findings"`
}

// Inspect records an inspection of result id (results:inspect) and a timeline entry for it.
func (s *Service) Inspect(ctx context.Context, towns []string, id int64, in Inspection, by auth.User) (Inspection, error) {
	if !by.Can(auth.PermResultsInspect) {
		return Inspection{}, problem.Forbidden("results:inspect needed")
	}
	var err error
	if in.Day, err = checkDay("day", in.Day, true); err != nil {
		return in, err
	}
	if in.Day > s.Today() {
		return in, problem.Field("day", "%s is in the future", in.Day)
	}
	if in.Deputies, err = checkText("deputies", in.Deputies, MaxDeputies, true); err != nil {
		return in, err
	}
	if in.Place, err = checkText("place", in.Place, MaxTitle, false); err != nil {
		return in, err
	}
	if in.Findings, err = checkText("findings", in.Findings, MaxText, true); err != nil {
		return in, err
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		r, err := s.get(ctx, tx, towns, id)
		if err != nil {
			return err
		}
		now := store.Millis(s.now())
		if err := tx.QueryRow(ctx, `INSERT INTO result_inspections (result_id, on_day, deputies, place, findings, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, id, in.Day, in.Deputies, in.Place, in.Findings, by.ID, now).Scan(&in.ID); err != nil {
			return err
		}
		in.ResultID = id
		body := "代表视察"
		if in.Place != "" {
			body += "（" + in.Place + "）"
		}
		body += "：" + in.Findings
		if err := addEntry(ctx, tx, id, Entry{Day: in.Day, Kind: KindInspection, Body: body, AuthorName: in.Deputies}, by.ID, now); err != nil {
			return err
		}
		return actor(by).Record(ctx, tx, audit.Entry{Action: audit.ActionCreate, Entity: "result_inspection", EntityID: fmt.Sprint(in.ID),
			TownCode: r.TownCode, Detail: fmt.Sprintf("result %d on %s", id, in.Day)})
	})
	return in, err
}

// Inspections returns the inspections of result id, newest first.
func (s *Service) Inspections(ctx context.Context, towns []string, id int64) ([]Inspection, error) {
	if _, err := s.Get(ctx, towns, id); err != nil {
		return nil, err
	}
	return store.Collect(ctx, s.DB, func(rows *sql.Rows) (Inspection, error) {
		var in Inspection
		return in, rows.Scan(&in.ID, &in.ResultID, &in.Day, &in.Deputies, &in.Place, &in.Findings)
	}, `SELECT id, result_id, on_day, deputies, place, findings FROM result_inspections WHERE result_id = ? ORDER BY on_day DESC, id DESC LIMIT 200`, id)
}

// Comment is a remark of a deputy or a member of staff on a result.
type Comment struct {
	ID     int64     `json:"id"`
	Author string    `json:"author"`
	Role   string    `json:"role"`
	Body   string    `json:"body"`
	At     time.Time `json:"at"`
}

// AddComment adds by's comment to result id (results:comment).
func (s *Service) AddComment(ctx context.Context, towns []string, id int64, body string, by auth.User) (Comment, error) {
	if !by.Can(auth.PermResultsComment) {
		return Comment{}, problem.Forbidden("results:comment needed")
	}
	var err error
	if body, err = checkText("body", body, MaxNote, true); err != nil {
		return Comment{}, err
	}
	c := Comment{Author: by.DisplayName, Role: by.Role, Body: body, At: s.now()}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		r, err := s.get(ctx, tx, towns, id)
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO result_comments (result_id, author_id, author_name, author_role, body, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			id, by.ID, c.Author, c.Role, body, store.Millis(c.At)).Scan(&c.ID); err != nil {
			return err
		}
		return actor(by).Record(ctx, tx, audit.Entry{Action: audit.ActionCreate, Entity: "result_comment", EntityID: fmt.Sprint(c.ID),
			TownCode: r.TownCode, Detail: fmt.Sprintf("result %d", id)})
	})
	return c, err
}

// Comments returns the comments on result id, oldest first.
func (s *Service) Comments(ctx context.Context, towns []string, id int64) ([]Comment, error) {
	if _, err := s.Get(ctx, towns, id); err != nil {
		return nil, err
	}
	return store.Collect(ctx, s.DB, func(rows *sql.Rows) (Comment, error) {
		var c Comment
		var at int64
		err := rows.Scan(&c.ID, &c.Author, &c.Role, &c.Body, &at)
		c.At = store.FromMillis(at)
		return c, err
	}, `SELECT id, author_name, author_role, body, created_at FROM result_comments WHERE result_id = ? ORDER BY id LIMIT 500`, id)
}
