package projects

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/projects"
	"github.com/civicgrid/civicgrid/internal/web/kit"
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
