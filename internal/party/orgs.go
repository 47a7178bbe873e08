package party

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// Org is a party organisation of a town.
type Org struct {
	ID        int64  `json:"id"`
	TownCode  string `json:"town"`
	ParentID  int64  `json:"parent_id,omitempty"`
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	Sector    string `json:"sector,omitempty"`
	Secretary string `json:"secretary"`
	Unit      string `json:"unit,omitempty"`
	Grid      string `json:"grid,omitempty"`
	Founded   string `json:"founded,omitempty"`
	// Reported is the member count the organisation reports (0: none reported), kept beside the
	// count of its roster, which may lag behind or run ahead of it.
	Reported int `json:"reported_members,omitempty"`
	// Members is the organisation's own member count; Total adds its descendants'.
	Members int `json:"members"`
	Total   int `json:"total"`
	// Honoured is how many of its own members were awarded 光荣在党50年 in the year asked (reached
	// 50 years of standing by that July 1 and not by the one before); HonouredTotal adds its
	// descendants'. Holders counts every member who holds the medal that year, descendants included.
	Honoured      int `json:"honoured"`
	HonouredTotal int `json:"honoured_total"`
	holders       int
	Holders       int    `json:"holders"`
	Depth         int    `json:"depth"`
	Children      []*Org `json:"children,omitempty"`
}

const orgCols = `id, town_code, COALESCE(parent_id, 0), name, kind, sector, secretary, unit, COALESCE(grid_code, ''), founded, reported_members`

func scanOrg(sc interface{ Scan(...any) error }) (Org, error) {
	var o Org
	err := sc.Scan(&o.ID, &o.TownCode, &o.ParentID, &o.Name, &o.Kind, &o.Sector, &o.Secretary, &o.Unit, &o.Grid, &o.Founded, &o.Reported)
	return o, err
}

// NewOrg is what a manager submits to add an organisation.
type NewOrg struct {
	TownCode  string `json:"town"`
	ParentID  int64  `json:"parent_id"`
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	Sector    string `json:"sector"`
	Secretary string `json:"secretary"`
	Unit      string `json:"unit"`
	Grid      string `json:"grid"`
	Founded   string `json:"founded"`
	Reported  int    `json:"reported_members"`
}

// CreateOrg adds an organisation under its parent (of the same town; a branch has no children).
func (s *Service) CreateOrg(ctx context.Context, towns []string, n NewOrg, by auth.User) (Org, error) {
	if err := checkManagerIn(by, towns, n.TownCode); err != nil {
		return Org{}, err
	}
	var err error
	if err := n.check(); err != nil {
		return Org{}, err
	}
	var id int64
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := checkParent(ctx, tx, n, 0); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `INSERT INTO party_orgs (town_code, parent_id, name, kind, sector, secretary, unit, grid_code, founded, reported_members, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, n.TownCode, nullID(n.ParentID), n.Name, n.Kind, n.Sector, n.Secretary, n.Unit,
			store.NullIfEmpty(n.Grid), n.Founded, n.Reported, s.now().UnixMilli()).Scan(&id)
		if store.IsUniqueViolation(err) {
			return problem.Field("name", "an organisation named %q exists already in this town", n.Name)
		}
		if store.IsForeignKeyViolation(err) {
			return problem.Field("grid", "%q is not a grid", n.Grid)
		}
		if err != nil {
			return fmt.Errorf("insert party organisation: %w", err)
		}
		return record(ctx, tx, by, audit.ActionCreate, "party_org", id, n.TownCode, n.Name)
	})
	if err != nil {
		return Org{}, err
	}
	return s.Org(ctx, towns, id, s.now().In(workcal.Location()).Year())
}

// Tree returns the organisations of towns as a forest (roots in name order, children by kind then
// name), each with its member counts and the 光荣在党50年 holders of year.
func (s *Service) Tree(ctx context.Context, towns []string, year int) ([]*Org, error) {
	all, err := s.orgs(ctx, towns, year)
	if err != nil {
		return nil, err
	}
	byID := map[int64]*Org{}
	for _, o := range all {
		byID[o.ID] = o
	}
	var roots []*Org
	for _, o := range all {
		if p := byID[o.ParentID]; p != nil {
			p.Children = append(p.Children, o)
		} else {
			roots = append(roots, o)
		}
	}
	var sum func(o *Org, depth int)
	sum = func(o *Org, depth int) {
		o.Depth, o.Total, o.HonouredTotal, o.Holders = depth, o.Members, o.Honoured, o.holders
		for _, c := range o.Children {
			sum(c, depth+1)
			o.Total += c.Total
			o.HonouredTotal += c.HonouredTotal
			o.Holders += c.Holders
		}
	}
	for _, r := range roots {
		sum(r, 0)
	}
	return roots, nil
}

// Flatten lists a forest depth first.
func Flatten(roots []*Org) []*Org {
	var out []*Org
	var walk func(o *Org)
	walk = func(o *Org) {
		out = append(out, o)
		for _, c := range o.Children {
			walk(c)
		}
	}
	for _, r := range roots {
		walk(r)
	}
	return out
}

func (s *Service) orgs(ctx context.Context, towns []string, year int) ([]*Org, error) {
	where, args := store.In("o.town_code", towns)
	cut, prev := HoldersCutoff(year), HoldersCutoff(year-1)
	if year == firstAwardYear {
		prev = "" // the first year's awards went to every holder
	}
	rows, err := s.DB.Query(ctx, `SELECT o.id, o.town_code, COALESCE(o.parent_id, 0), o.name, o.kind, o.sector, o.secretary, o.unit,
		COALESCE(o.grid_code, ''), o.founded, o.reported_members,
		(SELECT COUNT(*) FROM party_members m WHERE m.org_id = o.id),
		(SELECT COUNT(*) FROM party_members m WHERE m.org_id = o.id AND m.joined <= ? AND m.joined > ?),
		(SELECT COUNT(*) FROM party_members m WHERE m.org_id = o.id AND m.joined <= ?)
		FROM party_orgs o WHERE `+where+` ORDER BY CASE o.kind WHEN 'committee' THEN 0 WHEN 'general_branch' THEN 1 ELSE 2 END, o.sector, o.name`,
		append([]any{cut, prev, cut}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("party organisations: %w", err)
	}
	defer rows.Close()
	var out []*Org
	for rows.Next() {
		var o Org
		if err := rows.Scan(&o.ID, &o.TownCode, &o.ParentID, &o.Name, &o.Kind, &o.Sector, &o.Secretary, &o.Unit, &o.Grid, &o.Founded,
			&o.Reported, &o.Members, &o.Honoured, &o.holders); err != nil {
			return nil, err
		}
		out = append(out, &o)
	}
	return out, rows.Err()
}

// Org returns one organisation of towns with its counts (its subtree's included) for year.
func (s *Service) Org(ctx context.Context, towns []string, id int64, year int) (Org, error) {
	roots, err := s.Tree(ctx, towns, year)
	if err != nil {
		return Org{}, err
	}
	for _, o := range Flatten(roots) {
		if o.ID == id {
			return *o, nil
		}
	}
	return Org{}, problem.NotFound("party organisation %d", id)
}

// Member is a member on an organisation's roster.
type Member struct {
	ID     int64  `json:"id"`
	OrgID  int64  `json:"org_id"`
	Name   string `json:"name"`
	Phone  string `json:"phone"`
	Joined string `json:"joined"` // date of full membership
	// Gender (male, female), BirthDate and IDNumber (居民身份证号码) come from a roster import; ''
	// for members entered before them.
	Gender    string `json:"gender,omitempty"`
	BirthDate string `json:"birth_date,omitempty"`
	IDNumber  string `json:"id_number,omitempty"`
	// Org is the organisation's name, in a town's roster (TownRoster).
	Org string `json:"organisation,omitempty"`
	// Standing is the whole years of party standing on July 1 of the year asked; Honour says
	// whether the member holds 光荣在党50年 that year, Awarded whether it is the year they reached it.
	Standing int  `json:"standing"`
	Honour   bool `json:"honour"`
	Awarded  bool `json:"awarded"`
}

// NewMember is what a manager submits to add a member.
type NewMember struct {
	Name   string `json:"name"`
	Phone  string `json:"phone"`
	Joined string `json:"joined"`
}

// AddMember adds a member to organisation org of towns.
func (s *Service) AddMember(ctx context.Context, towns []string, org int64, n NewMember, by auth.User) (Member, error) {
	if err := checkManager(by); err != nil {
		return Member{}, err
	}
	var err error
	if n.Name, err = problem.Text("name", n.Name, MaxName, true); err != nil {
		return Member{}, err
	}
	if n.Phone, err = problem.Text("phone", n.Phone, 30, false); err != nil {
		return Member{}, err
	}
	j, err := ParseDate("joined", n.Joined)
	if err != nil {
		return Member{}, err
	}
	if j.After(s.now()) {
		return Member{}, problem.Field("joined", "%s is in the future", n.Joined)
	}
	n.Joined = j.Format(DateLayout)
	var m Member
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		town, err := orgTown(ctx, tx, towns, org)
		if err != nil {
			return err
		}
		m = Member{OrgID: org, Name: n.Name, Phone: n.Phone, Joined: n.Joined}
		if err := tx.QueryRow(ctx, `INSERT INTO party_members (org_id, name, phone, joined, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			org, n.Name, n.Phone, n.Joined, s.now().UnixMilli()).Scan(&m.ID); err != nil {
			return fmt.Errorf("insert party member: %w", err)
		}
		// The audit row names the record, not the person.
		return record(ctx, tx, by, audit.ActionCreate, "party_member", m.ID, town, fmt.Sprintf("organisation %d", org))
	})
	return m, err
}

// Roster lists the members of organisation org of towns (at most MaxRoster), oldest standing first,
// with their standing and honours in year; the organisation comes with it.
func (s *Service) Roster(ctx context.Context, towns []string, org int64, year int) (Org, []Member, error) {
	o, err := s.Org(ctx, towns, org, year)
	if err != nil {
		return Org{}, nil, err
	}
	rows, err := s.DB.Query(ctx, `SELECT id, org_id, name, phone, joined, gender, birth_date, COALESCE(id_number, '') FROM party_members WHERE org_id = ? ORDER BY joined, id LIMIT ?`, org, MaxRoster)
	if err != nil {
		return Org{}, nil, fmt.Errorf("roster of %d: %w", org, err)
	}
	defer rows.Close()
	var out []Member
	for rows.Next() {
		var m Member
		if err := rows.Scan(&m.ID, &m.OrgID, &m.Name, &m.Phone, &m.Joined, &m.Gender, &m.BirthDate, &m.IDNumber); err != nil {
			return Org{}, nil, err
		}
		m.honours(year)
		out = append(out, m)
	}
	return o, out, rows.Err()
}

// TownHonours is how many members of town hold 光荣在党50年 in year, and how many reached it that
// year (the year's awards), computed from the stored dates of full membership.
func (s *Service) TownHonours(ctx context.Context, town string, year int) (holders, awarded int, err error) {
	err = s.DB.QueryRow(ctx, `SELECT
		COALESCE(SUM(CASE WHEN m.joined <= ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN m.joined <= ? AND m.joined > ? THEN 1 ELSE 0 END), 0)
		FROM party_members m JOIN party_orgs o ON o.id = m.org_id WHERE o.town_code = ?`,
		HoldersCutoff(year), HoldersCutoff(year), HoldersCutoff(year-1), town).Scan(&holders, &awarded)
	if year == firstAwardYear {
		awarded = holders
	}
	return holders, awarded, err
}

// ImportMembers adds members to organisation org of towns in one transaction with one audit row
// (a roster handed over as a list); on any error none is added.
func (s *Service) ImportMembers(ctx context.Context, towns []string, org int64, ns []NewMember, by auth.User) (int, error) {
	if err := checkManager(by); err != nil {
		return 0, err
	}
	if len(ns) > MaxRoster {
		return 0, problem.Field("members", "at most %d members at once", MaxRoster)
	}
	for i := range ns {
		var err error
		f := fmt.Sprintf("members[%d]", i)
		if ns[i].Name, err = problem.Text(f+".name", ns[i].Name, MaxName, true); err != nil {
			return 0, err
		}
		if ns[i].Phone, err = problem.Text(f+".phone", ns[i].Phone, 30, false); err != nil {
			return 0, err
		}
		j, err := ParseDate(f+".joined", ns[i].Joined)
		if err != nil {
			return 0, err
		}
		ns[i].Joined = j.Format(DateLayout)
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		town, err := orgTown(ctx, tx, towns, org)
		if err != nil {
			return err
		}
		st, err := tx.Prepare(ctx, `INSERT INTO party_members (org_id, name, phone, joined, created_at) VALUES (?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer st.Close()
		now := s.now().UnixMilli()
		for _, n := range ns {
			if _, err := st.ExecContext(ctx, org, n.Name, n.Phone, n.Joined, now); err != nil {
				return fmt.Errorf("insert party member: %w", err)
			}
		}
		return record(ctx, tx, by, audit.ActionCreate, "party_member", 0, town, fmt.Sprintf("%d members of organisation %d", len(ns), org))
	})
	if err != nil {
		return 0, err
	}
	return len(ns), nil
}

// orgTown is the town of organisation org, which must be in towns.
func orgTown(ctx context.Context, q store.Querier, towns []string, org int64) (string, error) {
	var town string
	where, args := store.In("town_code", towns)
	err := q.QueryRow(ctx, `SELECT town_code FROM party_orgs WHERE id = ? AND `+where, append([]any{org}, args...)...).Scan(&town)
	if errors.Is(err, sql.ErrNoRows) {
		return "", problem.NotFound("party organisation %d", org)
	}
	return town, err
}
