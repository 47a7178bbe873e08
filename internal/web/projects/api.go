package projects

import (
	"net/http"
	"strconv"
	"time"

	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/projects"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

func filterOf(r *http.Request) (projects.Filter, error) {
	q := r.URL.Query()
	f := projects.Filter{Status: q.Get("status"), Category: q.Get("category"), Query: q.Get("q")}
	if y := q.Get("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || n < 2000 || n > 2100 {
			return f, problem.Field("year", "%q is not a year", y)
		}
		f.Year = n
	}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > projects.MaxList {
			return f, problem.Field("limit", "between 1 and %d", projects.MaxList)
		}
		f.Limit = n
	}
	return f, nil
}

func (s *handlers) apiProposals(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	f, err := filterOf(r)
	if err != nil {
		return err
	}
	ps, err := s.service().List(r.Context(), c.Towns, f)
	if err != nil {
		return err
	}
	if ps, err = s.shown(r, c, ps); err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"proposals": ps, "categories": projects.Categories, "statuses": projects.Statuses})
	return nil
}

func (s *handlers) apiPropose(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var in projects.NewProposal
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	p, err := s.service().Propose(r.Context(), c.Towns, in, c.User, kit.AuditActor(r, c))
	if err != nil {
		return err
	}
	p.Code = ""
	kit.WriteJSON(w, http.StatusCreated, p)
	return nil
}

func (s *handlers) apiProposal(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.service().Get(r.Context(), c.Towns, id)
	if err != nil {
		return err
	}
	if p, err = s.shownOne(r, c, p); err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, p)
	return nil
}

func (s *handlers) apiSupport(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	in := struct {
		On *bool `json:"on"`
	}{}
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	on := in.On == nil || *in.On
	n, err := s.service().Support(r.Context(), c.Towns, id, c.User, on)
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"id": id, "supports": n, "supported": on})
	return nil
}

func (s *handlers) apiAnswer(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	var in projects.Reply
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	p, err := s.service().Answer(r.Context(), c.Towns, id, in, c.User, kit.AuditActor(r, c))
	if err != nil {
		return err
	}
	if p, err = s.shownOne(r, c, p); err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, p)
	return nil
}

func (s *handlers) apiMerge(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	in := struct {
		Into int64 `json:"into"`
	}{}
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	kept, err := s.service().Merge(r.Context(), c.Towns, id, in.Into, c.User, kit.AuditActor(r, c))
	if err != nil {
		return err
	}
	if kept, err = s.shownOne(r, c, kept); err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, kept)
	return nil
}

func (s *handlers) apiAppraise(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	in := struct {
		Department  string `json:"department"`
		Feasibility string `json:"feasibility"`
		Cost        int64  `json:"cost"`
		Note        string `json:"note"`
		Attachment  string `json:"attachment"`
	}{}
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	a, err := s.service().Appraise(r.Context(), c.Towns, id, projects.Appraisal{Department: in.Department, Feasibility: in.Feasibility,
		Cost: in.Cost, Note: in.Note, Attachment: in.Attachment}, c.User, kit.AuditActor(r, c))
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, a)
	return nil
}

func (s *handlers) apiLists(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	ls, err := s.service().Lists(r.Context(), c.Towns)
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"lists": ls})
	return nil
}

func (s *handlers) apiCreateList(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var in projects.NewList
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	l, err := s.service().CreateList(r.Context(), c.Towns, in, c.User, kit.AuditActor(r, c))
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusCreated, l)
	return nil
}

func (s *handlers) apiList(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	l, err := s.service().GetList(r.Context(), c.Towns, id)
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, l)
	return nil
}

func (s *handlers) apiSetCandidate(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	in := struct {
		ProjectID  int64  `json:"project_id"`
		Department string `json:"department"`
		Budget     int64  `json:"budget"`
	}{}
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	svc := s.service()
	if err := svc.SetCandidate(r.Context(), c.Towns, id, projects.Candidate{ProposalID: in.ProjectID, Department: in.Department, Budget: in.Budget},
		c.User, kit.AuditActor(r, c)); err != nil {
		return err
	}
	l, err := svc.GetList(r.Context(), c.Towns, id)
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, l)
	return nil
}

func (s *handlers) apiRemoveCandidate(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	pid, err := kit.PathID(r, "pid")
	if err != nil {
		return err
	}
	if err := s.service().RemoveCandidate(r.Context(), c.Towns, id, pid, c.User, kit.AuditActor(r, c)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *handlers) apiBodies(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	bs, err := s.service().Bodies(r.Context(), c.Towns)
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"bodies": bs, "kinds": projects.BodyKinds})
	return nil
}

func (s *handlers) apiCreateBody(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	in := struct {
		Town    string               `json:"town"`
		Kind    string               `json:"kind"`
		Name    string               `json:"name"`
		Members []projects.NewMember `json:"members"`
	}{}
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	b, err := s.service().CreateBody(r.Context(), c.Towns, in.Town, in.Kind, in.Name, in.Members, c.User, kit.AuditActor(r, c))
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusCreated, b)
	return nil
}

func (s *handlers) apiAddMembers(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	in := struct {
		Members []projects.NewMember `json:"members"`
	}{}
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	b, err := s.service().AddMembers(r.Context(), c.Towns, id, in.Members, c.User, kit.AuditActor(r, c))
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, b)
	return nil
}

func (s *handlers) apiSessions(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	xs, err := s.service().Sessions(r.Context(), c.Towns)
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"sessions": xs})
	return nil
}

func (s *handlers) apiCreateSession(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var in projects.NewSession
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	x, err := s.service().CreateSession(r.Context(), c.Towns, in, c.User, kit.AuditActor(r, c))
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusCreated, x)
	return nil
}

// session answers with the session after a change.
func (s *handlers) session(w http.ResponseWriter, r *http.Request, c *kit.Caller, id int64, status int) error {
	x, err := s.service().GetSession(r.Context(), c.Towns, id)
	if err != nil {
		return err
	}
	noStore(w)
	kit.WriteJSON(w, status, x)
	return nil
}

func (s *handlers) apiSession(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	return s.session(w, r, c, id, http.StatusOK)
}

func (s *handlers) apiTellers(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	in := struct {
		Teller1    string `json:"teller1"`
		Teller2    string `json:"teller2"`
		Scrutineer string `json:"scrutineer"`
	}{}
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.service().SetTellers(r.Context(), c.Towns, id, in.Teller1, in.Teller2, in.Scrutineer, c.User, kit.AuditActor(r, c)); err != nil {
		return err
	}
	return s.session(w, r, c, id, http.StatusOK)
}

func (s *handlers) apiPresent(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	in := struct {
		Members []int64 `json:"members"`
	}{}
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.service().SetPresent(r.Context(), c.Towns, id, in.Members, c.User, kit.AuditActor(r, c)); err != nil {
		return err
	}
	return s.session(w, r, c, id, http.StatusOK)
}

func (s *handlers) apiOpen(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	in := struct {
		Minutes int `json:"minutes"` // the electronic window's length
	}{}
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	if in.Minutes == 0 {
		in.Minutes = 60
	}
	if in.Minutes < 1 || in.Minutes > int(projects.MaxWindow/time.Minute) {
		return problem.Field("minutes", "the window lasts 1 to %d minutes", int(projects.MaxWindow/time.Minute))
	}
	if err := s.service().Open(r.Context(), c.Towns, id, s.Orders.Now().Add(time.Duration(in.Minutes)*time.Minute), c.User, kit.AuditActor(r, c)); err != nil {
		return err
	}
	return s.session(w, r, c, id, http.StatusOK)
}

func sessionRound(r *http.Request) (int64, int, error) {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return 0, 0, err
	}
	round, err := roundParam(r)
	return id, round, err
}

func (s *handlers) apiCounts(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, round, err := sessionRound(r)
	if err != nil {
		return err
	}
	in := struct {
		Issued   int `json:"issued"`
		Returned int `json:"returned"`
	}{}
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.service().SetCounts(r.Context(), c.Towns, id, round, in.Issued, in.Returned, c.User, kit.AuditActor(r, c)); err != nil {
		return err
	}
	return s.session(w, r, c, id, http.StatusOK)
}

func (s *handlers) apiBallots(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, round, err := sessionRound(r)
	if err != nil {
		return err
	}
	bs, err := s.service().Ballots(r.Context(), c.Towns, id, round)
	if err != nil {
		return err
	}
	noStore(w)
	kit.WriteJSON(w, http.StatusOK, map[string]any{"session_id": id, "round": round, "ballots": bs})
	return nil
}

// ballotIn is a ballot as a request carries it: project id → yes, no or abstain.
type ballotIn struct {
	Marks map[string]string `json:"marks"`
}

func (b ballotIn) ballot() (projects.Ballot, error) {
	if len(b.Marks) > projects.MaxCandidates {
		return nil, problem.Field("marks", "at most %d marks", projects.MaxCandidates)
	}
	out := projects.Ballot{}
	for k, v := range b.Marks {
		id, err := strconv.ParseInt(k, 10, 64)
		if err != nil || id <= 0 {
			return nil, problem.Field("marks", "%q is not a project id", k)
		}
		out[id] = v
	}
	return out, nil
}

func (s *handlers) apiEnterBallot(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, round, err := sessionRound(r)
	if err != nil {
		return err
	}
	var in ballotIn
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	b, err := in.ballot()
	if err != nil {
		return err
	}
	bid, err := s.service().EnterBallot(r.Context(), c.Towns, id, round, b, c.User, kit.AuditActor(r, c))
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusCreated, map[string]any{"ballot_id": bid})
	return nil
}

func (s *handlers) apiVote(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, round, err := sessionRound(r)
	if err != nil {
		return err
	}
	var in ballotIn
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	b, err := in.ballot()
	if err != nil {
		return err
	}
	if err := s.service().Vote(r.Context(), c.Towns, id, round, b, c.User); err != nil {
		return err
	}
	noStore(w)
	kit.WriteJSON(w, http.StatusCreated, map[string]any{"voted": true})
	return nil
}

func (s *handlers) apiClose(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, round, err := sessionRound(r)
	if err != nil {
		return err
	}
	if err := s.service().Close(r.Context(), c.Towns, id, round, c.User, kit.AuditActor(r, c)); err != nil {
		return err
	}
	return s.session(w, r, c, id, http.StatusOK)
}

func (s *handlers) apiCount(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, round, err := sessionRound(r)
	if err != nil {
		return err
	}
	t, err := s.service().Count(r.Context(), c.Towns, id, round, c.User, kit.AuditActor(r, c))
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, t)
	return nil
}

func (s *handlers) apiPublish(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	chosen, err := s.service().Publish(r.Context(), c.Towns, id, c.User, kit.AuditActor(r, c))
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"session_id": id, "chosen": chosen})
	return nil
}

func (s *handlers) apiRecount(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	rc, err := s.service().Recount(r.Context(), c.Towns, id)
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, rc)
	return nil
}
