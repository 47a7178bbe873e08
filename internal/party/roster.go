package party

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/idnumber"
	"github.com/civicgrid/civicgrid/internal/label"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// MaxReported bounds the member count an organisation reports (the largest 党委 of a town has a
// few thousand members).
const MaxReported = 100000

// honours fills the standing and honours of year from the date of full membership.
func (m *Member) honours(year int) {
	if j, err := time.ParseInLocation(DateLayout, m.Joined, workcal.Location()); err == nil {
		m.Standing = Standing(j, year)
		m.Honour = HoldsHonour(j, year)
		m.Awarded = AwardedIn(j, year)
	}
}

// check validates and trims what a manager submits for an organisation.
func (n *NewOrg) check() error {
	var err error
	if n.Name, err = problem.Text("name", n.Name, MaxName, true); err != nil {
		return err
	}
	if !label.Valid(OrgKinds, n.Kind) {
		return problem.Field("kind", "%q is not one of committee, general_branch, branch", n.Kind)
	}
	if !label.Valid(Sectors, n.Sector) {
		return problem.Field("sector", "%q is not one of enterprise, building, new_employment or empty", n.Sector)
	}
	if n.Secretary, err = problem.Text("secretary", n.Secretary, MaxName, false); err != nil {
		return err
	}
	if n.Unit, err = problem.Text("unit", n.Unit, MaxName, false); err != nil {
		return err
	}
	n.Grid = strings.TrimSpace(n.Grid)
	if n.Founded = strings.TrimSpace(n.Founded); n.Founded != "" {
		if _, err := ParseDate("founded", n.Founded); err != nil {
			return err
		}
	}
	if n.Reported < 0 || n.Reported > MaxReported {
		return problem.Field("reported_members", "is a count from 0 to %d", MaxReported)
	}
	return nil
}

// checkParent checks that n's parent is an organisation of its town that may have organisations
// under it, and (for an organisation being edited, self ≠ 0) that it is not self or below self.
func checkParent(ctx context.Context, tx *store.Tx, n NewOrg, self int64) error {
	for id, steps := n.ParentID, 0; id != 0; steps++ {
		if id == self {
			return problem.Field("parent_id", "an organisation cannot be placed under itself or one of its own")
		}
		if steps > 50 {
			return problem.Field("parent_id", "the tree is too deep")
		}
		p, err := scanOrg(tx.QueryRow(ctx, `SELECT `+orgCols+` FROM party_orgs WHERE id = ? AND town_code = ?`, id, n.TownCode))
		if errors.Is(err, sql.ErrNoRows) {
			return problem.Field("parent_id", "organisation %d is not in this town", id)
		}
		if err != nil {
			return err
		}
		if steps == 0 && p.Kind == KindBranch {
			return problem.Field("parent_id", "%s is a branch; a branch has no organisations under it", p.Name)
		}
		id = p.ParentID
	}
	return nil
}

// UpdateOrg changes organisation id of towns: its name, kind, sector, parent, secretary, unit,
// grid, founding day and reported member count (its town stays). A branch with organisations
// under it cannot become a branch; the roster stays with the organisation.
func (s *Service) UpdateOrg(ctx context.Context, towns []string, id int64, n NewOrg, by auth.User) (Org, error) {
	if err := checkManager(by); err != nil {
		return Org{}, err
	}
	if err := n.check(); err != nil {
		return Org{}, err
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		town, err := orgTown(ctx, tx, towns, id)
		if err != nil {
			return err
		}
		n.TownCode = town
		if err := checkParent(ctx, tx, n, id); err != nil {
			return err
		}
		if n.Kind == KindBranch {
			var below int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM party_orgs WHERE parent_id = ?`, id).Scan(&below); err != nil {
				return err
			}
			if below > 0 {
				return problem.Field("kind", "%d organisations are under it; a branch has none", below)
			}
		}
		_, err = tx.Exec(ctx, `UPDATE party_orgs SET parent_id = ?, name = ?, kind = ?, sector = ?, secretary = ?, unit = ?, grid_code = ?, founded = ?, reported_members = ?
			WHERE id = ?`, nullID(n.ParentID), n.Name, n.Kind, n.Sector, n.Secretary, n.Unit, store.NullIfEmpty(n.Grid), n.Founded, n.Reported, id)
		if store.IsUniqueViolation(err) {
			return problem.Field("name", "an organisation named %q exists already in this town", n.Name)
		}
		if store.IsForeignKeyViolation(err) {
			return problem.Field("grid", "%q is not a grid", n.Grid)
		}
		if err != nil {
			return fmt.Errorf("update party organisation: %w", err)
		}
		return record(ctx, tx, by, audit.ActionUpdate, "party_org", id, town, n.Name)
	})
	if err != nil {
		return Org{}, err
	}
	return s.Org(ctx, towns, id, HonourYear(s.now()))
}

// checkSite validates and trims a network site.
func checkSite(n *Site) error {
	if !label.Valid(NetworkKinds, n.Kind) {
		return problem.Field("kind", "%q is not one of centre, station, point", n.Kind)
	}
	var err error
	if n.Name, err = problem.Text("name", n.Name, MaxName, true); err != nil {
		return err
	}
	if n.Offers, err = problem.Text("offers", n.Offers, MaxText, false); err != nil {
		return err
	}
	if len(n.Links) > MaxLinks {
		return problem.Field("links", "at most %d links", MaxLinks)
	}
	for i, l := range n.Links {
		if !(strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "/")) || strings.HasPrefix(l, "//") || len(l) > 500 || strings.ContainsAny(l, " \n\"<>") {
			return problem.Field(fmt.Sprintf("links[%d]", i), "%q is not a link (http(s):// or a path of this site)", l)
		}
	}
	if n.Lat < -90 || n.Lat > 90 || n.Lng < -180 || n.Lng > 180 || (n.Lat == 0 && n.Lng == 0) {
		return problem.Field("lat", "give the place's latitude and longitude")
	}
	n.Grid = strings.TrimSpace(n.Grid)
	return nil
}

// MaxLinks bounds a network site's links.
const MaxLinks = 10

// UpdateSite changes site id of towns' practice network (its town stays).
func (s *Service) UpdateSite(ctx context.Context, towns []string, id int64, n Site, by auth.User) (Site, error) {
	if err := checkManager(by); err != nil {
		return Site{}, err
	}
	if err := checkSite(&n); err != nil {
		return Site{}, err
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		where, args := store.In("town_code", towns)
		err := tx.QueryRow(ctx, `SELECT town_code FROM party_network WHERE id = ? AND `+where, append([]any{id}, args...)...).Scan(&n.TownCode)
		if errors.Is(err, sql.ErrNoRows) {
			return problem.NotFound("network site %d", id)
		}
		if err != nil {
			return err
		}
		n.ID = id
		_, err = tx.Exec(ctx, `UPDATE party_network SET kind = ?, name = ?, enterprise = ?, offers = ?, links = ?, lat = ?, lng = ?, grid_code = ? WHERE id = ?`,
			n.Kind, n.Name, store.Bool(n.Enterprise), n.Offers, strings.Join(n.Links, "\n"), n.Lat, n.Lng, store.NullIfEmpty(n.Grid), id)
		if store.IsUniqueViolation(err) {
			return problem.Field("name", "%q is in the network already", n.Name)
		}
		if store.IsForeignKeyViolation(err) {
			return problem.Field("grid", "%q is not a grid", n.Grid)
		}
		if err != nil {
			return err
		}
		return record(ctx, tx, by, audit.ActionUpdate, "party_site", id, n.TownCode, n.Name)
	})
	return n, err
}

// Site returns site id of towns' network.
func (s *Service) Site(ctx context.Context, towns []string, id int64) (Site, error) {
	sites, _, err := s.Network(ctx, towns)
	if err != nil {
		return Site{}, err
	}
	for _, x := range sites {
		if x.ID == id {
			return x, nil
		}
	}
	return Site{}, problem.NotFound("network site %d", id)
}

// The roster sheet: a header row naming the columns (in Chinese or English, any order), then one
// member a row. RosterColumns lists them in the order the export writes them.
var RosterColumns = []RosterColumn{
	{"name", "姓名", "Name", []string{"姓名", "name"}},
	{"gender", "性别", "Gender", []string{"性别", "gender", "sex"}},
	{"birth_date", "出生日期", "Birth date", []string{"出生日期", "出生年月", "birth date", "date of birth", "born"}},
	{"joined", "转正日期", "Full membership", []string{"转正日期", "转为正式党员日期", "入党日期", "入党时间", "full membership", "joined", "joining date"}},
	{"branch", "所在党组织", "Organisation", []string{"所在党组织", "所在支部", "党支部", "党组织", "organisation", "organization", "branch"}},
	{"phone", "联系电话", "Phone", []string{"联系电话", "电话", "手机", "phone", "mobile"}},
	{"id_number", "身份证号", "ID number", []string{"身份证号", "身份证号码", "公民身份号码", "id number", "id", "id card"}},
}

// RosterColumn is a column of the roster sheet: its code, its headers in the export, and the
// headers an import recognises (compared without case and spaces).
type RosterColumn struct {
	Code, ZH, EN string
	Headers      []string
}

// RosterProblem is one problem of a roster file: the spreadsheet's row (1 is the header) and
// column (A, B …; "" when the problem is a missing column), the column's code, what is wrong
// (Code, below) and the cell's text.
type RosterProblem struct {
	Row    int    `json:"row"`
	Column string `json:"column,omitempty"`
	Field  string `json:"field"`
	Code   string `json:"code"`
	Value  string `json:"value,omitempty"`
}

// The problems a roster row can have (RosterProblem.Code); internal/web/party tells each in
// Chinese and English.
const (
	ProblemMissingColumn = "missing_column" // the header lacks a required column
	ProblemRequired      = "required"       // an empty required cell
	ProblemTooLong       = "too_long"       // longer than its limit
	ProblemDate          = "date"           // not a date
	ProblemFuture        = "future"         // a date after today
	ProblemTooYoung      = "too_young"      // full membership before the 18th birthday (党章第一条)
	ProblemGender        = "gender"         // not 男/女
	ProblemPhone         = "phone"          // not a phone number
	ProblemIDNumber      = "id_number"      // not an 18-character resident ID number with a valid check digit
	ProblemIDBirth       = "id_birth"       // the ID number's birth date differs from the birth date
	ProblemIDGender      = "id_gender"      // the ID number's gender digit differs from the gender
	ProblemDuplicate     = "duplicate"      // the ID number is on an earlier row of the file
	ProblemElsewhere     = "elsewhere"      // the ID number is on the roster of another town
	ProblemOrg           = "organisation"   // no organisation of the town has that name
	ProblemEmpty         = "empty"          // no member rows
	ProblemTooMany       = "too_many"       // more rows than one import takes
	ProblemFile          = "file"           // not a readable xlsx file
)

// RosterError lists the problems of a refused roster file (at most maxRosterProblems); nothing of
// it was imported. It is invalid input (problem.ErrInvalid).
type RosterError struct {
	Problems []RosterProblem
}

const maxRosterProblems = 100

func (e *RosterError) Error() string {
	var b strings.Builder
	b.WriteString("roster not imported: ")
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		if p.Column != "" {
			fmt.Fprintf(&b, "row %d, column %s (%s): %s", p.Row, p.Column, p.Field, p.Code)
		} else {
			fmt.Fprintf(&b, "row %d (%s): %s", p.Row, p.Field, p.Code)
		}
		if p.Value != "" {
			fmt.Fprintf(&b, " %q", p.Value)
		}
	}
	return b.String()
}

// Is makes a RosterError an invalid-input error (422).
func (e *RosterError) Is(target error) bool { return target == problem.ErrInvalid }

func (e *RosterError) add(p RosterProblem) {
	if len(e.Problems) < maxRosterProblems {
		e.Problems = append(e.Problems, p)
	}
}

// RosterRow is one valid member row of a roster file.
type RosterRow struct {
	Row int // as the spreadsheet numbers it
	NewMember
	Gender, BirthDate, IDNumber, Org string
	// OrgColumn and IDColumn are the file's columns of the organisation and the ID number, for
	// the problems found against the database.
	OrgColumn, IDColumn string
}

// MaxRosterImport bounds one roster import (a town's whole roster: 新泾镇 has under a thousand).
const MaxRosterImport = 5000

// ReadRoster reads the first sheet of an xlsx roster. Cells are read raw: a date cell is its
// serial number (read as a date), so the file's display formats do not matter.
func ReadRoster(r io.Reader, today time.Time) ([]RosterRow, error) {
	f, err := excelize.OpenReader(r, excelize.Options{UnzipSizeLimit: 50 << 20, UnzipXMLSizeLimit: 20 << 20})
	if err != nil {
		return nil, &RosterError{[]RosterProblem{{Row: 0, Field: "file", Code: ProblemFile}}}
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, &RosterError{[]RosterProblem{{Row: 0, Field: "file", Code: ProblemFile}}}
	}
	rows, err := f.GetRows(sheets[0], excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, &RosterError{[]RosterProblem{{Row: 0, Field: "file", Code: ProblemFile}}}
	}
	return ParseRoster(rows, today)
}

func headerKey(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(strings.TrimSpace(s)), " "))
}

// ParseRoster checks a roster table (header row first) and returns its rows, or a RosterError
// naming the row and column of every problem. today bounds the dates.
func ParseRoster(rows [][]string, today time.Time) ([]RosterRow, error) {
	e := &RosterError{}
	cols := map[string]int{}
	if len(rows) > 0 {
		for i, h := range rows[0] {
			k := headerKey(h)
			for _, c := range RosterColumns {
				for _, want := range c.Headers {
					if _, seen := cols[c.Code]; !seen && k == want {
						cols[c.Code] = i
					}
				}
			}
		}
	}
	for _, c := range RosterColumns {
		if _, ok := cols[c.Code]; !ok && c.Code != "phone" {
			e.add(RosterProblem{Row: 1, Field: c.Code, Code: ProblemMissingColumn})
		}
	}
	if len(e.Problems) > 0 {
		return nil, e
	}
	if len(rows)-1 > MaxRosterImport {
		return nil, &RosterError{[]RosterProblem{{Row: MaxRosterImport + 2, Field: "file", Code: ProblemTooMany, Value: strconv.Itoa(len(rows) - 1)}}}
	}
	var out []RosterRow
	seen := map[string]int{}
	for n, row := range rows[1:] {
		rowNo := n + 2
		cell := func(code string) (string, string) {
			i, ok := cols[code]
			if !ok || i >= len(row) {
				return "", column(max(i, 0))
			}
			return strings.TrimSpace(row[i]), column(i)
		}
		blank := true
		for _, v := range row {
			if strings.TrimSpace(v) != "" {
				blank = false
			}
		}
		if blank {
			continue
		}
		var m RosterRow
		m.Row = rowNo
		_, m.OrgColumn = cell("branch")
		_, m.IDColumn = cell("id_number")
		ok := true
		fail := func(code, field, value string) {
			_, col := cell(field)
			e.add(RosterProblem{Row: rowNo, Column: col, Field: field, Code: code, Value: value})
			ok = false
		}
		str := func(field string, limit int, required bool) string {
			v, _ := cell(field)
			if required && v == "" {
				fail(ProblemRequired, field, "")
				return ""
			}
			if utf8.RuneCountInString(v) > limit {
				fail(ProblemTooLong, field, truncate(v))
				return ""
			}
			return v
		}
		date := func(field string) (time.Time, bool) {
			v, _ := cell(field)
			if v == "" {
				fail(ProblemRequired, field, "")
				return time.Time{}, false
			}
			d, good := parseSheetDate(v)
			if !good {
				fail(ProblemDate, field, truncate(v))
				return time.Time{}, false
			}
			if d.After(today) {
				fail(ProblemFuture, field, d.Format(DateLayout))
				return time.Time{}, false
			}
			return d, true
		}
		m.Name = str("name", MaxName, true)
		m.Org = str("branch", MaxName, true)
		if g, _ := cell("gender"); g == "" {
			fail(ProblemRequired, "gender", "")
		} else if m.Gender = genderOf(g); m.Gender == "" {
			fail(ProblemGender, "gender", truncate(g))
		}
		birth, hasBirth := date("birth_date")
		joined, hasJoined := date("joined")
		if hasBirth {
			m.BirthDate = birth.Format(DateLayout)
		}
		if hasJoined {
			m.Joined = joined.Format(DateLayout)
		}
		if hasBirth && hasJoined && joined.Before(birth.AddDate(18, 0, 0)) {
			fail(ProblemTooYoung, "joined", m.Joined)
		}
		if p, _ := cell("phone"); p != "" {
			if !phoneLike(p) {
				fail(ProblemPhone, "phone", truncate(p))
			} else {
				m.Phone = p
			}
		}
		if id, _ := cell("id_number"); id == "" {
			fail(ProblemRequired, "id_number", "")
		} else if id = strings.ToUpper(id); !ValidIDNumber(id) {
			fail(ProblemIDNumber, "id_number", truncate(id))
		} else {
			m.IDNumber = id
			if hasBirth && id[6:14] != birth.Format("20060102") {
				fail(ProblemIDBirth, "id_number", id[6:14])
			}
			if g := idGender(id); m.Gender != "" && g != m.Gender {
				fail(ProblemIDGender, "id_number", "")
			}
			if first, dup := seen[id]; dup {
				fail(ProblemDuplicate, "id_number", strconv.Itoa(first))
			} else {
				seen[id] = rowNo
			}
		}
		if ok {
			out = append(out, m)
		}
		if len(e.Problems) >= maxRosterProblems {
			break
		}
	}
	if len(e.Problems) > 0 {
		return nil, e
	}
	if len(out) == 0 {
		return nil, &RosterError{[]RosterProblem{{Row: 2, Field: "file", Code: ProblemEmpty}}}
	}
	return out, nil
}

func truncate(s string) string {
	if utf8.RuneCountInString(s) <= 40 {
		return s
	}
	return string([]rune(s)[:40]) + "…"
}

// column names a spreadsheet column, A … Z, AA …
func column(i int) string {
	name, _ := excelize.ColumnNumberToName(i + 1)
	return name
}

// parseSheetDate reads a date cell: an Excel serial number (a date cell read raw) or a text date
// written 2006-01-02, 2006/1/2, 2006.1.2 or 2006年1月2日.
func parseSheetDate(v string) (time.Time, bool) {
	if n, err := strconv.ParseFloat(v, 64); err == nil && !strings.ContainsAny(v, "-/年") {
		if n < 1 || n > 2958465 {
			return time.Time{}, false
		}
		t, err := excelize.ExcelDateToTime(n, false)
		if err != nil {
			return time.Time{}, false
		}
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, workcal.Location()), true
	}
	v = strings.NewReplacer("年", "-", "月", "-", "日", "", "/", "-", ".", "-").Replace(v)
	for _, layout := range []string{"2006-1-2", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, workcal.Location()); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func genderOf(s string) string {
	switch strings.ToLower(s) {
	case "男", "male", "m":
		return "male"
	case "女", "female", "f":
		return "female"
	}
	return ""
}

func phoneLike(s string) bool {
	if len(s) > 30 {
		return false
	}
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' || r == '-' || r == ' ' || r == '(' || r == ')':
		default:
			return false
		}
	}
	return digits >= 7
}

// ValidIDNumber reports whether s is an 18-character resident ID number (GB 11643-1999): 17
// digits, a birth date that exists, and the ISO 7064 MOD 11-2 check character.
func ValidIDNumber(s string) bool { return idnumber.Valid(s) }

// idGender is the gender an ID number's 17th digit gives (odd: male).
func idGender(id string) string {
	if (id[16]-'0')%2 == 1 {
		return "male"
	}
	return "female"
}

// RosterImport is the outcome of an import: members added, and members already on the town's
// roster (by ID number) whose record the file replaced.
type RosterImport struct {
	Added   int `json:"added"`
	Updated int `json:"updated"`
}

// ImportRoster stores the rows of a town's roster, all or none, in one transaction with one audit
// row (counts, never names). Each row's organisation is named (an organisation of town); a member
// whose ID number is on the town's roster already is updated (moved, renamed, dates corrected),
// others are added; an ID number on another town's roster is refused. Honours are not stored: the
// pages compute them from the dates.
func (s *Service) ImportRoster(ctx context.Context, towns []string, town string, rows []RosterRow, by auth.User) (RosterImport, error) {
	var res RosterImport
	if err := checkManager(by); err != nil {
		return res, err
	}
	if !by.Can(auth.PermPartyRoster) {
		return res, problem.Forbidden("importing a roster needs %s", auth.PermPartyRoster)
	}
	if !slices.Contains(towns, town) {
		return res, problem.NotFound("town %s", town)
	}
	if len(rows) > MaxRosterImport {
		return res, &RosterError{[]RosterProblem{{Row: MaxRosterImport + 2, Field: "file", Code: ProblemTooMany, Value: strconv.Itoa(len(rows))}}}
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		orgs := map[string]int64{}
		q, err := tx.Query(ctx, `SELECT id, name FROM party_orgs WHERE town_code = ?`, town)
		if err != nil {
			return err
		}
		for q.Next() {
			var id int64
			var name string
			if err := q.Scan(&id, &name); err != nil {
				q.Close()
				return err
			}
			orgs[name] = id
		}
		q.Close()
		if err := q.Err(); err != nil {
			return err
		}
		e := &RosterError{}
		type existing struct {
			id   int64
			town string
		}
		known := map[string]existing{}
		for start := 0; start < len(rows); start += 500 {
			end := min(start+500, len(rows))
			ids := make([]string, 0, end-start)
			for _, r := range rows[start:end] {
				ids = append(ids, r.IDNumber)
			}
			where, args := store.In("m.id_number", ids)
			q, err := tx.Query(ctx, `SELECT m.id, m.id_number, o.town_code FROM party_members m JOIN party_orgs o ON o.id = m.org_id WHERE `+where, args...)
			if err != nil {
				return err
			}
			for q.Next() {
				var x existing
				var id string
				if err := q.Scan(&x.id, &id, &x.town); err != nil {
					q.Close()
					return err
				}
				known[id] = x
			}
			q.Close()
			if err := q.Err(); err != nil {
				return err
			}
		}
		for _, r := range rows {
			if _, ok := orgs[r.Org]; !ok {
				e.add(RosterProblem{Row: r.Row, Column: r.OrgColumn, Field: "branch", Code: ProblemOrg, Value: truncate(r.Org)})
			}
			if x, ok := known[r.IDNumber]; ok && x.town != town {
				e.add(RosterProblem{Row: r.Row, Column: r.IDColumn, Field: "id_number", Code: ProblemElsewhere})
			}
		}
		if len(e.Problems) > 0 {
			return e
		}
		now := s.now().UnixMilli()
		for _, r := range rows {
			org := orgs[r.Org]
			if x, ok := known[r.IDNumber]; ok {
				if _, err := tx.Exec(ctx, `UPDATE party_members SET org_id = ?, name = ?, phone = ?, joined = ?, gender = ?, birth_date = ? WHERE id = ?`,
					org, r.Name, r.Phone, r.Joined, r.Gender, r.BirthDate, x.id); err != nil {
					return fmt.Errorf("update party member: %w", err)
				}
				res.Updated++
				continue
			}
			if _, err := tx.Exec(ctx, `INSERT INTO party_members (org_id, name, phone, joined, gender, birth_date, id_number, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				org, r.Name, r.Phone, r.Joined, r.Gender, r.BirthDate, r.IDNumber, now); err != nil {
				return fmt.Errorf("insert party member: %w", err)
			}
			res.Added++
		}
		return record(ctx, tx, by, audit.ActionCreate, "party_member", 0, town, fmt.Sprintf("roster import: %d added, %d updated", res.Added, res.Updated))
	})
	if err != nil {
		return RosterImport{}, err
	}
	return res, nil
}

// TownRoster lists every member of town (one of towns), by organisation then date of full
// membership, with the organisation's name and the honours of year; at most MaxRosterImport.
func (s *Service) TownRoster(ctx context.Context, towns []string, town string, year int) ([]Member, error) {
	if !slices.Contains(towns, town) {
		return nil, problem.NotFound("town %s", town)
	}
	rows, err := s.DB.Query(ctx, `SELECT m.id, m.org_id, m.name, m.phone, m.joined, m.gender, m.birth_date, COALESCE(m.id_number, ''), o.name
		FROM party_members m JOIN party_orgs o ON o.id = m.org_id WHERE o.town_code = ? ORDER BY o.name, m.joined, m.id LIMIT ?`, town, MaxRosterImport)
	if err != nil {
		return nil, fmt.Errorf("roster of %s: %w", town, err)
	}
	defer rows.Close()
	var out []Member
	for rows.Next() {
		var m Member
		if err := rows.Scan(&m.ID, &m.OrgID, &m.Name, &m.Phone, &m.Joined, &m.Gender, &m.BirthDate, &m.IDNumber, &m.Org); err != nil {
			return nil, err
		}
		m.honours(year)
		out = append(out, m)
	}
	return out, rows.Err()
}
