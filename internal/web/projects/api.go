package projects

import (
	"net/http"
	"strconv"

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
	return call(w, r, http.StatusCreated, func(in projects.NewProposal) (projects.Proposal, error) {
		p, err := s.service().Propose(r.Context(), c.Towns, in, c.User, kit.AuditActor(r, c))
		p.Code = ""
		return p, err
	})
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
	return kit.Reply(w, http.StatusOK, map[string]any{"id": id, "supports": n, "supported": on}, err)
}

func (s *handlers) apiAnswer(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return callID(w, r, http.StatusOK, func(id int64, in projects.Reply) (projects.Proposal, error) {
		p, err := s.service().Answer(r.Context(), c.Towns, id, in, c.User, kit.AuditActor(r, c))
		if err != nil {
			return p, err
		}
		return s.shownOne(r, c, p)
	})
}

func (s *handlers) apiMerge(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	type mergeIn struct {
		Into int64 `json:"into"`
	}
	return callID(w, r, http.StatusOK, func(id int64, in mergeIn) (projects.Proposal, error) {
		kept, err := s.service().Merge(r.Context(), c.Towns, id, in.Into, c.User, kit.AuditActor(r, c))
		if err != nil {
			return kept, err
		}
		return s.shownOne(r, c, kept)
	})
}

func (s *handlers) apiAppraise(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	type appraisalIn struct {
		Department  string `json:"department"`
		Feasibility string `json:"feasibility"`
		Cost        int64  `json:"cost"`
		Note        string `json:"note"`
		Attachment  string `json:"attachment"`
	}
	return callID(w, r, http.StatusOK, func(id int64, in appraisalIn) (projects.Appraisal, error) {
		return s.service().Appraise(r.Context(), c.Towns, id, projects.Appraisal{Department: in.Department, Feasibility: in.Feasibility,
			Cost: in.Cost, Note: in.Note, Attachment: in.Attachment}, c.User, kit.AuditActor(r, c))
	})
}

func (s *handlers) apiLists(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	ls, err := s.service().Lists(r.Context(), c.Towns)
	return kit.Reply(w, http.StatusOK, map[string]any{"lists": ls}, err)
}

func (s *handlers) apiCreateList(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return call(w, r, http.StatusCreated, func(in projects.NewList) (projects.List, error) {
		return s.service().CreateList(r.Context(), c.Towns, in, c.User, kit.AuditActor(r, c))
	})
}

func (s *handlers) apiList(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	l, err := s.service().GetList(r.Context(), c.Towns, id)
	return kit.Reply(w, http.StatusOK, l, err)
}

func (s *handlers) apiSetCandidate(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	type candidateIn struct {
		ProjectID  int64  `json:"project_id"`
		Department string `json:"department"`
		Budget     int64  `json:"budget"`
	}
	return callID(w, r, http.StatusOK, func(id int64, in candidateIn) (projects.List, error) {
		svc := s.service()
		if err := svc.SetCandidate(r.Context(), c.Towns, id, projects.Candidate{ProposalID: in.ProjectID, Department: in.Department, Budget: in.Budget},
			c.User, kit.AuditActor(r, c)); err != nil {
			return projects.List{}, err
		}
		return svc.GetList(r.Context(), c.Towns, id)
	})
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
	return kit.Reply(w, http.StatusOK, map[string]any{"bodies": bs, "kinds": projects.BodyKinds}, err)
}

func (s *handlers) apiCreateBody(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	type bodyIn struct {
		Town    string               `json:"town"`
		Kind    string               `json:"kind"`
		Name    string               `json:"name"`
		Members []projects.NewMember `json:"members"`
	}
	return call(w, r, http.StatusCreated, func(in bodyIn) (projects.Body, error) {
		return s.service().CreateBody(r.Context(), c.Towns, in.Town, in.Kind, in.Name, in.Members, c.User, kit.AuditActor(r, c))
	})
}

func (s *handlers) apiAddMembers(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	type membersIn struct {
		Members []projects.NewMember `json:"members"`
	}
	return callID(w, r, http.StatusOK, func(id int64, in membersIn) (projects.Body, error) {
		return s.service().AddMembers(r.Context(), c.Towns, id, in.Members, c.User, kit.AuditActor(r, c))
	})
}
