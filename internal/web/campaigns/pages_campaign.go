package campaigns

import (
	"github.com/civicgrid/civicgrid/internal/web/kit"

	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/campaigns"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/problem"
)

// pin is a target on the campaign map.
type pin struct {
	ID     int64   `json:"id"`
	Name   string  `json:"name"`
	Kind   string  `json:"kind"`
	Lat    float64 `json:"lat"`
	Lng    float64 `json:"lng"`
	Status string  `json:"status"`
}

// campaignData is what campaign.html shows.
type campaignData struct {
	C campaignView
	// Progress and Pins are also read by campaigns.js from <script type="application/json">
	// blocks, where html/template writes them as JSON with <, > and & escaped.
	Progress    campaigns.Progress
	Pins        []pin
	Targets     []campaigns.Target
	Shown       int
	Recent      []campaigns.Visit
	Grids       []places.Grid
	GridName    map[string]string
	KindOf      map[string]string
	TargetKinds []campaigns.Label
	TargetKind  map[string]string
	StatusOf    map[string]string
	PlaceKinds  []campaigns.Label // Code and, in Name, the kind in words
	Filter      campaigns.TargetFilter
	Form        targetsInput
	Labels      map[string]string // for campaigns.js
	// StatusFilters are the target statuses the list filters by.
	StatusFilters []string
	// Edit is the planners' edit form; Kinds its kind choices.
	Edit  campaignEdit
	Kinds []campaigns.Label
}

// campaignEdit is the edit form on the campaign page: the stored campaign, or what a planner
// posted when it was refused.
type campaignEdit struct {
	Form campaigns.NewCampaign
	Team []teamOption
	Open bool // posted and refused: unfold the form so the planner sees what to fix
}

// teamOption is one user of the team select.
type teamOption struct {
	ID       int64
	Name     string
	Role     string
	Selected bool
}

// teamOptions is the team select over staff, with the users of selected selected.
func teamOptions(staff []auth.User, selected []int64) []teamOption {
	out := make([]teamOption, 0, len(staff))
	for _, u := range staff {
		name := u.DisplayName
		if name == "" {
			name = u.Username
		}
		out = append(out, teamOption{ID: u.ID, Name: name, Role: u.Role, Selected: slices.Contains(selected, u.ID)})
	}
	return out
}

// editForm builds the edit form of cp. Current members who are no longer offered for new teams
// (disabled since, say) are listed too, selected, so that saving other fields keeps them.
func (s *handlers) editForm(r *http.Request, cp campaigns.Campaign, posted *campaigns.NewCampaign) (campaignEdit, error) {
	e := campaignEdit{Form: campaigns.NewCampaign{Name: cp.Name, Kind: cp.Kind, Description: cp.Description, Start: cp.Start, End: cp.End}}
	for _, m := range cp.Team {
		e.Form.Team = append(e.Form.Team, m.UserID)
	}
	if posted != nil {
		e.Form, e.Open = *posted, true
	}
	staff, err := s.campaignStaff(r, []string{cp.TownCode})
	if err != nil {
		return e, err
	}
	e.Team = teamOptions(staff, e.Form.Team)
	listed := map[int64]bool{}
	for _, u := range staff {
		listed[u.ID] = true
	}
	for _, m := range cp.Team {
		if !listed[m.UserID] {
			e.Team = append(e.Team, teamOption{ID: m.UserID, Name: m.Name, Role: m.Role, Selected: slices.Contains(e.Form.Team, m.UserID)})
		}
	}
	return e, nil
}

// maxTargetRows bounds the target table; the filters narrow it.
const maxTargetRows = 30

func statusNames(lang string) map[string]string {
	m := kindNames(campaigns.Statuses, lang)
	T := kit.Translator(lang)
	m[campaigns.StatusPending] = T("cp.pending")
	return m
}

func (s *handlers) campaignPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.renderCampaign(w, r, c, http.StatusOK, targetsInput{}, nil, nil)
}

// renderCampaign shows the campaign page; form is the add-target form, edit the posted edit
// form (nil: the stored campaign), ferr the error of a refused post.
func (s *handlers) renderCampaign(w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, form targetsInput, edit *campaigns.NewCampaign, ferr error) error {
	ctx := r.Context()
	lang := kit.Language(w, r)
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	svc := s.campaigns()
	v, err := s.campaignView(r, c, id)
	if err != nil {
		return err
	}
	p, err := svc.Progress(ctx, c.Towns, id)
	if err != nil {
		return err
	}
	all, err := svc.Targets(ctx, c.Towns, id, campaigns.TargetFilter{})
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := campaigns.TargetFilter{Grid: q.Get("grid"), Status: q.Get("status"), Kind: q.Get("kind")}
	shown, err := svc.Targets(ctx, c.Towns, id, f)
	if err != nil {
		var fe *problem.FieldError
		if !errors.As(err, &fe) {
			return err
		}
		f, shown = campaigns.TargetFilter{}, all
	}
	d := campaignData{C: v, Progress: p, Filter: f, Shown: len(shown), Form: form, KindOf: kindNames(campaigns.Kinds, lang), Kinds: campaigns.Kinds,
		TargetKinds: campaigns.TargetKinds, TargetKind: kindNames(campaigns.TargetKinds, lang), StatusOf: statusNames(lang), GridName: map[string]string{},
		StatusFilters: []string{campaigns.StatusVisited, "unvisited", campaigns.StatusPending, campaigns.StatusNotHome, campaigns.StatusRefused}}
	if len(shown) > maxTargetRows {
		shown = shown[:maxTargetRows]
	}
	// The table, the map's pins and the recent visits show targets as the caller may see them;
	// one audit row names those shown whole.
	whole := kit.ShownLog(r, privacy.Targets)
	d.Targets = targetsAs(r, c, v.Campaign, shown, whole)
	all = targetsAs(r, c, v.Campaign, all, whole)
	pins := make([]pin, 0, len(all))
	for _, t := range all {
		if t.Lat != nil {
			pins = append(pins, pin{ID: t.ID, Name: t.Name, Kind: d.TargetKind[t.Kind], Lat: *t.Lat, Lng: *t.Lng, Status: t.Status})
		}
	}
	d.Pins = pins
	T := kit.Translator(lang)
	for i := range p.Grids {
		if p.Grids[i].Grid == "" {
			p.Grids[i].GridName = T("cp.unassigned")
		}
	}
	p.Total.GridName = T("cp.total")
	d.Progress = p
	if d.Grids, err = places.Grids(ctx, s.DB, []string{v.TownCode}); err != nil {
		return err
	}
	for _, g := range d.Grids {
		d.GridName[g.Code] = g.Name
	}
	if d.Recent, err = svc.Visits(ctx, c.Towns, id, 8); err != nil {
		return err
	}
	d.Recent = visitsAs(r, c, v.Campaign, d.Recent, whole)
	if d.C.MayPlan {
		ps, err := places.Places(ctx, s.DB, []string{v.TownCode})
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, pl := range ps {
			if !seen[pl.Kind] {
				seen[pl.Kind] = true
				d.PlaceKinds = append(d.PlaceKinds, campaigns.Label{Code: pl.Kind, ZH: placeKindName(pl.Kind, lang), EN: placeKindName(pl.Kind, lang)})
			}
		}
		if d.Edit, err = s.editForm(r, v.Campaign, edit); err != nil {
			return err
		}
	}
	d.Labels = map[string]string{"targets": T("cp.targets"), "visited": T("cp.visited"), "coverage": T("cp.coverage"), "orders": T("cp.orders"),
		"pending": T("cp.pending"), "not_home": T("cp.not home"), "refused": T("cp.refused")}
	pd := kit.PageData{Title: v.Name, Data: d}
	if ferr != nil {
		_, pd.Error, pd.Field = kit.ErrorText(r, kit.Language(w, r), ferr)
	}
	if err := s.RecordShown(r, c, whole); err != nil {
		return err
	}
	return s.Render(w, r, status, "campaign", pd)
}

func (s *handlers) campaignTargetSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	in := targetsInput{NewTarget: campaigns.NewTarget{Kind: r.PostFormValue("kind"), Name: r.PostFormValue("name"), Address: r.PostFormValue("address"),
		Contact: r.PostFormValue("contact"), Grid: r.PostFormValue("grid")}}
	svc := s.campaigns()
	T := kit.Translator(kit.Language(w, r))
	switch r.PostFormValue("mode") {
	case "places", "addresses":
		b := campaigns.Bulk{Kind: in.Kind, Grid: in.Grid}
		if r.PostFormValue("mode") == "places" {
			b.FromPlacesKind = r.PostFormValue("from_places_kind")
		} else {
			b.FromAddressBook = true
		}
		n, err := svc.AddTargets(r.Context(), c.Towns, id, b, c.User)
		if status, ok := fieldStatus(err); ok {
			return s.renderCampaign(w, r, c, status, in, nil, err)
		}
		if err != nil {
			return err
		}
		kit.RedirectFlash(w, r, fmt.Sprintf("/campaigns/%d", id), fmt.Sprintf("%s: %d", T("cp.added"), n))
		return nil
	}
	if lat, lng := strings.TrimSpace(r.PostFormValue("lat")), strings.TrimSpace(r.PostFormValue("lng")); lat != "" || lng != "" {
		la, err1 := strconv.ParseFloat(lat, 64)
		lo, err2 := strconv.ParseFloat(lng, 64)
		if err1 != nil || err2 != nil {
			return s.renderCampaign(w, r, c, http.StatusUnprocessableEntity, in, nil, problem.Field("lat", "give both latitude and longitude as numbers"))
		}
		in.Lat, in.Lng = &la, &lo
	}
	_, err = svc.AddTarget(r.Context(), c.Towns, id, in.NewTarget, c.User)
	if status, ok := fieldStatus(err); ok {
		return s.renderCampaign(w, r, c, status, in, nil, err)
	}
	if err != nil {
		return err
	}
	kit.RedirectFlash(w, r, fmt.Sprintf("/campaigns/%d", id), T("cp.added")+": "+in.Name)
	return nil
}

func (s *handlers) campaignEditSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	form := campaignForm(r)
	_, err = s.campaigns().Update(r.Context(), c.Towns, id, form, c.User)
	if status, ok := fieldStatus(err); ok {
		return s.renderCampaign(w, r, c, status, targetsInput{}, &form, err)
	}
	if err != nil {
		return err
	}
	kit.RedirectFlash(w, r, fmt.Sprintf("/campaigns/%d", id), kit.Translator(kit.Language(w, r))("cp.updated"))
	return nil
}

func (s *handlers) campaignDeleteSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	svc := s.campaigns()
	cp, err := svc.Get(r.Context(), c.Towns, id)
	if err != nil {
		return err
	}
	err = svc.Delete(r.Context(), c.Towns, id, c.User)
	if errors.Is(err, problem.ErrConflict) {
		// The page offers the button only without visits, so a visit was logged since it was
		// shown: show the campaign again with the reason rather than a bare error page.
		return s.renderCampaign(w, r, c, http.StatusConflict, targetsInput{}, nil,
			&kit.HTTPError{Status: http.StatusConflict, Msg: kit.Translator(kit.Language(w, r))("cp.delete note")})
	}
	if err != nil {
		return err
	}
	kit.RedirectFlash(w, r, "/campaigns", kit.Translator(kit.Language(w, r))("cp.deleted")+": "+cp.Name)
	return nil
}

// placeKindName is a kind of place of the address book in words; a kind without a label keeps
// its code (the address book's kinds are open-ended).
func placeKindName(kind, lang string) string {
	if key := "cp.place." + kind; kit.HasMessage(key) {
		return kit.Translator(lang)(key)
	}
	return kind
}
