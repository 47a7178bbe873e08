package consult

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/label"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
)

const cols = `c.id, c.town_code, c.body_id, b.name, b.kind, c.title, c.topic, c.description, c.place_name, c.lat, c.lng, c.grid_code,
	c.scope_kind, c.scope_code, c.per_household, c.anonymous, c.status, c.opens_at, c.closes_at, c.questionnaire, c.consent,
	c.summary, c.decision, c.decided_at, c.created_at, c.updated_at,
	(SELECT COUNT(*) FROM consult_answers a WHERE a.consultation_id = c.id)`

func (s *Service) scan(row interface{ Scan(...any) error }) (Consultation, error) {
	var c Consultation
	var lat, lng sql.NullFloat64
	var grid sql.NullString
	var perHH, anon int
	var opens, closes, created, updated int64
	var decided sql.NullInt64
	var qs, consent string
	if err := row.Scan(&c.ID, &c.TownCode, &c.Body.ID, &c.Body.Name, &c.Body.Kind, &c.Title, &c.Topic, &c.Description, &c.PlaceName,
		&lat, &lng, &grid, &c.ScopeKind, &c.ScopeCode, &perHH, &anon, &c.Stored, &opens, &closes, &qs, &consent,
		&c.Summary, &c.Decision, &decided, &created, &updated, &c.AnswerCount); err != nil {
		return c, err
	}
	c.Body.TownCode = c.TownCode
	if lat.Valid && lng.Valid {
		c.Lat, c.Lng = &lat.Float64, &lng.Float64
	}
	c.Grid, c.PerHousehold, c.Anonymous = grid.String, perHH != 0, anon != 0
	c.Opens, c.Closes, c.CreatedAt, c.UpdatedAt = time.UnixMilli(opens), time.UnixMilli(closes), time.UnixMilli(created), time.UnixMilli(updated)
	if decided.Valid {
		t := time.UnixMilli(decided.Int64)
		c.DecidedAt = &t
	}
	if err := json.Unmarshal([]byte(qs), &c.Questions); err != nil {
		return c, fmt.Errorf("consultation %d questionnaire: %w", c.ID, err)
	}
	if consent != "" {
		c.Consent = &ConsentRule{}
		if err := json.Unmarshal([]byte(consent), c.Consent); err != nil {
			return c, fmt.Errorf("consultation %d consent: %w", c.ID, err)
		}
	}
	c.Status = effective(c.Stored, c.Opens, c.Closes, s.now())
	c.Links = []Link{}
	return c, nil
}

// effective is the status as of now: an open consultation is scheduled before it opens and
// closed after it closes.
func effective(stored string, opens, closes, now time.Time) string {
	if stored != StatusOpen {
		return stored
	}
	switch {
	case now.Before(opens):
		return StatusScheduled
	case now.After(closes):
		return StatusClosed
	}
	return StatusOpen
}

// Get returns consultation id of one of towns with its links; another town's is not found.
func (s *Service) Get(ctx context.Context, towns []string, id int64) (Consultation, error) {
	return s.get(ctx, s.DB, towns, id)
}

func (s *Service) get(ctx context.Context, q store.Querier, towns []string, id int64) (Consultation, error) {
	where, args := store.In("c.town_code", towns)
	c, err := s.scan(q.QueryRow(ctx, `SELECT `+cols+` FROM consultations c JOIN consult_bodies b ON b.id = c.body_id WHERE c.id = ? AND `+where,
		append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return c, problem.NotFound("consultation %d", id)
	}
	if err != nil {
		return c, err
	}
	c.Links, err = store.Collect(ctx, q, func(r *sql.Rows) (Link, error) {
		var l Link
		return l, r.Scan(&l.ID, &l.Kind, &l.Ref, &l.Note)
	}, `SELECT id, kind, ref, note FROM consult_links WHERE consultation_id = ? ORDER BY id`, id)
	return c, err
}

// Filter narrows List.
type Filter struct {
	Status string // as seen now ("" all)
	Public bool   // only what the public sees: open, closed and decided, never drafts
}

// List returns the consultations of towns, newest opening first.
func (s *Service) List(ctx context.Context, towns []string, f Filter) ([]Consultation, error) {
	where, args := store.In("c.town_code", towns)
	if f.Public {
		where += ` AND c.status <> 'draft'`
	}
	all, err := s.list(ctx, s.DB, `WHERE `+where, args...)
	if err != nil || f.Status == "" {
		return all, err
	}
	out := []Consultation{}
	for _, c := range all {
		if c.Status == f.Status {
			out = append(out, c)
		}
	}
	return out, nil
}

func (s *Service) list(ctx context.Context, q store.Querier, where string, args ...any) ([]Consultation, error) {
	rows, err := q.Query(ctx, `SELECT `+cols+` FROM consultations c JOIN consult_bodies b ON b.id = c.body_id `+where+
		` ORDER BY c.opens_at DESC, c.id DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Consultation{}
	for rows.Next() {
		c, err := s.scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Bodies lists the bodies of towns.
func (s *Service) Bodies(ctx context.Context, towns []string) ([]Body, error) {
	where, args := store.In("town_code", towns)
	return store.Collect(ctx, s.DB, func(r *sql.Rows) (Body, error) {
		var b Body
		return b, r.Scan(&b.ID, &b.TownCode, &b.Name, &b.Kind)
	}, `SELECT id, town_code, name, kind FROM consult_bodies WHERE `+where+` ORDER BY town_code, id`, args...)
}

// AddBody adds a body that runs consultations to a town; adding one that exists returns it.
func (s *Service) AddBody(ctx context.Context, towns []string, b Body, by auth.User) (Body, error) {
	if err := checkManager(by); err != nil {
		return Body{}, err
	}
	b.TownCode, b.Name, b.Kind = strings.TrimSpace(b.TownCode), strings.TrimSpace(b.Name), strings.TrimSpace(b.Kind)
	if b.TownCode == "" && len(towns) == 1 {
		b.TownCode = towns[0]
	}
	switch {
	case !slices.Contains(towns, b.TownCode):
		return b, problem.Field("town", "%q is not one of your towns", b.TownCode)
	case b.Name == "":
		return b, problem.Field("name", "is required")
	case utf8.RuneCountInString(b.Name) > MaxBodyName:
		return b, problem.Field("name", "is longer than %d characters", MaxBodyName)
	case !label.Valid(BodyKinds, b.Kind):
		return b, problem.Field("kind", "unknown kind %q; one of %s", b.Kind, label.Codes(BodyKinds))
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM consult_bodies WHERE town_code = ?`, b.TownCode).Scan(&n); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `SELECT id, kind FROM consult_bodies WHERE town_code = ? AND name = ?`, b.TownCode, b.Name).Scan(&b.ID, &b.Kind)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if n >= MaxBodies {
			return problem.Field("name", "a town has at most %d bodies", MaxBodies)
		}
		if err := tx.QueryRow(ctx, `INSERT INTO consult_bodies (town_code, name, kind, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			b.TownCode, b.Name, b.Kind, s.now().UnixMilli()).Scan(&b.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: by.ID, Actor: by.Username, Action: audit.ActionCreate, Entity: "consult_body",
			EntityID: fmt.Sprint(b.ID), TownCode: b.TownCode, Detail: b.Name})
	})
	return b, err
}
