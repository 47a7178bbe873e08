package projects

import (
	"context"
	"html/template"
	"net/http"
	"slices"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/projects"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// defaultTown is the town the portal shows unless ?town= names another: the demo deployment's.
const defaultTown = "新泾镇"

// publicTown is the tenant town a public request asks for (?town=code), else the default one.
func (s *handlers) publicTown(r *http.Request) (places.Region, []places.Region, error) {
	return s.PublicTown(r, kit.TownNamed(defaultTown))
}

// Result is a published ballot as the public sees it: figures and projects, never a ballot or a
// member.
type Result struct {
	Town        string        `json:"town"`
	TownName    string        `json:"town_name"`
	Year        int           `json:"year"`
	SessionID   int64         `json:"session_id"`
	Session     string        `json:"session"`
	Body        string        `json:"body"`
	Mode        string        `json:"mode"`
	PublishedAt time.Time     `json:"published_at"`
	Members     int           `json:"members"` // 应到
	Present     int           `json:"present"` // 实到
	Seats       int           `json:"seats"`
	MinRatio    int           `json:"min_ratio"`
	PassBase    string        `json:"pass_base"`
	Threshold   int           `json:"threshold"`
	Rounds      []ResultRound `json:"rounds"`
	Projects    []ResultRow   `json:"projects"` // every candidate in list order with its final outcome
	Chosen      []ResultRow   `json:"chosen"`
}

// ResultRound is one round's totals.
type ResultRound struct {
	Round    int         `json:"round"`
	Seats    int         `json:"seats"`
	Issued   int         `json:"issued"`
	Returned int         `json:"returned"`
	Valid    int         `json:"valid"`
	Invalid  int         `json:"invalid"`
	Rows     []ResultRow `json:"rows"`
}

// ResultRow is a candidate's count in a round, or its final outcome.
type ResultRow struct {
	ProjectID  int64  `json:"project_id"`
	Title      string `json:"title"`
	Category   string `json:"category"`
	Department string `json:"department,omitempty"`
	Budget     int64  `json:"budget"` // yuan
	Yes        int    `json:"yes"`
	No         int    `json:"no"`
	Abstain    int    `json:"abstain"`
	Outcome    string `json:"outcome"`
	Round      int    `json:"round"` // the round that decided it
}

// result builds the published (or, for staff, counted) result of session x.
func (s *handlers) result(ctx context.Context, towns []string, x projects.Session) (Result, error) {
	l, err := s.service().GetList(ctx, towns, x.ListID)
	if err != nil {
		return Result{}, err
	}
	town, err := places.GetRegion(ctx, s.DB, x.TownCode)
	if err != nil {
		return Result{}, err
	}
	res := Result{Town: x.TownCode, TownName: town.Name, Year: x.Year, SessionID: x.ID, Session: x.Name, Body: x.BodyName, Mode: x.Mode,
		PublishedAt: x.PublishedAt, Members: x.Expected, Present: x.Present, Seats: l.Seats, MinRatio: l.MinRatio, PassBase: x.PassBase,
		Threshold: projects.Threshold(x.Base()), Rounds: []ResultRound{}, Projects: []ResultRow{}, Chosen: []ResultRow{}}
	cand := map[int64]projects.Candidate{}
	for _, c := range l.Candidates {
		cand[c.ProposalID] = c
	}
	row := func(r projects.Row, round int) ResultRow {
		c := cand[r.ProposalID]
		return ResultRow{ProjectID: r.ProposalID, Title: c.Title, Category: c.Category, Department: c.DeptName, Budget: c.Budget,
			Yes: r.Yes, No: r.No, Abstain: r.Abstain, Outcome: r.Outcome, Round: round}
	}
	final := map[int64]ResultRow{}
	for _, rd := range x.Rounds {
		if rd.Status != projects.RoundCounted {
			continue
		}
		rr := ResultRound{Round: rd.Number, Seats: rd.Seats, Issued: rd.Issued, Returned: rd.Returned, Valid: rd.Valid, Invalid: rd.Invalid}
		for _, r := range rd.Results {
			v := row(r, rd.Number)
			rr.Rows = append(rr.Rows, v)
			if prev, ok := final[r.ProposalID]; ok {
				// A re-vote decides a tied candidate; its first-round counts stay the ones shown.
				prev.Outcome, prev.Round = v.Outcome, v.Round
				final[r.ProposalID] = prev
			} else {
				final[r.ProposalID] = v
			}
		}
		res.Rounds = append(res.Rounds, rr)
	}
	for _, c := range l.Candidates {
		if v, ok := final[c.ProposalID]; ok {
			res.Projects = append(res.Projects, v)
			if v.Outcome == projects.OutcomeChosen {
				res.Chosen = append(res.Chosen, v)
			}
		}
	}
	slices.SortStableFunc(res.Projects, func(a, b ResultRow) int { return b.Yes - a.Yes })
	return res, nil
}

// published returns the published results of a town, newest year first.
func (s *handlers) published(ctx context.Context, town string) ([]Result, error) {
	xs, err := s.service().Published(ctx, []string{town})
	if err != nil {
		return nil, err
	}
	out := []Result{}
	for _, x := range xs {
		res, err := s.result(ctx, []string{town}, x)
		if err != nil {
			return nil, err
		}
		out = append(out, res)
	}
	return out, nil
}

func (s *handlers) yearResult(ctx context.Context, town string, year int) (Result, error) {
	rs, err := s.published(ctx, town)
	if err != nil {
		return Result{}, err
	}
	for _, res := range rs {
		if res.Year == year {
			return res, nil
		}
	}
	return Result{}, problem.NotFound("published project ballot of %d", year)
}

func (s *handlers) apiPublicResults(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	t, _, err := s.publicTown(r)
	if err != nil {
		return err
	}
	rs, err := s.published(r.Context(), t.Code)
	return kit.Reply(w, http.StatusOK, map[string]any{"town": t.Code, "town_name": t.Name, "results": rs}, err)
}

func (s *handlers) apiPublicYear(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	year, err := yearParam(r)
	if err != nil {
		return err
	}
	t, _, err := s.publicTown(r)
	if err != nil {
		return err
	}
	res, err := s.yearResult(r.Context(), t.Code, year)
	return kit.Reply(w, http.StatusOK, res, err)
}

// publicProposals are the proposals of a town as anyone sees them (authors masked, no phones).
func (s *handlers) publicProposals(r *http.Request, town string, f projects.Filter) ([]projects.Proposal, error) {
	if f.Limit == 0 || f.Limit > 200 {
		f.Limit = 200
	}
	ps, err := s.service().List(r.Context(), []string{town}, f)
	if err != nil {
		return nil, err
	}
	for i := range ps {
		ps[i] = masked(ps[i])
	}
	return ps, nil
}

func (s *handlers) apiPublicProposals(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	t, _, err := s.publicTown(r)
	if err != nil {
		return err
	}
	f, err := filterOf(r)
	if err != nil {
		return err
	}
	ps, err := s.publicProposals(r, t.Code, f)
	return kit.Reply(w, http.StatusOK, map[string]any{"town": t.Code, "proposals": ps}, err)
}

// portalData is what pj_portal.html shows.
type portalData struct {
	Town      places.Region
	Towns     []places.Region
	Results   []Result
	Proposals []projects.Proposal
	Year      int
	Status    map[string]string
	Category  map[string]string
}

func (s *handlers) portalPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	lang := kit.Language(w, r)
	t, towns, err := s.publicTown(r)
	if err != nil {
		return err
	}
	rs, err := s.published(r.Context(), t.Code)
	if err != nil {
		return err
	}
	year := projects.ProposalYear(s.Orders.Now())
	ps, err := s.publicProposals(r, t.Code, projects.Filter{Year: year, Limit: 100})
	if err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, "pj_portal", kit.PageData{Title: "pj.portal", Data: portalData{Town: t, Towns: towns, Results: rs,
		Proposals: ps, Year: year, Status: labels(projects.Statuses, lang), Category: labels(projects.Categories, lang)}})
}

// chartBar is one bar of a result chart.
type chartBar struct {
	Title   string `json:"title"`
	Yes     int    `json:"yes"`
	Outcome string `json:"outcome"`
}

// chart is the data of a result chart for projects.js (html/template encodes it as JSON).
type chart struct {
	Bars      []chartBar        `json:"bars"`
	Threshold int               `json:"threshold"`
	Seats     int               `json:"seats"`
	Labels    map[string]string `json:"labels"`
}

func chartOf(res Result, lang string) chart {
	T := kit.Translator(lang)
	d := chart{Threshold: res.Threshold, Seats: res.Seats, Labels: map[string]string{"yes": T("pj.yes"), "pass": T("pj.pass line"), "cut": T("pj.seat cut"), "inside": T("pj.seats inside"),
		"chosen": T("pj.outcome.chosen"), "other": T("pj.outcome.failed")}}
	for _, p := range res.Projects {
		d.Bars = append(d.Bars, chartBar{p.Title, p.Yes, p.Outcome})
	}
	return d
}

// yearData is what pj_portal_year.html shows.
type yearData struct {
	Result   Result
	Chart    chart
	Outcome  map[string]string
	Category map[string]string
	Base     map[string]string
	Staff    bool
	HTML     template.HTML // the result table and chart (partials/result.html)
}

func (s *handlers) portalYearPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	lang := kit.Language(w, r)
	year, err := yearParam(r)
	if err != nil {
		return err
	}
	t, _, err := s.publicTown(r)
	if err != nil {
		return err
	}
	res, err := s.yearResult(r.Context(), t.Code, year)
	if err != nil {
		return err
	}
	d, err := s.yearData(res, lang, c)
	if err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, "pj_portal_year", kit.PageData{Title: "pj.results", Data: d})
}

func (s *handlers) yearData(res Result, lang string, c *kit.Caller) (yearData, error) {
	d := yearData{Result: res, Chart: chartOf(res, lang), Outcome: outcomeNames(lang), Category: labels(projects.Categories, lang),
		Base: labels(projects.Bases, lang), Staff: c != nil && c.User.Can(auth.PermProjectsRead)}
	var err error
	d.HTML, err = resultHTML(d, lang)
	return d, err
}

func outcomeNames(lang string) map[string]string {
	T := kit.Translator(lang)
	m := map[string]string{}
	for _, o := range []string{projects.OutcomeChosen, projects.OutcomeTie, projects.OutcomeCut, projects.OutcomeFailed} {
		m[o] = T("pj.outcome." + o)
	}
	return m
}

func (s *handlers) portalProposalPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	lang := kit.Language(w, r)
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	towns, err := places.TenantTowns(r.Context(), s.DB, nil)
	if err != nil {
		return err
	}
	codes := make([]string, len(towns))
	for i, t := range towns {
		codes[i] = t.Code
	}
	p, err := s.service().Get(r.Context(), codes, id)
	if err != nil {
		return err
	}
	// The anonymous author follows with the code the form gave them.
	own := r.URL.Query().Get("code") != "" && s.codeMatches(r, id)
	mayVote := c != nil && c.User.Can(auth.PermProjectsPropose) && p.Status != projects.StatusMerged
	supported := false
	if mayVote {
		m, err := s.service().Supported(r.Context(), c.User.ID, []int64{id})
		if err != nil {
			return err
		}
		supported = m[id]
	}
	pub := masked(p)
	return s.Render(w, r, http.StatusOK, "pj_portal_proposal", kit.PageData{Title: "pj.proposal", Data: map[string]any{
		"P": pub, "Own": own, "MaySupport": mayVote, "Supported": supported, "Status": labels(projects.Statuses, lang),
		"Category": labels(projects.Categories, lang), "Source": labels(projects.Sources, lang), "Feas": labels(projects.Feasibilities, lang)}})
}

func (s *handlers) codeMatches(r *http.Request, id int64) bool {
	_, err := s.service().ByCode(r.Context(), id, r.URL.Query().Get("code"))
	return err == nil
}
