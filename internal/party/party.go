// Package party is party building (党建引领) and new-sector coverage (两个覆盖), docs/PARTY.md: the
// tree of party organisations with their members and the honours their dates earn; the regional
// council (区域化党建联席会议) with member units, a convener that rotates by a stated rule, meetings
// and resolutions; co-building agreements (联建签约) with commitments; needs and resources matched
// into projects — resolutions, commitments and matches all become one kind of tracked task that the
// next meeting reviews —; the 新时代文明实践 network; and the organisational and work coverage of the
// town's office buildings, enterprises, street-merchant groups and new-employment groups, counted
// with the visits of the campaigns (internal/campaigns). Every call is scoped to the caller's towns.
package party

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/label"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// Label is a code with its Chinese and English names (internal/label's, shared by every capability).
type Label = label.Label

// LabelOf returns the name of code among ls in lang, or the code itself.
func LabelOf(ls []Label, code, lang string) string { return label.Of(ls, code, lang) }

// Organisation kinds, top to bottom.
const (
	KindCommittee     = "committee"      // 党委
	KindGeneralBranch = "general_branch" // 党总支
	KindBranch        = "branch"         // 党支部
)

// OrgKinds lists the organisation kinds.
var OrgKinds = []Label{
	{Code: KindCommittee, ZH: "党委", EN: "Party committee"},
	{Code: KindGeneralBranch, ZH: "党总支", EN: "General branch"},
	{Code: KindBranch, ZH: "党支部", EN: "Branch"},
}

// Sectors of an organisation: the 两新 (new economic and social organisations) sectors, or none.
var Sectors = []Label{
	{Code: "", ZH: "机关、居民区和单位", EN: "Organs, residents' areas and units"},
	{Code: "enterprise", ZH: "两新·企业", EN: "New sector · enterprise"},
	{Code: "building", ZH: "两新·楼宇", EN: "New sector · office building"},
	{Code: "new_employment", ZH: "两新·新就业群体", EN: "New sector · new-employment group"},
}

// Task statuses.
const (
	TaskOpen    = "open"    // 推进中
	TaskDone    = "done"    // 已完成
	TaskDropped = "dropped" // 已撤销
)

// TaskStatuses lists the task statuses.
var TaskStatuses = []Label{
	{Code: TaskOpen, ZH: "推进中", EN: "Open"},
	{Code: TaskDone, ZH: "已完成", EN: "Done"},
	{Code: TaskDropped, ZH: "已撤销", EN: "Dropped"},
}

// Limits of what one request may carry.
const (
	MaxName      = 100
	MaxText      = 2000
	MaxAttending = 200
	MaxParties   = 20
	// MaxCommitments bounds an agreement's commitments.
	MaxCommitments = 50
	MaxRoster      = 5000 // members one organisation page lists
)

// Service reads and changes party building and coverage records.
type Service struct {
	DB       *store.DB
	Calendar *workcal.Calendar
	// Now is the clock; tests set it.
	Now workcal.Clock
}

// New returns a service on db with the default working-day calendar.
func New(db *store.DB) *Service { return &Service{DB: db, Calendar: workcal.Default(), Now: time.Now} }

func (s *Service) now() time.Time { return s.Now.Time() }

func (s *Service) cal() *workcal.Calendar {
	if s.Calendar == nil {
		return workcal.Default()
	}
	return s.Calendar
}

// Today is the service's date in Shanghai, YYYY-MM-DD.
func (s *Service) Today() string { return s.now().In(workcal.Location()).Format(DateLayout) }

// MayManage reports whether u may record meetings, tasks, agreements and matches (party:manage).
func MayManage(u auth.User) bool { return u.Can(auth.PermPartyManage) }

func checkManager(u auth.User) error {
	if !MayManage(u) {
		return problem.Forbidden("party:manage is needed (role %s)", u.Role)
	}
	return nil
}

// checkManagerIn is checkManager for a record of town, which must be one of towns.
func checkManagerIn(u auth.User, towns []string, town string) error {
	if err := checkManager(u); err != nil {
		return err
	}
	if !slices.Contains(towns, town) {
		return problem.Field("town", "%q is not a town you may act in", town)
	}
	return nil
}

// DateLayout is how party dates are written.
const DateLayout = "2006-01-02"

// ParseDate reads a YYYY-MM-DD date of field in Shanghai.
func ParseDate(field, s string) (time.Time, error) {
	t, err := time.ParseInLocation(DateLayout, strings.TrimSpace(s), workcal.Location())
	if err != nil {
		return time.Time{}, problem.Field(field, "%q is not a date (YYYY-MM-DD)", s)
	}
	return t, nil
}

func actor(u auth.User) audit.Actor { return audit.Actor{ID: u.ID, Name: u.Username} }

func record(ctx context.Context, q store.Querier, u auth.User, action, entity string, id int64, town, detail string) error {
	return actor(u).Record(ctx, q, audit.Entry{Action: action, Entity: entity, EntityID: itoa(id), TownCode: town, Detail: detail})
}

func itoa(id int64) string {
	if id == 0 {
		return ""
	}
	var b [20]byte
	i := len(b)
	for id > 0 {
		i--
		b[i] = byte('0' + id%10)
		id /= 10
	}
	return string(b[i:])
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// Now is the service's clock.
func (s *Service) Clock() time.Time { return s.now() }
