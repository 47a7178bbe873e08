package campaigns

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

// lockCampaign reads a campaign of towns inside tx and, on PostgreSQL, locks its row until the
// transaction ends. Logging a visit takes a key-share lock on that row through the visit's
// foreign key, so Delete waits for a visit being logged and then counts it instead of
// cascading it away, and two edits of the same team do not interleave their deletes and
// inserts. SQLite's immediate transactions already serialise writers.
func lockCampaign(ctx context.Context, tx *store.Tx, towns []string, id int64) (Campaign, error) {
	where, args := store.In("town_code", towns)
	lock := ""
	if tx.Dialect() == store.Postgres {
		lock = " FOR UPDATE"
	}
	c, err := scanCampaign(tx.QueryRow(ctx, `SELECT `+campaignCols+` FROM campaigns WHERE id = ? AND `+where+lock, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return Campaign{}, problem.NotFound("campaign %d", id)
	}
	return c, err
}

// Update replaces a campaign's name, kind, description, period and whole team (n.Team; an
// empty team leaves only the town's grid staff to visit). The town stays: the targets, their
// grids and the team belong to it, so n.TownCode may be empty or repeat it. Input is checked
// as Create checks it; on any error nothing changes.
func (s *Service) Update(ctx context.Context, towns []string, id int64, n NewCampaign, by auth.User) (Campaign, error) {
	if err := checkPlanner(by); err != nil {
		return Campaign{}, err
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		old, err := lockCampaign(ctx, tx, towns, id)
		if err != nil {
			return err
		}
		if town := strings.TrimSpace(n.TownCode); town != "" && town != old.TownCode {
			return problem.Field("town", "%q: a campaign cannot move to another town; campaign %d belongs to %s", town, id, old.TownCode)
		}
		n.TownCode = old.TownCode
		start, end, err := checkCampaign(towns, &n)
		if err != nil {
			return err
		}
		// The period may grow or shrink, but not leave out visits already logged: they would fall
		// outside the campaign they belong to (LogVisit refuses such visits when they are new).
		var first, lastVisit sql.NullInt64
		if err := tx.QueryRow(ctx, `SELECT MIN(visited_at), MAX(visited_at) FROM campaign_visits WHERE campaign_id = ?`, id).Scan(&first, &lastVisit); err != nil {
			return fmt.Errorf("visits of campaign %d: %w", id, err)
		}
		if first.Valid && start.UnixMilli() > first.Int64 {
			return problem.Field("start", "visits were logged from %s on; the campaign cannot start later",
				time.UnixMilli(first.Int64).In(workcal.Location()).Format(dateLayout))
		}
		if lastVisit.Valid && lastMilli(end) < lastVisit.Int64 {
			return problem.Field("end", "visits were logged up to %s; the campaign cannot end earlier",
				time.UnixMilli(lastVisit.Int64).In(workcal.Location()).Format(dateLayout))
		}
		_, err = tx.Exec(ctx, `UPDATE campaigns SET name = ?, kind = ?, description = ?, starts_at = ?, ends_at = ? WHERE id = ?`,
			n.Name, n.Kind, n.Description, start.UnixMilli(), lastMilli(end), id)
		if store.IsUniqueViolation(err) {
			return problem.Field("name", "a campaign named %q exists already in this town", n.Name)
		}
		if err != nil {
			return fmt.Errorf("update campaign %d: %w", id, err)
		}
		// Replacing the rows is the simplest way to match n.Team exactly; the team has no other
		// columns to keep, and visits refer to their visitor, not to the team row.
		if _, err := tx.Exec(ctx, `DELETE FROM campaign_team WHERE campaign_id = ?`, id); err != nil {
			return fmt.Errorf("team of campaign %d: %w", id, err)
		}
		if err := setTeam(ctx, tx, id, old.TownCode, n.Team); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: by.ID, Actor: by.Username, Action: audit.ActionUpdate, Entity: "campaign",
			EntityID: fmt.Sprint(id), TownCode: old.TownCode, Detail: n.Name})
	})
	if err != nil {
		return Campaign{}, err
	}
	return s.Get(ctx, towns, id)
}

// Delete removes a campaign of towns with its targets and team, but only while nobody has
// logged a visit: visits are the record of work done (and may have raised orders), so a
// campaign with visits is kept and Delete answers problem.Conflict, changing nothing.
func (s *Service) Delete(ctx context.Context, towns []string, id int64, by auth.User) error {
	if err := checkPlanner(by); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		c, err := lockCampaign(ctx, tx, towns, id)
		if err != nil {
			return err
		}
		var visits, targets int
		if err := tx.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM campaign_visits WHERE campaign_id = ?), (SELECT COUNT(*) FROM campaign_targets WHERE campaign_id = ?)`,
			id, id).Scan(&visits, &targets); err != nil {
			return err
		}
		if visits > 0 {
			return problem.Conflict("campaign %d (%s) has %d visits; a campaign with visits is kept for the record and cannot be deleted", id, c.Name, visits)
		}
		// campaign_targets and campaign_team go with it by ON DELETE CASCADE. campaign_visits
		// would cascade too (by campaign and by target), which is why the count above must be
		// zero under the row lock before this runs.
		if _, err := tx.Exec(ctx, `DELETE FROM campaigns WHERE id = ?`, id); err != nil {
			return fmt.Errorf("delete campaign %d: %w", id, err)
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: by.ID, Actor: by.Username, Action: audit.ActionDelete, Entity: "campaign",
			EntityID: fmt.Sprint(id), TownCode: c.TownCode, Detail: fmt.Sprintf("%s; %d targets", c.Name, targets)})
	})
}
