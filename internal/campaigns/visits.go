package campaigns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/label"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// Visit is one call on a target.
type Visit struct {
	ID          int64     `json:"id"`
	CampaignID  int64     `json:"campaign_id"`
	TargetID    int64     `json:"target_id"`
	TargetName  string    `json:"target_name,omitempty"`
	TargetKind  string    `json:"target_kind,omitempty"`
	TargetGrid  string    `json:"target_grid,omitempty"`
	VisitorID   int64     `json:"visitor_id"`
	VisitorName string    `json:"visitor_name"`
	VisitedAt   time.Time `json:"visited_at"`
	Status      string    `json:"status"`
	Findings    string    `json:"findings"`
	Needs       string    `json:"needs"`
	Category    string    `json:"category,omitempty"`
	PhotoID     string    `json:"photo_id,omitempty"`
	OrderID     int64     `json:"order_id,omitempty"`
	OrderNumber string    `json:"order_number,omitempty"`
	// Masked says that what the visit found is masked for the reader (package privacy).
	Masked bool `json:"masked,omitempty"`
}

// NewVisit is what a visitor logs.
type NewVisit struct {
	Status    string     `json:"status"`
	VisitedAt *time.Time `json:"visited_at"` // nil: now
	Findings  string     `json:"findings"`
	Needs     string     `json:"needs"`
	Category  string     `json:"category"`
	PhotoID   string     `json:"photo_id"`
}

// MaxTextRunes bounds findings and needs; an order takes both, and at most 4000 characters.
const MaxTextRunes = 1500

// LogVisit records u's visit to a target of a campaign of towns. Only the team and the town's
// grid staff may log visits (problem.ErrForbidden otherwise).
func (s *Service) LogVisit(ctx context.Context, towns []string, campaignID, targetID int64, n NewVisit, u auth.User) (Visit, error) {
	c, err := s.Get(ctx, towns, campaignID)
	if err != nil {
		return Visit{}, err
	}
	if !s.MayVisit(ctx, c, u) {
		return Visit{}, problem.Forbidden("only the campaign's team and the grid staff of %s may log visits", c.TownCode)
	}
	n.Status, n.Findings, n.Needs = strings.TrimSpace(n.Status), strings.TrimSpace(n.Findings), strings.TrimSpace(n.Needs)
	n.Category, n.PhotoID = strings.TrimSpace(n.Category), strings.TrimSpace(n.PhotoID)
	now := s.now().Truncate(time.Millisecond)
	at := now
	if n.VisitedAt != nil {
		at = n.VisitedAt.Truncate(time.Millisecond)
	}
	switch {
	case !label.Valid(Statuses, n.Status):
		return Visit{}, problem.Field("status", "unknown status %q; one of %s", n.Status, label.Codes(Statuses))
	case utf8.RuneCountInString(n.Findings) > MaxTextRunes:
		return Visit{}, problem.Field("findings", "is longer than %d characters", MaxTextRunes)
	case utf8.RuneCountInString(n.Needs) > MaxTextRunes:
		return Visit{}, problem.Field("needs", "is longer than %d characters", MaxTextRunes)
	case at.After(now.Add(time.Hour)):
		return Visit{}, problem.Field("visited_at", "%s is in the future", at.Format(time.RFC3339))
	case at.Before(c.startsAt):
		return Visit{}, problem.Field("visited_at", "%s is before the campaign starts (%s)", at.Format(time.RFC3339), c.Start)
	case len(n.PhotoID) > 100 || strings.ContainsAny(n.PhotoID, "/\\ "):
		return Visit{}, problem.Field("photo_id", "%q is not an uploaded photo's id", n.PhotoID)
	}
	if n.PhotoID != "" {
		// A visit shows its photo to everyone who may read the campaign, so the photo must be one
		// this visitor uploaded to this town: another town's evidence, or another person's, is
		// not theirs to attach.
		var by sql.NullInt64
		err := s.DB.QueryRow(ctx, `SELECT created_by FROM uploads WHERE town_code = ? AND id = ?`, c.TownCode, n.PhotoID).Scan(&by)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && by.Int64 != u.ID) {
			return Visit{}, problem.Field("photo_id", "%q is not a photo you uploaded in town %s", n.PhotoID, c.TownCode)
		}
		if err != nil {
			return Visit{}, err
		}
	}
	if n.Category != "" {
		var k int
		if err := s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM categories WHERE town_code = ? AND code = ?`, c.TownCode, n.Category).Scan(&k); err != nil {
			return Visit{}, err
		}
		if k == 0 {
			return Visit{}, problem.Field("category", "unknown category %q in town %s", n.Category, c.TownCode)
		}
	}
	name := u.DisplayName
	if name == "" {
		name = u.Username
	}
	v := Visit{CampaignID: c.ID, TargetID: targetID, VisitorID: u.ID, VisitorName: name, VisitedAt: at, Status: n.Status,
		Findings: n.Findings, Needs: n.Needs, Category: n.Category, PhotoID: n.PhotoID}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		var owner int64
		var grid sql.NullString
		err := tx.QueryRow(ctx, `SELECT campaign_id, name, kind, grid_code FROM campaign_targets WHERE id = ?`, targetID).Scan(&owner, &v.TargetName, &v.TargetKind, &grid)
		v.TargetGrid = grid.String
		if errors.Is(err, sql.ErrNoRows) || (err == nil && owner != c.ID) {
			return problem.Field("target", "target %d is not a target of campaign %d", targetID, c.ID)
		}
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO campaign_visits (campaign_id, target_id, visitor_id, visitor_name, visited_at, status, findings, needs,
			category_code, photo_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.ID, targetID, v.VisitorID, v.VisitorName, at.UnixMilli(), v.Status, v.Findings, v.Needs, v.Category, v.PhotoID, now.UnixMilli()).Scan(&v.ID); err != nil {
			if store.IsForeignKeyViolation(err) {
				// On PostgreSQL a Delete that held the campaign's row lock commits while this
				// insert waits for it: the campaign went away under the visit.
				return problem.NotFound("campaign %d was deleted while the visit was being logged", c.ID)
			}
			return fmt.Errorf("insert visit: %w", err)
		}
		return refreshTarget(ctx, tx, targetID)
	})
	if err != nil {
		return Visit{}, err
	}
	return v, nil
}

// refreshTarget recomputes a target's first successful visit, latest status and visit count, so
// that a visit logged late (补录) with an earlier date still gives the right answer.
func refreshTarget(ctx context.Context, q store.Querier, targetID int64) error {
	_, err := q.Exec(ctx, `UPDATE campaign_targets SET
		visited_at = (SELECT MIN(visited_at) FROM campaign_visits WHERE target_id = ? AND status = ?),
		last_status = COALESCE((SELECT status FROM campaign_visits WHERE target_id = ? ORDER BY visited_at DESC, id DESC LIMIT 1), ''),
		visits = (SELECT COUNT(*) FROM campaign_visits WHERE target_id = ?)
		WHERE id = ?`, targetID, StatusVisited, targetID, targetID, targetID)
	return err
}

const visitCols = `v.id, v.campaign_id, v.target_id, t.name, t.kind, t.grid_code, v.visitor_id, v.visitor_name, v.visited_at, v.status, v.findings, v.needs,
	v.category_code, v.photo_id, v.order_id, o.number`

func visitsWhere(ctx context.Context, q store.Querier, where string, args ...any) ([]Visit, error) {
	rows, err := q.Query(ctx, `SELECT `+visitCols+` FROM campaign_visits v JOIN campaign_targets t ON t.id = v.target_id
		LEFT JOIN orders o ON o.id = v.order_id WHERE `+where+` ORDER BY v.visited_at DESC, v.id DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Visit{}
	for rows.Next() {
		var v Visit
		var at int64
		var order sql.NullInt64
		var number, grid sql.NullString
		if err := rows.Scan(&v.ID, &v.CampaignID, &v.TargetID, &v.TargetName, &v.TargetKind, &grid, &v.VisitorID, &v.VisitorName, &at, &v.Status, &v.Findings, &v.Needs,
			&v.Category, &v.PhotoID, &order, &number); err != nil {
			return nil, err
		}
		v.VisitedAt, v.OrderID, v.OrderNumber, v.TargetGrid = time.UnixMilli(at).In(workcal.Location()), order.Int64, number.String, grid.String
		out = append(out, v)
	}
	return out, rows.Err()
}

// Visits lists a campaign's visits, newest first, at most limit (0: all).
func (s *Service) Visits(ctx context.Context, towns []string, campaignID int64, limit int) ([]Visit, error) {
	c, err := s.Get(ctx, towns, campaignID)
	if err != nil {
		return nil, err
	}
	vs, err := visitsWhere(ctx, s.DB, "v.campaign_id = ?", c.ID)
	if limit > 0 && len(vs) > limit {
		vs = vs[:limit]
	}
	return vs, err
}

// Visit returns one visit of a campaign of towns.
func (s *Service) Visit(ctx context.Context, towns []string, id int64) (Visit, Campaign, error) {
	var campaign int64
	err := s.DB.QueryRow(ctx, `SELECT campaign_id FROM campaign_visits WHERE id = ?`, id).Scan(&campaign)
	if errors.Is(err, sql.ErrNoRows) {
		return Visit{}, Campaign{}, problem.NotFound("visit %d", id)
	}
	if err != nil {
		return Visit{}, Campaign{}, err
	}
	c, err := s.Get(ctx, towns, campaign)
	if errors.Is(err, problem.ErrNotFound) {
		return Visit{}, Campaign{}, problem.NotFound("visit %d", id)
	}
	if err != nil {
		return Visit{}, Campaign{}, err
	}
	vs, err := visitsWhere(ctx, s.DB, "v.id = ?", id)
	if err != nil || len(vs) == 0 {
		return Visit{}, Campaign{}, fmt.Errorf("visit %d: %w", id, err)
	}
	return vs[0], c, nil
}

// OrderFromVisit turns a visit's finding into a work order (channel visit) with the target's
// address and location, the visit's category and the visitor as the one who raised it, and
// links the order to the visit. A visit already turned into an order returns that order with
// created false: a second tap never makes a second order.
func (s *Service) OrderFromVisit(ctx context.Context, towns []string, visitID int64, u auth.User) (orders.Order, bool, error) {
	v, c, err := s.Visit(ctx, towns, visitID)
	if err != nil {
		return orders.Order{}, false, err
	}
	if !s.MayVisit(ctx, c, u) {
		return orders.Order{}, false, problem.Forbidden("only the campaign's team and the grid staff of %s may raise orders from visits", c.TownCode)
	}
	if v.OrderID != 0 {
		o, err := s.Orders.Get(ctx, []string{c.TownCode}, v.OrderID, false)
		return o, false, err
	}
	if v.Findings == "" && v.Needs == "" {
		return orders.Order{}, false, problem.Field("findings", "the visit recorded no finding or need to turn into an order")
	}
	t, err := s.Target(ctx, towns, c.ID, v.TargetID)
	if err != nil {
		return orders.Order{}, false, err
	}
	var content strings.Builder
	fmt.Fprintf(&content, "【%s】%s：", c.Name, t.Name)
	content.WriteString(v.Findings)
	if v.Needs != "" {
		if v.Findings != "" {
			content.WriteString("；")
		}
		content.WriteString("诉求：" + v.Needs)
	}
	address := t.Address
	if address == "" {
		address = t.Name
	}
	caller := t.Contact
	if caller == "" && t.Kind != TargetHousehold {
		caller = t.Name
	}
	actor := u.DisplayName
	if actor == "" {
		actor = u.Username
	}
	var o orders.Order
	created := false
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		// Lock the visit row (PostgreSQL; SQLite's immediate transaction already serialises
		// writers) and look again: a concurrent tap may have won.
		lock := ""
		if tx.Dialect() == store.Postgres {
			lock = " FOR UPDATE"
		}
		var existing sql.NullInt64
		if err := tx.QueryRow(ctx, `SELECT order_id FROM campaign_visits WHERE id = ?`+lock, v.ID).Scan(&existing); err != nil {
			return err
		}
		if existing.Valid {
			o.ID = existing.Int64
			return nil
		}
		var err error
		o, err = s.Orders.CreateTx(ctx, tx, orders.NewOrder{TownCode: c.TownCode, Channel: orders.ChannelVisit, Content: content.String(),
			Address: address, Lat: t.Lat, Lng: t.Lng, Grid: t.Grid, Category: v.Category, CallerName: caller, RaisedBy: v.VisitorID,
			ActorName: actor, ActorRole: u.Role})
		if err != nil {
			return err
		}
		created = true
		_, err = tx.Exec(ctx, `UPDATE campaign_visits SET order_id = ? WHERE id = ?`, o.ID, v.ID)
		return err
	})
	if err != nil {
		return orders.Order{}, false, err
	}
	if !created {
		o, err = s.Orders.Get(ctx, []string{c.TownCode}, o.ID, false)
	}
	return o, created, err
}
