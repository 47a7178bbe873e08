package campaigns

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/campaigns"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// targetData is what campaign_target.html shows: the phone form of a visit.
type targetData struct {
	C          campaigns.Campaign
	T          campaigns.Target
	MayVisit   bool
	Statuses   []campaigns.Label
	StatusOf   map[string]string
	TargetKind map[string]string
	GridName   string
	Categories []orders.Category
	CatName    map[string]string
	Form       campaigns.NewVisit
	Now        string
}

func (s *handlers) campaignTargetPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.renderTarget(w, r, c, http.StatusOK, campaigns.NewVisit{Status: campaigns.StatusVisited}, nil)
}

func (s *handlers) renderTarget(w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, form campaigns.NewVisit, ferr error) error {
	ctx := r.Context()
	lang := kit.Language(w, r)
	id, tid, err := pathIDs(r, "tid")
	if err != nil {
		return err
	}
	svc := s.campaigns()
	cp, err := svc.Get(ctx, c.Towns, id)
	if err != nil {
		return err
	}
	t, err := svc.Target(ctx, c.Towns, id, tid)
	if err != nil {
		return err
	}
	whole := kit.ShownLog(r, privacy.Targets)
	t = targetsAs(r, c, cp, []campaigns.Target{t}, whole)[0]
	d := targetData{C: cp, T: t, MayVisit: svc.MayVisit(ctx, cp, c.User), Statuses: campaigns.Statuses, StatusOf: statusNames(lang),
		TargetKind: kindNames(campaigns.TargetKinds, lang), Form: form, CatName: map[string]string{},
		Now: time.Now().In(workcal.Location()).Format("2006-01-02T15:04")}
	if t.Grid != "" {
		if g, err := places.GridByCode(ctx, s.DB, []string{cp.TownCode}, t.Grid); err == nil {
			d.GridName = g.Name
		}
	}
	cats, err := s.Orders.Categories(ctx, cp.TownCode)
	if err != nil {
		return err
	}
	parents := map[string]bool{}
	for _, ct := range cats {
		parents[ct.Parent] = true
		name := ct.Name
		if lang == "en" && ct.NameEN != "" {
			name = ct.NameEN
		}
		d.CatName[ct.Code] = name
	}
	for _, ct := range cats {
		if !parents[ct.Code] {
			d.Categories = append(d.Categories, ct)
		}
	}
	pd := kit.PageData{Title: t.Name, Data: d}
	if ferr != nil {
		_, pd.Error, pd.Field = kit.ErrorText(r, kit.Language(w, r), ferr)
	}
	if err := s.RecordShown(r, c, whole); err != nil {
		return err
	}
	return s.Render(w, r, status, "campaign_target", pd)
}

func (s *handlers) campaignVisitSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, tid, err := pathIDs(r, "tid")
	if err != nil {
		return err
	}
	ctx := r.Context()
	svc := s.campaigns()
	cp, err := svc.Get(ctx, c.Towns, id)
	if err != nil {
		return err
	}
	in := campaigns.NewVisit{Status: r.PostFormValue("status"), Findings: r.PostFormValue("findings"), Needs: r.PostFormValue("needs"),
		Category: r.PostFormValue("category")}
	if at := strings.TrimSpace(r.PostFormValue("visited_at")); at != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", at, workcal.Location())
		if err != nil {
			return s.renderTarget(w, r, c, http.StatusUnprocessableEntity, in, problem.Field("visited_at", "%q is not a date and time", at))
		}
		in.VisitedAt = &t
	}
	if !svc.MayVisit(ctx, cp, c.User) {
		return problem.Forbidden("only the campaign's team and the grid staff of the town may log visits")
	}
	if file, _, err := r.FormFile("photo"); err == nil {
		defer file.Close()
		up, err := s.StorePhoto(r, cp.TownCode, c.User.ID, file)
		if err != nil {
			return s.renderTarget(w, r, c, http.StatusUnprocessableEntity, in, problem.Field("photo", "%s", photoReason(kit.Language(w, r), err)))
		}
		in.PhotoID = up.ID
	}
	_, err = svc.LogVisit(ctx, c.Towns, id, tid, in, c.User)
	if status, ok := fieldStatus(err); ok {
		return s.renderTarget(w, r, c, status, in, err)
	}
	if err != nil {
		return err
	}
	kit.RedirectFlash(w, r, fmt.Sprintf("/campaigns/%d/targets/%d", id, tid), kit.Translator(kit.Language(w, r))("cp.logged"))
	return nil
}

func (s *handlers) campaignVisitOrderSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, vid, err := pathIDs(r, "vid")
	if err != nil {
		return err
	}
	svc := s.campaigns()
	v, cp, err := svc.Visit(r.Context(), c.Towns, vid)
	if err != nil {
		return err
	}
	if cp.ID != id {
		return problem.NotFound("visit %d of campaign %d", vid, id)
	}
	o, created, err := svc.OrderFromVisit(r.Context(), c.Towns, vid, c.User)
	back := fmt.Sprintf("/campaigns/%d/targets/%d", id, v.TargetID)
	if status, ok := fieldStatus(err); ok {
		return s.renderTarget(w, r, c, status, campaigns.NewVisit{Status: campaigns.StatusVisited}, withTarget(r, v.TargetID, err))
	}
	if err != nil {
		return err
	}
	T := kit.Translator(kit.Language(w, r))
	msg := T("cp.ordered")
	if !created {
		msg = T("cp.already")
	}
	kit.RedirectFlash(w, r, back, msg+" "+o.Number)
	return nil
}

// withTarget makes the target page render for a visit's target when the form was posted to the
// visit's order route, which has no {tid}.
func withTarget(r *http.Request, tid int64, err error) error {
	r.SetPathValue("tid", strconv.FormatInt(tid, 10))
	return err
}

// photoReason is why a photo was refused, in the page's language when kit knows the reason.
func photoReason(lang string, err error) string {
	if reason := kit.PhotoReason(lang, err); reason != "" {
		return reason
	}
	return err.Error()
}
