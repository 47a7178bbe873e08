package party

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
)

// Council is a town's regional party-building council (区域化党建联席会议).
type Council struct {
	ID        int64      `json:"id"`
	TownCode  string     `json:"town"`
	Name      string     `json:"name"`
	TermStart string     `json:"term_start,omitempty"`
	TermEnd   string     `json:"term_end,omitempty"`
	Secretary string     `json:"secretary,omitempty"` // who keeps its records (the council's secretary)
	Units     []Unit     `json:"units"`
	Conveners []Convener `json:"conveners"` // oldest first
	// Current is the convener now (nil: none yet); Next the unit next in turn by the rotation rule.
	Current  *Convener `json:"current,omitempty"`
	Next     *Unit     `json:"next,omitempty"`
	Meetings []Meeting `json:"meetings"` // newest first
}

// Unit is a member unit of a council.
type Unit struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	OrgID   int64  `json:"org_id,omitempty"`
	Joined  string `json:"joined"`
	Left    string `json:"left,omitempty"`
	TermEnd string `json:"term_end,omitempty"`
}

// Active reports whether the unit is a member on day (joined on or before it, not left by it).
func (u Unit) Active(day string) bool {
	return u.Joined <= day && (u.Left == "" || u.Left > day)
}

// Convener is one turn of a unit as the council's rotating convener (轮值召集人).
type Convener struct {
	UnitID int64  `json:"unit_id"`
	Unit   string `json:"unit"`
	From   string `json:"from"`
	To     string `json:"to,omitempty"`
	Note   string `json:"note,omitempty"`
}

// The rotation rule (docs/PARTY.md): the convener passes to the member units in the order they
// joined the council (date of joining, then the order they were entered), starting after the
// current convener and wrapping round to the first; a unit that has left by the day of the
// handover, or has not joined yet, is skipped. With no convener yet the first member unit starts.
// When the current convener is the only member left it stays; with no member units there is none.

// SortUnits puts units in the rotation order: joined, then id.
func SortUnits(units []Unit) {
	slices.SortStableFunc(units, func(a, b Unit) int {
		if c := strings.Compare(a.Joined, b.Joined); c != 0 {
			return c
		}
		return int(a.ID - b.ID)
	})
}

// NextInTurn is the unit that takes over from current (a unit id, 0: none) on day by the rotation
// rule; false when no unit is a member on day.
func NextInTurn(units []Unit, current int64, day string) (Unit, bool) {
	us := slices.Clone(units)
	SortUnits(us)
	start := 0
	for i, u := range us {
		if u.ID == current {
			start = i + 1
			break
		}
	}
	for k := 0; k < len(us); k++ {
		u := us[(start+k)%len(us)]
		if u.Active(day) {
			return u, true
		}
	}
	return Unit{}, false
}

// Councils lists the councils of towns (without their details).
func (s *Service) Councils(ctx context.Context, towns []string) ([]Council, error) {
	where, args := store.In("town_code", towns)
	rows, err := s.DB.Query(ctx, `SELECT id, town_code, name, term_start, term_end, secretary FROM party_councils WHERE `+where+` ORDER BY town_code, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("councils: %w", err)
	}
	defer rows.Close()
	var out []Council
	for rows.Next() {
		var c Council
		if err := rows.Scan(&c.ID, &c.TownCode, &c.Name, &c.TermStart, &c.TermEnd, &c.Secretary); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// NewCouncil is what a manager submits to set up a council.
type NewCouncil struct {
	TownCode  string `json:"town"`
	Name      string `json:"name"`
	TermStart string `json:"term_start"`
	TermEnd   string `json:"term_end"`
	Secretary string `json:"secretary"`
}

// CreateCouncil sets up a council of a town.
func (s *Service) CreateCouncil(ctx context.Context, towns []string, n NewCouncil, by auth.User) (int64, error) {
	if err := checkManagerIn(by, towns, n.TownCode); err != nil {
		return 0, err
	}
	var err error
	if n.Name, err = problem.Text("name", n.Name, MaxName, true); err != nil {
		return 0, err
	}
	if n.Secretary, err = problem.Text("secretary", n.Secretary, MaxName, false); err != nil {
		return 0, err
	}
	for f, d := range map[string]string{"term_start": n.TermStart, "term_end": n.TermEnd} {
		if d != "" {
			if _, err := ParseDate(f, d); err != nil {
				return 0, err
			}
		}
	}
	var id int64
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO party_councils (town_code, name, term_start, term_end, secretary, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			n.TownCode, n.Name, n.TermStart, n.TermEnd, n.Secretary, s.now().UnixMilli()).Scan(&id)
		if store.IsUniqueViolation(err) {
			return problem.Field("name", "a council named %q exists already in this town", n.Name)
		}
		if err != nil {
			return err
		}
		return record(ctx, tx, by, audit.ActionCreate, "party_council", id, n.TownCode, n.Name)
	})
	return id, err
}

// NewUnit is a member unit joining a council.
type NewUnit struct {
	Name    string `json:"name"`
	OrgID   int64  `json:"org_id"`
	Joined  string `json:"joined"`
	TermEnd string `json:"term_end"`
}

// AddUnit adds a member unit to council id of towns.
func (s *Service) AddUnit(ctx context.Context, towns []string, id int64, n NewUnit, by auth.User) (Unit, error) {
	if err := checkManager(by); err != nil {
		return Unit{}, err
	}
	var err error
	if n.Name, err = problem.Text("name", n.Name, MaxName, true); err != nil {
		return Unit{}, err
	}
	if _, err := ParseDate("joined", n.Joined); err != nil {
		return Unit{}, err
	}
	if n.TermEnd != "" {
		if _, err := ParseDate("term_end", n.TermEnd); err != nil {
			return Unit{}, err
		}
	}
	u := Unit{Name: n.Name, OrgID: n.OrgID, Joined: n.Joined, TermEnd: n.TermEnd}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		town, err := councilTown(ctx, tx, towns, id)
		if err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `INSERT INTO party_council_units (council_id, name, org_id, joined, term_end) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			id, n.Name, nullID(n.OrgID), n.Joined, n.TermEnd).Scan(&u.ID)
		if store.IsUniqueViolation(err) {
			return problem.Field("name", "%q is a member unit already", n.Name)
		}
		if store.IsForeignKeyViolation(err) {
			return problem.Field("org_id", "organisation %d does not exist", n.OrgID)
		}
		if err != nil {
			return err
		}
		return record(ctx, tx, by, audit.ActionCreate, "party_council_unit", u.ID, town, n.Name)
	})
	return u, err
}

// LeaveUnit records that unit left council id on day: it keeps its history but is skipped by the rotation.
func (s *Service) LeaveUnit(ctx context.Context, towns []string, id, unit int64, day string, by auth.User) error {
	if err := checkManager(by); err != nil {
		return err
	}
	if _, err := ParseDate("left", day); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		town, err := councilTown(ctx, tx, towns, id)
		if err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `UPDATE party_council_units SET left_on = ? WHERE id = ? AND council_id = ? AND left_on = ''`, day, unit, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return problem.NotFound("member unit %d", unit)
		}
		return record(ctx, tx, by, audit.ActionUpdate, "party_council_unit", unit, town, "left "+day)
	})
}

func councilTown(ctx context.Context, q store.Querier, towns []string, id int64) (string, error) {
	where, args := store.In("town_code", towns)
	var town string
	err := q.QueryRow(ctx, `SELECT town_code FROM party_councils WHERE id = ? AND `+where, append([]any{id}, args...)...).Scan(&town)
	if errors.Is(err, sql.ErrNoRows) {
		return "", problem.NotFound("council %d", id)
	}
	return town, err
}

// Council returns council id of towns with its units, convener history, the next in turn (as of
// today) and its meetings.
func (s *Service) Council(ctx context.Context, towns []string, id int64) (Council, error) {
	where, args := store.In("town_code", towns)
	var c Council
	err := s.DB.QueryRow(ctx, `SELECT id, town_code, name, term_start, term_end, secretary FROM party_councils WHERE id = ? AND `+where,
		append([]any{id}, args...)...).Scan(&c.ID, &c.TownCode, &c.Name, &c.TermStart, &c.TermEnd, &c.Secretary)
	if errors.Is(err, sql.ErrNoRows) {
		return Council{}, problem.NotFound("council %d", id)
	}
	if err != nil {
		return Council{}, err
	}
	if c.Units, err = units(ctx, s.DB, id); err != nil {
		return Council{}, err
	}
	rows, err := s.DB.Query(ctx, `SELECT v.unit_id, u.name, v.from_date, v.to_date, v.note FROM party_conveners v
		JOIN party_council_units u ON u.id = v.unit_id WHERE v.council_id = ? ORDER BY v.from_date, v.id`, id)
	if err != nil {
		return Council{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var v Convener
		if err := rows.Scan(&v.UnitID, &v.Unit, &v.From, &v.To, &v.Note); err != nil {
			return Council{}, err
		}
		c.Conveners = append(c.Conveners, v)
	}
	if err := rows.Err(); err != nil {
		return Council{}, err
	}
	var cur int64
	if n := len(c.Conveners); n > 0 && c.Conveners[n-1].To == "" {
		v := c.Conveners[n-1]
		c.Current, cur = &v, v.UnitID
	}
	if next, ok := NextInTurn(c.Units, cur, s.Today()); ok {
		c.Next = &next
	}
	if c.Meetings, err = s.meetings(ctx, id); err != nil {
		return Council{}, err
	}
	return c, nil
}

func units(ctx context.Context, q store.Querier, council int64) ([]Unit, error) {
	rows, err := q.Query(ctx, `SELECT id, name, COALESCE(org_id, 0), joined, left_on, term_end FROM party_council_units WHERE council_id = ?`, council)
	if err != nil {
		return nil, fmt.Errorf("units of council %d: %w", council, err)
	}
	defer rows.Close()
	var out []Unit
	for rows.Next() {
		var u Unit
		if err := rows.Scan(&u.ID, &u.Name, &u.OrgID, &u.Joined, &u.Left, &u.TermEnd); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	SortUnits(out)
	return out, rows.Err()
}

// HandOver passes council id's convener to the next unit in turn on day (the rotation rule), or to
// unit when it is not 0 (a council may decide otherwise; the note says why). It returns the new turn.
func (s *Service) HandOver(ctx context.Context, towns []string, id int64, day string, unit int64, note string, by auth.User) (Convener, error) {
	if err := checkManager(by); err != nil {
		return Convener{}, err
	}
	if _, err := ParseDate("day", day); err != nil {
		return Convener{}, err
	}
	var err error
	if note, err = problem.Text("note", note, MaxText, false); err != nil {
		return Convener{}, err
	}
	var turn Convener
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		town, us, err := councilUnits(ctx, tx, towns, id)
		if err != nil {
			return err
		}
		var cur int64
		var from string
		err = tx.QueryRow(ctx, `SELECT unit_id, from_date FROM party_conveners WHERE council_id = ? AND to_date = '' ORDER BY from_date DESC, id DESC LIMIT 1`, id).Scan(&cur, &from)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if from != "" && day < from {
			return problem.Field("day", "the current convener took over on %s; a handover cannot be earlier", from)
		}
		var next Unit
		if unit != 0 {
			i := slices.IndexFunc(us, func(u Unit) bool { return u.ID == unit })
			if i < 0 || !us[i].Active(day) {
				return problem.Field("unit", "unit %d is not a member of this council on %s", unit, day)
			}
			next = us[i]
		} else {
			var ok bool
			if next, ok = NextInTurn(us, cur, day); !ok {
				return problem.Field("day", "no unit is a member of this council on %s", day)
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE party_conveners SET to_date = ? WHERE council_id = ? AND to_date = ''`, day, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO party_conveners (council_id, unit_id, from_date, note) VALUES (?, ?, ?, ?)`, id, next.ID, day, note); err != nil {
			return err
		}
		turn = Convener{UnitID: next.ID, Unit: next.Name, From: day, Note: note}
		return record(ctx, tx, by, audit.ActionUpdate, "party_council", id, town, "convener → "+next.Name+" from "+day)
	})
	return turn, err
}

// councilUnits is the town and the member units (in rotation order) of council id of towns.
func councilUnits(ctx context.Context, q store.Querier, towns []string, id int64) (string, []Unit, error) {
	town, err := councilTown(ctx, q, towns, id)
	if err != nil {
		return "", nil, err
	}
	us, err := units(ctx, q, id)
	return town, us, err
}
