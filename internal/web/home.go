package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

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
