package projects

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/projects"
	"github.com/civicgrid/civicgrid/internal/sheet"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// candidatesData is what pj_candidates.html shows.
type candidatesData struct {
	Lists     []projects.List
	Bodies    []projects.Body
	Sessions  []projects.Session
	Accepted  []projects.Proposal // accepted proposals not yet on the newest list
	Depts     []places.Department
	MayManage bool
	Category  map[string]string
	Kinds     []projects.Label
	KindOf    map[string]string
	Modes     []projects.Label
	ModeOf    map[string]string
	Bases     []projects.Label
	SessOf    map[string]string
	Checks    map[int64]string // list id → the 差额 rule's verdict
	Year      int
}

func (s *handlers) candidatesPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.renderCandidates(w, r, c, http.StatusOK, nil)
}

func (s *handlers) renderCandidates(w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, ferr error) error {
	lang := kit.Language(w, r)
	ctx := r.Context()
	svc := s.service()
	ls, err := svc.Lists(ctx, c.Towns)
	if err != nil {
		return err
	}
	bs, err := svc.Bodies(ctx, c.Towns)
	if err != nil {
		return err
	}
	xs, err := svc.Sessions(ctx, c.Towns)
	if err != nil {
		return err
	}
	d := candidatesData{Lists: ls, Bodies: bs, Sessions: xs, MayManage: c.User.Can(auth.PermProjectsManage), Category: labels(projects.Categories, lang),
		Kinds: projects.BodyKinds, KindOf: labels(projects.BodyKinds, lang), Modes: projects.Modes, ModeOf: labels(projects.Modes, lang),
		Bases: projects.Bases, SessOf: labels(projects.SessionStatuses, lang), Checks: map[int64]string{}, Year: projects.ProposalYear(s.Orders.Now())}
	T := kit.Translator(lang)
	for _, l := range ls {
		if err := projects.CheckCompetitive(len(l.Candidates), l.Seats, l.MinRatio); err != nil {
			_, msg, _ := kit.ErrorText(r, lang, err)
			d.Checks[l.ID] = msg
		} else {
			d.Checks[l.ID] = fmt.Sprintf(T("pj.competitive ok"), len(l.Candidates), l.Seats)
		}
	}
	if d.MayManage {
		acc, err := svc.List(ctx, c.Towns, projects.Filter{Status: projects.StatusAccepted, Limit: 200})
		if err != nil {
			return err
		}
		on := map[int64]bool{}
		for _, l := range ls {
			for _, cd := range l.Candidates {
				on[cd.ProposalID] = true
			}
		}
		for _, p := range acc {
			if !on[p.ID] {
				d.Accepted = append(d.Accepted, masked(p))
			}
		}
		if d.Depts, err = places.Departments(ctx, s.DB, c.Towns); err != nil {
			return err
		}
	}
	pd := kit.PageData{Title: "pj.candidates", Data: d}
	if ferr != nil {
		_, pd.Error, pd.Field = kit.ErrorText(r, lang, ferr)
	}
	return s.Render(w, r, status, "pj_candidates", pd)
}

func (s *handlers) candidatesForm(w http.ResponseWriter, r *http.Request, c *kit.Caller, flash string, err error) error {
	return s.formDone(w, r, err, "/projects/candidates", flash, func(status int, err error) error {
		return s.renderCandidates(w, r, c, status, err)
	})
}

func intField(r *http.Request, name string) (int, error) {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, problem.Field(name, "%q is not a whole number", v)
	}
	return n, nil
}

func (s *handlers) listSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	year, err := intField(r, "year")
	if err != nil {
		return s.candidatesForm(w, r, c, "", err)
	}
	seats, err := intField(r, "seats")
	if err != nil {
		return s.candidatesForm(w, r, c, "", err)
	}
	ratio, err := strconv.ParseFloat(strings.TrimSpace(r.PostFormValue("ratio")), 64)
	if err != nil {
		return s.candidatesForm(w, r, c, "", problem.Field("min_ratio", "%q is not a ratio such as 1.2", r.PostFormValue("ratio")))
	}
	_, err = s.service().CreateList(r.Context(), c.Towns, projects.NewList{Year: year, Seats: seats, MinRatio: int(ratio*100 + 0.5)}, c.User, kit.AuditActor(r, c))
	return s.candidatesForm(w, r, c, "pj.list created", err)
}

func (s *handlers) candidateSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	pid, perr := strconv.ParseInt(r.PostFormValue("project_id"), 10, 64)
	budget, err := yuanField(r, "budget")
	if err == nil && perr != nil {
		err = problem.Field("project_id", "pick a proposal")
	}
	if err == nil {
		err = s.service().SetCandidate(r.Context(), c.Towns, id, projects.Candidate{ProposalID: pid, Department: r.PostFormValue("department"),
			Budget: budget}, c.User, kit.AuditActor(r, c))
	}
	return s.candidatesForm(w, r, c, "pj.candidate added", err)
}

func (s *handlers) candidateRemoveSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	pid, err := kit.PathID(r, "pid")
	if err != nil {
		return err
	}
	err = s.service().RemoveCandidate(r.Context(), c.Towns, id, pid, c.User, kit.AuditActor(r, c))
	return s.candidatesForm(w, r, c, "pj.candidate removed", err)
}

// membersText reads a roll typed one member a line: "name, sector, username" (sector and
// username optional; a username links the account that votes electronically).
func (s *handlers) membersText(r *http.Request, towns []string, text string) ([]projects.NewMember, error) {
	var out []projects.NewMember
	lines := strings.Split(strings.ReplaceAll(text, "\r", ""), "\n")
	if len(lines) > projects.MaxMembers+1 {
		return nil, problem.Field("members", "at most %d lines", projects.MaxMembers)
	}
	for i, line := range lines {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		parts := strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == '，' || r == '\t' })
		m := projects.NewMember{Name: strings.TrimSpace(parts[0])}
		if len(parts) > 1 {
			m.Sector = strings.TrimSpace(parts[1])
		}
		if len(parts) > 2 && strings.TrimSpace(parts[2]) != "" {
			u, err := auth.UserByUsername(r.Context(), s.DB, strings.TrimSpace(parts[2]))
			if err != nil || !contains(towns, u.TownCode) {
				return nil, problem.Field("members", "line %d: no user %q in your towns", i+1, strings.TrimSpace(parts[2]))
			}
			m.UserID = u.ID
		}
		out = append(out, m)
	}
	return out, nil
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func (s *handlers) bodySubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	ms, err := s.membersText(r, c.Towns, r.PostFormValue("members"))
	if err == nil {
		_, err = s.service().CreateBody(r.Context(), c.Towns, "", r.PostFormValue("kind"), r.PostFormValue("name"), ms, c.User, kit.AuditActor(r, c))
	}
	return s.candidatesForm(w, r, c, "pj.body created", err)
}

func (s *handlers) sessionSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	list, _ := strconv.ParseInt(r.PostFormValue("list_id"), 10, 64)
	body, _ := strconv.ParseInt(r.PostFormValue("body_id"), 10, 64)
	quorum, err := intField(r, "quorum_pct")
	if err != nil {
		return s.candidatesForm(w, r, c, "", err)
	}
	x, err := s.service().CreateSession(r.Context(), c.Towns, projects.NewSession{ListID: list, BodyID: body, Name: r.PostFormValue("name"),
		Mode: r.PostFormValue("mode"), QuorumPct: quorum, PassBase: r.PostFormValue("pass_base")}, c.User, kit.AuditActor(r, c))
	if err != nil {
		return s.candidatesForm(w, r, c, "", err)
	}
	kit.RedirectFlash(w, r, fmt.Sprintf("/projects/sessions/%d", x.ID), kit.Translator(kit.Language(w, r))("pj.session created"))
	return nil
}

// sessionData is what pj_session.html shows.
type sessionData struct {
	S          projects.Session
	List       projects.List
	Body       projects.Body
	Present    map[int64]bool
	Round      *projects.Round
	Titles     map[int64]string
	Result     *yearData
	ResultHTML template.HTML
	Recount    *projects.Recounted
	MayManage  bool
	ModeOf     map[string]string
	StatusOf   map[string]string
	BaseOf     map[string]string
	Outcome    map[string]string
	Now        time.Time
	Competes   string // the 差额 rule's verdict, "" when met
	Quorate    bool
}

func (s *handlers) sessionPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderSession(w, r, c, id, http.StatusOK, nil)
}

func (s *handlers) renderSession(w http.ResponseWriter, r *http.Request, c *kit.Caller, id int64, status int, ferr error) error {
	lang := kit.Language(w, r)
	ctx := r.Context()
	svc := s.service()
	x, err := svc.GetSession(ctx, c.Towns, id)
	if err != nil {
		return err
	}
	l, err := svc.GetList(ctx, c.Towns, x.ListID)
	if err != nil {
		return err
	}
	b, err := svc.GetBody(ctx, c.Towns, x.BodyID)
	if err != nil {
		return err
	}
	d := sessionData{S: x, List: l, Body: b, Present: map[int64]bool{}, Round: x.Current(), Titles: map[int64]string{},
		MayManage: c.User.Can(auth.PermProjectsManage), ModeOf: labels(projects.Modes, lang), StatusOf: labels(projects.SessionStatuses, lang),
		BaseOf: labels(projects.Bases, lang), Outcome: outcomeNames(lang), Now: s.Orders.Now(), Quorate: projects.Quorate(x.Members, x.Present, x.QuorumPct)}
	if x.Status != projects.SessionDraft {
		d.Quorate = projects.Quorate(x.Expected, x.Present, x.QuorumPct)
	}
	for _, cd := range l.Candidates {
		d.Titles[cd.ProposalID] = cd.Title
	}
	if err := projects.CheckCompetitive(len(l.Candidates), l.Seats, l.MinRatio); err != nil {
		_, d.Competes, _ = kit.ErrorText(r, lang, err)
	}
	rows, err := s.DB.Query(ctx, `SELECT member_id FROM project_present WHERE session_id = ?`, id)
	if err != nil {
		return err
	}
	for rows.Next() {
		var m int64
		if err := rows.Scan(&m); err != nil {
			rows.Close()
			return err
		}
		d.Present[m] = true
	}
	rows.Close()
	if x.Status == projects.SessionCounted || x.Status == projects.SessionPublished {
		res, err := s.result(ctx, c.Towns, x)
		if err != nil {
			return err
		}
		yd, err := s.yearData(res, lang, c)
		if err != nil {
			return err
		}
		d.Result, d.ResultHTML = &yd, yd.HTML
		rc, err := svc.Recount(ctx, c.Towns, id)
		if err != nil {
			return err
		}
		d.Recount = &rc
	}
	pd := kit.PageData{Title: "pj.session", Data: d}
	if ferr != nil {
		_, pd.Error, pd.Field = kit.ErrorText(r, lang, ferr)
	}
	noStore(w)
	return s.Render(w, r, status, "pj_session", pd)
}

// formBallot reads a ballot from a form: one field "c<project id>" per candidate with yes, no or
// abstain (an empty one is left unmarked).
func formBallot(r *http.Request, candidates []int64) projects.Ballot {
	b := projects.Ballot{}
	for _, id := range candidates {
		if v := r.PostFormValue("c" + strconv.FormatInt(id, 10)); v != "" {
			b[id] = v
		}
	}
	return b
}

// sessionAction runs one of the session page's forms.
func (s *handlers) sessionAction(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	svc := s.service()
	actor := kit.AuditActor(r, c)
	round, _ := strconv.Atoi(r.PostFormValue("round"))
	flash := "pj.saved"
	switch r.PathValue("action") {
	case "tellers":
		err = svc.SetTellers(ctx, c.Towns, id, r.PostFormValue("teller1"), r.PostFormValue("teller2"), r.PostFormValue("scrutineer"), c.User, actor)
	case "present":
		var ms []int64
		if len(r.PostForm["present"]) > projects.MaxMembers {
			err = problem.Field("present", "at most %d members", projects.MaxMembers)
			break
		}
		for _, v := range r.PostForm["present"] {
			if n, perr := strconv.ParseInt(v, 10, 64); perr == nil {
				ms = append(ms, n)
			}
		}
		err = svc.SetPresent(ctx, c.Towns, id, ms, c.User, actor)
	case "open":
		minutes, ierr := intField(r, "minutes")
		if ierr != nil || minutes < 1 || minutes > int(projects.MaxWindow/time.Minute) {
			err = problem.Field("minutes", "the window lasts 1 to %d minutes", int(projects.MaxWindow/time.Minute))
			break
		}
		err, flash = svc.Open(ctx, c.Towns, id, s.Orders.Now().Add(time.Duration(minutes)*time.Minute), c.User, actor), "pj.opened"
	case "counts":
		issued, e1 := intField(r, "issued")
		returned, e2 := intField(r, "returned")
		if err = e1; err == nil {
			err = e2
		}
		if err == nil {
			err = svc.SetCounts(ctx, c.Towns, id, round, issued, returned, c.User, actor)
		}
	case "ballot":
		x, gerr := svc.GetSession(ctx, c.Towns, id)
		if gerr != nil {
			return gerr
		}
		rd := x.Current()
		if rd == nil || rd.Number != round {
			err = problem.Field("round", "round %d is not the current round", round)
			break
		}
		_, err = svc.EnterBallot(ctx, c.Towns, id, round, formBallot(r, rd.Candidates), c.User, actor)
		flash = "pj.ballot entered"
	case "close":
		err, flash = svc.Close(ctx, c.Towns, id, round, c.User, actor), "pj.closed"
	case "count":
		_, err = svc.Count(ctx, c.Towns, id, round, c.User, actor)
		flash = "pj.counted"
	case "publish":
		_, err = svc.Publish(ctx, c.Towns, id, c.User, actor)
		flash = "pj.published"
	default:
		return problem.NotFound("session action %q", r.PathValue("action"))
	}
	return s.formDone(w, r, err, fmt.Sprintf("/projects/sessions/%d", id), flash, func(status int, err error) error {
		return s.renderSession(w, r, c, id, status, err)
	})
}

// ballotsExport downloads the anonymous ballots of every round: ballot id, channel, validity and
// one column per candidate. Nothing in it names who cast a ballot.
func (s *handlers) ballotsExport(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	svc := s.service()
	x, err := svc.GetSession(ctx, c.Towns, id)
	if err != nil {
		return err
	}
	l, err := svc.GetList(ctx, c.Towns, x.ListID)
	if err != nil {
		return err
	}
	T := kit.Translator(kit.Language(w, r))
	out, err := sheet.New(w, sheet.XLSX, sheet.Options{Sheet: T("pj.ballots")})
	if err != nil {
		return err
	}
	head := []string{T("pj.round"), T("pj.ballot id"), T("pj.channel"), T("pj.valid")}
	for _, cd := range l.Candidates {
		head = append(head, fmt.Sprintf("%d %s", cd.ProposalID, cd.Title))
	}
	if err := out.Row(head...); err != nil {
		out.Abort()
		return err
	}
	choice := map[string]string{projects.Yes: T("pj.yes"), projects.No: T("pj.no"), projects.Abstain: T("pj.abstain")}
	for _, rd := range x.Rounds {
		bs, err := svc.Ballots(ctx, c.Towns, id, rd.Number)
		if err != nil {
			out.Abort()
			return err
		}
		for _, b := range bs {
			row := []string{strconv.Itoa(rd.Number), b.ID, b.Channel, strconv.FormatBool(b.Valid)}
			for _, cd := range l.Candidates {
				row = append(row, choice[b.Marks[cd.ProposalID]])
			}
			if err := out.Row(row...); err != nil {
				out.Abort()
				return err
			}
		}
	}
	if err := kit.AuditActor(r, c).Record(ctx, s.DB, audit.Entry{Action: audit.ActionExport, Entity: "project_session", EntityID: fmt.Sprint(id),
		TownCode: x.TownCode, Detail: "anonymous ballots"}); err != nil {
		out.Abort()
		return err
	}
	w.Header().Set("Content-Type", sheet.XLSX.ContentType())
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="ballots-%d.xlsx"`, id))
	noStore(w)
	return out.Close()
}

// voteData is what pj_vote.html shows.
type voteData struct {
	S      projects.Session
	Round  *projects.Round
	Cands  []projects.Candidate
	Voted  bool
	Open   bool
	Member bool
}

func (s *handlers) votePage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderVote(w, r, c, id, http.StatusOK, nil)
}

func (s *handlers) renderVote(w http.ResponseWriter, r *http.Request, c *kit.Caller, id int64, status int, ferr error) error {
	ctx := r.Context()
	svc := s.service()
	x, err := svc.GetSession(ctx, c.Towns, id)
	if err != nil {
		return err
	}
	l, err := svc.GetList(ctx, c.Towns, x.ListID)
	if err != nil {
		return err
	}
	d := voteData{S: x, Round: x.Current()}
	if d.Round != nil {
		in := map[int64]bool{}
		for _, p := range d.Round.Candidates {
			in[p] = true
		}
		for _, cd := range l.Candidates {
			if in[cd.ProposalID] {
				d.Cands = append(d.Cands, cd)
			}
		}
		d.Open = d.Round.OpenAt(s.Orders.Now()) && x.Mode == projects.ModeElectronic
		if d.Voted, err = svc.HasVoted(ctx, x, d.Round.Number, c.User); err != nil {
			return err
		}
	}
	open, err := svc.OpenFor(ctx, c.Towns, c.User)
	if err != nil {
		return err
	}
	for _, o := range open {
		d.Member = d.Member || o.ID == id
	}
	pd := kit.PageData{Title: "pj.vote", Data: d}
	if ferr != nil {
		_, pd.Error, pd.Field = kit.ErrorText(r, kit.Language(w, r), ferr)
	}
	noStore(w)
	return s.Render(w, r, status, "pj_vote", pd)
}

func (s *handlers) voteSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	round, _ := strconv.Atoi(r.PostFormValue("round"))
	x, err := s.service().GetSession(r.Context(), c.Towns, id)
	if err != nil {
		return err
	}
	rd := x.Current()
	if rd == nil || rd.Number != round {
		return s.renderVote(w, r, c, id, http.StatusConflict, problem.Conflict("the ballot moved on to another round: vote again on this page"))
	}
	err = s.service().Vote(r.Context(), c.Towns, id, round, formBallot(r, rd.Candidates), c.User)
	if err != nil {
		status, _ := kit.StatusOf(err)
		if status >= 500 {
			return err
		}
		return s.renderVote(w, r, c, id, status, err)
	}
	kit.RedirectFlash(w, r, fmt.Sprintf("/projects/vote/%d", id), kit.Translator(kit.Language(w, r))("pj.voted"))
	return nil
}

// deputyPanel shows a deputy the ballots open for them now, at the top of their home page.
func (s *handlers) deputyPanel(r *http.Request, c *kit.Caller, lang string) (template.HTML, error) {
	open, err := s.service().OpenFor(r.Context(), c.Towns, c.User)
	if err != nil || len(open) == 0 {
		return "", err
	}
	T := kit.Translator(lang)
	until := map[int64]string{}
	for _, x := range open {
		until[x.ID] = x.Current().ClosesAt.In(workcal.Location()).Format("15:04")
	}
	var b bytes.Buffer
	err = panelTmpl.Execute(&b, map[string]any{"Open": open, "Title": T("pj.open ballot"), "Go": T("pj.go vote"),
		"Until": T("pj.until"), "At": until})
	return template.HTML(b.String()), err
}

var panelTmpl = template.Must(template.New("panel").Parse(`<section class="card pj-panel" id="pj-open-ballots"><h2>{{.Title}}</h2>
{{range .Open}}<p><b>{{.Name}}</b> · {{.BodyName}} · {{$.Until}} {{index $.At .ID}}</p>
<a class="button primary big" href="/projects/vote/{{.ID}}">{{$.Go}}</a>{{end}}</section>`))
