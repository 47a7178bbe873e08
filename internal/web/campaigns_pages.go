package web

import (
	"github.com/civicgrid/civicgrid/internal/web/kit"

	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/campaigns"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

func init() {
	kit.RegisterMessages("campaigns", map[string][2]string{
		"cp.campaigns":      {"走访", "Visits"},
		"cp.home text":      {"四百大走访、全覆盖走访：记录走访，发现问题一键转为工单", "Door-to-door campaigns: log visits, turn findings into orders"},
		"cp.title":          {"走访活动", "Visit campaigns"},
		"cp.new":            {"新建走访活动", "New campaign"},
		"cp.name":           {"活动名称", "Name"},
		"cp.kind":           {"走访类型", "Kind"},
		"cp.period":         {"走访时间", "Period"},
		"cp.start":          {"开始日期", "Start"},
		"cp.end":            {"结束日期", "End"},
		"cp.team":           {"走访团队", "Team"},
		"cp.description":    {"说明", "Description"},
		"cp.targets":        {"走访对象", "Targets"},
		"cp.visited":        {"已走访", "Visited"},
		"cp.visits":         {"走访次数", "Visits"},
		"cp.coverage":       {"覆盖率", "Coverage"},
		"cp.orders":         {"转工单", "Orders raised"},
		"cp.not home":       {"未遇", "Not at home"},
		"cp.refused":        {"拒访", "Refused"},
		"cp.by grid":        {"分网格进度", "Progress by grid"},
		"cp.total":          {"合计", "Total"},
		"cp.none":           {"暂无走访活动", "No campaigns yet"},
		"cp.add target":     {"添加走访对象", "Add a target"},
		"cp.bulk":           {"批量导入", "Add in bulk"},
		"cp.from places":    {"从地点导入（按类型）", "From places of a kind"},
		"cp.from addresses": {"从地址库导入居民户", "Households from the address book"},
		"cp.all grids":      {"全部网格", "All grids"},
		"cp.target kind":    {"对象类型", "Target kind"},
		"cp.address":        {"地址", "Address"},
		"cp.contact":        {"联系人", "Contact"},
		"cp.status":         {"状态", "Status"},
		"cp.pending":        {"待走访", "Pending"},
		"cp.unvisited":      {"未走访", "Not visited"},
		"cp.log visit":      {"记录走访", "Log a visit"},
		"cp.findings":       {"走访发现", "Findings"},
		"cp.needs":          {"诉求与需求", "Needs"},
		"cp.category":       {"问题类别（可选）", "Category (optional)"},
		"cp.photo":          {"照片（可选）", "Photo (optional)"},
		"cp.visited at":     {"走访时间", "Visited at"},
		"cp.visitor":        {"走访人", "Visitor"},
		"cp.to order":       {"转为工单", "Turn into an order"},
		"cp.order":          {"工单", "Order"},
		"cp.history":        {"走访记录", "Visit history"},
		"cp.recent":         {"最近走访", "Recent visits"},
		"cp.map note":       {"网格按覆盖率着色；绿色为已走访，灰色为待走访", "Grids coloured by coverage; green pins visited, grey pending"},
		"cp.created":        {"走访活动已创建", "Campaign created"},
		"cp.added":          {"已添加走访对象", "Targets added"},
		"cp.logged":         {"走访已记录", "Visit logged"},
		"cp.ordered":        {"已转为工单", "Order raised"},
		"cp.already":        {"该走访已转为工单", "This visit already became order"},
		"cp.may not visit":  {"仅走访团队成员和本镇网格员可记录走访", "Only the team and the town's grid staff may log visits"},
		"cp.back":           {"返回活动", "Back to the campaign"},
		"cp.filter":         {"筛选", "Filter"},
		"cp.open":           {"走访", "Visit"},
		"cp.save visit":     {"保存走访记录", "Save the visit"},
		"cp.grid":           {"网格", "Grid"},
		"cp.unassigned":     {"未落格", "Outside every grid"},
	})
}

// campaignsData is what campaigns.html shows.
type campaignsData struct {
	List    []campaigns.Summary
	Kinds   []campaigns.Label
	MayPlan bool
	Team    []teamOption // the staff a planner may put on the new campaign's team
	Form    campaigns.NewCampaign
	KindOf  map[string]string
}

func kindNames(ls []campaigns.Label, lang string) map[string]string {
	m := map[string]string{}
	for _, l := range ls {
		m[l.Code] = l.Name(lang)
	}
	return m
}

func (s *Server) campaignsPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.renderCampaigns(w, r, c, http.StatusOK, campaigns.NewCampaign{}, nil)
}

func (s *Server) renderCampaigns(w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, form campaigns.NewCampaign, ferr error) error {
	lang := kit.Language(w, r)
	list, err := s.campaigns().List(r.Context(), c.Towns)
	if err != nil {
		return err
	}
	d := campaignsData{List: list, Kinds: campaigns.Kinds, MayPlan: campaigns.MayPlan(c.User), Form: form, KindOf: kindNames(campaigns.Kinds, lang)}
	if d.MayPlan {
		staff, err := s.campaignStaff(r, c.Towns)
		if err != nil {
			return err
		}
		// A refused form keeps the team that was picked.
		d.Team = teamOptions(staff, form.Team)
	}
	pd := kit.PageData{Title: "cp.title", Data: d}
	if ferr != nil {
		_, body := kit.StatusOf(ferr)
		pd.Error, pd.Field = body.Message, body.Field
	}
	return s.Render(w, r, status, "campaigns", pd)
}

// campaignStaff lists the users of towns a planner may put on a campaign's team: active staff
// who may log visits (orders:create), not residents.
func (s *Server) campaignStaff(r *http.Request, towns []string) ([]auth.User, error) {
	users, err := auth.Users(r.Context(), s.DB, towns, "")
	if err != nil {
		return nil, err
	}
	var out []auth.User
	for _, u := range users {
		if !u.Disabled && u.Can(auth.PermOrdersCreate) && u.Role != auth.RoleResident {
			out = append(out, u)
		}
	}
	return out, nil
}

func formIDs(vals []string) []int64 {
	var out []int64
	for _, v := range vals {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// fieldStatus answers bad form input with its status (422) and the page again.
func fieldStatus(err error) (int, bool) {
	var fe *problem.FieldError
	if errors.As(err, &fe) {
		return http.StatusUnprocessableEntity, true
	}
	return 0, false
}

// campaignForm is the campaign a create or edit form posted.
func campaignForm(r *http.Request) campaigns.NewCampaign {
	return campaigns.NewCampaign{Name: r.PostFormValue("name"), Kind: r.PostFormValue("kind"), Description: r.PostFormValue("description"),
		Start: r.PostFormValue("start"), End: r.PostFormValue("end"), Team: formIDs(r.PostForm["team"])}
}

func (s *Server) campaignSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	if err := mayPlan(c); err != nil {
		return err
	}
	form := campaignForm(r)
	cp, err := s.campaigns().Create(r.Context(), c.Towns, form, c.User)
	if status, ok := fieldStatus(err); ok {
		return s.renderCampaigns(w, r, c, status, form, err)
	}
	if err != nil {
		return err
	}
	kit.RedirectFlash(w, r, fmt.Sprintf("/campaigns/%d", cp.ID), kit.Translator(kit.Language(w, r))("cp.created"))
	return nil
}

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
	PlaceKinds  []string
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
func (s *Server) editForm(r *http.Request, cp campaigns.Campaign, posted *campaigns.NewCampaign) (campaignEdit, error) {
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

func (s *Server) campaignPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.renderCampaign(w, r, c, http.StatusOK, targetsInput{}, nil, nil)
}

// renderCampaign shows the campaign page; form is the add-target form, edit the posted edit
// form (nil: the stored campaign), ferr the error of a refused post.
func (s *Server) renderCampaign(w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, form targetsInput, edit *campaigns.NewCampaign, ferr error) error {
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
				d.PlaceKinds = append(d.PlaceKinds, pl.Kind)
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
		_, body := kit.StatusOf(ferr)
		pd.Error, pd.Field = body.Message, body.Field
	}
	if err := s.RecordShown(r, c, whole); err != nil {
		return err
	}
	return s.Render(w, r, status, "campaign", pd)
}

func (s *Server) campaignTargetSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	if err := mayPlan(c); err != nil {
		return err
	}
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
		n, err := svc.AddTargets(r.Context(), c.Towns, id, b)
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
	_, err = svc.AddTarget(r.Context(), c.Towns, id, in.NewTarget)
	if status, ok := fieldStatus(err); ok {
		return s.renderCampaign(w, r, c, status, in, nil, err)
	}
	if err != nil {
		return err
	}
	kit.RedirectFlash(w, r, fmt.Sprintf("/campaigns/%d", id), T("cp.added")+": "+in.Name)
	return nil
}

func (s *Server) campaignEditSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	if err := mayPlan(c); err != nil {
		return err
	}
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

func (s *Server) campaignDeleteSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	if err := mayPlan(c); err != nil {
		return err
	}
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
		return s.renderCampaign(w, r, c, http.StatusConflict, targetsInput{}, nil, err)
	}
	if err != nil {
		return err
	}
	kit.RedirectFlash(w, r, "/campaigns", kit.Translator(kit.Language(w, r))("cp.deleted")+": "+cp.Name)
	return nil
}

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

func (s *Server) campaignTargetPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.renderTarget(w, r, c, http.StatusOK, campaigns.NewVisit{Status: campaigns.StatusVisited}, nil)
}

func (s *Server) renderTarget(w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, form campaigns.NewVisit, ferr error) error {
	ctx := r.Context()
	lang := kit.Language(w, r)
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	tid, err := kit.PathID(r, "tid")
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
	cats, err := s.Kit.Orders.Categories(ctx, cp.TownCode)
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
		_, body := kit.StatusOf(ferr)
		pd.Error, pd.Field = body.Message, body.Field
	}
	if err := s.RecordShown(r, c, whole); err != nil {
		return err
	}
	return s.Render(w, r, status, "campaign_target", pd)
}

func (s *Server) campaignVisitSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	tid, err := kit.PathID(r, "tid")
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
			return s.renderTarget(w, r, c, http.StatusUnprocessableEntity, in, problem.Field("photo", "%v", err))
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

func (s *Server) campaignVisitOrderSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	vid, err := kit.PathID(r, "vid")
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
