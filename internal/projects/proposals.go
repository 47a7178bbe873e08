package projects

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
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

// What a published ballot made of a proposal.
const (
	BallotChosen    = "chosen"     // 票决当选
	BallotNotChosen = "not_chosen" // 票决未当选
)

// Proposal is a proposed livelihood project (群众点单).
type Proposal struct {
	ID          int64     `json:"id"`
	TownCode    string    `json:"town"`
	Year        int       `json:"year"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Category    string    `json:"category"`
	Source      string    `json:"source"`
	AuthorID    int64     `json:"author_id,omitempty"`
	AuthorName  string    `json:"author_name,omitempty"`
	AuthorPhone string    `json:"author_phone,omitempty"`
	EnteredBy   int64     `json:"entered_by,omitempty"`
	Department  string    `json:"department,omitempty"`
	Place       string    `json:"place,omitempty"`
	Lat         *float64  `json:"lat,omitempty"`
	Lng         *float64  `json:"lng,omitempty"`
	Grid        string    `json:"grid,omitempty"`
	EstCost     int64     `json:"est_cost"` // yuan
	Status      string    `json:"status"`
	Reply       string    `json:"reply,omitempty"`
	RepliedAt   time.Time `json:"replied_at,omitzero"`
	MergedInto  int64     `json:"merged_into,omitempty"`
	Supports    int       `json:"supports"`
	// Ballot is what a published ballot made of it: BallotChosen, BallotNotChosen, or "".
	Ballot     string      `json:"ballot,omitempty"`
	Code       string      `json:"-"` // the anonymous author's follow-up code
	CreatedAt  time.Time   `json:"created_at"`
	Photos     []string    `json:"photos"`
	Appraisals []Appraisal `json:"appraisals,omitempty"`
}

// NewProposal is what a proposer submits. Town and Year may be left empty: the proposer's town,
// next year.
type NewProposal struct {
	TownCode    string   `json:"town"`
	Year        int      `json:"year"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Category    string   `json:"category"`
	Source      string   `json:"source"` // set by the service from the proposer's role unless a grid worker enters for a resident
	AuthorName  string   `json:"author_name"`
	AuthorPhone string   `json:"author_phone"`
	Department  string   `json:"department"`
	Place       string   `json:"place"`
	Lat         *float64 `json:"lat"`
	Lng         *float64 `json:"lng"`
	EstCost     int64    `json:"est_cost"`
	Photos      []string `json:"photos"` // upload ids (kit.StorePhoto)
}

// ProposalYear is the year proposals collected at t are for: next year's projects are collected
// in the autumn, so a proposal made in the second half of a year is for the next one.
func ProposalYear(t time.Time) int {
	if t.Month() >= time.July {
		return t.Year() + 1
	}
	return t.Year()
}

func text(field string, s string, max int, required bool) (string, error) {
	s = strings.TrimSpace(s)
	if required && s == "" {
		return s, problem.Field(field, "is required")
	}
	if n := utf8.RuneCountInString(s); n > max {
		return s, problem.Field(field, "is %d characters long; at most %d", n, max)
	}
	return s, nil
}

// phoneOK is the public form's phone check: digits (with + - and spaces), 5 to 20 of them.
func phoneOK(p string) bool {
	if len(p) < 5 || len(p) > 20 {
		return false
	}
	for _, r := range p {
		if !(r >= '0' && r <= '9' || r == '+' || r == '-' || r == ' ') {
			return false
		}
	}
	return true
}

// Anonymous is the proposer of the public portal without an account.
var Anonymous = auth.User{Role: auth.RoleResident}

// Propose stores a proposal. by is the signed-in proposer, or Anonymous for the public portal,
// whose proposer must give a name and a phone number (the phone check). towns are the towns by
// may act in; for Anonymous, the tenant towns.
func (s *Service) Propose(ctx context.Context, towns []string, n NewProposal, by auth.User, actor audit.Actor) (Proposal, error) {
	anonymous := by.ID == 0
	if !anonymous {
		if err := need(by, auth.PermProjectsPropose, "propose livelihood projects"); err != nil {
			return Proposal{}, err
		}
	}
	var err error
	p := Proposal{Category: strings.TrimSpace(n.Category), Lat: n.Lat, Lng: n.Lng, EstCost: n.EstCost, Status: StatusOpen}
	p.TownCode = strings.TrimSpace(n.TownCode)
	if p.TownCode == "" {
		p.TownCode = by.TownCode
	}
	if p.TownCode == "" && len(towns) == 1 {
		p.TownCode = towns[0]
	}
	if !slices.Contains(towns, p.TownCode) {
		return p, problem.Field("town", "%q is not one of your towns", p.TownCode)
	}
	if p.Title, err = text("title", n.Title, MaxTitle, true); err != nil {
		return p, err
	}
	if p.Description, err = text("description", n.Description, MaxText, true); err != nil {
		return p, err
	}
	if utf8.RuneCountInString(p.Description) < 10 {
		return p, problem.Field("description", "say in at least 10 characters what should be done, where and for whom")
	}
	if !label.Valid(Categories, p.Category) {
		return p, problem.Field("category", "unknown category %q; one of %s", p.Category, label.Codes(Categories))
	}
	if p.Place, err = text("place", n.Place, MaxPlace, false); err != nil {
		return p, err
	}
	if n.EstCost < 0 || n.EstCost > MaxCost {
		return p, problem.Field("est_cost", "%d yuan is out of range (0 to 10,000,000,000)", n.EstCost)
	}
	if len(n.Photos) > MaxPhotos {
		return p, problem.Field("photos", "has %d photos; at most %d", len(n.Photos), MaxPhotos)
	}
	if (n.Lat == nil) != (n.Lng == nil) {
		return p, problem.Field("lat", "give both latitude and longitude, or neither")
	}
	if n.Lat != nil && (*n.Lat < -90 || *n.Lat > 90 || *n.Lng < -180 || *n.Lng > 180) {
		return p, problem.Field("lat", "%v,%v is not a position", *n.Lat, *n.Lng)
	}
	p.Year = n.Year
	now := s.now()
	if p.Year == 0 {
		p.Year = ProposalYear(now)
	}
	if p.Year < now.Year()-1 || p.Year > now.Year()+2 {
		return p, problem.Field("year", "%d: proposals are for this year or the next two", p.Year)
	}
	// Who the proposal is from.
	name, err := text("author_name", n.AuthorName, MaxNameLen, false)
	if err != nil {
		return p, err
	}
	phone := strings.TrimSpace(n.AuthorPhone)
	switch {
	case anonymous:
		p.Source = SourceResident
		if name == "" {
			return p, problem.Field("author_name", "is required: how may the town address you in its answer")
		}
		if !phoneOK(phone) {
			return p, problem.Field("author_phone", "a phone number is required (digits only, e.g. 13800000000): the town may call back about the proposal")
		}
		p.AuthorName, p.AuthorPhone = name, phone
	case by.Role == auth.RoleResident:
		p.Source, p.AuthorID, p.AuthorName = SourceResident, by.ID, by.DisplayName
		if phone != "" && !phoneOK(phone) {
			return p, problem.Field("author_phone", "digits only, e.g. 13800000000")
		}
		p.AuthorPhone = phone
	case by.Role == auth.RoleGridWorker || by.Role == auth.RoleGridLeader:
		// A grid worker enters what a resident asked for on the street (代居民提出).
		p.Source, p.EnteredBy = SourceGridWorker, by.ID
		if name == "" {
			return p, problem.Field("author_name", "name the resident you enter the proposal for")
		}
		if phone != "" && !phoneOK(phone) {
			return p, problem.Field("author_phone", "digits only, e.g. 13800000000")
		}
		p.AuthorName, p.AuthorPhone = name, phone
	case by.Role == auth.RoleDeputy:
		p.Source, p.AuthorID, p.AuthorName = SourceDeputy, by.ID, by.DisplayName
	default:
		p.AuthorID, p.EnteredBy = by.ID, by.ID
		p.Department = strings.TrimSpace(n.Department)
		if p.Department == "" {
			p.Department = by.DepartmentCode
		}
		p.Source = SourceDepartment
		if p.Department != "" {
			var kind string
			if err := s.DB.QueryRow(ctx, `SELECT kind, name FROM departments WHERE code = ? AND town_code = ?`, p.Department, p.TownCode).Scan(&kind, &p.AuthorName); err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					return p, problem.Field("department", "no department %q in this town", p.Department)
				}
				return p, err
			}
			if kind == "committee" {
				p.Source = SourceCommittee
			}
		} else {
			p.AuthorName = by.DisplayName
		}
	}
	if p.Lat != nil {
		if p.Grid, err = s.locate(ctx, p.TownCode, *p.Lat, *p.Lng); err != nil {
			return p, err
		}
	}
	p.Code = followCode()
	p.CreatedAt = now
	p.Photos = n.Photos
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		for i, ph := range n.Photos {
			var one int
			if err := tx.QueryRow(ctx, `SELECT 1 FROM uploads WHERE town_code = ? AND id = ?`, p.TownCode, ph).Scan(&one); err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					return problem.Field("photos", "photo %d was not uploaded to this town", i+1)
				}
				return err
			}
		}
		err := tx.QueryRow(ctx, `INSERT INTO project_proposals (town_code, year, title, description, category, source, author_id, author_name,
			author_phone, entered_by, department_code, place_text, lat, lng, grid_code, est_cost, status, code, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			p.TownCode, p.Year, p.Title, p.Description, p.Category, p.Source, store.NullIfZero(p.AuthorID), p.AuthorName,
			p.AuthorPhone, store.NullIfZero(p.EnteredBy), store.NullIfEmpty(p.Department), p.Place, p.Lat, p.Lng,
			store.NullIfEmpty(p.Grid), p.EstCost, p.Status, p.Code, now.UnixMilli()).Scan(&p.ID)
		if err != nil {
			return fmt.Errorf("insert proposal: %w", err)
		}
		for i, ph := range n.Photos {
			if _, err := tx.Exec(ctx, `INSERT INTO project_photos (proposal_id, position, upload_id) VALUES (?, ?, ?)`, p.ID, i, ph); err != nil {
				return err
			}
		}
		return actor.Record(ctx, tx, audit.Entry{Action: audit.ActionCreate, Entity: "project_proposal", EntityID: fmt.Sprint(p.ID),
			TownCode: p.TownCode, Detail: p.Title})
	})
	return p, err
}

// followCode is a short code an anonymous proposer follows their proposal with.
func followCode() string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 8)
	for i := range b {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		b[i] = alphabet[n.Int64()]
	}
	return string(b)
}

// proposalCols are the columns scanProposal reads; the last is the published ballots' verdict
// (2 chosen, 1 on a published ballot and not chosen, NULL on none).
const proposalCols = `id, town_code, year, title, description, category, source, author_id, author_name, author_phone, entered_by,
	department_code, place_text, lat, lng, grid_code, est_cost, status, reply, replied_at, merged_into, supports, code, created_at,
	(SELECT MAX(CASE WHEN r.outcome = 'chosen' THEN 2 ELSE 1 END) FROM project_results r JOIN project_sessions ps ON ps.id = r.session_id
		WHERE r.proposal_id = project_proposals.id AND ps.status = 'published')`

func scanProposal(row interface{ Scan(...any) error }) (Proposal, error) {
	var p Proposal
	var author, entered, merged sql.NullInt64
	var dept, grid sql.NullString
	var lat, lng sql.NullFloat64
	var replied sql.NullInt64
	var created int64
	var verdict sql.NullInt64
	err := row.Scan(&p.ID, &p.TownCode, &p.Year, &p.Title, &p.Description, &p.Category, &p.Source, &author, &p.AuthorName, &p.AuthorPhone,
		&entered, &dept, &p.Place, &lat, &lng, &grid, &p.EstCost, &p.Status, &p.Reply, &replied, &merged, &p.Supports, &p.Code, &created, &verdict)
	if err != nil {
		return p, err
	}
	switch verdict.Int64 {
	case 2:
		p.Ballot = BallotChosen
	case 1:
		p.Ballot = BallotNotChosen
	}
	p.AuthorID, p.EnteredBy, p.MergedInto = author.Int64, entered.Int64, merged.Int64
	p.Department, p.Grid = dept.String, grid.String
	if lat.Valid && lng.Valid {
		p.Lat, p.Lng = &lat.Float64, &lng.Float64
	}
	if replied.Valid {
		p.RepliedAt = time.UnixMilli(replied.Int64).In(workcal.Location())
	}
	p.CreatedAt = time.UnixMilli(created).In(workcal.Location())
	p.Photos = []string{}
	return p, nil
}

// Get returns a proposal of one of towns with its photos and appraisals.
func (s *Service) Get(ctx context.Context, towns []string, id int64) (Proposal, error) {
	return getProposal(ctx, s.DB, towns, id)
}

func getProposal(ctx context.Context, q store.Querier, towns []string, id int64) (Proposal, error) {
	where, args := store.In("town_code", towns)
	p, err := scanProposal(q.QueryRow(ctx, `SELECT `+proposalCols+` FROM project_proposals WHERE id = ? AND `+where, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return p, problem.NotFound("project proposal %d", id)
	}
	if err != nil {
		return p, err
	}
	rows, err := q.Query(ctx, `SELECT upload_id FROM project_photos WHERE proposal_id = ? ORDER BY position`, id)
	if err != nil {
		return p, err
	}
	for rows.Next() {
		var ph string
		if err := rows.Scan(&ph); err != nil {
			rows.Close()
			return p, err
		}
		p.Photos = append(p.Photos, ph)
	}
	rows.Close()
	p.Appraisals, err = appraisals(ctx, q, id)
	return p, err
}

// ByCode returns the proposal an anonymous proposer follows with its id and code.
func (s *Service) ByCode(ctx context.Context, id int64, code string) (Proposal, error) {
	p, err := scanProposal(s.DB.QueryRow(ctx, `SELECT `+proposalCols+` FROM project_proposals WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (code == "" || p.Code != strings.ToUpper(strings.TrimSpace(code)))) {
		return Proposal{}, problem.NotFound("project proposal %d with this code", id)
	}
	return p, err
}

// Filter selects proposals.
type Filter struct {
	Year     int
	Status   string
	Category string
	AuthorID int64 // a resident's own proposals
	Query    string
	Limit    int
}

// MaxList bounds one list of proposals.
const MaxList = 500

// List returns the proposals of towns that match f: most supported first, then newest (an
// author's own, newest first).
func (s *Service) List(ctx context.Context, towns []string, f Filter) ([]Proposal, error) {
	where, args := store.In("town_code", towns)
	cond := []string{where}
	if f.Year != 0 {
		cond, args = append(cond, "year = ?"), append(args, f.Year)
	}
	if f.Status != "" {
		cond, args = append(cond, "status = ?"), append(args, f.Status)
	}
	if f.Category != "" {
		cond, args = append(cond, "category = ?"), append(args, f.Category)
	}
	if f.AuthorID != 0 {
		cond, args = append(cond, "author_id = ?"), append(args, f.AuthorID)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		if utf8.RuneCountInString(q) > 50 {
			return nil, problem.Field("q", "at most 50 characters")
		}
		cond, args = append(cond, "(title LIKE ? OR description LIKE ?)"), append(args, "%"+q+"%", "%"+q+"%")
	}
	if f.Limit <= 0 || f.Limit > MaxList {
		f.Limit = MaxList
	}
	// Most supported first; an author's own list newest first.
	order := "supports DESC, id DESC"
	if f.AuthorID != 0 {
		order = "id DESC"
	}
	rows, err := s.DB.Query(ctx, `SELECT `+proposalCols+` FROM project_proposals WHERE `+strings.Join(cond, " AND ")+
		fmt.Sprintf(` ORDER BY %s LIMIT %d`, order, f.Limit), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Proposal{}
	for rows.Next() {
		p, err := scanProposal(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
