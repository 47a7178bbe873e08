package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	weborders "github.com/civicgrid/civicgrid/internal/web/orders"
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
	Panels      []template.HTML
}

// homeCard is a tile on a role's home page. A queue's tile (Queue) shows the total of the list it
// opens, counted through the same filter as that list (weborders.Queues).
type homeCard struct {
	Href, Title, Text string
	Count             int
	Queue             bool
	Alert             bool
}

// homeCards gives each role its queues first, then the tools it may use.
func (s *Server) homeCards(ctx context.Context, c *kit.Caller, lang string) ([]homeCard, error) {
	T := kit.Translator(lang)
	u := c.User
	var cards []homeCard
	if u.Can(auth.PermOrdersRead) {
		var qs []weborders.Queue
		for _, q := range weborders.Queues(u) {
			if q.Card != "" {
				qs = append(qs, q)
			}
		}
		counts, err := weborders.CountQueues(ctx, s.Kit.Orders, c, qs)
		if err != nil {
			return nil, err
		}
		for i, q := range qs {
			if q.HideEmpty && counts[i] == 0 {
				continue
			}
			cards = append(cards, homeCard{Href: q.Href(), Title: T(q.Label), Text: T(q.Card), Count: counts[i], Queue: true,
				Alert: q.Alert && counts[i] > 0})
		}
	}
	switch u.Role {
	case auth.RoleDispatcher:
		cards = append(cards, homeCard{Href: "/orders/new", Title: T("new order"), Text: T("card new order")})
	case auth.RoleResident:
		cards = append(cards, homeCard{Href: "/track", Title: T("track order"), Text: T("card track")})
	}
	// Then the tools of each capability (kit.HomeEntry), in their order; panels go above.
	for _, e := range s.HomeEntries() {
		if e.Panel != nil {
			continue
		}
		if e.Show == nil || e.Show(u) {
			cards = append(cards, homeCard{Href: e.Href, Title: T(e.Title), Text: T(e.Text)})
		}
	}
	return cards, nil
}

func (s *Server) homePage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	ctx := r.Context()
	lang := kit.Language(w, r)
	towns, err := places.TenantTowns(ctx, s.DB, c.Towns)
	if err != nil {
		return err
	}
	d := homeData{Towns: towns}
	counts, err := places.CountsOf(ctx, s.DB, c.Towns)
	if err != nil {
		return err
	}
	d.Grids, d.Members, d.Departments = counts.Grids, counts.Members, counts.Departments
	if c.User.Can(auth.PermUsersRead) {
		if d.Users, err = auth.CountUsers(ctx, s.DB, c.Towns); err != nil {
			return err
		}
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
	}
	if d.Cards, err = s.homeCards(ctx, c, lang); err != nil {
		return err
	}
	for _, e := range s.HomeEntries() {
		if e.Panel != nil && (e.Show == nil || e.Show(c.User)) {
			p, err := e.Panel(r, c, lang)
			if err != nil {
				return err
			}
			d.Panels = append(d.Panels, p)
		}
	}
	return s.Render(w, r, http.StatusOK, "home", kit.PageData{Title: "home", Data: d})
}
