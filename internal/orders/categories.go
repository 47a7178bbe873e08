package orders

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// Category is a node of a town's category tree: a top class (大类, no parent) or a leaf (小类)
// with the deadline class and department it usually gets.
type Category struct {
	TownCode      string   `json:"town"`
	Code          string   `json:"code"`
	Parent        string   `json:"parent"`
	Name          string   `json:"name"`
	NameEN        string   `json:"name_en"`
	DeadlineClass string   `json:"deadline_class"`
	Department    string   `json:"department"`
	Keywords      []string `json:"keywords"`
	Kind          string   `json:"kind,omitempty"`    // a top class's: component (部件), event (事件) or hotline (热线)
	Aliases       []string `json:"aliases,omitempty"` // the hotline's category texts that mean this leaf
}

// CurrentCategoryVersion is the version of the town's category tree in force: the newest one
// that took effect (internal/dispatch publishes them), 0 when none did.
func CurrentCategoryVersion(ctx context.Context, q store.Querier, town string) (int, error) {
	var v int
	err := q.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM category_versions WHERE town_code = ? AND activated_at > 0`, town).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("category version of town %s: %w", town, err)
	}
	return v, nil
}

// recordCategoryVersion notes on an order the category tree its category was chosen from.
func recordCategoryVersion(ctx context.Context, tx store.Querier, o *Order) error {
	v, err := CurrentCategoryVersion(ctx, tx, o.TownCode)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE orders SET category_version = ? WHERE id = ?`, v, o.ID); err != nil {
		return fmt.Errorf("category version of order %d: %w", o.ID, err)
	}
	o.CategoryVersion = v
	return nil
}

// Categories lists a town's categories in use (not the retired ones a newer tree dropped),
// parents before their children.
func (s *Store) Categories(ctx context.Context, town string) ([]Category, error) {
	return CategoriesIn(ctx, s.DB, town)
}

// CategoriesIn is Categories read through q (a transaction, say).
func CategoriesIn(ctx context.Context, q store.Querier, town string) ([]Category, error) {
	return categoriesIn(ctx, q, town, `AND retired = 0`)
}

// RetiredCategories lists the categories a newer tree dropped that closed orders still name, so
// that those orders still show a name.
func (s *Store) RetiredCategories(ctx context.Context, town string) ([]Category, error) {
	return categoriesIn(ctx, s.DB, town, `AND retired = 1`)
}

func categoriesIn(ctx context.Context, q store.Querier, town, which string) ([]Category, error) {
	out, _, err := categoriesWhere(ctx, q, `town_code = ? `+which, town)
	if err != nil {
		return nil, fmt.Errorf("categories of town %s: %w", town, err)
	}
	return out, nil
}

// CategoriesOfTowns lists the categories of several towns in one query, by town and code: those
// in use, then the retired ones a newer tree dropped (whose names closed orders still show).
func (s *Store) CategoriesOfTowns(ctx context.Context, towns []string) (inUse, retired []Category, err error) {
	where, args := store.In("town_code", towns)
	all, isRetired, err := categoriesWhere(ctx, s.DB, where, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("categories of %d towns: %w", len(towns), err)
	}
	inUse, retired = splitRetired(all, isRetired)
	return inUse, retired, nil
}

// splitRetired parts categories into those in use and the retired ones (never nil).
func splitRetired(all []Category, isRetired []bool) (inUse, retired []Category) {
	inUse, retired = []Category{}, []Category{}
	for i, c := range all {
		if isRetired[i] {
			retired = append(retired, c)
		} else {
			inUse = append(inUse, c)
		}
	}
	return inUse, retired
}

// CategoryKey names one town's category.
type CategoryKey struct{ Town, Code string }

// CategoriesByKey reads the categories keys name (a page's orders' towns and categories), those
// in use and the retired ones apart: one primary-key look-up each, however many towns the caller
// sees (a city's page names its 50 rows' categories, not every town's tree).
func (s *Store) CategoriesByKey(ctx context.Context, keys []CategoryKey) (inUse, retired []Category, err error) {
	inUse, retired = []Category{}, []Category{}
	if len(keys) == 0 {
		return inUse, retired, nil
	}
	conds := make([]string, len(keys))
	args := make([]any, 0, 2*len(keys))
	for i, k := range keys {
		conds[i] = `(town_code = ? AND code = ?)`
		args = append(args, k.Town, k.Code)
	}
	all, isRetired, err := categoriesWhere(ctx, s.DB, strings.Join(conds, " OR "), args...)
	if err != nil {
		return nil, nil, fmt.Errorf("categories of %d keys: %w", len(keys), err)
	}
	inUse, retired = splitRetired(all, isRetired)
	return inUse, retired, nil
}

// categoriesWhere reads the categories where selects, by town and code, and whether each is
// retired.
func categoriesWhere(ctx context.Context, q store.Querier, where string, args ...any) ([]Category, []bool, error) {
	rows, err := q.Query(ctx, `SELECT town_code, code, parent_code, name, name_en, deadline_class, department_code, keywords, kind, aliases, retired
		FROM categories WHERE `+where+` ORDER BY town_code, code`, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	out := []Category{}
	var retired []bool
	for rows.Next() {
		var c Category
		var kw, aliases string
		var ret int
		if err := rows.Scan(&c.TownCode, &c.Code, &c.Parent, &c.Name, &c.NameEN, &c.DeadlineClass, &c.Department, &kw, &c.Kind, &aliases, &ret); err != nil {
			return nil, nil, err
		}
		retired = append(retired, ret != 0)
		if aliases != "" {
			if err := json.Unmarshal([]byte(aliases), &c.Aliases); err != nil {
				return nil, nil, fmt.Errorf("category %s aliases: %w", c.Code, err)
			}
		}
		c.Keywords = []string{}
		if kw != "" {
			if err := json.Unmarshal([]byte(kw), &c.Keywords); err != nil {
				return nil, nil, fmt.Errorf("category %s keywords: %w", c.Code, err)
			}
		}
		out = append(out, c)
	}
	return out, retired, rows.Err()
}

// SaveCategory creates or replaces a category of a town. Parents are not checked, so that a
// tree can be loaded in any order; the town, the deadline class and the department are.
func (s *Store) SaveCategory(ctx context.Context, q store.Querier, c Category) error {
	c.Code, c.Name, c.Parent = strings.TrimSpace(c.Code), strings.TrimSpace(c.Name), strings.TrimSpace(c.Parent)
	switch {
	case c.TownCode == "":
		return problem.Field("town", "is required")
	case c.Code == "":
		return problem.Field("code", "is required")
	case c.Name == "":
		return problem.Field("name", "is required")
	case c.Parent == c.Code:
		return problem.Field("parent", "a category cannot be its own parent")
	case c.DeadlineClass != "" && !workorder.ValidClass(c.DeadlineClass):
		return problem.Field("deadline_class", "unknown class %q", c.DeadlineClass)
	}
	if c.Department != "" {
		var n int
		if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM departments WHERE town_code = ? AND code = ?`, c.TownCode, c.Department).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return problem.Field("department", "unknown department %q in town %s", c.Department, c.TownCode)
		}
	}
	kw, aliases := jsonList(c.Keywords), jsonList(c.Aliases)
	_, err := q.Exec(ctx, `INSERT INTO categories (town_code, code, parent_code, name, name_en, deadline_class, department_code, keywords, kind, aliases, retired)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)
		ON CONFLICT (town_code, code) DO UPDATE SET parent_code = excluded.parent_code, name = excluded.name, name_en = excluded.name_en,
			deadline_class = excluded.deadline_class, department_code = excluded.department_code, keywords = excluded.keywords,
			kind = excluded.kind, aliases = excluded.aliases, retired = 0`,
		c.TownCode, c.Code, c.Parent, c.Name, c.NameEN, c.DeadlineClass, c.Department, kw, c.Kind, aliases)
	if store.IsForeignKeyViolation(err) {
		return problem.Field("town", "unknown town %q", c.TownCode)
	}
	if err != nil {
		return fmt.Errorf("category %s: %w", c.Code, err)
	}
	return nil
}

func jsonList(l []string) string {
	if len(l) == 0 {
		return ""
	}
	b, _ := json.Marshal(l) // a list of strings always marshals
	return string(b)
}
