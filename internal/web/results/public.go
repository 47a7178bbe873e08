package results

import (
	"context"
	"database/sql"
	"errors"
	"net/http"

	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/results"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// The public portal shows what a town publishes of its projects: titles, departments, budgets,
// progress, status, milestones, the timeline (text written by staff for the record, without who
// wrote it) with photos through signed links, the deputies' inspections, and — once a rating
// window has closed — the tally. Comments and the staff's names stay inside.

// publicResult is a result as the portal shows it.
type publicResult struct {
	ID          int64    `json:"id"`
	ParentID    int64    `json:"parent_id,omitempty"`
	Year        int      `json:"year"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Category    string   `json:"category"`
	Department  string   `json:"department"`
	BudgetFen   int64    `json:"budget_fen"`
	Status      string   `json:"status"`
	StatusName  string   `json:"status_name"`
	Progress    float64  `json:"progress"`
	Place       string   `json:"place,omitempty"`
	Lat         *float64 `json:"lat,omitempty"`
	Lng         *float64 `json:"lng,omitempty"`
	Milestones  int      `json:"milestones"`
	Done        int      `json:"milestones_done"`
	Overdue     int      `json:"milestones_overdue"`
	RatingOpen  bool     `json:"rating_open"`
	RatingOpens string   `json:"rating_opens,omitempty"`
	Closes      string   `json:"rating_closes,omitempty"`
}

type publicEntry struct {
	Day      string   `json:"day"`
	Kind     string   `json:"kind"`
	Body     string   `json:"body"`
	Progress *float64 `json:"progress,omitempty"`
	Status   string   `json:"status,omitempty"`
	Photos   []string `json:"photos,omitempty"` // signed links (/uploads/<ref>/thumb)
}

type publicDetail struct {
	publicResult
	Parts         []publicResult       `json:"parts"`
	MilestoneList []results.Milestone  `json:"milestone_list"`
	Timeline      []publicEntry        `json:"timeline"`
	Inspections   []results.Inspection `json:"inspections"`
	Tally         *results.Tally       `json:"tally,omitempty"` // after the rating window
}

func toPublic(r results.Result, sts []results.Status, lang, today string) publicResult {
	return publicResult{ID: r.ID, ParentID: r.ParentID, Year: r.Year, Title: r.Title, Description: r.Description, Category: r.Category,
		Department: r.Dept(lang), BudgetFen: r.BudgetFen, Status: r.Status, StatusName: results.StatusName(sts, r.Status, lang),
		Progress: r.Progress, Place: r.Place, Lat: r.Lat, Lng: r.Lng, Milestones: r.Total, Done: r.Done, Overdue: r.Overdue,
		RatingOpen: r.ParentID == 0 && results.RatingOpen(r, today), RatingOpens: r.RatingOpens, Closes: r.RatingCloses}
}

// publicTowns are the towns that run CivicGrid (any of them may be shown publicly).
func publicTowns(ctx context.Context, db *store.DB) ([]string, error) {
	rows, err := db.Query(ctx, `SELECT code FROM regions WHERE level = 'town' AND tenant = 1 ORDER BY code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// publicTown is the ?town= of a public request (a CivicGrid town), the caller's own town when
// signed in, or the first town that has results.
func (s *handlers) publicTown(r *http.Request, c *kit.Caller) (string, []string, error) {
	var first string
	if c == nil || c.User.TownCode == "" {
		if err := s.DB.QueryRow(r.Context(), `SELECT town_code FROM results ORDER BY id LIMIT 1`).Scan(&first); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return "", nil, err
		}
	}
	t, towns, err := s.PublicTown(r, kit.TownCoded(func(t places.Region) bool {
		if c != nil && c.User.TownCode != "" {
			return t.Code == c.User.TownCode
		}
		return t.Code == first
	}))
	codes := make([]string, len(towns))
	for i, x := range towns {
		codes[i] = x.Code
	}
	return t.Code, codes, err
}

func (s *handlers) publicYear(r *http.Request, c *kit.Caller, lang string) (town string, year int, list []publicResult, err error) {
	town, _, err = s.publicTown(r, c)
	if err != nil {
		return
	}
	if year, err = s.yearOf(r, []string{town}); err != nil {
		return
	}
	svc := s.svc()
	rs, err := svc.Year(r.Context(), []string{town}, year)
	if err != nil {
		return
	}
	sts, err := svc.Statuses(r.Context(), town)
	if err != nil {
		return
	}
	today := svc.Today()
	list = []publicResult{}
	for _, x := range rs {
		list = append(list, toPublic(x, sts, lang, today))
	}
	return
}

func (s *handlers) apiPublicYear(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	town, year, list, err := s.publicYear(r, c, kit.Language(w, r))
	return kit.Reply(w, http.StatusOK, map[string]any{"town": town, "year": year, "results": list}, err)
}

// publicDetailOf is result id as the portal shows it; the town is the result's own (any CivicGrid town).
func (s *handlers) publicDetailOf(r *http.Request, id int64, lang string) (publicDetail, results.Result, error) {
	ctx := r.Context()
	towns, err := publicTowns(ctx, s.DB)
	if err != nil {
		return publicDetail{}, results.Result{}, err
	}
	svc := s.svc()
	res, err := svc.Get(ctx, towns, id)
	if err != nil {
		return publicDetail{}, res, err
	}
	scope := []string{res.TownCode}
	sts, err := svc.Statuses(ctx, res.TownCode)
	if err != nil {
		return publicDetail{}, res, err
	}
	today := svc.Today()
	d := publicDetail{publicResult: toPublic(res, sts, lang, today), Parts: []publicResult{}, Timeline: []publicEntry{}}
	year, err := svc.Year(ctx, scope, res.Year)
	if err != nil {
		return d, res, err
	}
	for _, p := range subtree(year, id) {
		d.Parts = append(d.Parts, toPublic(p, sts, lang, today))
	}
	if d.MilestoneList, err = svc.Milestones(ctx, scope, id); err != nil {
		return d, res, err
	}
	if d.Inspections, err = svc.Inspections(ctx, scope, id); err != nil {
		return d, res, err
	}
	tl, err := svc.Timeline(ctx, scope, id)
	if err != nil {
		return d, res, err
	}
	links, err := privacy.PhotoLinksFor(ctx, s.DB)
	if err != nil {
		return d, res, err
	}
	for _, e := range tl {
		pe := publicEntry{Day: e.Day, Kind: e.Kind, Body: e.Body, Progress: e.Progress, Status: results.StatusName(sts, e.Status, lang)}
		if e.Status == "" {
			pe.Status = ""
		}
		for _, p := range e.Photos {
			pe.Photos = append(pe.Photos, "/uploads/"+links.Sign(p))
		}
		d.Timeline = append(d.Timeline, pe)
	}
	if res.ParentID == 0 && res.RatingCloses != "" && res.RatingCloses < today {
		t, err := svc.Tallies(ctx, []int64{id})
		if err != nil {
			return d, res, err
		}
		tally := t[id]
		tally.ResultID = id
		d.Tally = &tally
	}
	return d, res, nil
}

func (s *handlers) apiPublicResult(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	d, _, err := s.publicDetailOf(r, id, kit.Language(w, r))
	return kit.Reply(w, http.StatusOK, d, err)
}
