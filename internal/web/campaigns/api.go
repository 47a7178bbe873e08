package campaigns

import (
	"net/http"
	"strconv"

	weborders "github.com/civicgrid/civicgrid/internal/web/orders"

	"github.com/civicgrid/civicgrid/internal/campaigns"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// campaigns is the visit-campaign service on the server's database, order store and locators.
func (s *handlers) campaigns() *campaigns.Service {
	return &campaigns.Service{DB: s.DB, Orders: s.Orders, Locator: s.Locators.Get, Now: s.Orders.Now}
}

// pathIDs is the campaign's {id} and the path's id named sub ({tid}, {vid}) of a request.
func pathIDs(r *http.Request, sub string) (id, subID int64, err error) {
	if id, err = kit.PathID(r, "id"); err != nil {
		return 0, 0, err
	}
	subID, err = kit.PathID(r, sub)
	return id, subID, err
}

// shownTargets is ts, targets of campaign id, as the caller may see them; those shown whole are
// recorded in shown (nil: not audited).
func (s *handlers) shownTargets(r *http.Request, c *kit.Caller, id int64, ts []campaigns.Target, shown *privacy.Log) ([]campaigns.Target, error) {
	cp, err := s.campaigns().Get(r.Context(), c.Towns, id)
	if err != nil {
		return nil, err
	}
	ts = targetsAs(r, c, cp, ts, shown)
	return ts, s.RecordShown(r, c, shown)
}

// shownVisits is vs, visits of campaign id, as the caller may see them; the targets of those
// shown whole are recorded in the audit.
func (s *handlers) shownVisits(r *http.Request, c *kit.Caller, id int64, vs []campaigns.Visit) ([]campaigns.Visit, error) {
	cp, err := s.campaigns().Get(r.Context(), c.Towns, id)
	if err != nil {
		return nil, err
	}
	shown := kit.ShownLog(r, privacy.Targets)
	vs = visitsAs(r, c, cp, vs, shown)
	return vs, s.RecordShown(r, c, shown)
}

// campaignView is a campaign with its overall figures.
type campaignView struct {
	campaigns.Campaign
	campaigns.Totals
	MayPlan  bool `json:"may_plan"`
	MayVisit bool `json:"may_visit"`
}

func (s *handlers) apiCampaigns(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	list, err := s.campaigns().List(r.Context(), c.Towns)
	return kit.Reply(w, http.StatusOK, map[string]any{"campaigns": list, "kinds": campaigns.Kinds, "target_kinds": campaigns.TargetKinds}, err)
}

func (s *handlers) apiCreateCampaign(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var in campaigns.NewCampaign
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	cp, err := s.campaigns().Create(r.Context(), c.Towns, in, c.User)
	return kit.Reply(w, http.StatusCreated, cp, err)
}

func (s *handlers) apiUpdateCampaign(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	var in campaigns.NewCampaign
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	cp, err := s.campaigns().Update(r.Context(), c.Towns, id, in, c.User)
	return kit.Reply(w, http.StatusOK, cp, err)
}

func (s *handlers) apiDeleteCampaign(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.campaigns().Delete(r.Context(), c.Towns, id, c.User); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *handlers) campaignView(r *http.Request, c *kit.Caller, id int64) (campaignView, error) {
	svc := s.campaigns()
	cp, err := svc.Get(r.Context(), c.Towns, id)
	if err != nil {
		return campaignView{}, err
	}
	p, err := svc.Progress(r.Context(), c.Towns, id)
	if err != nil {
		return campaignView{}, err
	}
	return campaignView{Campaign: cp, Totals: p.Total.Totals, MayPlan: campaigns.MayPlan(c.User), MayVisit: svc.MayVisit(r.Context(), cp, c.User)}, nil
}

func (s *handlers) apiCampaign(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	v, err := s.campaignView(r, c, id)
	return kit.Reply(w, http.StatusOK, v, err)
}

func (s *handlers) apiCampaignProgress(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.campaigns().Progress(r.Context(), c.Towns, id)
	return kit.Reply(w, http.StatusOK, p, err)
}

func (s *handlers) apiCampaignTargets(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	svc := s.campaigns()
	ts, err := svc.Targets(r.Context(), c.Towns, id, campaigns.TargetFilter{Grid: q.Get("grid"), Status: q.Get("status"), Kind: q.Get("kind")})
	if err != nil {
		return err
	}
	if ts, err = s.shownTargets(r, c, id, ts, kit.ShownLog(r, privacy.Targets)); err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"targets": ts, "count": len(ts)})
	return nil
}

// targetsAs is ts, targets of cp, as the caller may see them (package privacy); the targets
// shown whole are added to shown.
func targetsAs(r *http.Request, c *kit.Caller, cp campaigns.Campaign, ts []campaigns.Target, shown *privacy.Log) []campaigns.Target {
	return viewAll(cp, ts, kit.Viewer(r, c).Target, func(t campaigns.Target) int64 { return t.ID }, shown)
}

// visitsAs is vs, visits of cp, as the caller may see them; the targets whose visits are shown
// whole are added to shown.
func visitsAs(r *http.Request, c *kit.Caller, cp campaigns.Campaign, vs []campaigns.Visit, shown *privacy.Log) []campaigns.Visit {
	return viewAll(cp, vs, kit.Viewer(r, c).Visit, func(x campaigns.Visit) int64 { return x.TargetID }, shown)
}

// viewAll is xs, records of cp, each as view shows it; the target (targetID) of each record
// shown whole is added to shown.
func viewAll[T any](cp campaigns.Campaign, xs []T, view func(campaigns.Campaign, T) (T, bool), targetID func(T) int64, shown *privacy.Log) []T {
	out := make([]T, len(xs))
	for i, x := range xs {
		var whole bool
		if out[i], whole = view(cp, x); whole {
			shown.Add(strconv.FormatInt(targetID(x), 10), cp.TownCode)
		}
	}
	return out
}

// targetsInput is one target or a bulk request, told apart by from_places_kind / from_address_book.
type targetsInput struct {
	campaigns.NewTarget
	FromPlacesKind  string `json:"from_places_kind"`
	FromAddressBook bool   `json:"from_address_book"`
}

func (in targetsInput) bulk() bool { return in.FromPlacesKind != "" || in.FromAddressBook }

func (s *handlers) apiAddCampaignTargets(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	var in targetsInput
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	svc := s.campaigns()
	if in.bulk() {
		if in.Name != "" || in.Address != "" || in.Lat != nil || in.Lng != nil || in.Contact != "" {
			return problem.Field("name", "a bulk request takes only from_places_kind or from_address_book, kind and grid")
		}
		n, err := svc.AddTargets(r.Context(), c.Towns, id, campaigns.Bulk{FromPlacesKind: in.FromPlacesKind, FromAddressBook: in.FromAddressBook, Kind: in.Kind, Grid: in.Grid}, c.User)
		return kit.Reply(w, http.StatusCreated, map[string]any{"added": n}, err)
	}
	t, err := svc.AddTarget(r.Context(), c.Towns, id, in.NewTarget, c.User)
	if err != nil {
		return err
	}
	// What the planner just sent: no one else's data is shown, so nothing is audited.
	return s.writeTarget(w, r, c, http.StatusCreated, id, t, nil)
}

// writeTarget answers with target t of campaign id as the caller may see it, recording in shown
// (nil: not audited) whether it was shown whole.
func (s *handlers) writeTarget(w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, id int64, t campaigns.Target, shown *privacy.Log) error {
	ts, err := s.shownTargets(r, c, id, []campaigns.Target{t}, shown)
	if err != nil {
		return err
	}
	kit.WriteJSON(w, status, ts[0])
	return nil
}

func (s *handlers) apiCampaignTarget(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, tid, err := pathIDs(r, "tid")
	if err != nil {
		return err
	}
	t, err := s.campaigns().Target(r.Context(), c.Towns, id, tid)
	if err != nil {
		return err
	}
	return s.writeTarget(w, r, c, http.StatusOK, id, t, kit.ShownLog(r, privacy.Targets))
}

func (s *handlers) apiLogVisit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, tid, err := pathIDs(r, "tid")
	if err != nil {
		return err
	}
	var in campaigns.NewVisit
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	svc := s.campaigns()
	v, err := svc.LogVisit(r.Context(), c.Towns, id, tid, in, c.User)
	if err != nil {
		return err
	}
	// The visitor's own visit: shown whole to them and not audited (privacy.Facts.Own).
	vs, err := s.shownVisits(r, c, id, []campaigns.Visit{v})
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusCreated, vs[0])
	return nil
}

func (s *handlers) apiCampaignVisits(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	svc := s.campaigns()
	vs, err := svc.Visits(r.Context(), c.Towns, id, 0)
	if err != nil {
		return err
	}
	if vs, err = s.shownVisits(r, c, id, vs); err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"visits": vs})
	return nil
}

// visitOrder is the answer of POST /api/v1/visits/{id}/order.
type visitOrder struct {
	VisitID int64               `json:"visit_id"`
	Created bool                `json:"created"`
	Order   weborders.OrderView `json:"order"`
}

func (s *handlers) apiOrderFromVisit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	o, created, err := s.campaigns().OrderFromVisit(r.Context(), c.Towns, id, c.User)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	shown := kit.ShownLog(r, privacy.Orders)
	v := weborders.View(s.Kit, r, c, o, shown)
	if err := s.RecordShown(r, c, shown); err != nil {
		return err
	}
	kit.WriteJSON(w, status, visitOrder{VisitID: id, Created: created, Order: v})
	return nil
}
