package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/paulmach/orb/geojson"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	if c != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	return s.Render(w, r, http.StatusOK, "login", kit.PageData{Title: "sign in", Data: map[string]string{"Next": safeNext(r.URL.Query().Get("next"))}})
}

// safeNext returns n when it is a path on this site, and "/" for anything else. Every redirect
// target that comes from the request (the sign-in "next", the "back" of small forms) goes through
// it. Browsers are lenient where an attacker needs them to be: they drop tabs, newlines and
// carriage returns anywhere in a URL, trim leading spaces and control characters, and read a
// backslash as a slash, so "/\t/evil.example", "/\\evil.example" and " //evil.example" all lead off the site.
// Rather than list what is bad, accept only what a path of ours looks like: one leading "/", no
// whitespace, control or invisible format characters and no backslash, in the raw text or once
// percent-decoded, no scheme, host or user after parsing, and at most maxNextLen bytes.
func safeNext(n string) string {
	if n == "" || len(n) > maxNextLen || !utf8.ValidString(n) || !cleanURLText(n) {
		return "/"
	}
	if n[0] != '/' || strings.HasPrefix(n, "//") {
		return "/"
	}
	u, err := url.Parse(n)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	// The decoded path must pass too: "/%2f/evil" and "/%5c/evil" are not paths of ours either.
	if !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") || !cleanURLText(u.Path) {
		return "/"
	}
	return n
}

// maxNextLen bounds a redirect target; our longest links (order lists with filters) are far shorter.
const maxNextLen = 2048

// cleanURLText reports whether s has no character a browser would drop or reinterpret: ASCII
// controls and space, other Unicode spaces, control and format characters (zero-width and
// bidi marks) and the backslash.
func cleanURLText(s string) bool {
	for _, r := range s {
		if r <= ' ' || r == 0x7f || r == '\\' || unicode.IsSpace(r) || unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) {
			return false
		}
	}
	return true
}

func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	username := strings.TrimSpace(r.PostFormValue("username"))
	next := safeNext(r.PostFormValue("next"))
	u, err := auth.Authenticate(r.Context(), s.DB, username, r.PostFormValue("password"), kit.ClientIP(r))
	if err != nil {
		T := kit.Translator(kit.Language(w, r))
		msg, status := T("wrong login"), http.StatusUnauthorized
		var te *auth.ThrottledError
		if errors.As(err, &te) {
			secs := te.Seconds()
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			msg, status = fmt.Sprintf(T("throttled wait"), secs), http.StatusTooManyRequests
			if secs > 90 {
				msg = fmt.Sprintf(T("throttled wait m"), (secs+59)/60)
			}
		} else if !errors.Is(err, auth.ErrBadCredentials) {
			return err
		}
		return s.Render(w, r, status, "login", kit.PageData{Title: "sign in", Error: msg, Field: "password",
			Data: map[string]string{"Next": next, "Username": username}})
	}
	sess, err := auth.CreateSession(r.Context(), s.DB, u)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: kit.SessionCookie, Value: sess.Token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.cfg.SecureCookies, MaxAge: 12 * 3600})
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	if c.Session != nil {
		if err := auth.EndSession(r.Context(), s.DB, c.Session.Token); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: kit.SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.cfg.SecureCookies})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

type homeData struct {
	Towns       []places.Region
	Grids       int
	Members     int
	Departments int
	Users       int
	Cards       []homeCard
	Summary     orders.Summary
	SatRate     string
	Chart       string // ECharts data for the daily intake chart
	Scope       string // whose orders the figures count
}

// homeCard is a tile on a role's home page; Count, when set, is the size of the queue behind it.
type homeCard struct {
	Href, Title, Text string
	Count             int
	Alert             bool
}

// homeCards gives each role its queues first, then the tools it may use.
func (s *Server) homeCards(c *kit.Caller, lang string, sum orders.Summary) []homeCard {
	T := kit.Translator(lang)
	u := c.User
	var cards []homeCard
	q := func(href, title, text string, n int, alert bool) {
		cards = append(cards, homeCard{Href: href, Title: T(title), Text: T(text), Count: n, Alert: alert})
	}
	switch u.Role {
	case auth.RoleDispatcher:
		q("/orders?state=received", "tab received", "card received", sum.ByState["received"], false)
		q("/orders?state=filed", "tab filed", "card filed", sum.ByState["filed"], false)
		if sum.Unlocated > 0 {
			q("/orders?unlocated=true", "unlocated", "card unlocated", sum.Unlocated, true)
		}
		q("/orders?state=handled", "tab handled", "card handled", sum.ByState["handled"], false)
		q("/orders?state=closed", "tab closed", "card closed", sum.ByState["closed"], false)
		q("/orders?overdue=true", "tab overdue", "card overdue", sum.Overdue, sum.Overdue > 0)
		q("/orders/new", "new order", "card new order", 0, false)
	case auth.RoleHandler:
		d := url.QueryEscape(u.DepartmentCode)
		q("/orders?state=dispatched&department="+d, "tab dispatched", "card dispatched", sum.ByState["dispatched"], false)
		q("/orders?state=in_progress&department="+d, "tab in progress", "card in progress", sum.ByState["in_progress"], false)
		q("/orders?overdue=true&department="+d, "tab overdue", "card overdue", sum.Overdue, sum.Overdue > 0)
	case auth.RoleGridWorker, auth.RoleGridLeader:
		g := url.QueryEscape(u.GridCode)
		q("/orders?state=handled&grid="+g, "tab to verify", "card to verify", sum.ByState["handled"], false)
		q("/orders?grid="+g, "tab my grid", "card my grid", sum.Open, false)
	case auth.RoleResident:
		q("/orders", "my orders", "card my orders", sum.Open, false)
		q("/track", "track order", "card track", 0, false)
	case auth.RoleLeader:
		q("/orders?overdue=true", "tab overdue", "card overdue", sum.Overdue, sum.Overdue > 0)
		q("/orders?warning=true", "tab warning", "card warning", sum.Warning, false)
	}
	// Then the tools of each capability (kit.HomeEntry), in their order.
	for _, e := range s.HomeEntries() {
		if e.Show == nil || e.Show(u) {
			q(e.Href, e.Title, e.Text, 0, false)
		}
	}
	return cards
}

func (s *Server) homePage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	ctx := r.Context()
	lang := kit.Language(w, r)
	towns, err := places.TenantTowns(ctx, s.DB, c.Towns)
	if err != nil {
		return err
	}
	d := homeData{Towns: towns}
	grids, err := places.Grids(ctx, s.DB, c.Towns)
	if err != nil {
		return err
	}
	d.Grids = len(grids)
	for _, g := range grids {
		d.Members += len(g.Members)
	}
	deps, err := places.Departments(ctx, s.DB, c.Towns)
	if err != nil {
		return err
	}
	d.Departments = len(deps)
	if c.User.Can(auth.PermUsersRead) {
		us, err := auth.Users(ctx, s.DB, c.Towns, "")
		if err != nil {
			return err
		}
		d.Users = len(us)
	}
	var dept, grid string
	switch c.User.Role {
	case auth.RoleHandler:
		dept = c.User.DepartmentCode
	case auth.RoleGridWorker, auth.RoleGridLeader:
		grid = c.User.GridCode
	}
	if c.User.Role != auth.RoleResident && c.User.Can(auth.PermOrdersRead) {
		if d.Summary, err = s.Kit.Orders.Summarise(ctx, c.Towns, dept, grid, 30); err != nil {
			return err
		}
		if rate := d.Summary.SatisfactionRate(); rate >= 0 {
			d.SatRate = fmt.Sprintf("%.1f%%", rate*100)
		}
		series := []map[string]any{}
		for _, ch := range orders.Channels {
			if data, ok := d.Summary.DailyByChan[ch.Code]; ok {
				name := ch.ZH
				if lang == "en" {
					name = ch.EN
				}
				series = append(series, map[string]any{"name": name, "type": "bar", "stack": "in", "data": data})
			}
		}
		raw, _ := json.Marshal(map[string]any{"days": d.Summary.Days, "series": series})
		d.Chart = string(raw)
	} else if c.User.Role == auth.RoleResident {
		total, _, err := s.Kit.Orders.List(ctx, orders.Filter{Towns: c.Towns, RaisedBy: c.User.ID, States: []string{"received", "filed", "dispatched", "in_progress", "handled"}, Limit: 1})
		if err != nil {
			return err
		}
		d.Summary.Open = total
	}
	d.Cards = s.homeCards(c, lang, d.Summary)
	return s.Render(w, r, http.StatusOK, "home", kit.PageData{Title: "home", Data: d})
}

func (s *Server) mapPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	ps, err := places.Places(r.Context(), s.DB, c.Towns)
	if err != nil {
		return err
	}
	// html/template writes the places into the JSON script block, escaping <, > and &.
	return s.Render(w, r, http.StatusOK, "map", kit.PageData{Title: "map", Data: map[string]any{"Places": ps}})
}

type gridsData struct {
	Grids       []places.Grid
	Committees  map[string][]places.Committee
	Departments []places.Department
	Towns       []string
	Form        gridInput
	FormGeo     string
}

func (s *Server) gridsData(r *http.Request, c *kit.Caller) (gridsData, error) {
	ctx := r.Context()
	grids, err := places.Grids(ctx, s.DB, c.Towns)
	if err != nil {
		return gridsData{}, err
	}
	cs, err := places.Committees(ctx, s.DB, c.Towns)
	if err != nil {
		return gridsData{}, err
	}
	byGrid := map[string][]places.Committee{}
	for _, cm := range cs {
		byGrid[cm.GridCode] = append(byGrid[cm.GridCode], cm)
	}
	deps, err := places.Departments(ctx, s.DB, c.Towns)
	return gridsData{Grids: grids, Committees: byGrid, Departments: deps, Towns: c.Towns}, err
}

func (s *Server) gridsPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	d, err := s.gridsData(r, c)
	if err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, "grids", kit.PageData{Title: "grids", Data: d})
}

func (s *Server) gridPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	g, err := places.GridByCode(r.Context(), s.DB, c.Towns, r.PathValue("code"))
	if err != nil {
		return err
	}
	return s.renderGrid(w, r, c, g, http.StatusOK, "", "")
}

func (s *Server) renderGrid(w http.ResponseWriter, r *http.Request, c *kit.Caller, g places.Grid, status int, errMsg, field string) error {
	d, err := s.gridsData(r, c)
	if err != nil {
		return err
	}
	geo, _ := geojson.NewGeometry(g.Polygon).MarshalJSON()
	// The members' phones as the caller may see them; one audit row when they are shown whole.
	var whole bool
	shown := shownLog(r, privacy.Members)
	if g.Members, whole = viewer(r, c).Members(g.TownCode, g.Members); whole {
		for _, m := range g.Members {
			if m.Phone != "" && m.UserID != c.User.ID {
				shown.Add(fmt.Sprint(m.ID), g.TownCode)
			}
		}
	}
	if err := s.recordShown(r, c, shown); err != nil {
		return err
	}
	d.Grids = []places.Grid{g}
	d.Form = gridInput{Code: g.Code, Name: g.Name, TownCode: g.TownCode, Note: g.Note}
	d.FormGeo = string(geo)
	return s.Render(w, r, status, "grid", kit.PageData{Title: g.Name, Error: errMsg, Field: field, Data: d})
}

// gridSubmit creates or edits a grid from the admin form; errors re-show the form with the input kept.
func (s *Server) gridSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	in := gridInput{Code: strings.TrimSpace(r.PostFormValue("code")), Name: r.PostFormValue("name"), TownCode: r.PostFormValue("town_code"),
		Note: r.PostFormValue("note"), Geometry: json.RawMessage(strings.TrimSpace(r.PostFormValue("geometry")))}
	g, err := s.saveGrid(r, c, in)
	if err == nil {
		kit.RedirectFlash(w, r, "/admin/grids/"+url.PathEscape(g.Code), kit.Translator(kit.Language(w, r))("saved"))
		return nil
	}
	var fe *problem.FieldError
	if !errors.As(err, &fe) {
		return err
	}
	d, derr := s.gridsData(r, c)
	if derr != nil {
		return derr
	}
	d.Form, d.FormGeo = in, string(in.Geometry)
	return s.Render(w, r, http.StatusUnprocessableEntity, "grids", kit.PageData{Title: "grids", Error: fe.Error(), Field: fe.Field, Data: d})
}

func (s *Server) memberSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	code := r.PathValue("code")
	g, err := places.GridByCode(r.Context(), s.DB, c.Towns, code)
	if err != nil {
		return err
	}
	_, err = places.AddMember(r.Context(), s.DB, c.Towns, places.Member{GridCode: g.Code, Name: r.PostFormValue("name"),
		GridRole: r.PostFormValue("grid_role"), DepartmentCode: r.PostFormValue("department"), Phone: r.PostFormValue("phone")})
	var fe *problem.FieldError
	if errors.As(err, &fe) {
		return s.renderGrid(w, r, c, g, http.StatusUnprocessableEntity, fe.Error(), fe.Field)
	}
	if err != nil {
		return err
	}
	_ = audit.Record(r.Context(), s.DB, audit.Entry{ActorID: c.User.ID, Actor: c.User.Username, Action: audit.ActionUpdate,
		Entity: "grid", EntityID: g.Code, TownCode: g.TownCode, Detail: "member added", IP: kit.ClientIP(r)})
	kit.RedirectFlash(w, r, "/admin/grids/"+url.PathEscape(g.Code), kit.Translator(kit.Language(w, r))("saved"))
	return nil
}

func (s *Server) memberDelete(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := places.RemoveMember(r.Context(), s.DB, c.Towns, id); err != nil {
		return err
	}
	back := safeNext(r.PostFormValue("back"))
	kit.RedirectFlash(w, r, back, kit.Translator(kit.Language(w, r))("saved"))
	return nil
}

func (s *Server) departmentsPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	deps, err := places.Departments(r.Context(), s.DB, c.Towns)
	if err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, "departments", kit.PageData{Title: "departments", Data: map[string]any{"Departments": deps, "Towns": c.Towns,
		"Kinds": places.DepartmentKinds}})
}

func (s *Server) departmentSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	d := places.Department{Code: r.PostFormValue("code"), TownCode: r.PostFormValue("town"), Name: r.PostFormValue("name"),
		NameEN: r.PostFormValue("name_en"), Kind: r.PostFormValue("kind"), Phone: r.PostFormValue("phone")}
	if d.TownCode == "" && len(c.Towns) == 1 {
		d.TownCode = c.Towns[0]
	}
	var err error
	if !slices.Contains(c.Towns, d.TownCode) {
		err = problem.Field("town", "unknown town code %q", d.TownCode)
	} else {
		err = places.SaveDepartment(r.Context(), s.DB, d)
	}
	var fe *problem.FieldError
	if errors.As(err, &fe) {
		deps, derr := places.Departments(r.Context(), s.DB, c.Towns)
		if derr != nil {
			return derr
		}
		return s.Render(w, r, http.StatusUnprocessableEntity, "departments", kit.PageData{Title: "departments", Error: fe.Error(), Field: fe.Field,
			Data: map[string]any{"Departments": deps, "Towns": c.Towns, "Form": d, "Kinds": places.DepartmentKinds}})
	}
	if err != nil {
		return err
	}
	_ = audit.Record(r.Context(), s.DB, audit.Entry{ActorID: c.User.ID, Actor: c.User.Username, Action: audit.ActionUpdate,
		Entity: "department", EntityID: d.Code, TownCode: d.TownCode, IP: kit.ClientIP(r)})
	kit.RedirectFlash(w, r, "/admin/departments", kit.Translator(kit.Language(w, r))("saved"))
	return nil
}

func (s *Server) usersData(r *http.Request, c *kit.Caller) (map[string]any, error) {
	us, err := auth.Users(r.Context(), s.DB, c.Towns, r.URL.Query().Get("role"))
	if err != nil {
		return nil, err
	}
	shown := shownLog(r, privacy.Users)
	views := make([]userView, 0, len(us))
	for _, u := range us {
		views = append(views, s.viewUser(r, c, u, shown))
	}
	gd, err := s.gridsData(r, c)
	if err != nil {
		return nil, err
	}
	if err := s.recordShown(r, c, shown); err != nil {
		return nil, err
	}
	return map[string]any{"Users": views, "Roles": auth.Roles, "Grids": gd.Grids, "Departments": gd.Departments, "Towns": c.Towns}, nil
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	d, err := s.usersData(r, c)
	if err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, "users", kit.PageData{Title: "users", Data: d})
}

func (s *Server) userSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	in := userInput{Username: r.PostFormValue("username"), DisplayName: r.PostFormValue("display_name"), Role: r.PostFormValue("role"),
		Town: r.PostFormValue("town"), Department: r.PostFormValue("department"), Grid: r.PostFormValue("grid"),
		Phone: r.PostFormValue("phone"), Password: r.PostFormValue("password")}
	_, err := s.createUser(r, c, in)
	if err == nil {
		kit.RedirectFlash(w, r, "/admin/users", kit.Translator(kit.Language(w, r))("saved"))
		return nil
	}
	status, body := kit.StatusOf(err)
	if status >= 500 {
		return err
	}
	d, derr := s.usersData(r, c)
	if derr != nil {
		return derr
	}
	in.Password = ""
	d["Form"] = in
	return s.Render(w, r, status, "users", kit.PageData{Title: "users", Error: body.Message, Field: body.Field, Data: d})
}

func (s *Server) userDisable(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if id == c.User.ID {
		return problem.Conflict("you cannot disable your own account")
	}
	disable := r.PostFormValue("disabled") != "0"
	if err := auth.SetDisabled(r.Context(), s.DB, c.Towns, id, disable, c.User.Username); err != nil {
		return err
	}
	kit.RedirectFlash(w, r, "/admin/users", fmt.Sprintf("%s", kit.Translator(kit.Language(w, r))("saved")))
	return nil
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	q := r.URL.Query()
	es, err := audit.List(r.Context(), s.DB, audit.Filter{Towns: c.Towns, Entity: q.Get("entity"), Action: q.Get("action"), Limit: 300})
	if err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, "audit", kit.PageData{Title: "audit", Data: map[string]any{"Entries": es}})
}
