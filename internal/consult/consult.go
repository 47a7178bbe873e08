// Package consult runs consultations (协商于民, 意见征询): a body of a town — the street-governance
// committee (街区治理委员会), the 协商于民 workstation of CPPCC members, a residents' committee —
// asks the residents of a town, a grid, a committee area or one building a questionnaire for a
// period; residents answer on their phone, grid workers enter paper answers (offline-tolerant, by
// a client-made id), one answer per person and, where the topic needs it, one per household;
// the results are tallied per question and the body publishes a summary and the decision taken,
// linked to the work it caused. A consent consultation (加装电梯) computes whether the building's
// households agreed by its threshold. docs/CONSULTATIONS.md describes the process.
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
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// Label is a code with its Chinese and English names.
type Label = label.Label

// LabelOf returns the name of code among ls in lang, or the code itself.
func LabelOf(ls []Label, code, lang string) string { return label.Of(ls, code, lang) }

// Kinds of bodies that run consultations.
const (
	BodyStreetCommittee = "street_committee"    // 街区治理委员会
	BodyWorkstation     = "workstation"         // "协商于民"政协委员工作站
	BodyResidents       = "residents_committee" // 居民委员会
	BodyOther           = "other"
)

// BodyKinds lists the kinds of bodies.
var BodyKinds = []Label{
	{Code: BodyStreetCommittee, ZH: "街区治理委员会", EN: "Street-governance committee"},
	{Code: BodyWorkstation, ZH: "协商于民工作站", EN: "Consultation workstation (协商于民)"},
	{Code: BodyResidents, ZH: "居民委员会", EN: "Residents' committee"},
	{Code: BodyOther, ZH: "其他", EN: "Other body"},
}

// Statuses of a consultation. Open is stored; Scheduled and Closed are also what an open
// consultation is before its opening and after its closing time (Consultation.Status).
const (
	StatusDraft     = "draft"
	StatusScheduled = "scheduled"
	StatusOpen      = "open"
	StatusClosed    = "closed"
	StatusDecided   = "decided"
)

// Statuses lists the statuses in their order.
var Statuses = []Label{
	{Code: StatusDraft, ZH: "草稿", EN: "Draft"},
	{Code: StatusScheduled, ZH: "即将开始", EN: "Scheduled"},
	{Code: StatusOpen, ZH: "征询中", EN: "Open"},
	{Code: StatusClosed, ZH: "已截止", EN: "Closed"},
	{Code: StatusDecided, ZH: "已公布决定", EN: "Decided"},
}

// Transition is a change of status: the action, the statuses it starts from (as a consultation
// is seen, Status) and the status it stores. The pages, the service and docs read this table.
type Transition struct {
	Action string
	From   []string
	To     string
}

// Transitions is the consultation's lifecycle.
var Transitions = []Transition{
	{"open", []string{StatusDraft}, StatusOpen},                      // publish: answers are taken from opens_at
	{"close", []string{StatusOpen, StatusScheduled}, StatusClosed},   // stop early (or it closes by itself at closes_at)
	{"reopen", []string{StatusClosed}, StatusOpen},                   // the closing time must be in the future
	{"decide", []string{StatusClosed, StatusDecided}, StatusDecided}, // publish summary and decision (again: a correction)
	{"withdraw", []string{StatusOpen, StatusScheduled}, StatusDraft}, // back to draft while nobody has answered
}

func transition(action string) (Transition, bool) {
	for _, t := range Transitions {
		if t.Action == action {
			return t, true
		}
	}
	return Transition{}, false
}

// Scopes: who may answer.
const (
	ScopeTown      = "town"      // residents of the town
	ScopeGrid      = "grid"      // residents of a grid (scope code: the grid's code)
	ScopeCommittee = "committee" // residents of a residents' committee area (its code)
	ScopeBuilding  = "building"  // the households of one building (its address, e.g. 天山西路144弄12号)
)

// Scopes lists the scopes.
var Scopes = []Label{
	{Code: ScopeTown, ZH: "全镇居民", EN: "Residents of the town"},
	{Code: ScopeGrid, ZH: "网格居民", EN: "Residents of a grid"},
	{Code: ScopeCommittee, ZH: "居委会辖区居民", EN: "Residents of a committee area"},
	{Code: ScopeBuilding, ZH: "本楼住户", EN: "Households of a building"},
}

// Link kinds: the work a consultation caused or serves.
const (
	LinkOrder    = "order"    // a work order (its number)
	LinkProject  = "project"  // a livelihood project (为民办实事项目)
	LinkResult   = "result"   // a tracked result of a project
	LinkProposal = "proposal" // a residents' proposal (群众点单)
	LinkOther    = "other"    // anything else (a web address, a document number)
)

// LinkKinds lists the link kinds.
var LinkKinds = []Label{
	{Code: LinkOrder, ZH: "工单", EN: "Work order"},
	{Code: LinkProject, ZH: "民生项目", EN: "Livelihood project"},
	{Code: LinkResult, ZH: "项目成果", EN: "Project result"},
	{Code: LinkProposal, ZH: "项目建议", EN: "Proposal"},
	{Code: LinkOther, ZH: "其他", EN: "Other"},
}

// Body is a body of a town that runs consultations.
type Body struct {
	ID       int64  `json:"id"`
	TownCode string `json:"town"`
	Name     string `json:"name"`
	Kind     string `json:"kind"`
}

// Link is a piece of work a consultation is linked to.
type Link struct {
	ID   int64  `json:"id"`
	Kind string `json:"kind"`
	Ref  string `json:"ref"`
	Note string `json:"note,omitempty"`
}

// Consultation is one consultation of a town.
type Consultation struct {
	ID          int64    `json:"id"`
	TownCode    string   `json:"town"`
	Body        Body     `json:"body"`
	Title       string   `json:"title"`
	Topic       string   `json:"topic,omitempty"`
	Description string   `json:"description,omitempty"`
	PlaceName   string   `json:"place,omitempty"`
	Lat         *float64 `json:"lat,omitempty"`
	Lng         *float64 `json:"lng,omitempty"`
	Grid        string   `json:"grid,omitempty"`
	ScopeKind   string   `json:"scope"`
	ScopeCode   string   `json:"scope_code,omitempty"`
	// PerHousehold: one answer per household (building + room); Anonymous: people who are not
	// signed in may answer.
	PerHousehold bool         `json:"per_household"`
	Anonymous    bool         `json:"anonymous"`
	Stored       string       `json:"-"`      // the stored status
	Status       string       `json:"status"` // as of now: scheduled and closed follow the times
	Opens        time.Time    `json:"opens"`
	Closes       time.Time    `json:"closes"`
	Questions    []Question   `json:"questions"`
	Consent      *ConsentRule `json:"consent,omitempty"`
	Summary      string       `json:"summary,omitempty"`
	Decision     string       `json:"decision,omitempty"`
	DecidedAt    *time.Time   `json:"decided_at,omitempty"`
	CreatedAt    time.Time    `json:"created_at"`
	UpdatedAt    time.Time    `json:"updated_at"`
	Links        []Link       `json:"links"`
	AnswerCount  int          `json:"answers"`
}

// Accepting reports whether the consultation takes answers now.
func (c Consultation) Accepting() bool { return c.Status == StatusOpen }

// Published reports whether its results and decision are public.
func (c Consultation) Published() bool { return c.Status == StatusDecided }

// Service reads and changes consultations.
type Service struct {
	DB *store.DB
	// Now is the clock; tests set it.
	Now workcal.Clock
}

// New returns a service on db.
func New(db *store.DB) *Service { return &Service{DB: db, Now: time.Now} }

func (s *Service) now() time.Time { return s.Now.Time() }

// MayManage reports whether u may create, edit, open, close and decide consultations.
func MayManage(u auth.User) bool { return u.Can(auth.PermConsultManage) }

func checkManager(u auth.User) error {
	if !MayManage(u) {
		return problem.Forbidden("your role (%s) may not manage consultations (%s)", u.Role, auth.PermConsultManage)
	}
	return nil
}

// Text limits.
const (
	MaxTitleLen       = 100
	MaxTopicLen       = 100
	MaxDescriptionLen = 4000
	MaxSummaryLen     = 4000
	MaxDecisionLen    = 4000
	MaxBodyName       = 60
	MaxLinks          = 20
	MaxRefLen         = 200
	MaxBodies         = 50
)

// Draft is what a manager submits to create or edit a consultation.
type Draft struct {
	TownCode     string       `json:"town"`
	BodyID       int64        `json:"body_id"`
	Title        string       `json:"title"`
	Topic        string       `json:"topic"`
	Description  string       `json:"description"`
	PlaceName    string       `json:"place"`
	Lat          *float64     `json:"lat"`
	Lng          *float64     `json:"lng"`
	Grid         string       `json:"grid"`
	ScopeKind    string       `json:"scope"`
	ScopeCode    string       `json:"scope_code"`
	PerHousehold bool         `json:"per_household"`
	Anonymous    bool         `json:"anonymous"`
	Opens        string       `json:"opens"`  // YYYY-MM-DD (Shanghai), from the day's start
	Closes       string       `json:"closes"` // YYYY-MM-DD, through the day's end
	Questions    []Question   `json:"questions"`
	Consent      *ConsentRule `json:"consent"`
}

const dateLayout = "2006-01-02"

func parseDate(f, s string) (time.Time, error) {
	t, err := time.ParseInLocation(dateLayout, strings.TrimSpace(s), workcal.Location())
	if err != nil {
		return t, problem.Field(f, "%q is not a date (YYYY-MM-DD)", s)
	}
	return t, nil
}

func tooLong(f, s string, n int) error {
	if utf8.RuneCountInString(s) > n {
		return problem.Field(f, "is longer than %d characters", n)
	}
	return nil
}

// check trims d and checks it; it returns the opening and closing instants.
func (s *Service) check(ctx context.Context, q store.Querier, towns []string, d *Draft) (opens, closes time.Time, err error) {
	d.TownCode, d.Title, d.Topic = strings.TrimSpace(d.TownCode), strings.TrimSpace(d.Title), strings.TrimSpace(d.Topic)
	d.Description, d.PlaceName, d.Grid = strings.TrimSpace(d.Description), strings.TrimSpace(d.PlaceName), strings.TrimSpace(d.Grid)
	d.ScopeKind, d.ScopeCode = strings.TrimSpace(d.ScopeKind), strings.TrimSpace(d.ScopeCode)
	if d.TownCode == "" && len(towns) == 1 {
		d.TownCode = towns[0]
	}
	if d.ScopeKind == "" {
		d.ScopeKind = ScopeTown
	}
	switch {
	case d.TownCode == "":
		return opens, closes, problem.Field("town", "is required")
	case !slices.Contains(towns, d.TownCode):
		return opens, closes, problem.Field("town", "%q is not one of your towns", d.TownCode)
	case d.Title == "":
		return opens, closes, problem.Field("title", "is required")
	case d.BodyID == 0:
		return opens, closes, problem.Field("body_id", "is required: the body that runs the consultation")
	case !label.Valid(Scopes, d.ScopeKind):
		return opens, closes, problem.Field("scope", "unknown scope %q; one of %s", d.ScopeKind, label.Codes(Scopes))
	case (d.Lat == nil) != (d.Lng == nil):
		return opens, closes, problem.Field("lat", "give both latitude and longitude, or neither")
	case d.Lat != nil && (*d.Lat < -90 || *d.Lat > 90 || *d.Lng < -180 || *d.Lng > 180):
		return opens, closes, problem.Field("lat", "is not a point on the map")
	}
	for _, c := range []struct {
		f, s string
		n    int
	}{{"title", d.Title, MaxTitleLen}, {"topic", d.Topic, MaxTopicLen}, {"description", d.Description, MaxDescriptionLen},
		{"place", d.PlaceName, MaxTitleLen}, {"scope_code", d.ScopeCode, MaxRefLen}} {
		if err := tooLong(c.f, c.s, c.n); err != nil {
			return opens, closes, err
		}
	}
	if err := q.QueryRow(ctx, `SELECT 1 FROM consult_bodies WHERE id = ? AND town_code = ?`, d.BodyID, d.TownCode).Scan(new(int)); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return opens, closes, problem.Field("body_id", "no body %d in this town", d.BodyID)
		}
		return opens, closes, err
	}
	if d.Grid != "" {
		if err := q.QueryRow(ctx, `SELECT 1 FROM grids WHERE code = ? AND town_code = ?`, d.Grid, d.TownCode).Scan(new(int)); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return opens, closes, problem.Field("grid", "no grid %q in this town", d.Grid)
			}
			return opens, closes, err
		}
	}
	switch d.ScopeKind {
	case ScopeTown:
		d.ScopeCode = ""
	case ScopeGrid, ScopeCommittee:
		table := map[string]string{ScopeGrid: "grids", ScopeCommittee: "committees"}[d.ScopeKind]
		err := q.QueryRow(ctx, `SELECT 1 FROM `+table+` WHERE code = ? AND town_code = ?`, d.ScopeCode, d.TownCode).Scan(new(int))
		if errors.Is(err, sql.ErrNoRows) {
			return opens, closes, problem.Field("scope_code", "no %s %q in this town", d.ScopeKind, d.ScopeCode)
		}
		if err != nil {
			return opens, closes, err
		}
	case ScopeBuilding:
		d.ScopeCode = NormalizeBuilding(d.ScopeCode)
		if d.ScopeCode == "" {
			return opens, closes, problem.Field("scope_code", "give the building's address (e.g. 天山西路144弄12号)")
		}
		d.PerHousehold = true
	}
	if opens, err = parseDate("opens", d.Opens); err != nil {
		return opens, closes, err
	}
	if closes, err = parseDate("closes", d.Closes); err != nil {
		return opens, closes, err
	}
	if closes.Before(opens) {
		return opens, closes, problem.Field("closes", "%s is before the opening %s", d.Closes, d.Opens)
	}
	closes = closes.AddDate(0, 0, 1).Add(-time.Millisecond)
	if d.Questions == nil {
		d.Questions = []Question{}
	}
	if err := CheckQuestionnaire(d.Questions); err != nil {
		return opens, closes, err
	}
	if d.Consent != nil {
		if err := d.Consent.check(d.Questions); err != nil {
			return opens, closes, err
		}
		d.PerHousehold = true
	}
	return opens, closes, nil
}

// Create stores a draft consultation.
func (s *Service) Create(ctx context.Context, towns []string, d Draft, by auth.User) (Consultation, error) {
	if err := checkManager(by); err != nil {
		return Consultation{}, err
	}
	var id int64
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		opens, closes, err := s.check(ctx, tx, towns, &d)
		if err != nil {
			return err
		}
		qs, consent, err := encode(d)
		if err != nil {
			return err
		}
		now := s.now().UnixMilli()
		err = tx.QueryRow(ctx, `INSERT INTO consultations (town_code, body_id, title, topic, description, place_name, lat, lng, grid_code,
			scope_kind, scope_code, per_household, anonymous, status, opens_at, closes_at, questionnaire, consent, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
			d.TownCode, d.BodyID, d.Title, d.Topic, d.Description, d.PlaceName, d.Lat, d.Lng, store.NullIfEmpty(d.Grid),
			d.ScopeKind, d.ScopeCode, store.Bool(d.PerHousehold), store.Bool(d.Anonymous), StatusDraft, opens.UnixMilli(), closes.UnixMilli(),
			qs, consent, store.NullIfZero(by.ID), now, now).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return problem.Field("title", "a consultation titled %q exists already in this town", d.Title)
		}
		if err != nil {
			return fmt.Errorf("insert consultation: %w", err)
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: by.ID, Actor: by.Username, Action: audit.ActionCreate, Entity: "consultation",
			EntityID: fmt.Sprint(id), TownCode: d.TownCode, Detail: d.Title})
	})
	if err != nil {
		return Consultation{}, err
	}
	return s.Get(ctx, towns, id)
}

func encode(d Draft) (qs, consent string, err error) {
	b, err := json.Marshal(d.Questions)
	if err != nil {
		return "", "", err
	}
	if d.Consent != nil {
		c, err := json.Marshal(d.Consent)
		if err != nil {
			return "", "", err
		}
		consent = string(c)
	}
	return string(b), consent, nil
}

// Update replaces a consultation's details and questionnaire. The questionnaire, the scope and
// the household rule change only while it is a draft (answers were given to the questions as
// they were); afterwards only the texts, the place and the closing date may change.
func (s *Service) Update(ctx context.Context, towns []string, id int64, d Draft, by auth.User) (Consultation, error) {
	if err := checkManager(by); err != nil {
		return Consultation{}, err
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		old, err := s.get(ctx, tx, towns, id)
		if err != nil {
			return err
		}
		if old.Stored != StatusDraft {
			if old.Stored == StatusDecided {
				return problem.Conflict("consultation %d is decided; its record stays as published", id)
			}
			// Only the texts, the place and the closing date: the rest stays as it was answered.
			d.TownCode, d.BodyID, d.ScopeKind, d.ScopeCode = old.TownCode, old.Body.ID, old.ScopeKind, old.ScopeCode
			d.PerHousehold, d.Anonymous, d.Questions, d.Consent = old.PerHousehold, old.Anonymous, old.Questions, old.Consent
			d.Opens = old.Opens.In(workcal.Location()).Format(dateLayout)
		}
		opens, closes, err := s.check(ctx, tx, towns, &d)
		if err != nil {
			return err
		}
		if d.TownCode != old.TownCode {
			return problem.Field("town", "a consultation stays in its town")
		}
		qs, consent, err := encode(d)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE consultations SET body_id = ?, title = ?, topic = ?, description = ?, place_name = ?, lat = ?, lng = ?,
			grid_code = ?, scope_kind = ?, scope_code = ?, per_household = ?, anonymous = ?, opens_at = ?, closes_at = ?, questionnaire = ?,
			consent = ?, updated_at = ? WHERE id = ?`,
			d.BodyID, d.Title, d.Topic, d.Description, d.PlaceName, d.Lat, d.Lng, store.NullIfEmpty(d.Grid), d.ScopeKind, d.ScopeCode,
			store.Bool(d.PerHousehold), store.Bool(d.Anonymous), opens.UnixMilli(), closes.UnixMilli(), qs, consent, s.now().UnixMilli(), id)
		if store.IsUniqueViolation(err) {
			return problem.Field("title", "a consultation titled %q exists already in this town", d.Title)
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: by.ID, Actor: by.Username, Action: audit.ActionUpdate, Entity: "consultation",
			EntityID: fmt.Sprint(id), TownCode: old.TownCode, Detail: d.Title})
	})
	if err != nil {
		return Consultation{}, err
	}
	return s.Get(ctx, towns, id)
}

// DraftOf is c as a draft to edit.
func DraftOf(c Consultation) Draft {
	loc := workcal.Location()
	return Draft{TownCode: c.TownCode, BodyID: c.Body.ID, Title: c.Title, Topic: c.Topic, Description: c.Description, PlaceName: c.PlaceName,
		Lat: c.Lat, Lng: c.Lng, Grid: c.Grid, ScopeKind: c.ScopeKind, ScopeCode: c.ScopeCode, PerHousehold: c.PerHousehold, Anonymous: c.Anonymous,
		Opens: c.Opens.In(loc).Format(dateLayout), Closes: c.Closes.In(loc).Format(dateLayout), Questions: slices.Clone(c.Questions), Consent: c.Consent}
}

// Delete removes a draft consultation.
func (s *Service) Delete(ctx context.Context, towns []string, id int64, by auth.User) error {
	if err := checkManager(by); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		c, err := s.get(ctx, tx, towns, id)
		if err != nil {
			return err
		}
		if c.Stored != StatusDraft {
			return problem.Conflict("consultation %d is %s: only a draft is deleted", id, c.Status)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM consultations WHERE id = ?`, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: by.ID, Actor: by.Username, Action: audit.ActionDelete, Entity: "consultation",
			EntityID: fmt.Sprint(id), TownCode: c.TownCode, Detail: c.Title})
	})
}

// Decision is what a body publishes when it has decided.
type Decision struct {
	Summary  string `json:"summary"`
	Decision string `json:"decision"`
}

// Act applies a transition (Transitions) to consultation id; "decide" takes the decision.
func (s *Service) Act(ctx context.Context, towns []string, id int64, action string, dec Decision, by auth.User) (Consultation, error) {
	if err := checkManager(by); err != nil {
		return Consultation{}, err
	}
	t, ok := transition(action)
	if !ok {
		return Consultation{}, problem.Field("action", "unknown action %q", action)
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		c, err := s.get(ctx, tx, towns, id)
		if err != nil {
			return err
		}
		if !slices.Contains(t.From, c.Status) {
			return problem.Conflict("consultation %d is %s: %s needs one of %s", id, c.Status, action, strings.Join(t.From, ", "))
		}
		now := s.now()
		set, args := `status = ?, updated_at = ?`, []any{t.To, now.UnixMilli()}
		switch action {
		case "open":
			if len(c.Questions) == 0 {
				return problem.Field("questions", "a consultation opens with at least one question")
			}
			if !c.Closes.After(now) {
				return problem.Field("closes", "the closing date has passed: set a later one before opening")
			}
		case "close":
			if c.Closes.After(now) {
				set += `, closes_at = ?`
				args = append(args, now.UnixMilli())
			}
		case "reopen":
			if !c.Closes.After(now) {
				return problem.Field("closes", "the closing date has passed: set a later one before reopening")
			}
		case "withdraw":
			if c.AnswerCount > 0 {
				return problem.Conflict("consultation %d has %d answers: close it instead", id, c.AnswerCount)
			}
		case "decide":
			dec.Summary, dec.Decision = strings.TrimSpace(dec.Summary), strings.TrimSpace(dec.Decision)
			switch {
			case dec.Summary == "":
				return problem.Field("summary", "is required: what the residents said")
			case dec.Decision == "":
				return problem.Field("decision", "is required: the decision taken")
			}
			if err := tooLong("summary", dec.Summary, MaxSummaryLen); err != nil {
				return err
			}
			if err := tooLong("decision", dec.Decision, MaxDecisionLen); err != nil {
				return err
			}
			set += `, summary = ?, decision = ?, decided_at = ?, decided_by = ?`
			args = append(args, dec.Summary, dec.Decision, now.UnixMilli(), store.NullIfZero(by.ID))
		}
		args = append(args, id, c.Stored)
		res, err := tx.Exec(ctx, `UPDATE consultations SET `+set+` WHERE id = ? AND status = ?`, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return problem.Conflict("consultation %d changed meanwhile", id)
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: by.ID, Actor: by.Username, Action: audit.ActionUpdate, Entity: "consultation",
			EntityID: fmt.Sprint(id), TownCode: c.TownCode, Detail: action})
	})
	if err != nil {
		return Consultation{}, err
	}
	return s.Get(ctx, towns, id)
}

// AddLink links consultation id to a piece of work. An order link must name an order of the
// consultation's town by its number.
func (s *Service) AddLink(ctx context.Context, towns []string, id int64, l Link, by auth.User) (Link, error) {
	if err := checkManager(by); err != nil {
		return Link{}, err
	}
	l.Kind, l.Ref, l.Note = strings.TrimSpace(l.Kind), strings.TrimSpace(l.Ref), strings.TrimSpace(l.Note)
	switch {
	case !label.Valid(LinkKinds, l.Kind):
		return Link{}, problem.Field("kind", "unknown kind %q; one of %s", l.Kind, label.Codes(LinkKinds))
	case l.Ref == "":
		return Link{}, problem.Field("ref", "is required: the order number, or the project's or result's reference")
	}
	if err := tooLong("ref", l.Ref, MaxRefLen); err != nil {
		return Link{}, err
	}
	if err := tooLong("note", l.Note, MaxRefLen); err != nil {
		return Link{}, err
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		c, err := s.get(ctx, tx, towns, id)
		if err != nil {
			return err
		}
		if len(c.Links) >= MaxLinks {
			return problem.Field("ref", "a consultation has at most %d links", MaxLinks)
		}
		if l.Kind == LinkOrder {
			err := tx.QueryRow(ctx, `SELECT 1 FROM orders WHERE town_code = ? AND number = ?`, c.TownCode, l.Ref).Scan(new(int))
			if errors.Is(err, sql.ErrNoRows) {
				return problem.Field("ref", "no work order numbered %q in this town", l.Ref)
			}
			if err != nil {
				return err
			}
		}
		err = tx.QueryRow(ctx, `INSERT INTO consult_links (consultation_id, kind, ref, note, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING RETURNING id`, id, l.Kind, l.Ref, l.Note, s.now().UnixMilli()).Scan(&l.ID)
		if errors.Is(err, sql.ErrNoRows) {
			return problem.Field("ref", "%s %q is linked already", l.Kind, l.Ref)
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: by.ID, Actor: by.Username, Action: audit.ActionUpdate, Entity: "consultation",
			EntityID: fmt.Sprint(id), TownCode: c.TownCode, Detail: "link " + l.Kind + " " + l.Ref})
	})
	return l, err
}

// RemoveLink removes link lid of consultation id.
func (s *Service) RemoveLink(ctx context.Context, towns []string, id, lid int64, by auth.User) error {
	if err := checkManager(by); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		c, err := s.get(ctx, tx, towns, id)
		if err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `DELETE FROM consult_links WHERE id = ? AND consultation_id = ?`, lid, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return problem.NotFound("link %d", lid)
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: by.ID, Actor: by.Username, Action: audit.ActionUpdate, Entity: "consultation",
			EntityID: fmt.Sprint(id), TownCode: c.TownCode, Detail: fmt.Sprintf("unlink %d", lid)})
	})
}

// LinkedTo lists the consultations of towns linked to a piece of work (kind, ref): what an order
// or a project page shows.
func (s *Service) LinkedTo(ctx context.Context, towns []string, kind, ref string) ([]Consultation, error) {
	where, args := store.In("c.town_code", towns)
	return s.list(ctx, s.DB, `WHERE `+where+` AND c.id IN (SELECT consultation_id FROM consult_links WHERE kind = ? AND ref = ?)`, append(args, kind, ref)...)
}
