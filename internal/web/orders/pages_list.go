package orders

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// queueTab is a preset filter shown as a tab on the orders page.
type queueTab struct {
	Label, Query string
	Active       bool
}

// tabsFor gives each role its working queues first.
func tabsFor(u auth.User, lang string, current string) []queueTab {
	T := kit.Translator(lang)
	var tabs []queueTab
	add := func(key, q string) {
		// Compare in url.Values' canonical (sorted) form: the page's own query arrives re-encoded.
		canon, _ := url.ParseQuery(q)
		tabs = append(tabs, queueTab{Label: T(key), Query: q, Active: canon.Encode() == current})
	}
	switch u.Role {
	case auth.RoleDispatcher:
		add("tab received", "state=received")
		add("unlocated", "unlocated=true")
		add("tab filed", "state=filed")
		add("tab handled", "state=handled")
		add("tab closed", "state=closed")
		add("tab warning", "warning=true")
		add("tab overdue", "overdue=true")
	case auth.RoleHandler:
		d := url.QueryEscape(u.DepartmentCode)
		add("tab dispatched", "state=dispatched&department="+d)
		add("tab in progress", "state=in_progress&department="+d)
		add("tab overdue", "overdue=true&department="+d)
		add("tab mine", "department="+d)
	case auth.RoleGridWorker, auth.RoleGridLeader:
		g := url.QueryEscape(u.GridCode)
		add("tab to verify", "state=handled&grid="+g)
		add("tab my grid", "grid="+g)
	case auth.RoleLeader:
		add("tab overdue", "overdue=true")
		add("tab warning", "warning=true")
	}
	add("tab all", "")
	return tabs
}

type ordersPage struct {
	lookups
	Orders  []OrderView
	Total   int
	Filter  orders.Filter
	Query   url.Values
	Tabs    []queueTab
	Pins    any // the map's pins; html/template writes them into a JSON script block, escaping <, > and &
	Prev    string
	Next    string
	Showing string
}

func (s *handlers) ordersPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	lang := kit.Language(w, r)
	if r.URL.RawQuery == "" {
		if tabs := tabsFor(c.User, lang, ""); len(tabs) > 1 && c.User.Role != auth.RoleResident {
			http.Redirect(w, r, "/orders?"+tabs[0].Query, http.StatusSeeOther)
			return nil
		}
	}
	f, err := filterFrom(r, c)
	if err != nil {
		return err
	}
	if c.User.Role == auth.RoleResident {
		f.RaisedBy = c.User.ID
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	total, list, err := s.Orders.List(r.Context(), f)
	if err != nil {
		return err
	}
	l, err := s.lookups(r, c, lang)
	if err != nil {
		return err
	}
	p := ordersPage{lookups: l, Total: total, Filter: f, Query: r.URL.Query()}
	type pin struct {
		ID       int64   `json:"id"`
		Number   string  `json:"number"`
		Lat      float64 `json:"lat"`
		Lng      float64 `json:"lng"`
		State    string  `json:"state"`
		Overdue  bool    `json:"overdue"`
		Category string  `json:"category"`
	}
	var pins []pin
	shown := kit.ShownLog(r, privacy.Orders)
	for _, o := range list {
		p.Orders = append(p.Orders, s.view(r, c, Listed(o), shown))
		if o.Lat != nil && o.Lng != nil {
			pins = append(pins, pin{o.ID, o.Number, *o.Lat, *o.Lng, o.State, o.Overdue, l.CatName[o.Category]})
		}
	}
	p.Pins = pins
	current := r.URL.Query()
	current.Del("offset")
	current.Del("flash")
	current.Del("fs")
	p.Tabs = tabsFor(c.User, lang, current.Encode())
	if f.Offset > 0 {
		q := r.URL.Query()
		q.Set("offset", strconv.Itoa(max(0, f.Offset-f.Limit)))
		p.Prev = "?" + q.Encode()
	}
	if f.Offset+len(list) < total {
		q := r.URL.Query()
		q.Set("offset", strconv.Itoa(f.Offset+f.Limit))
		p.Next = "?" + q.Encode()
	}
	if total > 0 {
		p.Showing = fmt.Sprintf("%d–%d / %d", f.Offset+1, f.Offset+len(list), total)
	}
	if err := s.RecordShown(r, c, shown); err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, "orders", kit.PageData{Title: "orders", Data: p})
}
