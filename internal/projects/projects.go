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
	"sync"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/label"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
)

// Label is a code with its Chinese and English names (internal/label's, shared by every capability).
type Label = label.Label

// LabelOf returns the name of code among ls in lang, or the code itself.
func LabelOf(ls []Label, code, lang string) string { return label.Of(ls, code, lang) }

// Categories of livelihood projects.
var Categories = []Label{
	{Code: "housing", ZH: "住房与小区", EN: "Housing and estates"},
	{Code: "greenery", ZH: "绿化与生态", EN: "Greenery and ecology"},
	{Code: "elderly", ZH: "养老助老", EN: "Care for the elderly"},
	{Code: "disability", ZH: "助残", EN: "Disability support"},
	{Code: "health", ZH: "健康与体育", EN: "Health and sport"},
	{Code: "culture", ZH: "文化", EN: "Culture"},
	{Code: "traffic", ZH: "交通与停车", EN: "Traffic and parking"},
	{Code: "safety", ZH: "平安与应急", EN: "Safety"},
	{Code: "services", ZH: "社区服务", EN: "Community services"},
	{Code: "other", ZH: "其他", EN: "Other"},
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
	{Code: SourceResident, ZH: "居民", EN: "Resident"},
	{Code: SourceGridWorker, ZH: "网格员代居民", EN: "Grid worker for a resident"},
	{Code: SourceDeputy, ZH: "人大代表", EN: "Deputy"},
	{Code: SourceCommittee, ZH: "居委会", EN: "Residents' committee"},
	{Code: SourceDepartment, ZH: "职能部门", EN: "Department"},
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
	{Code: StatusOpen, ZH: "征集中", EN: "Open"},
	{Code: StatusAccepted, ZH: "已纳入候选", EN: "Shortlisted"},
	{Code: StatusDeclined, ZH: "未采纳", EN: "Declined"},
	{Code: StatusMerged, ZH: "已合并", EN: "Merged"},
}

// Feasibilities of an appraisal.
var Feasibilities = []Label{
	{Code: "feasible", ZH: "可行", EN: "Feasible"},
	{Code: "conditional", ZH: "有条件可行", EN: "Feasible with conditions"},
	{Code: "infeasible", ZH: "不可行", EN: "Not feasible"},
}

// Voting body kinds: a town has a congress; a subdistrict has none and uses a liaison station
// of deputies or a residents' council.
var BodyKinds = []Label{
	{Code: "congress", ZH: "镇人民代表大会", EN: "Town people's congress"},
	{Code: "liaison", ZH: "人大代表联络站", EN: "Deputies' liaison station"},
	{Code: "council", ZH: "居民议事会", EN: "Residents' council"},
}

// Ballot modes.
const (
	ModePaper      = "paper"      // 纸质票: tellers enter each ballot
	ModeElectronic = "electronic" // 电子表决: each member once, on a phone, inside the window
)

// Modes lists the ballot modes.
var Modes = []Label{{Code: ModePaper, ZH: "纸质投票", EN: "Paper ballots"}, {Code: ModeElectronic, ZH: "电子表决", EN: "Electronic voting"}}

// Pass bases: a project needs yes votes from more than half of all members, or (where the body's
// rules say so) of those present.
const (
	BaseAll     = "all"
	BasePresent = "present"
)

// Bases lists the pass bases.
var Bases = []Label{{Code: BaseAll, ZH: "全体组成人员过半数", EN: "More than half of all members"}, {Code: BasePresent, ZH: "出席人员过半数", EN: "More than half of those present"}}

// Session statuses.
const (
	SessionDraft     = "draft"     // roll and tellers being prepared
	SessionVoting    = "voting"    // a round is open or being counted
	SessionCounted   = "counted"   // every seat decided (or no more re-votes): ready to publish
	SessionPublished = "published" // the result is public
)

// SessionStatuses lists the session statuses.
var SessionStatuses = []Label{
	{Code: SessionDraft, ZH: "筹备中", EN: "In preparation"},
	{Code: SessionVoting, ZH: "表决中", EN: "Voting"},
	{Code: SessionCounted, ZH: "已计票", EN: "Counted"},
	{Code: SessionPublished, ZH: "已公布", EN: "Published"},
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
