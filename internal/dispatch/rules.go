package dispatch

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// A Rule says who handles a kind of demand: for a category (a leaf, or a top class and so all
// its leaves; empty for every category), in a grid (empty for every grid) and at a time of day
// (a window of minutes after midnight; 0–0 for all day, and a window may wrap past midnight),
// the lead department, the co-handling departments and, when it differs from the category's,
// the deadline class. A rule with no category is a fallback (属地兜底): it owns what no
// category rule and no category's own department does.
type Rule struct {
	ID            int64     `json:"id"`
	TownCode      string    `json:"town"`
	Category      string    `json:"category"`
	Grid          string    `json:"grid"`
	FromMinute    int       `json:"from_minute"`
	ToMinute      int       `json:"to_minute"`
	Lead          string    `json:"lead"`
	Co            []string  `json:"co"`
	DeadlineClass string    `json:"deadline_class"`
	Note          string    `json:"note"`
	Enabled       bool      `json:"enabled"`
	UpdatedAt     time.Time `json:"updated_at"`
	UpdatedBy     string    `json:"updated_by"`
}

// Limits of a rule: every list bounded, every text length-limited.
const (
	MaxCoHandlers  = 10
	MaxRuleNoteLen = 200
	MaxRules       = 2000 // per town: an editor's table, not a data set
)

// AllDay reports whether the rule applies at every time of day.
func (r Rule) AllDay() bool { return r.FromMinute == r.ToMinute }

// inWindow reports whether minute m (after midnight) falls in the rule's window [from, to),
// which wraps past midnight when from > to (22:00–06:00).
func (r Rule) inWindow(m int) bool {
	switch {
	case r.AllDay():
		return true
	case r.FromMinute < r.ToMinute:
		return m >= r.FromMinute && m < r.ToMinute
	default:
		return m >= r.FromMinute || m < r.ToMinute
	}
}

// How a suggestion was reached, in the order the engine tries them.
const (
	ByRule     = "rule"     // a rule for this category (or its top class)
	ByCategory = "category" // the category's own department
	ByFallback = "fallback" // a rule with no category: 属地兜底
	ByNothing  = "none"     // nothing applies: the dispatcher decides
)

// Suggestion is who should handle a demand, and why.
type Suggestion struct {
	Lead          string   `json:"lead"`
	Co            []string `json:"co"`
	DeadlineClass string   `json:"deadline_class"`
	By            string   `json:"by"`
	Rule          *Rule    `json:"rule,omitempty"`
	// Matched names what the rule matched on: "category", "top_class", "grid", "time".
	Matched []string `json:"matched"`
}

// Engine answers "who handles this?" from a town's rules and categories. It is built once per
// change of rules and is safe for concurrent use.
type Engine struct {
	rules  []Rule // enabled, in ID order
	parent map[string]string
	cats   map[string]orders.Category
}

// NewEngine indexes rules (disabled ones are left out) and the category tree.
func NewEngine(rules []Rule, cats []orders.Category) *Engine {
	e := &Engine{parent: map[string]string{}, cats: map[string]orders.Category{}}
	for _, r := range rules {
		if r.Enabled {
			e.rules = append(e.rules, r)
		}
	}
	sort.Slice(e.rules, func(i, j int) bool { return e.rules[i].ID < e.rules[j].ID })
	for _, c := range cats {
		e.parent[c.Code] = c.Parent
		e.cats[c.Code] = c
	}
	return e
}

// Suggest says who handles a demand of category in grid received at t (Shanghai time of day).
// A category rule wins over the category's own department, which wins over a fallback rule;
// among rules, the most specific wins — the leaf over its top class, a grid over every grid, a
// time window over all day — and of equally specific ones the oldest.
func (e *Engine) Suggest(category, grid string, t time.Time) Suggestion {
	minute := t.In(Shanghai).Hour()*60 + t.In(Shanghai).Minute()
	best, bestScore := -1, -1
	var bestMatched []string
	consider := func(fallback bool) {
		for i, r := range e.rules {
			if (r.Category == "") != fallback || !r.inWindow(minute) || (r.Grid != "" && r.Grid != grid) {
				continue
			}
			score, matched := 0, []string{}
			switch {
			case r.Category == "":
			case r.Category == category:
				score, matched = 4, append(matched, "category")
			case category != "" && r.Category == e.parent[category]:
				score, matched = 2, append(matched, "top_class")
			default:
				continue
			}
			if r.Grid != "" {
				score, matched = score+2, append(matched, "grid")
			}
			if !r.AllDay() {
				score, matched = score+1, append(matched, "time")
			}
			if score > bestScore {
				best, bestScore, bestMatched = i, score, matched
			}
		}
	}
	suggestion := func(by string) Suggestion {
		r := e.rules[best]
		s := Suggestion{Lead: r.Lead, Co: slices.Clone(r.Co), DeadlineClass: r.DeadlineClass, By: by, Rule: &r, Matched: bestMatched}
		if s.DeadlineClass == "" {
			s.DeadlineClass = e.cats[category].DeadlineClass
		}
		return s
	}
	if category != "" {
		consider(false)
		if best >= 0 {
			return suggestion(ByRule)
		}
		if c, ok := e.cats[category]; ok && c.Department != "" {
			return Suggestion{Lead: c.Department, Co: []string{}, DeadlineClass: c.DeadlineClass, By: ByCategory, Matched: []string{"category"}}
		}
	}
	consider(true)
	if best >= 0 {
		return suggestion(ByFallback)
	}
	return Suggestion{Co: []string{}, DeadlineClass: e.cats[category].DeadlineClass, By: ByNothing, Matched: []string{}}
}

// Shanghai is the zone of a rule's time of day (UTC+8 all year).
var Shanghai = time.FixedZone("CST", 8*3600)

// Rules lists the rules of the given towns, oldest first.
func Rules(ctx context.Context, q store.Querier, towns []string) ([]Rule, error) {
	out := []Rule{}
	if len(towns) == 0 {
		return out, nil
	}
	in, args := store.In("town_code", towns)
	rows, err := q.Query(ctx, `SELECT id, town_code, category_code, grid_code, from_minute, to_minute, lead_department, co_departments,
		deadline_class, note, enabled, updated_at, updated_by FROM dispatch_rules WHERE `+in+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("dispatch rules: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r Rule
		var co string
		var enabled int
		var at int64
		if err := rows.Scan(&r.ID, &r.TownCode, &r.Category, &r.Grid, &r.FromMinute, &r.ToMinute, &r.Lead, &co, &r.DeadlineClass, &r.Note, &enabled, &at, &r.UpdatedBy); err != nil {
			return nil, err
		}
		r.Co = splitCodes(co)
		r.Enabled = enabled != 0
		r.UpdatedAt = time.UnixMilli(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// RuleByID returns one rule of the given towns, or problem.ErrNotFound.
func RuleByID(ctx context.Context, q store.Querier, towns []string, id int64) (Rule, error) {
	rules, err := Rules(ctx, q, towns)
	if err != nil {
		return Rule{}, err
	}
	for _, r := range rules {
		if r.ID == id {
			return r, nil
		}
	}
	return Rule{}, fmt.Errorf("dispatch rule %d: %w", id, problem.ErrNotFound)
}

func splitCodes(s string) []string {
	out := []string{}
	for _, c := range strings.Split(s, ",") {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// SaveRule creates (ID 0) or updates a rule of its town after checking that its category, grid
// and departments exist in that town, and records the change in the audit log in the same
// transaction. It returns the rule's ID.
func SaveRule(ctx context.Context, db *store.DB, r Rule, by audit.Actor) (int64, error) {
	if err := r.normalise(); err != nil {
		return 0, err
	}
	err := db.InTx(ctx, func(tx *store.Tx) error {
		if err := r.checkReferences(ctx, tx); err != nil {
			return err
		}
		now := time.Now().UnixMilli()
		enabled := 0
		if r.Enabled {
			enabled = 1
		}
		action := audit.ActionUpdate
		if r.ID == 0 {
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM dispatch_rules WHERE town_code = ?`, r.TownCode).Scan(&n); err != nil {
				return err
			}
			if n >= MaxRules {
				return problem.Field("id", "a town keeps at most %d dispatch rules", MaxRules)
			}
			action = audit.ActionCreate
			if err := tx.QueryRow(ctx, `INSERT INTO dispatch_rules (town_code, category_code, grid_code, from_minute, to_minute, lead_department,
				co_departments, deadline_class, note, enabled, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				r.TownCode, r.Category, r.Grid, r.FromMinute, r.ToMinute, r.Lead, strings.Join(r.Co, ","), r.DeadlineClass, r.Note, enabled, now, by.Name).Scan(&r.ID); err != nil {
				return err
			}
		} else {
			res, err := tx.Exec(ctx, `UPDATE dispatch_rules SET category_code = ?, grid_code = ?, from_minute = ?, to_minute = ?, lead_department = ?,
				co_departments = ?, deadline_class = ?, note = ?, enabled = ?, updated_at = ?, updated_by = ? WHERE id = ? AND town_code = ?`,
				r.Category, r.Grid, r.FromMinute, r.ToMinute, r.Lead, strings.Join(r.Co, ","), r.DeadlineClass, r.Note, enabled, now, by.Name, r.ID, r.TownCode)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return fmt.Errorf("dispatch rule %d: %w", r.ID, problem.ErrNotFound)
			}
		}
		return by.Record(ctx, tx, audit.Entry{Action: action, Entity: "dispatch_rule", EntityID: fmt.Sprint(r.ID), TownCode: r.TownCode,
			Detail: r.summary()})
	})
	return r.ID, err
}

// DeleteRule removes a rule of one of towns.
func DeleteRule(ctx context.Context, db *store.DB, towns []string, id int64, by audit.Actor) error {
	return db.InTx(ctx, func(tx *store.Tx) error {
		var town string
		err := tx.QueryRow(ctx, `SELECT town_code FROM dispatch_rules WHERE id = ?`, id).Scan(&town)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !slices.Contains(towns, town)) {
			return fmt.Errorf("dispatch rule %d: %w", id, problem.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM dispatch_rules WHERE id = ?`, id); err != nil {
			return err
		}
		return by.Record(ctx, tx, audit.Entry{Action: audit.ActionDelete, Entity: "dispatch_rule", EntityID: fmt.Sprint(id), TownCode: town})
	})
}

func (r Rule) summary() string {
	s := fmt.Sprintf("category=%s grid=%s lead=%s", orDash(r.Category), orDash(r.Grid), r.Lead)
	if !r.AllDay() {
		s += fmt.Sprintf(" time=%s-%s", clock(r.FromMinute), clock(r.ToMinute))
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "*"
	}
	return s
}

// clock writes minutes after midnight as HH:MM.
func clock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// ParseClock reads HH:MM (or empty, for midnight) as minutes after midnight.
func ParseClock(field, s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, problem.Field(field, "a time of day is written HH:MM, not %q", s)
	}
	return t.Hour()*60 + t.Minute(), nil
}

// Clock writes a rule's window bound as HH:MM.
func Clock(m int) string { return clock(m) }

func (r *Rule) normalise() error {
	var err error
	r.Category, r.Grid, r.Lead = strings.TrimSpace(r.Category), strings.TrimSpace(r.Grid), strings.TrimSpace(r.Lead)
	if r.TownCode == "" {
		return problem.Field("town", "a rule belongs to a town")
	}
	if r.Lead == "" {
		return problem.Field("lead", "a rule names the lead department")
	}
	if r.FromMinute < 0 || r.FromMinute >= 24*60 || r.ToMinute < 0 || r.ToMinute >= 24*60 {
		return problem.Field("from", "a time of day is between 00:00 and 23:59")
	}
	if r.Note, err = places.Text("note", r.Note, MaxRuleNoteLen); err != nil {
		return err
	}
	co := []string{}
	for _, c := range r.Co {
		if c = strings.TrimSpace(c); c != "" && !slices.Contains(co, c) {
			co = append(co, c)
		}
	}
	if len(co) > MaxCoHandlers {
		return problem.Field("co", "at most %d co-handling departments, not %d", MaxCoHandlers, len(co))
	}
	if slices.Contains(co, r.Lead) {
		return problem.Field("co", "the lead department %s cannot also co-handle", r.Lead)
	}
	r.Co = co
	if r.DeadlineClass != "" && !workorder.ValidClass(r.DeadlineClass) {
		return problem.Field("deadline_class", "unknown deadline class %q", r.DeadlineClass)
	}
	return nil
}

// checkReferences refuses a rule naming a category, grid or department that its town lacks.
func (r Rule) checkReferences(ctx context.Context, q store.Querier) error {
	exists := func(query string, args ...any) (bool, error) {
		var n int
		err := q.QueryRow(ctx, query, args...).Scan(&n)
		return n > 0, err
	}
	if ok, err := exists(`SELECT COUNT(*) FROM regions WHERE code = ?`, r.TownCode); err != nil || !ok {
		return errors.Join(err, problem.Field("town", "unknown town %q", r.TownCode))
	}
	if r.Category != "" {
		if ok, err := exists(`SELECT COUNT(*) FROM categories WHERE town_code = ? AND code = ?`, r.TownCode, r.Category); err != nil || !ok {
			return errors.Join(err, problem.Field("category", "the town has no category %q", r.Category))
		}
	}
	if r.Grid != "" {
		if ok, err := exists(`SELECT COUNT(*) FROM grids WHERE town_code = ? AND code = ?`, r.TownCode, r.Grid); err != nil || !ok {
			return errors.Join(err, problem.Field("grid", "the town has no grid %q", r.Grid))
		}
	}
	for i, d := range append([]string{r.Lead}, r.Co...) {
		field := "lead"
		if i > 0 {
			field = "co"
		}
		if ok, err := exists(`SELECT COUNT(*) FROM departments WHERE town_code = ? AND code = ?`, r.TownCode, d); err != nil || !ok {
			return errors.Join(err, problem.Field(field, "the town has no department %q", d))
		}
	}
	return nil
}
