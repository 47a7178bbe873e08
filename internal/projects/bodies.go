package projects

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/label"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
)

// Body is a voting body: the town congress, a 代表联络站 or a residents' council.
type Body struct {
	ID       int64    `json:"id"`
	TownCode string   `json:"town"`
	Kind     string   `json:"kind"`
	Name     string   `json:"name"`
	Members  []Member `json:"members"`
}

// Member is one member on a body's roll. UserID links the account that votes electronically.
type Member struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Sector string `json:"sector,omitempty"`
	UserID int64  `json:"user_id,omitempty"`
	Active bool   `json:"active"`
}

// NewMember is one member to put on a roll.
type NewMember struct {
	Name   string `json:"name"`
	Sector string `json:"sector"`
	UserID int64  `json:"user_id"`
}

// CreateBody creates a voting body with its roll.
func (s *Service) CreateBody(ctx context.Context, towns []string, town, kind, name string, members []NewMember, by auth.User, actor audit.Actor) (Body, error) {
	if err := need(by, auth.PermProjectsManage, "set up voting bodies"); err != nil {
		return Body{}, err
	}
	b := Body{TownCode: strings.TrimSpace(town), Kind: kind}
	if b.TownCode == "" && len(towns) == 1 {
		b.TownCode = towns[0]
	}
	var err error
	switch {
	case !slices.Contains(towns, b.TownCode):
		return b, problem.Field("town", "%q is not one of your towns", b.TownCode)
	case !label.Valid(BodyKinds, kind):
		return b, problem.Field("kind", "unknown %q; one of %s", kind, label.Codes(BodyKinds))
	case len(members) > MaxMembers:
		return b, problem.Field("members", "%d members; a roll has at most %d", len(members), MaxMembers)
	}
	if b.Name, err = text("name", name, MaxSessionName, true); err != nil {
		return b, err
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO voting_bodies (town_code, kind, name, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
			b.TownCode, b.Kind, b.Name, s.now().UnixMilli()).Scan(&b.ID)
		if errors.Is(err, sql.ErrNoRows) {
			return problem.Field("name", "the town has a voting body named %q already", b.Name)
		}
		if err != nil {
			return err
		}
		if err := addMembers(ctx, tx, b, members); err != nil {
			return err
		}
		return actor.Record(ctx, tx, audit.Entry{Action: audit.ActionCreate, Entity: "voting_body", EntityID: fmt.Sprint(b.ID),
			TownCode: b.TownCode, Detail: fmt.Sprintf("%s, %d members", b.Name, len(members))})
	})
	if err != nil {
		return b, err
	}
	return s.GetBody(ctx, towns, b.ID)
}

// AddMembers adds members to a body's roll.
func (s *Service) AddMembers(ctx context.Context, towns []string, body int64, members []NewMember, by auth.User, actor audit.Actor) (Body, error) {
	if err := need(by, auth.PermProjectsManage, "change a roll"); err != nil {
		return Body{}, err
	}
	if len(members) > MaxMembers {
		return Body{}, problem.Field("members", "%d members; a roll has at most %d", len(members), MaxMembers)
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		b, err := getBody(ctx, tx, towns, body)
		if err != nil {
			return err
		}
		if len(b.Members)+len(members) > MaxMembers {
			return problem.Field("members", "the roll would have %d members; at most %d", len(b.Members)+len(members), MaxMembers)
		}
		if err := addMembers(ctx, tx, b, members); err != nil {
			return err
		}
		return actor.Record(ctx, tx, audit.Entry{Action: audit.ActionUpdate, Entity: "voting_body", EntityID: fmt.Sprint(b.ID),
			TownCode: b.TownCode, Detail: fmt.Sprintf("%d members added", len(members))})
	})
	if err != nil {
		return Body{}, err
	}
	return s.GetBody(ctx, towns, body)
}

func addMembers(ctx context.Context, tx *store.Tx, b Body, members []NewMember) error {
	for i, m := range members {
		name, err := text(fmt.Sprintf("members[%d].name", i), m.Name, MaxNameLen, true)
		if err != nil {
			return err
		}
		sector, err := text(fmt.Sprintf("members[%d].sector", i), m.Sector, MaxNameLen, false)
		if err != nil {
			return err
		}
		if m.UserID != 0 {
			var town sql.NullString
			if err := tx.QueryRow(ctx, `SELECT town_code FROM users WHERE id = ?`, m.UserID).Scan(&town); err != nil || town.String != b.TownCode {
				return problem.Field(fmt.Sprintf("members[%d].user_id", i), "no user %d in this town", m.UserID)
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO voting_members (body_id, name, sector, user_id) VALUES (?, ?, ?, ?)`,
			b.ID, name, sector, store.NullIfZero(m.UserID)); err != nil {
			if store.IsUniqueViolation(err) {
				return problem.Field(fmt.Sprintf("members[%d].user_id", i), "user %d is on this roll already", m.UserID)
			}
			return err
		}
	}
	return nil
}

// GetBody returns a body of one of towns with its roll.
func (s *Service) GetBody(ctx context.Context, towns []string, id int64) (Body, error) {
	return getBody(ctx, s.DB, towns, id)
}

func getBody(ctx context.Context, q store.Querier, towns []string, id int64) (Body, error) {
	where, args := store.In("town_code", towns)
	var b Body
	err := q.QueryRow(ctx, `SELECT id, town_code, kind, name FROM voting_bodies WHERE id = ? AND `+where, append([]any{id}, args...)...).
		Scan(&b.ID, &b.TownCode, &b.Kind, &b.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return b, problem.NotFound("voting body %d", id)
	}
	if err != nil {
		return b, err
	}
	rows, err := q.Query(ctx, `SELECT id, name, sector, user_id, active FROM voting_members WHERE body_id = ? ORDER BY id`, id)
	if err != nil {
		return b, err
	}
	defer rows.Close()
	b.Members = []Member{}
	for rows.Next() {
		var m Member
		var user sql.NullInt64
		var active int
		if err := rows.Scan(&m.ID, &m.Name, &m.Sector, &user, &active); err != nil {
			return b, err
		}
		m.UserID, m.Active = user.Int64, active == 1
		b.Members = append(b.Members, m)
	}
	return b, rows.Err()
}

// Bodies returns the voting bodies of towns.
func (s *Service) Bodies(ctx context.Context, towns []string) ([]Body, error) {
	where, args := store.In("town_code", towns)
	return each(ctx, s.DB, getBody, towns, `SELECT id FROM voting_bodies WHERE `+where+` ORDER BY id LIMIT 100`, args...)
}
