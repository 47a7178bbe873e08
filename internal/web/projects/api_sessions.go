package projects

import (
	"net/http"
	"strconv"
	"time"

	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/projects"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

func (s *handlers) apiSessions(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	xs, err := s.service().Sessions(r.Context(), c.Towns)
	return kit.Reply(w, http.StatusOK, map[string]any{"sessions": xs}, err)
}

func (s *handlers) apiCreateSession(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return call(w, r, http.StatusCreated, func(in projects.NewSession) (projects.Session, error) {
		return s.service().CreateSession(r.Context(), c.Towns, in, c.User, kit.AuditActor(r, c))
	})
}

// call decodes the request's JSON body, runs do with it and answers with its result and status.
func call[In, Out any](w http.ResponseWriter, r *http.Request, status int, do func(in In) (Out, error)) error {
	var in In
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	out, err := do(in)
	if err != nil {
		return err
	}
	kit.WriteJSON(w, status, out)
	return nil
}

// callID is call for a route with an {id}.
func callID[In, Out any](w http.ResponseWriter, r *http.Request, status int, do func(id int64, in In) (Out, error)) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	return call(w, r, status, func(in In) (Out, error) { return do(id, in) })
}

// sessionChange runs a change of the session {id} (and {round}, when the route has one) with the
// request's body, and answers with the session as it is after the change. A body is optional
// when In is empty.
func sessionChange[In any](s *handlers, w http.ResponseWriter, r *http.Request, c *kit.Caller, do func(id int64, round int, in In) error) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	round := 0
	if r.PathValue("round") != "" {
		if round, err = roundParam(r); err != nil {
			return err
		}
	}
	var in In
	if r.ContentLength != 0 {
		if err := kit.DecodeJSON(r, &in); err != nil {
			return err
		}
	}
	if err := do(id, round, in); err != nil {
		return err
	}
	return s.session(w, r, c, id, http.StatusOK)
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
	type tellersIn struct {
		Teller1    string `json:"teller1"`
		Teller2    string `json:"teller2"`
		Scrutineer string `json:"scrutineer"`
	}
	return sessionChange(s, w, r, c, func(id int64, _ int, in tellersIn) error {
		return s.service().SetTellers(r.Context(), c.Towns, id, in.Teller1, in.Teller2, in.Scrutineer, c.User, kit.AuditActor(r, c))
	})
}

func (s *handlers) apiPresent(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	type presentIn struct {
		Members []int64 `json:"members"`
	}
	return sessionChange(s, w, r, c, func(id int64, _ int, in presentIn) error {
		return s.service().SetPresent(r.Context(), c.Towns, id, in.Members, c.User, kit.AuditActor(r, c))
	})
}

func (s *handlers) apiOpen(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	type openIn struct {
		Minutes int `json:"minutes"` // the electronic window's length
	}
	return sessionChange(s, w, r, c, func(id int64, _ int, in openIn) error {
		if in.Minutes == 0 {
			in.Minutes = 60
		}
		if in.Minutes < 1 || in.Minutes > int(projects.MaxWindow/time.Minute) {
			return problem.Field("minutes", "the window lasts 1 to %d minutes", int(projects.MaxWindow/time.Minute))
		}
		return s.service().Open(r.Context(), c.Towns, id, s.Orders.Now().Add(time.Duration(in.Minutes)*time.Minute), c.User, kit.AuditActor(r, c))
	})
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
	type countsIn struct {
		Issued   int `json:"issued"`
		Returned int `json:"returned"`
	}
	return sessionChange(s, w, r, c, func(id int64, round int, in countsIn) error {
		return s.service().SetCounts(r.Context(), c.Towns, id, round, in.Issued, in.Returned, c.User, kit.AuditActor(r, c))
	})
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
	return withBallot(w, r, func(id int64, round int, b projects.Ballot) (any, error) {
		bid, err := s.service().EnterBallot(r.Context(), c.Towns, id, round, b, c.User, kit.AuditActor(r, c))
		return map[string]any{"ballot_id": bid}, err
	})
}

// withBallot reads the {id}, the {round} and the ballot of a request, runs do and answers 201
// with its result; no answer about a ballot is cached.
func withBallot(w http.ResponseWriter, r *http.Request, do func(id int64, round int, b projects.Ballot) (any, error)) error {
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
	out, err := do(id, round, b)
	if err != nil {
		return err
	}
	noStore(w)
	kit.WriteJSON(w, http.StatusCreated, out)
	return nil
}

func (s *handlers) apiVote(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return withBallot(w, r, func(id int64, round int, b projects.Ballot) (any, error) {
		return map[string]any{"voted": true}, s.service().Vote(r.Context(), c.Towns, id, round, b, c.User)
	})
}

func (s *handlers) apiClose(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return sessionChange(s, w, r, c, func(id int64, round int, _ struct{}) error {
		return s.service().Close(r.Context(), c.Towns, id, round, c.User, kit.AuditActor(r, c))
	})
}

func (s *handlers) apiCount(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, round, err := sessionRound(r)
	if err != nil {
		return err
	}
	t, err := s.service().Count(r.Context(), c.Towns, id, round, c.User, kit.AuditActor(r, c))
	return kit.Reply(w, http.StatusOK, t, err)
}

func (s *handlers) apiPublish(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	chosen, err := s.service().Publish(r.Context(), c.Towns, id, c.User, kit.AuditActor(r, c))
	return kit.Reply(w, http.StatusOK, map[string]any{"session_id": id, "chosen": chosen}, err)
}

func (s *handlers) apiRecount(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	rc, err := s.service().Recount(r.Context(), c.Towns, id)
	return kit.Reply(w, http.StatusOK, rc, err)
}
