// Package projects runs the town's livelihood projects up to the deputies' vote
// (为民办实事项目人大代表票决制, "群众点单、代表定单"): proposals from residents, grid workers,
// deputies, committees and departments, with supports, replies and merges (collect); department
// appraisals and a candidate list for a year with its seats and 差额 ratio (shortlist); and the
// ballot of a voting body — roll, quorum, paper or electronic secret ballots, the count with its
// re-vote of ties, a recount from the stored ballots, and publication (vote). What happens to a
// chosen project afterwards (政府买单、人大验单) belongs to the results package, which learns of
// the chosen ones through OnChosen. docs/PROJECTS.md describes the process and the rules.
//
// Amounts (estimated costs, appraised costs, budgets) are whole yuan (元).
package projects

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
)

// Label is a code with its Chinese and English names.
type Label struct{ Code, ZH, EN string }

// Name returns the label in the language ("zh" or "en").
func (l Label) Name(lang string) string {
	if lang == "en" {
		return l.EN
	}
	return l.ZH
}

// LabelOf returns the name of code among ls in lang, or the code itself.
func LabelOf(ls []Label, code, lang string) string {
	for _, l := range ls {
		if l.Code == code {
			return l.Name(lang)
		}
	}
	return code
}

func valid(ls []Label, code string) bool {
	for _, l := range ls {
		if l.Code == code {
			return true
		}
	}
	return false
}

func codes(ls []Label) string {
	var cs []string
	for _, l := range ls {
		cs = append(cs, l.Code)
	}
	return strings.Join(cs, ", ")
}

// Categories of livelihood projects.
var Categories = []Label{
	{"housing", "住房与小区", "Housing and estates"},
	{"greenery", "绿化与生态", "Greenery and ecology"},
	{"elderly", "养老助老", "Care for the elderly"},
	{"disability", "助残", "Disability support"},
	{"health", "健康与体育", "Health and sport"},
	{"culture", "文化", "Culture"},
	{"traffic", "交通与停车", "Traffic and parking"},
	{"safety", "平安与应急", "Safety"},
	{"services", "社区服务", "Community services"},
	{"other", "其他", "Other"},
}

// Sources of proposals.
const (
	SourceResident   = "resident"   // 居民 (signed in or on the public portal)
	SourceGridWorker = "gridworker" // 网格员代居民提出
	SourceDeputy     = "deputy"     // 人大代表
	SourceCommittee  = "committee"  // 居委会
	SourceDepartment = "department" // 职能部门
)

// Sources lists the proposal sources.
var Sources = []Label{
	{SourceResident, "居民", "Resident"},
	{SourceGridWorker, "网格员代居民", "Grid worker for a resident"},
	{SourceDeputy, "人大代表", "Deputy"},
	{SourceCommittee, "居委会", "Residents' committee"},
	{SourceDepartment, "职能部门", "Department"},
}

// Proposal statuses.
const (
	StatusOpen     = "open"     // 征集中, awaiting an answer
	StatusAccepted = "accepted" // 纳入候选: accepted into the shortlist
	StatusDeclined = "declined" // 不予采纳, with a reason
	StatusMerged   = "merged"   // 已合并 into another proposal
)

// Statuses lists the proposal statuses.
var Statuses = []Label{
	{StatusOpen, "征集中", "Open"},
	{StatusAccepted, "已纳入候选", "Shortlisted"},
	{StatusDeclined, "未采纳", "Declined"},
	{StatusMerged, "已合并", "Merged"},
}

// Feasibilities of an appraisal.
var Feasibilities = []Label{
	{"feasible", "可行", "Feasible"},
	{"conditional", "有条件可行", "Feasible with conditions"},
	{"infeasible", "不可行", "Not feasible"},
}

// Voting body kinds: a town has a congress; a subdistrict has none and uses a liaison station
// of deputies or a residents' council.
var BodyKinds = []Label{
	{"congress", "镇人民代表大会", "Town people's congress"},
	{"liaison", "人大代表联络站", "Deputies' liaison station"},
	{"council", "居民议事会", "Residents' council"},
}

// Ballot modes.
const (
	ModePaper      = "paper"      // 纸质票: tellers enter each ballot
	ModeElectronic = "electronic" // 电子表决: each member once, on a phone, inside the window
)

// Modes lists the ballot modes.
var Modes = []Label{{ModePaper, "纸质投票", "Paper ballots"}, {ModeElectronic, "电子表决", "Electronic voting"}}

// Pass bases: a project needs yes votes from more than half of all members, or (where the body's
// rules say so) of those present.
const (
	BaseAll     = "all"
	BasePresent = "present"
)

// Bases lists the pass bases.
var Bases = []Label{{BaseAll, "全体组成人员过半数", "More than half of all members"}, {BasePresent, "出席人员过半数", "More than half of those present"}}

// Session statuses.
const (
	SessionDraft     = "draft"     // roll and tellers being prepared
	SessionVoting    = "voting"    // a round is open or being counted
	SessionCounted   = "counted"   // every seat decided (or no more re-votes): ready to publish
	SessionPublished = "published" // the result is public
)

// SessionStatuses lists the session statuses.
var SessionStatuses = []Label{
	{SessionDraft, "筹备中", "In preparation"},
	{SessionVoting, "表决中", "Voting"},
	{SessionCounted, "已计票", "Counted"},
	{SessionPublished, "已公布", "Published"},
}

// Round statuses.
const (
	RoundOpen    = "open"
	RoundClosed  = "closed"
	RoundCounted = "counted"
)

// Limits on what one request may carry.
const (
	MaxTitle       = 60
	MaxText        = 2000
	MaxReply       = 1000
	MaxPlace       = 200
	MaxPhotos      = 3
	MaxMembers     = 500  // a body's roll
	MaxCandidates  = 60   // a candidate list
	MaxCost        = 1e10 // yuan: 100亿
	MaxNameLen     = 40
	MaxSessionName = 100
)

// Service reads and changes proposals, candidate lists and ballots.
type Service struct {
	DB *store.DB
	// Locator gives a town's grid locator (the HTTP layer shares its cache); nil builds one.
	Locator func(ctx context.Context, town string) (*places.Locator, error)
	// Now is the clock; tests set it.
	Now func() time.Time
}

// New returns a service on db.
func New(db *store.DB) *Service { return &Service{DB: db, Now: time.Now} }

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now().Truncate(time.Millisecond)
}

func (s *Service) locate(ctx context.Context, town string, lat, lng float64) (string, error) {
	var l *places.Locator
	var err error
	if s.Locator != nil {
		l, err = s.Locator(ctx, town)
	} else {
		var grids []places.Grid
		grids, err = places.Grids(ctx, s.DB, []string{town})
		l = places.NewLocator(grids)
	}
	if err != nil {
		return "", err
	}
	g, ok := l.Locate(lng, lat)
	if !ok {
		return "", nil
	}
	return g.Code, nil
}

func need(u auth.User, perm, what string) error {
	if !u.Can(perm) {
		return problem.Forbidden("your role (%s) may not %s (%s)", u.Role, what, perm)
	}
	return nil
}

// Chosen is a project the deputies chose, as the results package receives it when a session's
// result is published. Budget is whole yuan (元): the candidate's budget, else the appraised
// cost, else the proposal's estimate.
type Chosen struct {
	Town        string  `json:"town"`
	Year        int     `json:"year"`
	SessionID   int64   `json:"session_id"`
	ProjectID   int64   `json:"project_id"` // the proposal's id
	Title       string  `json:"title"`
	Description string  `json:"description"`
	Category    string  `json:"category"`
	Department  string  `json:"department"` // the owner department's code, "" if none named
	Budget      int64   `json:"budget"`     // yuan
	Grid        string  `json:"grid,omitempty"`
	Lat         float64 `json:"lat"`
	Lon         float64 `json:"lon"`
	// PublishedAt is when the session's result was published: the moment the project was chosen.
	PublishedAt time.Time `json:"published_at"`
}

// ChosenHook is told of the projects a session chose, inside the publishing transaction: an
// error rolls the publication back.
type ChosenHook func(ctx context.Context, tx *store.Tx, chosen []Chosen) error

var (
	hooksMu sync.RWMutex
	hooks   []ChosenHook
)

// OnChosen registers h to be called, in the order registered, inside the transaction that
// publishes a session's result, with the projects it chose. The results package registers its
// tracking here (wired in the shell), so that a chosen project is never retyped.
func OnChosen(h ChosenHook) {
	hooksMu.Lock()
	defer hooksMu.Unlock()
	hooks = append(hooks, h)
}

func runHooks(ctx context.Context, tx *store.Tx, chosen []Chosen) error {
	hooksMu.RLock()
	hs := append([]ChosenHook(nil), hooks...)
	hooksMu.RUnlock()
	for _, h := range hs {
		if err := h(ctx, tx, chosen); err != nil {
			return err
		}
	}
	return nil
}

// each reads the ids query gives and loads each one with get, in the query's order.
func each[T any](ctx context.Context, q store.Querier, get func(ctx context.Context, q store.Querier, towns []string, id int64) (T, error),
	towns []string, query string, args ...any) ([]T, error) {
	ids, err := idsOf(ctx, q, query, args...)
	if err != nil {
		return nil, err
	}
	out := []T{}
	for _, id := range ids {
		x, err := get(ctx, q, towns, id)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

// idsOf is the first column of query's rows.
func idsOf(ctx context.Context, q store.Querier, query string, args ...any) ([]int64, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
