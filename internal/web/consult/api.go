package consult

import (
	"net/http"
	"strconv"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/consult"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

func (s *handlers) apiList(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	q := r.URL.Query()
	var list []consult.Consultation
	var err error
	if kind, ref := q.Get("link_kind"), q.Get("link_ref"); kind != "" || ref != "" {
		// The consultations of a piece of work (an order's or a project's page).
		list, err = s.service().LinkedTo(r.Context(), c.Towns, kind, ref)
	} else {
		list, err = s.service().List(r.Context(), c.Towns, consult.Filter{Status: q.Get("status")})
	}
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"consultations": list, "statuses": consult.Statuses, "types": consult.Types})
	return nil
}

func (s *handlers) apiCreate(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var d consult.Draft
	if err := kit.DecodeJSON(r, &d); err != nil {
		return err
	}
	cs, err := s.service().Create(r.Context(), c.Towns, d, c.User)
	return reply(w, http.StatusCreated, cs, err)
}

func (s *handlers) apiGet(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	cs, err := s.service().Get(r.Context(), c.Towns, id)
	return reply(w, http.StatusOK, cs, err)
}

func (s *handlers) apiUpdate(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var d consult.Draft
	id, err := idAndJSON(r, &d)
	if err != nil {
		return err
	}
	cs, err := s.service().Update(r.Context(), c.Towns, id, d, c.User)
	return reply(w, http.StatusOK, cs, err)
}

func (s *handlers) apiDelete(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.service().Delete(r.Context(), c.Towns, id, c.User); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *handlers) apiAct(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	var d consult.Decision
	if r.ContentLength != 0 {
		if err := kit.DecodeJSON(r, &d); err != nil {
			return err
		}
	}
	cs, err := s.service().Act(r.Context(), c.Towns, id, r.PathValue("action"), d, c.User)
	return reply(w, http.StatusOK, cs, err)
}

// resultsView is a consultation with its tallies.
type resultsView struct {
	Consultation consult.Consultation `json:"consultation"`
	Results      consult.Results      `json:"results"`
}

func (s *handlers) apiResults(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	svc := s.service()
	cs, err := svc.Get(r.Context(), c.Towns, id)
	if err != nil {
		return err
	}
	res, err := svc.Tally(r.Context(), cs)
	return kit.Reply(w, http.StatusOK, resultsView{cs, res}, err)
}

func pageParam(r *http.Request) (int, error) {
	p := r.URL.Query().Get("page")
	if p == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 100000 {
		return 0, kit.BadRequest("page", "page: a number from 1")
	}
	return n, nil
}

func (s *handlers) apiTexts(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	page, err := pageParam(r)
	if err != nil {
		return err
	}
	svc := s.service()
	cs, err := svc.Get(r.Context(), c.Towns, id)
	if err != nil {
		return err
	}
	key := r.PathValue("key")
	if !isTextQuestion(cs, key) {
		return problem.NotFound("text question %.20q", key)
	}
	p, err := svc.Texts(r.Context(), cs, key, page)
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, maskTexts(p))
	return nil
}

func isTextQuestion(cs consult.Consultation, key string) bool {
	for _, q := range cs.Questions {
		if q.Key == key && q.Type == consult.TypeText {
			return true
		}
	}
	return false
}

func (s *handlers) apiAddLink(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var l consult.Link
	id, err := idAndJSON(r, &l)
	if err != nil {
		return err
	}
	l.ID = 0
	l, err = s.service().AddLink(r.Context(), c.Towns, id, l, c.User)
	return reply(w, http.StatusCreated, l, err)
}

func (s *handlers) apiRemoveLink(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	lid, err := kit.PathID(r, "lid")
	if err != nil {
		return err
	}
	if err := s.service().RemoveLink(r.Context(), c.Towns, id, lid, c.User); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *handlers) apiBodies(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	bs, err := s.service().Bodies(r.Context(), c.Towns)
	return kit.Reply(w, http.StatusOK, map[string]any{"bodies": bs, "kinds": consult.BodyKinds}, err)
}

func (s *handlers) apiAddBody(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var b consult.Body
	if err := kit.DecodeJSON(r, &b); err != nil {
		return err
	}
	b.ID = 0
	b, err := s.service().AddBody(r.Context(), c.Towns, b, c.User)
	return reply(w, http.StatusCreated, b, err)
}

// apiAnswer stores one answer: a signed-in resident's, a grid worker's paper entry ("paper":
// true), or — on the public route — an anonymous one where the consultation takes them. A
// resend with the same client_id answers 200 with the stored answer ("duplicate": true).
func (s *handlers) apiAnswer(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var sub consult.Submission
	id, err := idAndJSON(r, &sub)
	if err != nil {
		return err
	}
	var by *auth.User
	if c != nil {
		by = &c.User
	}
	rec, err := s.service().Submit(r.Context(), id, sub, by)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if rec.Duplicate {
		status = http.StatusOK
	}
	kit.WriteJSON(w, status, rec)
	return nil
}

// publicView is a consultation as the public sees it: its results and decision once decided.
type publicView struct {
	Consultation consult.Consultation `json:"consultation"`
	Results      *consult.Results     `json:"results,omitempty"`
}

// publicConsultation strips what only staff see.
func publicConsultation(cs consult.Consultation) consult.Consultation {
	if !cs.Published() {
		cs.Summary, cs.Decision = "", ""
	}
	return cs
}

func (s *handlers) apiPublicList(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	list, err := s.publicList(r)
	if err != nil {
		return err
	}
	for i := range list {
		list[i] = publicConsultation(list[i])
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"consultations": list})
	return nil
}

func (s *handlers) apiPublicGet(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	svc := s.service()
	cs, err := svc.Public(r.Context(), id)
	if err != nil {
		return err
	}
	v := publicView{Consultation: publicConsultation(cs)}
	if cs.Published() {
		res, err := svc.Tally(r.Context(), cs)
		if err != nil {
			return err
		}
		v.Results = &res
	}
	kit.WriteJSON(w, http.StatusOK, v)
	return nil
}

// idAndJSON reads the path's {id} and decodes the JSON body into v.
func idAndJSON(r *http.Request, v any) (int64, error) {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return 0, err
	}
	return id, kit.DecodeJSON(r, v)
}

// reply writes v as JSON with status, or returns err for the route to answer.
func reply(w http.ResponseWriter, status int, v any, err error) error {
	if err != nil {
		return err
	}
	kit.WriteJSON(w, status, v)
	return nil
}
