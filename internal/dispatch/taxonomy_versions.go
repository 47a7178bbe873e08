package dispatch

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// Versions of a town's tree. A version is a whole tree that takes effect on a date (valid_from,
// a day in Shanghai time). Publishing validates the tree and stores it; when its date has come
// (at once, or later through Activate) its top classes and sub-classes are written into the
// `categories` table orders point to, and it becomes the version in force. An order records the
// version in force when its category was chosen (orders.category_version), so a tree can change
// without rewriting what was filed under the old one.
//
// A version may not drop a code an open order still uses: it is refused naming those orders
// (re-categorise or close them first). A dropped code only closed orders use stays in
// `categories` marked retired: its name still shows on those orders, and no new order can take it.
// A version orders were filed under, or the one in force, cannot be deleted.

// Why a version cannot be deleted; both are conflicts (problem.ErrConflict).
var (
	ErrVersionInUse   = fmt.Errorf("a version in use: orders were filed under it; %w", problem.ErrConflict)
	ErrVersionInForce = fmt.Errorf("the version in force; publish another before deleting it; %w", problem.ErrConflict)
)

// Version is one published tree of a town.
type Version struct {
	Town        string     `json:"town"`
	Version     int        `json:"version"`
	ValidFrom   string     `json:"valid_from"` // YYYY-MM-DD
	Note        string     `json:"note"`
	Nodes       int        `json:"nodes"`
	CreatedAt   time.Time  `json:"created_at"`
	CreatedBy   string     `json:"created_by"`
	ActivatedAt *time.Time `json:"activated_at,omitempty"`
	Current     bool       `json:"current"`
	// Orders is how many orders were filed under it, counted up to VersionCountBound; OrdersMore
	// says there are more than that (pages show "10,000+").
	Orders     int  `json:"orders"`
	OrdersMore bool `json:"orders_more,omitempty"`
}

// VersionCountBound is where a version's order count stops (orders.CountBound): a town's version
// in force is filed under by every new order, 600,000 of them at a million, and counting them all
// took 30–450 ms of the categories page and API on PostgreSQL (docs/BENCHMARKS.md, issue #17).
const VersionCountBound = orders.CountBound

// MaxVersionNoteLen bounds a version's note.
const MaxVersionNoteLen = 200

// Today is the date in Shanghai, as valid_from dates are written.
func Today(now time.Time) string { return now.In(Shanghai).Format(time.DateOnly) }

// TownRefs reads what a town's tree may refer to: its departments.
func TownRefs(ctx context.Context, q store.Querier, town string) (Refs, error) {
	deps, err := places.Departments(ctx, q, []string{town})
	if err != nil {
		return Refs{}, err
	}
	r := Refs{Departments: map[string]bool{}}
	for _, d := range deps {
		r.Departments[d.Code] = true
	}
	return r, nil
}

// Versions lists a town's versions, newest first, with how many orders each was used by.
func Versions(ctx context.Context, q store.Querier, town string) ([]Version, error) {
	rows, err := q.Query(ctx, `SELECT v.version, v.valid_from, v.note, v.nodes, v.created_at, v.created_by, v.activated_at,
		(SELECT COUNT(*) FROM (SELECT 1 FROM orders o WHERE o.town_code = v.town_code AND o.category_version = v.version LIMIT ?) AS used)
		FROM category_versions v WHERE v.town_code = ? ORDER BY v.version DESC`, VersionCountBound+1, town)
	if err != nil {
		return nil, fmt.Errorf("category versions of town %s: %w", town, err)
	}
	defer rows.Close()
	out := []Version{}
	current := 0
	for rows.Next() {
		v := Version{Town: town}
		var created, activated int64
		if err := rows.Scan(&v.Version, &v.ValidFrom, &v.Note, &v.Nodes, &created, &v.CreatedBy, &activated, &v.Orders); err != nil {
			return nil, err
		}
		if v.Orders > VersionCountBound {
			v.Orders, v.OrdersMore = VersionCountBound, true
		}
		v.CreatedAt = time.UnixMilli(created)
		if activated > 0 {
			t := time.UnixMilli(activated)
			v.ActivatedAt = &t
			if current == 0 {
				current = v.Version
				v.Current = true
			}
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// VersionTree reads the tree of one version.
func VersionTree(ctx context.Context, q store.Querier, town string, version int) (Tree, error) {
	var raw string
	err := q.QueryRow(ctx, `SELECT tree FROM category_versions WHERE town_code = ? AND version = ?`, town, version).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return Tree{}, fmt.Errorf("category version %d: %w", version, problem.ErrNotFound)
	}
	if err != nil {
		return Tree{}, err
	}
	var t Tree
	if err := json.Unmarshal([]byte(raw), &t); err != nil {
		return Tree{}, fmt.Errorf("category version %d: %w", version, err)
	}
	for i := range t.Nodes {
		t.Nodes[i].Row = i + 1
	}
	return t, nil
}

// CurrentTree reads the tree in force and its version; before any version, the tree is read
// from the town's categories (top classes and sub-classes, no conditions) as version 0.
func CurrentTree(ctx context.Context, q store.Querier, town string) (Tree, int, error) {
	v, err := orders.CurrentCategoryVersion(ctx, q, town)
	if err != nil {
		return Tree{}, 0, err
	}
	if v > 0 {
		t, err := VersionTree(ctx, q, town, v)
		return t, v, err
	}
	cats, err := orders.CategoriesIn(ctx, q, town)
	if err != nil {
		return Tree{}, 0, err
	}
	t := Tree{}
	for _, c := range cats {
		t.Nodes = append(t.Nodes, Node{Code: c.Code, Parent: c.Parent, Name: c.Name, NameEN: c.NameEN, Kind: c.Kind,
			DeadlineClass: c.DeadlineClass, Department: c.Department, Keywords: c.Keywords, Aliases: c.Aliases})
	}
	return t, 0, nil
}

// Publish validates a tree and stores it as the town's next version, taking effect on validFrom
// (YYYY-MM-DD; empty: today). A version whose date has come takes effect at once, in the same
// transaction: all of it or nothing.
func Publish(ctx context.Context, db *store.DB, town string, t Tree, validFrom, note string, by audit.Actor, now time.Time) (Version, error) {
	if validFrom == "" {
		validFrom = Today(now)
	}
	if _, err := time.Parse(time.DateOnly, validFrom); err != nil {
		return Version{}, problem.Field("valid_from", "%q is not a date (YYYY-MM-DD)", validFrom)
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > MaxVersionNoteLen {
		return Version{}, problem.Field("note", "at most %d characters", MaxVersionNoteLen)
	}
	refs, err := TownRefs(ctx, db, town)
	if err != nil {
		return Version{}, err
	}
	if err := t.Validate(refs); err != nil {
		return Version{}, err
	}
	if t.Note == "" { // the tree's own note (the default's "illustrative") first, else the version's
		t.Note = note
	}
	raw, err := json.Marshal(Tree{Nodes: t.Sorted(), Note: t.Note})
	if err != nil {
		return Version{}, err
	}
	v := Version{Town: town, ValidFrom: validFrom, Note: note, Nodes: len(t.Nodes), CreatedAt: now, CreatedBy: by.Name}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if err := places.RequireTown(ctx, tx, "town", town); err != nil {
			return err
		}
		var last int
		var lastFrom sql.NullString
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0), MAX(valid_from) FROM category_versions WHERE town_code = ?`, town).Scan(&last, &lastFrom); err != nil {
			return err
		}
		if lastFrom.Valid && validFrom < lastFrom.String {
			return problem.Field("valid_from", "%s is before the latest version's date %s; versions take effect in order", validFrom, lastFrom.String)
		}
		v.Version = last + 1
		// Dropped codes open orders use are refused now, not only on the day the version takes effect.
		if err := checkDropped(ctx, tx, town, t); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO category_versions (town_code, version, valid_from, note, tree, nodes, created_at, created_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, town, v.Version, validFrom, note, string(raw), v.Nodes, now.UnixMilli(), by.Name); err != nil {
			return fmt.Errorf("category version %d: %w", v.Version, err)
		}
		if err := by.Record(ctx, tx, audit.Entry{Action: audit.ActionCreate, Entity: "category_version", EntityID: fmt.Sprint(v.Version), TownCode: town,
			Detail: fmt.Sprintf("valid_from=%s nodes=%d", validFrom, v.Nodes)}); err != nil {
			return err
		}
		activated, err := activate(ctx, tx, town, now)
		if err != nil {
			return err
		}
		if activated == v.Version {
			v.ActivatedAt, v.Current = &now, true
		}
		return nil
	})
	return v, err
}

// Activate makes the newest version whose date has come the one in force, if it is not yet. It
// returns that version, or 0 when nothing changed. Run it when a page or command reads the tree
// and daily: a version published for a later date waits for it.
func Activate(ctx context.Context, db *store.DB, town string, now time.Time) (int, error) {
	var v int
	err := db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		v, err = activate(ctx, tx, town, now)
		return err
	})
	return v, err
}

func activate(ctx context.Context, tx *store.Tx, town string, now time.Time) (int, error) {
	current, err := orders.CurrentCategoryVersion(ctx, tx, town)
	if err != nil {
		return 0, err
	}
	var due int
	if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM category_versions WHERE town_code = ? AND valid_from <= ?`,
		town, Today(now)).Scan(&due); err != nil {
		return 0, err
	}
	if due <= current {
		return 0, nil
	}
	t, err := VersionTree(ctx, tx, town, due)
	if err != nil {
		return 0, err
	}
	if err := materialise(ctx, tx, town, t); err != nil {
		return 0, fmt.Errorf("category version %d: %w", due, err)
	}
	if _, err := tx.Exec(ctx, `UPDATE category_versions SET activated_at = ? WHERE town_code = ? AND version = ?`, now.UnixMilli(), town, due); err != nil {
		return 0, err
	}
	return due, nil
}

// openStates are the states of an order that still needs work.
func openStates() []any {
	var out []any
	for _, s := range workorder.States {
		if workorder.IsOpen(s.State) {
			out = append(out, string(s.State))
		}
	}
	return out
}

// checkDropped refuses a tree that leaves out a code open orders of the town use, naming (up
// to ten of) them.
func checkDropped(ctx context.Context, tx *store.Tx, town string, t Tree) error {
	keep := map[string]bool{}
	for _, n := range t.Nodes {
		if !n.Condition {
			keep[n.Code] = true
		}
	}
	states := openStates()
	rows, err := tx.Query(ctx, `SELECT category_code, number FROM orders WHERE town_code = ? AND category_code <> ''
		AND state IN (`+store.Placeholders(len(states))+`) ORDER BY category_code, id`, append([]any{town}, states...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var used []string
	n := 0
	for rows.Next() {
		var code, number string
		if err := rows.Scan(&code, &number); err != nil {
			return err
		}
		if keep[code] {
			continue
		}
		n++
		if len(used) < 10 {
			used = append(used, number+" ("+code+")")
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if n > 0 {
		more, moreZH := "", ""
		if n > len(used) {
			more, moreZH = fmt.Sprintf(" and %d more", n-len(used)), " 等"
		}
		return &TreeErrors{List: []TreeError{{Column: "code",
			ZH: fmt.Sprintf("新版本去掉了 %d 张未结工单仍在使用的类别：%s%s；请先改类或办结这些工单", n, strings.Join(used, "、"), moreZH),
			EN: fmt.Sprintf("the tree drops categories %d open orders still use: %s%s; re-categorise or close them first", n, strings.Join(used, ", "), more)}}}
	}
	return nil
}

// materialise writes a version's top classes and sub-classes into `categories`: new and changed
// ones saved, dropped ones retired when closed orders name them and deleted otherwise.
func materialise(ctx context.Context, tx *store.Tx, town string, t Tree) error {
	if err := checkDropped(ctx, tx, town, t); err != nil {
		return err
	}
	st := orders.New(nil)
	firstLimit := map[string]string{}
	keep := map[string]bool{}
	for _, n := range t.Nodes {
		if n.Condition && n.DeadlineClass != "" && firstLimit[n.Parent] == "" {
			firstLimit[n.Parent] = n.DeadlineClass
		}
	}
	for _, n := range t.Nodes {
		if n.Condition {
			continue
		}
		keep[n.Code] = true
		class := n.DeadlineClass
		if class == "" && n.Parent != "" {
			class = firstLimit[n.Code] // a sub-class without its own limit takes its first condition's
		}
		c := orders.Category{TownCode: town, Code: n.Code, Parent: n.Parent, Name: n.Name, NameEN: n.NameEN, DeadlineClass: class,
			Department: n.Department, Keywords: n.Keywords, Kind: n.Kind, Aliases: n.Aliases}
		if err := st.SaveCategory(ctx, tx, c); err != nil {
			return fmt.Errorf("category %s: %w", n.Code, err)
		}
	}
	rows, err := tx.Query(ctx, `SELECT code, (SELECT COUNT(*) FROM orders o WHERE o.town_code = c.town_code AND o.category_code = c.code)
		FROM categories c WHERE town_code = ?`, town)
	if err != nil {
		return err
	}
	var retire, drop []any
	for rows.Next() {
		var code string
		var used int
		if err := rows.Scan(&code, &used); err != nil {
			rows.Close()
			return err
		}
		switch {
		case keep[code]:
		case used > 0:
			retire = append(retire, code)
		default:
			drop = append(drop, code)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, batch := range []struct {
		sql   string
		codes []any
	}{
		{`UPDATE categories SET retired = 1 WHERE town_code = ? AND code IN `, retire},
		{`DELETE FROM categories WHERE town_code = ? AND code IN `, drop},
	} {
		for len(batch.codes) > 0 {
			part := batch.codes[:min(len(batch.codes), 500)]
			batch.codes = batch.codes[len(part):]
			if _, err := tx.Exec(ctx, batch.sql+`(`+store.Placeholders(len(part))+`)`, append([]any{town}, part...)...); err != nil {
				return err
			}
		}
	}
	return nil
}

// DeleteVersion removes a version no order was filed under and that is not the one in force
// (a version published for a later date, or an old one nobody used).
func DeleteVersion(ctx context.Context, db *store.DB, town string, version int, by audit.Actor) error {
	return db.InTx(ctx, func(tx *store.Tx) error {
		var activated int64
		err := tx.QueryRow(ctx, `SELECT activated_at FROM category_versions WHERE town_code = ? AND version = ?`, town, version).Scan(&activated)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("category version %d: %w", version, problem.ErrNotFound)
		}
		if err != nil {
			return err
		}
		// Whether any order was filed under it: the first one found answers.
		var used int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM orders WHERE town_code = ? AND category_version = ? LIMIT 1) AS used`, town, version).Scan(&used); err != nil {
			return err
		}
		if used > 0 {
			return fmt.Errorf("category version %d (orders were filed under it): %w", version, ErrVersionInUse)
		}
		current, err := orders.CurrentCategoryVersion(ctx, tx, town)
		if err != nil {
			return err
		}
		if version == current {
			return fmt.Errorf("category version %d: %w", version, ErrVersionInForce)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM category_versions WHERE town_code = ? AND version = ?`, town, version); err != nil {
			return err
		}
		return by.Record(ctx, tx, audit.Entry{Action: audit.ActionDelete, Entity: "category_version", EntityID: fmt.Sprint(version), TownCode: town})
	})
}

// RunActivator makes due versions take effect in every town that runs CivicGrid, every interval,
// until ctx ends: a version published for a later date needs nobody to open a page on that day.
func RunActivator(ctx context.Context, db *store.DB, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		towns, err := places.TenantTowns(ctx, db, nil)
		if err != nil && ctx.Err() == nil {
			log.Warn("category versions", "err", err)
		}
		for _, town := range towns {
			if v, err := Activate(ctx, db, town.Code, time.Now()); err != nil {
				log.Warn("category version could not take effect", "town", town.Code, "err", err)
			} else if v > 0 {
				log.Info("category version took effect", "town", town.Code, "version", v)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
