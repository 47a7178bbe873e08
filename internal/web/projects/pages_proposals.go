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

// MaxPhotos is how many photos a proposal form carries (the shell's body limit reads it).
const MaxPhotos = projects.MaxPhotos

// honeypotField is a text input hidden from people (projects.css moves it off screen).
const honeypotField = "website"

// pin is a proposal on the list page's map.
type pin struct {
	ID     int64   `json:"id"`
	Title  string  `json:"title"`
	Status string  `json:"status"`
	Lat    float64 `json:"lat"`
	Lng    float64 `json:"lng"`
	N      int     `json:"supports"`
}

// listData is what pj_list.html shows.
type listData struct {
	Proposals []projects.Proposal
	Filter    projects.Filter
	Pins      []pin
	Town      string
	Status    map[string]string
	Category  map[string]string
	Source    map[string]string
	Statuses  []projects.Label
	Cats      []projects.Label
	Counts    map[string]int
	MayManage bool
}

func (s *handlers) listPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	lang := kit.Language(w, r)
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
	counts := map[string]int{}
	var pins []pin
	for _, p := range ps {
		counts[p.Status]++
		if p.Lat != nil && p.Status != projects.StatusMerged {
			pins = append(pins, pin{p.ID, p.Title, p.Status, *p.Lat, *p.Lng, p.Supports})
		}
	}
	town := ""
	if len(c.Towns) > 0 {
		town = c.Towns[0]
	}
	return s.Render(w, r, http.StatusOK, "pj_list", kit.PageData{Title: "pj.nav", Data: listData{Proposals: ps, Filter: f, Pins: pins,
		Town: town, Status: labels(projects.Statuses, lang), Category: labels(projects.Categories, lang), Source: labels(projects.Sources, lang),
		Statuses: projects.Statuses, Cats: projects.Categories, Counts: counts, MayManage: c.User.Can(auth.PermProjectsManage)}})
}

// proposalData is what pj_proposal.html shows.
type proposalData struct {
	P           projects.Proposal
	Status      map[string]string
	Category    map[string]string
	Source      map[string]string
	Feas        []projects.Label
	FeasOf      map[string]string
	MayManage   bool
	MayAppraise bool
	MaySupport  bool
	Supported   bool
	Depts       []places.Department
	Merged      *projects.Proposal
	Pin         []pin
}

func (s *handlers) proposalPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderProposal(w, r, c, id, http.StatusOK, nil)
}

func (s *handlers) renderProposal(w http.ResponseWriter, r *http.Request, c *kit.Caller, id int64, status int, ferr error) error {
	lang := kit.Language(w, r)
	svc := s.service()
	p, err := svc.Get(r.Context(), c.Towns, id)
	if err != nil {
		return err
	}
	if p, err = s.shownOne(r, c, p); err != nil {
		return err
	}
	d := proposalData{P: p, Status: labels(projects.Statuses, lang), Category: labels(projects.Categories, lang), Source: labels(projects.Sources, lang),
		Feas: projects.Feasibilities, FeasOf: labels(projects.Feasibilities, lang), MayManage: c.User.Can(auth.PermProjectsManage),
		MayAppraise: c.User.Can(auth.PermProjectsAppraise), MaySupport: c.User.Can(auth.PermProjectsPropose) && p.Status != projects.StatusMerged}
	if d.MaySupport {
		m, err := svc.Supported(r.Context(), c.User.ID, []int64{id})
		if err != nil {
			return err
		}
		d.Supported = m[id]
	}
	if d.MayManage {
		if d.Depts, err = places.Departments(r.Context(), s.DB, []string{p.TownCode}); err != nil {
			return err
		}
	}
	if p.MergedInto != 0 {
		if m, err := svc.Get(r.Context(), c.Towns, p.MergedInto); err == nil {
			m = masked(m)
			d.Merged = &m
		}
	}
	if p.Lat != nil {
		d.Pin = []pin{{p.ID, p.Title, p.Status, *p.Lat, *p.Lng, p.Supports}}
	}
	pd := kit.PageData{Title: "pj.proposal", Data: d}
	if ferr != nil {
		_, pd.Error, pd.Field = kit.ErrorText(r, lang, ferr)
	}
	return s.Render(w, r, status, "pj_proposal", pd)
}

// formDone answers a page form: back to the page with a flash, or the page again with the error
// when it is the user's to fix.
func (s *handlers) formDone(w http.ResponseWriter, r *http.Request, err error, to, flashKey string, again func(status int, err error) error) error {
	if err != nil {
		status, _ := kit.StatusOf(err)
		if status >= 500 {
			return err
		}
		return again(status, err)
	}
	kit.RedirectFlash(w, r, to, kit.Translator(kit.Language(w, r))(flashKey))
	return nil
}

func (s *handlers) proposalForm(w http.ResponseWriter, r *http.Request, c *kit.Caller, flash string, do func(id int64) error) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	err = do(id)
	return s.formDone(w, r, err, fmt.Sprintf("/projects/proposals/%d", id), flash, func(status int, err error) error {
		return s.renderProposal(w, r, c, id, status, err)
	})
}

func (s *handlers) answerSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.proposalForm(w, r, c, "pj.answered", func(id int64) error {
		_, err := s.service().Answer(r.Context(), c.Towns, id, projects.Reply{Accept: r.PostFormValue("decision") == "accept",
			Text: r.PostFormValue("text")}, c.User, kit.AuditActor(r, c))
		return err
	})
}

func (s *handlers) mergeSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.proposalForm(w, r, c, "pj.merged", func(id int64) error {
		into, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(r.PostFormValue("into")), "#"), 10, 64)
		if err != nil {
			return problem.Field("into", "give the number of the proposal to keep")
		}
		_, err = s.service().Merge(r.Context(), c.Towns, id, into, c.User, kit.AuditActor(r, c))
		return err
	})
}

func (s *handlers) appraiseSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.proposalForm(w, r, c, "pj.appraised", func(id int64) error {
		cost, err := yuanField(r, "cost")
		if err != nil {
			return err
		}
		a := projects.Appraisal{Department: r.PostFormValue("department"), Feasibility: r.PostFormValue("feasibility"), Cost: cost,
			Note: r.PostFormValue("note")}
		p, err := s.service().Get(r.Context(), c.Towns, id)
		if err != nil {
			return err
		}
		ids, err := s.storePhotos(r, p.TownCode, c.User.ID, "file", 1)
		if err != nil {
			return err
		}
		if len(ids) == 1 {
			a.Attachment = ids[0]
		}
		_, err = s.service().Appraise(r.Context(), c.Towns, id, a, c.User, kit.AuditActor(r, c))
		return err
	})
}

func (s *handlers) supportSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	on := r.PostFormValue("on") != "0"
	if _, err := s.service().Support(r.Context(), c.Towns, id, c.User, on); err != nil {
		return err
	}
	back := kit.SafeNext(r.PostFormValue("back"))
	if back == "/" {
		back = fmt.Sprintf("/projects/proposals/%d", id)
	}
	key := "pj.supported"
	if !on {
		key = "pj.unsupported"
	}
	kit.RedirectFlash(w, r, back, kit.Translator(kit.Language(w, r))(key))
	return nil
}

// yuanField reads a whole number of yuan; 万元 may be typed as "12万".
func yuanField(r *http.Request, name string) (int64, error) {
	v := strings.ReplaceAll(strings.TrimSpace(r.PostFormValue(name)), ",", "")
	if v == "" {
		return 0, nil
	}
	mult := int64(1)
	if n, ok := strings.CutSuffix(v, "万"); ok {
		v, mult = strings.TrimSpace(n), 10000
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f*float64(mult) > projects.MaxCost {
		return 0, problem.Field(name, "%q is not an amount in yuan (e.g. 350000 or 35万)", r.PostFormValue(name))
	}
	return int64(f*float64(mult) + 0.5), nil
}

// storePhotos stores up to max photos of the form's field through kit.StorePhoto.
func (s *handlers) storePhotos(r *http.Request, town string, user int64, field string, max int) ([]string, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	files := r.MultipartForm.File[field]
	if len(files) > max {
		return nil, problem.Field(field, "at most %d photos", max)
	}
	var ids []string
	for _, fh := range files {
		if fh.Size == 0 {
			continue
		}
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		up, err := s.StorePhoto(r, town, user, f)
		f.Close()
		if err != nil {
			return nil, err
		}
		ids = append(ids, up.ID)
	}
	return ids, nil
}

func (s *handlers) myPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	lang := kit.Language(w, r)
	ps, err := s.service().List(r.Context(), c.Towns, projects.Filter{AuthorID: c.User.ID, Limit: 200})
	if err != nil {
		return err
	}
	if ps, err = s.shown(r, c, ps); err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, "pj_my", kit.PageData{Title: "pj.my", Data: map[string]any{"Proposals": ps,
		"Status": labels(projects.Statuses, lang), "Category": labels(projects.Categories, lang)}})
}
