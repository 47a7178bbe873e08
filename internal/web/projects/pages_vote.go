package projects

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strconv"

	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/projects"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

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
