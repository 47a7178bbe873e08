package projects

import (
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/projects"
	"github.com/civicgrid/civicgrid/internal/sheet"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

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
