package kpi

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/kpi/daily"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// SettingWeights is the town setting (table settings, key kpi_weights) holding the rankings'
// weights: a JSON object of rate key → weight, e.g. {"on_time_handling_rate": 40, "satisfaction_rate": 60}.
const SettingWeights = "kpi_weights"

// DefaultWeights are the rankings' weights when neither the town nor the installation sets
// kpi_weights.
var DefaultWeights = map[string]float64{
	ClosureRate:        20,
	OnTimeClosureRate:  20,
	OnTimeHandlingRate: 20,
	FirstContactRate:   10,
	SatisfactionRate:   20,
	ReworkRate:         10,
}

// ParseWeights checks a kpi_weights value: rate keys only, weights between 0 and 1000, at least
// one above 0.
func ParseWeights(v string) (map[string]float64, error) {
	m := map[string]float64{}
	if err := json.Unmarshal([]byte(v), &m); err != nil {
		return nil, problem.Field(SettingWeights, `want a JSON object of rate → weight, e.g. {"on_time_handling_rate": 40}`)
	}
	var sum float64
	for k, w := range m {
		d, ok := Lookup(k)
		if !ok || d.Kind != Rate {
			return nil, problem.Field(SettingWeights, "%q is not a rate (the weights are for rates only)", k)
		}
		if w < 0 || w > 1000 {
			return nil, problem.Field(SettingWeights, "%s: weight %g not between 0 and 1000", k, w)
		}
		sum += w
	}
	if sum <= 0 {
		return nil, problem.Field(SettingWeights, "at least one weight above 0")
	}
	return m, nil
}

// Weights returns the town's weights: its own setting, else the installation's (town ”), else
// DefaultWeights.
func (s *Service) Weights(ctx context.Context, town string) (map[string]float64, error) {
	var v string
	err := s.DB.QueryRow(ctx, `SELECT value FROM settings WHERE town_code IN ('', ?) AND key = ? ORDER BY town_code DESC LIMIT 1`,
		town, SettingWeights).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultWeights, nil
	}
	if err != nil {
		return nil, fmt.Errorf("kpi weights of %s: %w", town, err)
	}
	return ParseWeights(v)
}

// Score is the assessment score of a row: the weighted mean of its rates (a rate where lower is
// better counts as 1 − rate), over the weighted rates that counted any order, × 100. ok is false
// when none did.
func Score(f Figures, weights map[string]float64) (score float64, ok bool) {
	var sum, wsum float64
	for k, w := range weights {
		fig, has := f[k]
		d, _ := Lookup(k)
		if !has || fig.Value == nil || w <= 0 {
			continue
		}
		v := *fig.Value
		if d.LowerIsBetter {
			v = 1 - v
		}
		sum += w * v
		wsum += w
	}
	if wsum == 0 {
		return 0, false
	}
	return 100 * sum / wsum, true
}

// Ranked is one row of a league table.
type Ranked struct {
	Rank   int      `json:"rank"`
	Group  string   `json:"group"`
	Name   string   `json:"name"`
	NameEN string   `json:"name_en,omitempty"`
	Score  *float64 `json:"score"`
	// Previous is the score in the previous period, for the arrow.
	Previous *float64 `json:"previous"`
	Figures  Figures  `json:"figures"`
}

// Rankings is a league table of departments or grids over a period.
type Rankings struct {
	By      string             `json:"by"`
	Period  Period             `json:"period"`
	Weights map[string]float64 `json:"weights"`
	Rows    []Ranked           `json:"rows"`
}

// Rank computes the league table of by (department or grid) for the towns over p, with the
// first town's weights; rows without a score come last.
func (s *Service) Rank(ctx context.Context, towns []string, by string, p Period) (Rankings, error) {
	if by != "department" && by != "grid" {
		return Rankings{}, problem.Field("by", "rankings are of department or grid, not %q", by)
	}
	town := ""
	if len(towns) > 0 {
		town = towns[0]
	}
	weights, err := s.Weights(ctx, town)
	if err != nil {
		return Rankings{}, err
	}
	var keys []string
	for _, d := range Defs {
		if weights[d.Key] > 0 {
			keys = append(keys, d.Key)
		}
	}
	// A league table shows this period's score beside the previous one's, never last year's.
	rep, err := s.Compute(ctx, Query{Towns: towns, Period: p, By: by, Keys: keys, NoLastYear: true})
	if err != nil {
		return Rankings{}, err
	}
	out := Rankings{By: by, Period: p, Weights: weights, Rows: []Ranked{}}
	for _, row := range rep.Rows {
		if row.Group == "" {
			continue // orders with no department or grid are nobody's to rank
		}
		r := Ranked{Group: row.Group, Name: row.Name, NameEN: row.NameEN, Figures: row.Current}
		if v, ok := Score(row.Current, weights); ok {
			r.Score = &v
		}
		if v, ok := Score(row.Previous, weights); ok {
			r.Previous = &v
		}
		out.Rows = append(out.Rows, r)
	}
	sort.SliceStable(out.Rows, func(i, j int) bool {
		a, b := out.Rows[i].Score, out.Rows[j].Score
		switch {
		case a == nil || b == nil:
			return a != nil && b == nil
		case *a != *b:
			return *a > *b
		}
		return out.Rows[i].Group < out.Rows[j].Group
	})
	for i := range out.Rows {
		if out.Rows[i].Score != nil {
			out.Rows[i].Rank = i + 1
		}
	}
	return out, nil
}

// Exemption is an approved appeal: the order leaves the assessed figures, never the record.
type Exemption struct {
	OrderID   int64     `json:"order_id"`
	Number    string    `json:"number"`
	Town      string    `json:"town"`
	Reason    string    `json:"reason"`
	By        string    `json:"by"`
	CreatedAt time.Time `json:"created_at"`
}

// MaxReasonRunes bounds an exemption's reason.
const MaxReasonRunes = 500

// Exempt records an approved appeal for the order (id or number) of one of towns, with its
// reason, audited in the same transaction. An order is exempted once.
func (s *Service) Exempt(ctx context.Context, towns []string, order, reason string, by audit.Actor) (Exemption, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Exemption{}, problem.Field("reason", "is required: say why the appeal was approved")
	}
	if utf8.RuneCountInString(reason) > MaxReasonRunes {
		return Exemption{}, problem.Field("reason", "at most %d characters", MaxReasonRunes)
	}
	order = strings.TrimSpace(order)
	if order == "" || len(order) > 64 {
		return Exemption{}, problem.Field("order", "want an order number or id")
	}
	e := Exemption{Reason: reason, By: by.Name, CreatedAt: time.Now()}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		in, args := store.In("town_code", towns)
		cond := `number = ?`
		key := any(order)
		if id, err := strconv.ParseInt(order, 10, 64); err == nil {
			cond, key = `id = ?`, id
		}
		var number sql.NullString
		err := tx.QueryRow(ctx, `SELECT id, number, town_code FROM orders WHERE `+in+` AND `+cond, append(args, key)...).Scan(&e.OrderID, &number, &e.Town)
		if errors.Is(err, sql.ErrNoRows) {
			return problem.Field("order", "no order %q in your towns", order)
		}
		if err != nil {
			return err
		}
		e.Number = number.String
		// The figures kept per day lose the order's rates and times: its contributions before
		// and after, read under the order's row lock (PostgreSQL) so that a concurrent action on
		// the order, which reads them under the same lock, cannot interleave.
		was, err := daily.LoadLocked(ctx, tx, e.OrderID)
		if err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `INSERT INTO kpi_exemptions (order_id, town_code, reason, created_by, created_by_name, created_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, e.OrderID, e.Town, reason, store.NullIfZero(by.ID), by.Name, e.CreatedAt.UnixMilli())
		if err != nil {
			return fmt.Errorf("exempt order %d: %w", e.OrderID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return problem.Field("order", "order %s is exempted already", firstOf(e.Number, order))
		}
		now, err := daily.Load(ctx, tx, []int64{e.OrderID})
		if err != nil {
			return err
		}
		if err := daily.Apply(ctx, tx, daily.Change(was, now, s.Cal)); err != nil {
			return err
		}
		return by.Record(ctx, tx, audit.Entry{Action: audit.ActionCreate, Entity: "kpi_exemption", EntityID: strconv.FormatInt(e.OrderID, 10),
			TownCode: e.Town, Detail: reason})
	})
	return e, err
}

// Exemptions lists the towns' exemptions, newest first (at most limit, 1–500).
func (s *Service) Exemptions(ctx context.Context, towns []string, limit int) ([]Exemption, error) {
	limit = min(max(limit, 1), 500)
	in, args := store.In("x.town_code", towns)
	return store.Collect(ctx, s.DB, func(rows *sql.Rows) (Exemption, error) {
		var e Exemption
		var number sql.NullString
		var at int64
		err := rows.Scan(&e.OrderID, &number, &e.Town, &e.Reason, &e.By, &at)
		e.Number, e.CreatedAt = number.String, store.FromMillis(at)
		return e, err
	}, `SELECT x.order_id, o.number, x.town_code, x.reason, x.created_by_name, x.created_at FROM kpi_exemptions x
		JOIN orders o ON o.id = x.order_id WHERE `+in+` ORDER BY x.created_at DESC, x.order_id DESC LIMIT ?`, append(args, limit)...)
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// lateSQL is Late's statement: the towns' running stages past due (order_stages_town_running,
// 0043), counted per owner, the owner's name joined to the few groups.
func lateSQL(towns []string, now time.Time) (string, []any) {
	in, args := store.In("s.order_town", towns)
	return `SELECT l.owner_kind, l.owner_code, COALESCE(d.name, g.name, r.name, ''), l.n
		FROM (SELECT s.owner_kind, s.owner_code, COUNT(DISTINCT s.order_id) AS n FROM order_stages s
			WHERE ` + in + ` AND ` + lateStage + ` GROUP BY s.owner_kind, s.owner_code) l
		LEFT JOIN departments d ON l.owner_kind IN ('department', 'co_department') AND d.code = l.owner_code
		LEFT JOIN grids g ON l.owner_kind = 'grid' AND g.code = l.owner_code
		LEFT JOIN regions r ON l.owner_kind = 'centre' AND r.code = l.owner_code
		ORDER BY l.n DESC, l.owner_code`, append(args, now.UnixMilli())
}

// LateOwner is who holds orders whose running stage is past its due time.
type LateOwner struct {
	Kind   string `json:"owner_kind"` // centre, department, co_department (协办), grid
	Code   string `json:"owner"`
	Name   string `json:"name"`
	Orders int    `json:"orders"`
}

// lateStage is a stage row (alias s) running, unsuspended and past its due time (the argument).
const lateStage = `s.finished_at IS NULL AND s.paused_since IS NULL AND s.due_at < ?`

// LateCondition selects, over the orders table, the orders Late counts for one owner at now:
// the order list's late_owner filter, so a row of the leader's "late now" opens its orders.
func LateCondition(kind, code string, now time.Time) (string, []any, error) {
	// The owner kinds are the stage clocks' own (workorder.OwnerLabels), so a new kind of owner
	// is known here the day it is added.
	if _, ok := workorder.OwnerLabels[workorder.Owner(kind)]; !ok {
		return "", nil, problem.Field("late_owner", "unknown owner kind %.20q; centre, department, co_department or grid", kind)
	}
	if len(code) > 64 {
		return "", nil, problem.Field("late_owner", "at most 64 characters")
	}
	return `orders.id IN (SELECT s.order_id FROM order_stages s WHERE ` + lateStage + ` AND s.owner_kind = ? AND s.owner_code = ?)`,
		[]any{now.UnixMilli(), kind, code}, nil
}

// LateAnyCondition selects, over the orders table, the orders with any running, unsuspended
// stage past its due time at now — every order Late counts, once, whoever owns its late stage.
// It is not the order list's overdue filter (the order's own deadline, open orders only): a
// closed order whose callback (回访) is past due is late here and not overdue there, and an
// order past its deadline whose current stage is still within its own due time is overdue there
// and not late here (docs/KPI.md, "Homes").
func LateAnyCondition(now time.Time) (string, []any) {
	return `orders.id IN (SELECT s.order_id FROM order_stages s WHERE ` + lateStage + `)`, []any{now.UnixMilli()}
}

// LateOrders counts the orders of towns LateAnyCondition selects at now.
func (s *Service) LateOrders(ctx context.Context, towns []string, now time.Time) (int, error) {
	q, args := lateOrdersSQL(towns, now)
	var n int
	err := s.DB.QueryRow(ctx, q, args...).Scan(&n)
	return n, err
}

// lateOrdersSQL is LateOrders' statement: the towns' running stages past due, read from
// order_stages_town_running (0043) without the orders table.
func lateOrdersSQL(towns []string, now time.Time) (string, []any) {
	in, args := store.In("s.order_town", towns)
	return `SELECT COUNT(DISTINCT s.order_id) FROM order_stages s WHERE ` + in + ` AND ` + lateStage,
		append(args, now.UnixMilli())
}

// Late counts, per owner, the open orders of towns with a running, unsuspended stage past its
// due time at now (the stage clocks: an order handled on time and waiting for verification is
// the grid's), most first.
func (s *Service) Late(ctx context.Context, towns []string, now time.Time) ([]LateOwner, error) {
	q, args := lateSQL(towns, now)
	out, err := store.Collect(ctx, s.DB, func(rows *sql.Rows) (LateOwner, error) {
		var l LateOwner
		return l, rows.Scan(&l.Kind, &l.Code, &l.Name, &l.Orders)
	}, q, args...)
	if out == nil {
		out = []LateOwner{}
	}
	return out, err
}
