// Package campaigns runs door-to-door visit campaigns (走访): 四百大走访, the "鑫"能量全覆盖走访服务
// 团队, the 两个覆盖 visits of the new sectors. A campaign of a town has a period, a team and
// targets — households from the address book, office buildings (楼宇), enterprises, street
// merchants (街区商户) and stations of the new-employment groups (新就业群体, e.g. 快递小哥) —
// and visitors log visits to them. A visit's finding becomes a work order in one tap, once;
// progress per grid is the share of targets visited and the orders raised.
package campaigns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/label"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// Label is a code with its Chinese and English names.
type Label = label.Label

// Campaign kinds.
const (
	KindFourHundred  = "four_hundred"  // 四百大走访
	KindFullCoverage = "full_coverage" // 全覆盖走访
	KindTwoCoverage  = "two_coverage"  // 新兴领域"两个覆盖"
	KindOther        = "other"         // 其他走访
)

// Kinds lists the campaign kinds.
var Kinds = []Label{
	{Code: KindFourHundred, ZH: "四百大走访", EN: "Four-hundred visits"},
	{Code: KindFullCoverage, ZH: "全覆盖走访", EN: "Full-coverage visits"},
	{Code: KindTwoCoverage, ZH: "两个覆盖", EN: "Two coverages (new sectors)"},
	{Code: KindOther, ZH: "其他走访", EN: "Other visits"},
}

// Target kinds.
const (
	TargetHousehold    = "household"       // 居民户
	TargetOffice       = "office_building" // 楼宇
	TargetEnterprise   = "enterprise"      // 企业
	TargetMerchant     = "merchant"        // 街区商户
	TargetRiderStation = "rider_station"   // 新就业群体驿站 (快递小哥, 外卖骑手)
)

// TargetKinds lists the target kinds.
var TargetKinds = []Label{
	{Code: TargetHousehold, ZH: "居民户", EN: "Household"},
	{Code: TargetOffice, ZH: "楼宇", EN: "Office building"},
	{Code: TargetEnterprise, ZH: "企业", EN: "Enterprise"},
	{Code: TargetMerchant, ZH: "街区商户", EN: "Street merchant"},
	{Code: TargetRiderStation, ZH: "新就业群体驿站", EN: "Delivery-rider station"},
}

// Visit statuses.
const (
	StatusVisited = "visited"  // 已走访
	StatusNotHome = "not_home" // 未遇 (不在家)
	StatusRefused = "refused"  // 拒访
)

// Statuses lists the visit statuses.
var Statuses = []Label{
	{Code: StatusVisited, ZH: "已走访", EN: "Visited"},
	{Code: StatusNotHome, ZH: "未遇", EN: "Not at home"},
	{Code: StatusRefused, ZH: "拒访", EN: "Refused"},
}

// StatusPending is the status of a target nobody has tried yet; it is not a visit status.
const StatusPending = "pending"

// LabelOf returns the label of code among ls, or the code itself.
func LabelOf(ls []Label, code, lang string) string { return label.Of(ls, code, lang) }

// ValidTargetKind reports whether k is one of [TargetKinds].
func ValidTargetKind(k string) bool { return label.Valid(TargetKinds, k) }

// Campaign is one visit campaign of a town.
type Campaign struct {
	ID          int64     `json:"id"`
	TownCode    string    `json:"town"`
	Name        string    `json:"name"`
	Kind        string    `json:"kind"`
	Description string    `json:"description"`
	Start       string    `json:"start"` // first day, YYYY-MM-DD (Shanghai)
	End         string    `json:"end"`   // last day, inclusive
	CreatedBy   int64     `json:"created_by,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	Team        []Member  `json:"team"`
	startsAt    time.Time
}

// Member is a user of a campaign's team.
type Member struct {
	UserID int64  `json:"user_id"`
	Name   string `json:"name"`
	Role   string `json:"role"`
	Grid   string `json:"grid,omitempty"`
}

// Service reads and changes campaigns.
type Service struct {
	DB     *store.DB
	Orders *orders.Store
	// Locator gives a town's grid locator (the HTTP layer shares its cache); nil builds one per call.
	Locator func(ctx context.Context, town string) (*places.Locator, error)
	// Now is the clock; tests set it.
	Now workcal.Clock
}

// New returns a service on db that raises orders through o.
func New(db *store.DB, o *orders.Store) *Service {
	return &Service{DB: db, Orders: o, Now: time.Now}
}

func (s *Service) now() time.Time { return s.Now.Time() }

func (s *Service) locator(ctx context.Context, q store.Querier, town string) (*places.Locator, error) {
	if s.Locator != nil {
		return s.Locator(ctx, town)
	}
	grids, err := places.Grids(ctx, q, []string{town})
	if err != nil {
		return nil, err
	}
	return places.NewLocator(grids), nil
}

// NewCampaign is what a planner submits.
type NewCampaign struct {
	TownCode    string  `json:"town"`
	Name        string  `json:"name"`
	Kind        string  `json:"kind"`
	Description string  `json:"description"`
	Start       string  `json:"start"`
	End         string  `json:"end"`
	Team        []int64 `json:"team"` // user ids
}

const dateLayout = "2006-01-02"

func parseDate(field, s string) (time.Time, error) {
	t, err := time.ParseInLocation(dateLayout, strings.TrimSpace(s), workcal.Location())
	if err != nil {
		return time.Time{}, problem.Field(field, "%q is not a date (YYYY-MM-DD)", s)
	}
	return t, nil
}

// MayPlan reports whether u may create, edit and delete campaigns and add targets
// (campaigns:plan): administrators and the dispatchers of the operations centre, who plan the
// town's visit campaigns.
func MayPlan(u auth.User) bool { return u.Can(auth.PermCampaignsPlan) }

// checkPlanner refuses an actor without campaigns:plan. The routes check the permission too;
// the service checks it again so that no other way in (a command, a job) skips it.
func checkPlanner(u auth.User) error {
	if !MayPlan(u) {
		return problem.Forbidden("your role (%s) may not plan visit campaigns (%s)", u.Role, auth.PermCampaignsPlan)
	}
	return nil
}

// checkCampaign trims n in place and checks it by the rules Create and Update share, so that
// both refuse the same input naming the same field; it returns the first and the last day.
func checkCampaign(towns []string, n *NewCampaign) (start, end time.Time, err error) {
	n.Name, n.Kind = strings.TrimSpace(n.Name), strings.TrimSpace(n.Kind)
	n.TownCode, n.Description = strings.TrimSpace(n.TownCode), strings.TrimSpace(n.Description)
	if n.TownCode == "" && len(towns) == 1 {
		n.TownCode = towns[0]
	}
	switch {
	case n.TownCode == "":
		return start, end, problem.Field("town", "is required")
	case !slices.Contains(towns, n.TownCode):
		return start, end, problem.Field("town", "%q is not one of your towns", n.TownCode)
	case n.Name == "":
		return start, end, problem.Field("name", "is required")
	case utf8.RuneCountInString(n.Name) > 100:
		return start, end, problem.Field("name", "is longer than 100 characters")
	case !label.Valid(Kinds, n.Kind):
		return start, end, problem.Field("kind", "unknown kind %q; one of %s", n.Kind, label.Codes(Kinds))
	case len(n.Team) > MaxTeam:
		return start, end, problem.Field("team", "has %d members; a campaign's team has at most %d (the town's grid staff visit without being named)", len(n.Team), MaxTeam)
	}
	if start, err = parseDate("start", n.Start); err != nil {
		return start, end, err
	}
	if end, err = parseDate("end", n.End); err != nil {
		return start, end, err
	}
	if end.Before(start) {
		return start, end, problem.Field("end", "%s is before the start %s", n.End, n.Start)
	}
	return start, end, nil
}

// lastMilli is the last millisecond of the day starting at end: ends_at is inclusive, so a
// campaign ending on a day runs through its evening.
func lastMilli(end time.Time) int64 { return end.AddDate(0, 0, 1).UnixMilli() - 1 }

// Create stores a campaign of one of towns with its team.
func (s *Service) Create(ctx context.Context, towns []string, n NewCampaign, by auth.User) (Campaign, error) {
	if err := checkPlanner(by); err != nil {
		return Campaign{}, err
	}
	start, end, err := checkCampaign(towns, &n)
	if err != nil {
		return Campaign{}, err
	}
	now := s.now().Truncate(time.Millisecond)
	c := Campaign{TownCode: n.TownCode, Name: n.Name, Kind: n.Kind, Description: n.Description,
		Start: start.Format(dateLayout), End: end.Format(dateLayout), CreatedBy: by.ID, CreatedAt: now, startsAt: start}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO campaigns (town_code, name, kind, description, starts_at, ends_at, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
			c.TownCode, c.Name, c.Kind, c.Description, start.UnixMilli(), lastMilli(end), store.NullIfZero(by.ID), now.UnixMilli()).Scan(&c.ID)
		if errors.Is(err, sql.ErrNoRows) {
			return problem.Field("name", "a campaign named %q exists already in this town", c.Name)
		}
		if err != nil {
			return fmt.Errorf("insert campaign: %w", err)
		}
		if err := setTeam(ctx, tx, c.ID, c.TownCode, n.Team); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: by.ID, Actor: by.Username, Action: audit.ActionCreate, Entity: "campaign",
			EntityID: fmt.Sprint(c.ID), TownCode: c.TownCode, Detail: c.Name})
	})
	if err != nil {
		return Campaign{}, err
	}
	c.Team, err = team(ctx, s.DB, c.ID)
	return c, err
}

// MaxTeam bounds a campaign's team: the team is named one by one in a form, and checking and
// writing it happens inside the campaign's write transaction, which must stay short.
const MaxTeam = 500

// setTeam adds the users to the team; each must be a user of the campaign's town. The team is
// checked with one query and written with one statement, so the transaction's length does not
// grow with a query per member.
func setTeam(ctx context.Context, q store.Querier, campaign int64, town string, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	var uniq []int64
	args := []any{town}
	for _, id := range ids {
		if !slices.Contains(uniq, id) {
			uniq = append(uniq, id)
			args = append(args, id)
		}
	}
	rows, err := q.Query(ctx, `SELECT id FROM users WHERE town_code = ? AND id IN (`+store.Placeholders(len(uniq))+`)`, args...)
	if err != nil {
		return fmt.Errorf("team of campaign %d: %w", campaign, err)
	}
	found := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		found[id] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for i, id := range ids {
		if !found[id] {
			return problem.Field("team", "entry %d: no user %d in this town", i+1, id)
		}
	}
	insert := append([]any{campaign}, args[1:]...)
	if _, err := q.Exec(ctx, `INSERT INTO campaign_team (campaign_id, user_id) SELECT ?, id FROM users WHERE id IN (`+store.Placeholders(len(uniq))+`)
		ON CONFLICT DO NOTHING`, insert...); err != nil {
		return fmt.Errorf("team of campaign %d: %w", campaign, err)
	}
	return nil
}

func team(ctx context.Context, q store.Querier, campaign int64) ([]Member, error) {
	rows, err := q.Query(ctx, `SELECT u.id, u.display_name, u.username, u.role, u.grid_code FROM campaign_team t JOIN users u ON u.id = t.user_id
		WHERE t.campaign_id = ? ORDER BY u.id`, campaign)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Member{}
	for rows.Next() {
		var m Member
		var username string
		var grid sql.NullString
		if err := rows.Scan(&m.UserID, &m.Name, &username, &m.Role, &grid); err != nil {
			return nil, err
		}
		if m.Name == "" {
			m.Name = username
		}
		m.Grid = grid.String
		out = append(out, m)
	}
	return out, rows.Err()
}

const campaignCols = `id, town_code, name, kind, description, starts_at, ends_at, created_by, created_at`

func scanCampaign(row interface{ Scan(...any) error }) (Campaign, error) {
	var c Campaign
	var start, end, created int64
	var by sql.NullInt64
	if err := row.Scan(&c.ID, &c.TownCode, &c.Name, &c.Kind, &c.Description, &start, &end, &by, &created); err != nil {
		return c, err
	}
	loc := workcal.Location()
	c.startsAt = time.UnixMilli(start).In(loc)
	c.Start = c.startsAt.Format(dateLayout)
	c.End = time.UnixMilli(end).In(loc).Format(dateLayout)
	c.CreatedBy, c.CreatedAt = by.Int64, time.UnixMilli(created)
	return c, nil
}

// Get returns a campaign of one of towns with its team; another town's campaign is not found.
func (s *Service) Get(ctx context.Context, towns []string, id int64) (Campaign, error) {
	return get(ctx, s.DB, towns, id)
}

func get(ctx context.Context, q store.Querier, towns []string, id int64) (Campaign, error) {
	where, args := store.In("town_code", towns)
	c, err := scanCampaign(q.QueryRow(ctx, `SELECT `+campaignCols+` FROM campaigns WHERE id = ? AND `+where, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return Campaign{}, problem.NotFound("campaign %d", id)
	}
	if err != nil {
		return Campaign{}, err
	}
	c.Team, err = team(ctx, q, id)
	return c, err
}

// Summary is a campaign with its overall progress, for lists.
type Summary struct {
	Campaign
	Totals
}

// List returns the campaigns of towns, newest first, with their overall progress.
func (s *Service) List(ctx context.Context, towns []string) ([]Summary, error) {
	where, args := store.In("c.town_code", towns)
	rows, err := s.DB.Query(ctx, `SELECT c.id, c.town_code, c.name, c.kind, c.description, c.starts_at, c.ends_at, c.created_by, c.created_at,
		(SELECT COUNT(*) FROM campaign_targets t WHERE t.campaign_id = c.id),
		(SELECT COUNT(*) FROM campaign_targets t WHERE t.campaign_id = c.id AND t.visited_at IS NOT NULL),
		(SELECT COUNT(*) FROM campaign_visits v WHERE v.campaign_id = c.id),
		(SELECT COUNT(*) FROM campaign_visits v WHERE v.campaign_id = c.id AND v.order_id IS NOT NULL)
		FROM campaigns c WHERE `+where+` ORDER BY c.starts_at DESC, c.id DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Summary{}
	for rows.Next() {
		var sm Summary
		var start, end, created int64
		var by sql.NullInt64
		if err := rows.Scan(&sm.ID, &sm.TownCode, &sm.Name, &sm.Kind, &sm.Description, &start, &end, &by, &created,
			&sm.Targets, &sm.Visited, &sm.Visits, &sm.Orders); err != nil {
			return nil, err
		}
		loc := workcal.Location()
		sm.Start, sm.End = time.UnixMilli(start).In(loc).Format(dateLayout), time.UnixMilli(end).In(loc).Format(dateLayout)
		sm.CreatedBy, sm.CreatedAt = by.Int64, time.UnixMilli(created)
		sm.Coverage = coverage(sm.Visited, sm.Targets)
		out = append(out, sm)
	}
	return out, rows.Err()
}

// MayVisit reports whether u may log visits in c: a member of its team, or the grid staff
// (网格员, 网格长) of its town.
func (s *Service) MayVisit(ctx context.Context, c Campaign, u auth.User) bool {
	if u.Disabled || !u.Can(auth.PermOrdersCreate) {
		return false
	}
	for _, m := range c.Team {
		if m.UserID == u.ID {
			return true
		}
	}
	return u.TownCode == c.TownCode && (u.Role == auth.RoleGridWorker || u.Role == auth.RoleGridLeader)
}

func coverage(visited, targets int) float64 {
	if targets == 0 {
		return 0
	}
	return float64(int(float64(visited)*1000/float64(targets)+0.5)) / 10
}
