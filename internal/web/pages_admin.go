package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

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
	return s.Render(w, r, http.StatusOK, "login", kit.PageData{Title: "sign in", Data: map[string]string{"Next": kit.SafeNext(r.URL.Query().Get("next"))}})
}

func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	username := strings.TrimSpace(r.PostFormValue("username"))
	next := kit.SafeNext(r.PostFormValue("next"))
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

func (s *Server) usersData(r *http.Request, c *kit.Caller) (map[string]any, error) {
	us, err := auth.Users(r.Context(), s.DB, c.Towns, r.URL.Query().Get("role"))
	if err != nil {
		return nil, err
	}
	shown := kit.ShownLog(r, privacy.Users)
	views := make([]userView, 0, len(us))
	for _, u := range us {
		views = append(views, s.viewUser(r, c, u, shown))
	}
	// The user form offers the towns' grids and departments.
	grids, err := places.Grids(r.Context(), s.DB, c.Towns)
	if err != nil {
		return nil, err
	}
	deps, err := places.Departments(r.Context(), s.DB, c.Towns)
	if err != nil {
		return nil, err
	}
	if err := s.RecordShown(r, c, shown); err != nil {
		return nil, err
	}
	return map[string]any{"Users": views, "Roles": auth.Roles, "Grids": grids, "Departments": deps, "Towns": c.Towns}, nil
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
	id, err := kit.PathID(r, "id")
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
