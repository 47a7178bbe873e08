// Package services is the service catalogue (服务清单) of a town and the service requests made of
// it. A catalogue is aspects → categories → items: 新泾镇's "泾彩满格" 全覆盖服务增能包 (five
// aspects, 28 categories, 76 items of 政策 + 服务 + 资源 for building enterprises, street merchants
// and new-employment groups) and its "全生命周期 健康之翼" health list by life stage. An item says
// who may request it, which department provides it, in how many working days, with which
// documents and how it is delivered. A request of an item is run by the service-request table
// (Transitions) through the same lifecycle engine as work orders (internal/lifecycle), with its
// deadline on the working-day calendar. No HTTP here.
package services

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/label"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

var (
	calendar = workcal.Default()
	loc      = workcal.Location()
)

// The catalogues.
const (
	CatalogueJingcai = "jingcai" // "泾彩满格" 全覆盖服务增能包
	CatalogueHealth  = "health"  // "全生命周期 健康之翼" 服务清单
)

// Delivery ways.
const (
	DeliverWindow = "window" // 窗口办理
	DeliverDoor   = "door"   // 上门服务
	DeliverOnline = "online" // 线上办理
	DeliverPhone  = "phone"  // 电话/视频
)

// Label is a code with its Chinese and English names (internal/label's, shared by every capability).
type Label = label.Label

// Catalogues and Deliveries label the codes.
var (
	Catalogues = []Label{{Code: CatalogueJingcai, ZH: "“泾彩满格”全覆盖服务增能包", EN: "“Jingcai Mange” full-coverage service pack"},
		{Code: CatalogueHealth, ZH: "“全生命周期 健康之翼”服务清单", EN: "“Wings of Health” life-course health services"}}
	Deliveries = []Label{{Code: DeliverWindow, ZH: "窗口办理", EN: "At the counter"}, {Code: DeliverDoor, ZH: "上门服务", EN: "At your door"},
		{Code: DeliverOnline, ZH: "线上办理", EN: "Online"}, {Code: DeliverPhone, ZH: "电话/视频", EN: "By phone or video"}}
)

// LabelOf is the label of code in ls, or the code itself.
func LabelOf(ls []Label, code, lang string) string { return label.Of(ls, code, lang) }

func known(ls []Label, code string) bool { return label.Valid(ls, code) }

// Limits of what a catalogue edit carries.
const (
	MaxName      = 100
	MaxText      = 1000
	MaxDocuments = 20
	MaxItems     = 2000 // items a town's catalogues hold, and one import
	MaxDays      = 60
)

// Aspect is a catalogue's first level (方面; a life stage in the health list).
type Aspect struct {
	ID           int64      `json:"id"`
	Catalogue    string     `json:"catalogue"`
	Seq          int        `json:"seq"`
	Name         string     `json:"name"`
	NameEN       string     `json:"name_en,omitempty"`
	Intro        string     `json:"intro,omitempty"`
	Illustrative bool       `json:"illustrative"`
	Categories   []Category `json:"categories"`
}

// Category is an aspect's second level (类).
type Category struct {
	ID           int64  `json:"id"`
	AspectID     int64  `json:"aspect_id"`
	Seq          int    `json:"seq"`
	Name         string `json:"name"`
	NameEN       string `json:"name_en,omitempty"`
	Illustrative bool   `json:"illustrative"`
	Items        []Item `json:"items"`
}

// Item is one service (项) of a category.
type Item struct {
	ID           int64    `json:"id"`
	TownCode     string   `json:"town"`
	CategoryID   int64    `json:"category_id"`
	Code         string   `json:"code"`
	Seq          int      `json:"seq"`
	Name         string   `json:"name"`
	NameEN       string   `json:"name_en,omitempty"`
	Summary      string   `json:"summary,omitempty"`
	Eligibility  string   `json:"eligibility"`
	Department   string   `json:"provider_department"`
	DeptName     string   `json:"provider_department_name,omitempty"`
	Unit         string   `json:"provider_unit,omitempty"`
	Days         int      `json:"promised_days"`
	Documents    []string `json:"documents"`
	Delivery     string   `json:"delivery"`
	Illustrative bool     `json:"illustrative"`
	Active       bool     `json:"active"`
	// Where it sits, for an item read alone.
	Catalogue      string `json:"catalogue,omitempty"`
	AspectName     string `json:"aspect,omitempty"`
	AspectNameEN   string `json:"aspect_en,omitempty"`
	CategoryName   string `json:"category,omitempty"`
	CategoryNameEN string `json:"category_en,omitempty"`
}

// inLang is the English name in English when there is one, else the Chinese.
func inLang(lang, zh, en string) string {
	if lang == "en" && en != "" {
		return en
	}
	return zh
}

// DisplayName is the aspect's name in lang.
func (a Aspect) DisplayName(lang string) string { return inLang(lang, a.Name, a.NameEN) }

// DisplayName is the category's name in lang.
func (c Category) DisplayName(lang string) string { return inLang(lang, c.Name, c.NameEN) }

// AspectIn is the name in lang of the aspect of an item read alone.
func (it Item) AspectIn(lang string) string { return inLang(lang, it.AspectName, it.AspectNameEN) }

// CategoryIn is the name in lang of the category of an item read alone.
func (it Item) CategoryIn(lang string) string {
	return inLang(lang, it.CategoryName, it.CategoryNameEN)
}

// DisplayName is the item's name in lang (the Chinese one when it has no English one).
func (it Item) DisplayName(lang string) string { return inLang(lang, it.Name, it.NameEN) }

// Service runs the catalogue and the requests on a database with a clock.
type Service struct {
	DB  *store.DB
	Now workcal.Clock
}

func (s *Service) now() time.Time { return s.Now.Time() }

// Clock is the service's current time.
func (s *Service) Clock() time.Time { return s.now() }

const itemCols = `i.id, i.town_code, i.category_id, i.code, i.seq, i.name, i.name_en, i.summary, i.eligibility,
	i.provider_department, COALESCE(d.name, ''), i.provider_unit, i.promised_days, i.documents, i.delivery, i.illustrative, i.active,
	a.catalogue, a.name, a.name_en, c.name, c.name_en`

const itemFrom = ` FROM service_items i JOIN service_categories c ON c.id = i.category_id JOIN service_aspects a ON a.id = c.aspect_id
	LEFT JOIN departments d ON d.code = i.provider_department`

func scanItem(sc interface{ Scan(...any) error }) (Item, error) {
	var it Item
	var docs string
	var ill, act int
	err := sc.Scan(&it.ID, &it.TownCode, &it.CategoryID, &it.Code, &it.Seq, &it.Name, &it.NameEN, &it.Summary, &it.Eligibility,
		&it.Department, &it.DeptName, &it.Unit, &it.Days, &docs, &it.Delivery, &ill, &act, &it.Catalogue, &it.AspectName, &it.AspectNameEN, &it.CategoryName, &it.CategoryNameEN)
	it.Documents = splitList(docs)
	it.Illustrative, it.Active = ill != 0, act != 0
	return it, err
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("\n、;；|", r) }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	if out == nil {
		out = []string{}
	}
	return out
}

// Catalogue returns a town's catalogue (jingcai or health) as a tree; inactive items only when
// all is set (the editor's view).
func (s *Service) Catalogue(ctx context.Context, town, catalogue string, all bool) ([]Aspect, error) {
	rows, err := s.DB.Query(ctx, `SELECT id, catalogue, seq, name, name_en, intro, illustrative FROM service_aspects
		WHERE town_code = ? AND catalogue = ? ORDER BY seq, id`, town, catalogue)
	if err != nil {
		return nil, err
	}
	var aspects []Aspect
	index := map[int64]int{}
	for rows.Next() {
		var a Aspect
		var ill int
		if err := rows.Scan(&a.ID, &a.Catalogue, &a.Seq, &a.Name, &a.NameEN, &a.Intro, &ill); err != nil {
			rows.Close()
			return nil, err
		}
		a.Illustrative, a.Categories = ill != 0, []Category{}
		index[a.ID] = len(aspects)
		aspects = append(aspects, a)
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	rows, err = s.DB.Query(ctx, `SELECT c.id, c.aspect_id, c.seq, c.name, c.name_en, c.illustrative FROM service_categories c
		JOIN service_aspects a ON a.id = c.aspect_id WHERE a.town_code = ? AND a.catalogue = ? ORDER BY c.seq, c.id`, town, catalogue)
	if err != nil {
		return nil, err
	}
	cats := map[int64][2]int{}
	for rows.Next() {
		var c Category
		var ill int
		if err := rows.Scan(&c.ID, &c.AspectID, &c.Seq, &c.Name, &c.NameEN, &ill); err != nil {
			rows.Close()
			return nil, err
		}
		c.Illustrative, c.Items = ill != 0, []Item{}
		ai := index[c.AspectID]
		cats[c.ID] = [2]int{ai, len(aspects[ai].Categories)}
		aspects[ai].Categories = append(aspects[ai].Categories, c)
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	q := `SELECT ` + itemCols + itemFrom + ` WHERE i.town_code = ? AND a.catalogue = ?`
	if !all {
		q += ` AND i.active = 1`
	}
	rows, err = s.DB.Query(ctx, q+` ORDER BY i.seq, i.id`, town, catalogue)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		p := cats[it.CategoryID]
		aspects[p[0]].Categories[p[1]].Items = append(aspects[p[0]].Categories[p[1]].Items, it)
	}
	return aspects, closeRows(rows)
}

func closeRows(rows *sql.Rows) error {
	err := rows.Err()
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	return err
}

// Counts are a catalogue's aspects, categories and items (active ones).
type Counts struct{ Aspects, Categories, Items int }

// Count counts a catalogue tree.
func Count(tree []Aspect) Counts {
	var c Counts
	for _, a := range tree {
		c.Aspects++
		for _, cat := range a.Categories {
			c.Categories++
			c.Items += len(cat.Items)
		}
	}
	return c
}

// Item returns one item.
func (s *Service) Item(ctx context.Context, id int64) (Item, error) {
	it, err := scanItem(s.DB.QueryRow(ctx, `SELECT `+itemCols+itemFrom+` WHERE i.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return it, problem.NotFound("service item %d", id)
	}
	return it, err
}

// ItemEdit is what an editor sets on an item; the aspect and category are named, and created
// when new.
type ItemEdit struct {
	Catalogue    string   `json:"catalogue"`
	Aspect       string   `json:"aspect"`
	Category     string   `json:"category"`
	Code         string   `json:"code"`
	Name         string   `json:"name"`
	NameEN       string   `json:"name_en"`
	Summary      string   `json:"summary"`
	Eligibility  string   `json:"eligibility"`
	Department   string   `json:"provider_department"`
	Unit         string   `json:"provider_unit"`
	Days         int      `json:"promised_days"`
	Documents    []string `json:"documents"`
	Delivery     string   `json:"delivery"`
	Illustrative bool     `json:"illustrative"`
	Active       *bool    `json:"active"`
}

func text(field, v string, n int, required bool) error {
	if required && strings.TrimSpace(v) == "" {
		return problem.Field(field, "is required")
	}
	if len([]rune(v)) > n {
		return problem.Field(field, "is longer than %d characters", n)
	}
	return nil
}

// Check validates an edit on its own (the department is checked against the town on save).
func (e *ItemEdit) Check() error {
	e.Code, e.Name, e.Aspect, e.Category = strings.TrimSpace(e.Code), strings.TrimSpace(e.Name), strings.TrimSpace(e.Aspect), strings.TrimSpace(e.Category)
	if e.Catalogue == "" {
		e.Catalogue = CatalogueJingcai
	}
	if !known(Catalogues, e.Catalogue) {
		return problem.Field("catalogue", "must be jingcai or health")
	}
	for _, f := range []struct {
		name, v  string
		n        int
		required bool
	}{{"aspect", e.Aspect, MaxName, true}, {"category", e.Category, MaxName, true}, {"code", e.Code, 20, true}, {"name", e.Name, MaxName, true},
		{"name_en", e.NameEN, MaxName, false}, {"summary", e.Summary, MaxText, false}, {"eligibility", e.Eligibility, MaxText, true},
		{"provider_department", e.Department, 40, true}, {"provider_unit", e.Unit, MaxName, false}} {
		if err := text(f.name, f.v, f.n, f.required); err != nil {
			return err
		}
	}
	for _, r := range e.Code {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == '-' || r == '.') {
			return problem.Field("code", "%q: letters, digits, '-' and '.' only", e.Code)
		}
	}
	if e.Days < 1 || e.Days > MaxDays {
		return problem.Field("promised_days", "must be between 1 and %d working days", MaxDays)
	}
	if !known(Deliveries, e.Delivery) {
		return problem.Field("delivery", "must be one of window, door, online, phone")
	}
	if len(e.Documents) > MaxDocuments {
		return problem.Field("documents", "lists %d documents; at most %d", len(e.Documents), MaxDocuments)
	}
	for i, d := range e.Documents {
		if err := text(fmt.Sprintf("documents[%d]", i+1), d, MaxName, true); err != nil {
			return err
		}
		if strings.ContainsAny(d, "\n、;；|") {
			return problem.Field(fmt.Sprintf("documents[%d]", i+1), "one document per entry (no 、 ; | or line breaks)")
		}
	}
	return nil
}

// SaveItem creates or updates (by code) an item of town, with its aspect and category, audited.
func (s *Service) SaveItem(ctx context.Context, towns []string, town string, e ItemEdit, by audit.Actor) (Item, error) {
	if !slices.Contains(towns, town) {
		return Item{}, problem.Field("town", "%q is not one of your towns", town)
	}
	if err := e.Check(); err != nil {
		return Item{}, err
	}
	var id int64
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		id, err = s.saveItem(ctx, tx, town, e, 0)
		if err != nil {
			return err
		}
		return by.Record(ctx, tx, audit.Entry{Action: audit.ActionUpdate, Entity: "service_item", EntityID: e.Code, TownCode: town,
			Detail: "saved " + e.Name})
	})
	if err != nil {
		return Item{}, err
	}
	return s.Item(ctx, id)
}

// saveItem upserts one checked item; seq (when > 0) is its place in an import.
func (s *Service) saveItem(ctx context.Context, tx *store.Tx, town string, e ItemEdit, seq int) (int64, error) {
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM departments WHERE code = ? AND town_code = ?`, e.Department, town).Scan(&n); err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, problem.Field("provider_department", "%q is not a department of the town", e.Department)
	}
	aspect, err := upsert(ctx, tx, `SELECT id FROM service_aspects WHERE town_code = ? AND catalogue = ? AND name = ?`,
		`INSERT INTO service_aspects (town_code, catalogue, seq, name, illustrative) VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM service_aspects WHERE town_code = ?), ?, ?)`,
		[]any{town, e.Catalogue, e.Aspect}, []any{town, e.Catalogue, town, e.Aspect, store.Bool(e.Illustrative)})
	if err != nil {
		return 0, err
	}
	cat, err := upsert(ctx, tx, `SELECT id FROM service_categories WHERE aspect_id = ? AND name = ?`,
		`INSERT INTO service_categories (aspect_id, seq, name, illustrative) VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM service_categories WHERE aspect_id = ?), ?, ?)`,
		[]any{aspect, e.Category}, []any{aspect, aspect, e.Category, store.Bool(e.Illustrative)})
	if err != nil {
		return 0, err
	}
	active := true
	if e.Active != nil {
		active = *e.Active
	}
	docs := strings.Join(e.Documents, "\n")
	now := store.Millis(s.now())
	var id int64
	err = tx.QueryRow(ctx, `SELECT id FROM service_items WHERE town_code = ? AND code = ?`, town, e.Code).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if seq == 0 {
			if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(seq), 0) + 1 FROM service_items WHERE town_code = ?`, town).Scan(&seq); err != nil {
				return 0, err
			}
		}
		return insertID(ctx, tx, `INSERT INTO service_items (town_code, category_id, code, seq, name, name_en, summary, eligibility,
			provider_department, provider_unit, promised_days, documents, delivery, illustrative, active, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, town, cat, e.Code, seq, e.Name, e.NameEN, e.Summary, e.Eligibility,
			e.Department, e.Unit, e.Days, docs, e.Delivery, store.Bool(e.Illustrative), store.Bool(active), now)
	case err != nil:
		return 0, err
	}
	q := `UPDATE service_items SET category_id = ?, name = ?, name_en = ?, summary = ?, eligibility = ?, provider_department = ?,
		provider_unit = ?, promised_days = ?, documents = ?, delivery = ?, illustrative = ?, active = ?, updated_at = ?`
	args := []any{cat, e.Name, e.NameEN, e.Summary, e.Eligibility, e.Department, e.Unit, e.Days, docs, e.Delivery, store.Bool(e.Illustrative), store.Bool(active), now}
	if seq > 0 {
		q += `, seq = ?`
		args = append(args, seq)
	}
	_, err = tx.Exec(ctx, q+` WHERE id = ?`, append(args, id)...)
	return id, err
}

func upsert(ctx context.Context, tx *store.Tx, find, insert string, findArgs, insertArgs []any) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, find, findArgs...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return insertID(ctx, tx, insert, insertArgs...)
	}
	return id, err
}

// EditOf is the edit that would save it as it is.
func EditOf(it Item) ItemEdit {
	active := it.Active
	return ItemEdit{Catalogue: it.Catalogue, Aspect: it.AspectName, Category: it.CategoryName, Code: it.Code, Name: it.Name, NameEN: it.NameEN,
		Summary: it.Summary, Eligibility: it.Eligibility, Department: it.Department, Unit: it.Unit, Days: it.Days, Documents: it.Documents,
		Delivery: it.Delivery, Illustrative: it.Illustrative, Active: &active}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// insertID runs an INSERT … and returns the new row's id (RETURNING, on both databases).
func insertID(ctx context.Context, tx *store.Tx, q string, args ...any) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, q+` RETURNING id`, args...).Scan(&id)
	return id, err
}

// Towns lists the towns that have a catalogue, by code.
func (s *Service) Towns(ctx context.Context) ([]string, error) {
	rows, err := s.DB.Query(ctx, `SELECT DISTINCT town_code FROM service_items ORDER BY town_code`)
	if err != nil {
		return nil, err
	}
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, t)
	}
	return out, closeRows(rows)
}
