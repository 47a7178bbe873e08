package party

import (
	"context"
	"fmt"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
)

// Agreement is a co-building agreement (联建签约) of two or more organisations, with its commitments.
type Agreement struct {
	ID          int64    `json:"id"`
	TownCode    string   `json:"town"`
	Title       string   `json:"title"`
	SignedOn    string   `json:"signed_on"`
	TermEnd     string   `json:"term_end,omitempty"`
	Summary     string   `json:"summary,omitempty"`
	Parties     []string `json:"parties"`
	Commitments []Task   `json:"commitments"`
}

// NewAgreement is an agreement as submitted.
type NewAgreement struct {
	TownCode    string    `json:"town"`
	Title       string    `json:"title"`
	SignedOn    string    `json:"signed_on"`
	TermEnd     string    `json:"term_end"`
	Summary     string    `json:"summary"`
	Parties     []string  `json:"parties"`
	Commitments []NewTask `json:"commitments"`
}

// CreateAgreement records an agreement with its parties (2 or more) and commitments (tasks).
func (s *Service) CreateAgreement(ctx context.Context, towns []string, n NewAgreement, by auth.User) (Agreement, error) {
	if err := checkManagerIn(by, towns, n.TownCode); err != nil {
		return Agreement{}, err
	}
	var err error
	if n.Title, err = problem.Text("title", n.Title, MaxName, true); err != nil {
		return Agreement{}, err
	}
	if _, err := ParseDate("signed_on", n.SignedOn); err != nil {
		return Agreement{}, err
	}
	if n.TermEnd != "" {
		if _, err := ParseDate("term_end", n.TermEnd); err != nil {
			return Agreement{}, err
		}
		if n.TermEnd < n.SignedOn {
			return Agreement{}, problem.Field("term_end", "the term ends before the signing")
		}
	}
	if n.Summary, err = problem.Text("summary", n.Summary, MaxText, false); err != nil {
		return Agreement{}, err
	}
	if len(n.Parties) < 2 || len(n.Parties) > MaxParties {
		return Agreement{}, problem.Field("parties", "an agreement has between 2 and %d parties", MaxParties)
	}
	seen := map[string]bool{}
	for i := range n.Parties {
		if n.Parties[i], err = problem.Text(fmt.Sprintf("parties[%d]", i), n.Parties[i], MaxName, true); err != nil {
			return Agreement{}, err
		}
		if seen[n.Parties[i]] {
			return Agreement{}, problem.Field(fmt.Sprintf("parties[%d]", i), "%q is named twice", n.Parties[i])
		}
		seen[n.Parties[i]] = true
	}
	if len(n.Commitments) > MaxCommitments {
		return Agreement{}, problem.Field("commitments", "at most %d commitments", MaxCommitments)
	}
	dues := make([]string, len(n.Commitments))
	for i := range n.Commitments {
		f := fmt.Sprintf("commitments[%d]", i)
		if err := checkTask(f, &n.Commitments[i]); err != nil {
			return Agreement{}, err
		}
		if dues[i], err = s.due(f, n.Commitments[i], n.SignedOn); err != nil {
			return Agreement{}, err
		}
	}
	var id int64
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO party_agreements (town_code, title, signed_on, term_end, summary, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			n.TownCode, n.Title, n.SignedOn, n.TermEnd, n.Summary, s.now().UnixMilli()).Scan(&id); err != nil {
			return fmt.Errorf("insert agreement: %w", err)
		}
		for i, p := range n.Parties {
			var org any
			var oid int64
			if err := tx.QueryRow(ctx, `SELECT id FROM party_orgs WHERE town_code = ? AND name = ?`, n.TownCode, p).Scan(&oid); err == nil {
				org = oid
			}
			if _, err := tx.Exec(ctx, `INSERT INTO party_agreement_parties (agreement_id, seq, name, org_id) VALUES (?, ?, ?, ?)`, id, i, p, org); err != nil {
				return err
			}
		}
		if err := record(ctx, tx, by, audit.ActionCreate, "party_agreement", id, n.TownCode, n.Title); err != nil {
			return err
		}
		for i, c := range n.Commitments {
			if _, err := s.insertTask(ctx, tx, n.TownCode, taskSource{agreement: id}, c, dues[i], by); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Agreement{}, err
	}
	as, err := s.Agreements(ctx, towns)
	for _, a := range as {
		if a.ID == id {
			return a, err
		}
	}
	return Agreement{}, err
}

// Agreements lists the agreements of towns, newest first, with parties and commitments.
func (s *Service) Agreements(ctx context.Context, towns []string) ([]Agreement, error) {
	where, args := store.In("town_code", towns)
	rows, err := s.DB.Query(ctx, `SELECT id, town_code, title, signed_on, term_end, summary FROM party_agreements WHERE `+where+` ORDER BY signed_on DESC, id DESC LIMIT 200`, args...)
	if err != nil {
		return nil, fmt.Errorf("agreements: %w", err)
	}
	var out []Agreement
	for rows.Next() {
		var a Agreement
		if err := rows.Scan(&a.ID, &a.TownCode, &a.Title, &a.SignedOn, &a.TermEnd, &a.Summary); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, a)
	}
	rows.Close()
	for i := range out {
		a := &out[i]
		prow, err := s.DB.Query(ctx, `SELECT name FROM party_agreement_parties WHERE agreement_id = ? ORDER BY seq`, a.ID)
		if err != nil {
			return nil, err
		}
		for prow.Next() {
			var p string
			if err := prow.Scan(&p); err != nil {
				prow.Close()
				return nil, err
			}
			a.Parties = append(a.Parties, p)
		}
		prow.Close()
		if a.Commitments, err = s.tasks(ctx, s.DB, `WHERE t.agreement_id = ? ORDER BY t.id`, a.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Need is what a residents' area (or committee) needs.
type Need struct {
	ID       int64  `json:"id"`
	TownCode string `json:"town"`
	Area     string `json:"area"`
	Text     string `json:"text"`
	Grid     string `json:"grid,omitempty"`
	Matched  bool   `json:"matched"`
}

// Resource is what a unit can offer.
type Resource struct {
	ID       int64  `json:"id"`
	TownCode string `json:"town"`
	Unit     string `json:"unit"`
	Text     string `json:"text"`
	Matched  bool   `json:"matched"`
}

// AddNeed records a need of an area of a town.
func (s *Service) AddNeed(ctx context.Context, towns []string, n Need, by auth.User) (Need, error) {
	if err := checkManagerIn(by, towns, n.TownCode); err != nil {
		return Need{}, err
	}
	var err error
	if n.Area, err = problem.Text("area", n.Area, MaxName, true); err != nil {
		return Need{}, err
	}
	if n.Text, err = problem.Text("text", n.Text, MaxText, true); err != nil {
		return Need{}, err
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO party_needs (town_code, area, text, grid_code, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			n.TownCode, n.Area, n.Text, store.NullIfEmpty(n.Grid), s.now().UnixMilli()).Scan(&n.ID)
		if store.IsForeignKeyViolation(err) {
			return problem.Field("grid", "%q is not a grid", n.Grid)
		}
		if err != nil {
			return err
		}
		return record(ctx, tx, by, audit.ActionCreate, "party_need", n.ID, n.TownCode, n.Area)
	})
	return n, err
}

// AddResource records what a unit of a town can offer.
func (s *Service) AddResource(ctx context.Context, towns []string, r Resource, by auth.User) (Resource, error) {
	if err := checkManagerIn(by, towns, r.TownCode); err != nil {
		return Resource{}, err
	}
	var err error
	if r.Unit, err = problem.Text("unit", r.Unit, MaxName, true); err != nil {
		return Resource{}, err
	}
	if r.Text, err = problem.Text("text", r.Text, MaxText, true); err != nil {
		return Resource{}, err
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO party_resources (town_code, unit, text, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			r.TownCode, r.Unit, r.Text, s.now().UnixMilli()).Scan(&r.ID); err != nil {
			return err
		}
		return record(ctx, tx, by, audit.ActionCreate, "party_resource", r.ID, r.TownCode, r.Unit)
	})
	return r, err
}

// Market is the needs and resources of towns and the projects matched from them.
type Market struct {
	Needs     []Need     `json:"needs"`
	Resources []Resource `json:"resources"`
	Matches   []Task     `json:"matches"`
}

// Market lists needs, resources and matches of towns.
func (s *Service) Market(ctx context.Context, towns []string) (Market, error) {
	var m Market
	where, args := store.In("town_code", towns)
	rows, err := s.DB.Query(ctx, `SELECT id, town_code, area, text, COALESCE(grid_code, ''),
		EXISTS (SELECT 1 FROM party_tasks t WHERE t.need_id = party_needs.id) FROM party_needs WHERE `+where+` ORDER BY id LIMIT 500`, args...)
	if err != nil {
		return m, err
	}
	for rows.Next() {
		var n Need
		if err := rows.Scan(&n.ID, &n.TownCode, &n.Area, &n.Text, &n.Grid, &n.Matched); err != nil {
			rows.Close()
			return m, err
		}
		m.Needs = append(m.Needs, n)
	}
	rows.Close()
	rows, err = s.DB.Query(ctx, `SELECT id, town_code, unit, text,
		EXISTS (SELECT 1 FROM party_tasks t WHERE t.resource_id = party_resources.id) FROM party_resources WHERE `+where+` ORDER BY id LIMIT 500`, args...)
	if err != nil {
		return m, err
	}
	for rows.Next() {
		var r Resource
		if err := rows.Scan(&r.ID, &r.TownCode, &r.Unit, &r.Text, &r.Matched); err != nil {
			rows.Close()
			return m, err
		}
		m.Resources = append(m.Resources, r)
	}
	rows.Close()
	m.Matches, err = s.Tasks(ctx, towns, TaskFilter{Source: SourceMatch})
	return m, err
}

// NewMatch links a need and a resource of the same town with a note; it becomes a task owned by
// the resource's unit, due on a working day.
type NewMatch struct {
	NeedID     int64  `json:"need_id"`
	ResourceID int64  `json:"resource_id"`
	Note       string `json:"note"`
	Due        string `json:"due"`
	DueDays    int    `json:"due_days"`
}

// Match makes a project from a need and a resource (each pair once).
func (s *Service) Match(ctx context.Context, towns []string, n NewMatch, by auth.User) (Task, error) {
	if err := checkManager(by); err != nil {
		return Task{}, err
	}
	var err error
	if n.Note, err = problem.Text("note", n.Note, MaxText, true); err != nil {
		return Task{}, err
	}
	var id int64
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		where, args := store.In("town_code", towns)
		var need Need
		err := tx.QueryRow(ctx, `SELECT id, town_code, area, text FROM party_needs WHERE id = ? AND `+where, append([]any{n.NeedID}, args...)...).
			Scan(&need.ID, &need.TownCode, &need.Area, &need.Text)
		if isNoRows(err) {
			return problem.Field("need_id", "need %d is not in your towns", n.NeedID)
		}
		if err != nil {
			return err
		}
		var res Resource
		err = tx.QueryRow(ctx, `SELECT id, town_code, unit, text FROM party_resources WHERE id = ? AND town_code = ?`, n.ResourceID, need.TownCode).
			Scan(&res.ID, &res.TownCode, &res.Unit, &res.Text)
		if isNoRows(err) {
			return problem.Field("resource_id", "resource %d is not in the need's town", n.ResourceID)
		}
		if err != nil {
			return err
		}
		t := NewTask{Text: need.Area + "：" + need.Text + " ← " + res.Unit + "：" + res.Text + "（" + n.Note + "）", Owner: res.Unit, Due: n.Due, DueDays: n.DueDays}
		if n.Due == "" && n.DueDays == 0 {
			t.DueDays = 20
		}
		due, err := s.due("match", t, s.Today())
		if err != nil {
			return err
		}
		id, err = s.insertTask(ctx, tx, need.TownCode, taskSource{need: need.ID, resource: res.ID}, t, due, by)
		if store.IsUniqueViolation(err) {
			return problem.Field("resource_id", "this need and this resource are matched already")
		}
		return err
	})
	if err != nil {
		return Task{}, err
	}
	return s.Task(ctx, towns, id)
}
