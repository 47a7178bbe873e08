package orders

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	"github.com/civicgrid/civicgrid/internal/workcal"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

func (s *handlers) apiCategories(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	town := r.URL.Query().Get("town")
	if town == "" && len(c.Towns) > 0 {
		town = c.Towns[0]
	}
	if !slices.Contains(c.Towns, town) {
		return problem.NotFound("town %s", town)
	}
	cs, err := s.Orders.Categories(r.Context(), town)
	if err != nil {
		return err
	}
	if cs == nil {
		cs = []orders.Category{}
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"categories": cs, "deadline_classes": workorder.DeadlineClasses})
	return nil
}

// orderInput is the body of POST /api/v1/orders.
type orderInput struct {
	Content     string   `json:"content"`
	Address     string   `json:"address"`
	Lat         *float64 `json:"lat"`
	Lng         *float64 `json:"lng"`
	Category    string   `json:"category"`
	Channel     string   `json:"channel"`
	Grid        string   `json:"grid"`
	CallerName  string   `json:"caller_name"`
	CallerPhone string   `json:"caller_phone"`
	Town        string   `json:"town"`
	ExternalID  string   `json:"external_id"`
}

// newOrder turns a signed-in user's form or JSON into a new order. lang is the language of the
// messages for what the server alone decides (the channel, the external id).
func (s *handlers) newOrder(c *kit.Caller, in orderInput, lang string) (orders.NewOrder, error) {
	if in.Town == "" && len(c.Towns) == 1 {
		in.Town = c.Towns[0]
	}
	if !slices.Contains(c.Towns, in.Town) {
		return orders.NewOrder{}, problem.Field("town", "unknown town code %q", in.Town)
	}
	if err := checkIntakeFields(c, &in, lang); err != nil {
		return orders.NewOrder{}, err
	}
	n := orders.NewOrder{TownCode: in.Town, Channel: in.Channel, Content: in.Content, Address: in.Address,
		Lat: in.Lat, Lng: in.Lng, Category: in.Category, Grid: in.Grid, CallerName: in.CallerName, CallerPhone: in.CallerPhone,
		ActorName: ActorOf(c).Name, ActorRole: c.User.Role}
	switch c.User.Role {
	case auth.RoleGridWorker, auth.RoleGridLeader:
		// A grid worker's own report: they may self-handle it (自行处置) when they fixed it on the spot.
		n.RaisedBy = c.User.ID
	case auth.RoleResident:
		n.RaisedBy = c.User.ID
		if n.CallerName == "" {
			n.CallerName = c.User.DisplayName
		}
		if n.CallerPhone == "" {
			n.CallerPhone = c.User.Phone
		}
	}
	return n, nil
}

func (s *handlers) apiCreateOrder(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var in orderInput
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	n, err := s.newOrder(c, in, "en")
	if err != nil {
		return err
	}
	o, err := s.Orders.Create(r.Context(), n)
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusCreated, s.view(r, c, o, nil)) // what the caller just sent: no one else's data is shown
	return nil
}

// filterFrom reads the list filters from the query string, naming any bad parameter.
func filterFrom(r *http.Request, c *kit.Caller) (orders.Filter, error) {
	return filterFromValues(r.URL.Query(), c)
}

func filterFromValues(q url.Values, c *kit.Caller) (orders.Filter, error) {
	if err := checkFilterParams(q); err != nil {
		return orders.Filter{}, err
	}
	f := orders.Filter{Towns: c.Towns, Grid: q.Get("grid"), Category: q.Get("category"), Channel: q.Get("channel"),
		Department: q.Get("department"), Query: strings.TrimSpace(q.Get("q")), Sort: q.Get("sort")}
	if t := strings.TrimSpace(q.Get("town")); t != "" {
		// One of a district's or the city's towns. Another town is not found, as kit.CallerTown
		// answers, so that codes of other towns learn nothing.
		if !slices.Contains(c.Towns, t) {
			return f, problem.NotFound("town %s", t)
		}
		f.Towns = []string{t}
	}
	for name, dst := range map[string]*string{"after": &f.After, "before": &f.Before} {
		if v := q.Get(name); v != "" {
			if _, err := orders.ParseCursor(v); err != nil {
				return f, kit.BadRequest(name, name+": want the cursor a list gave (next_after), not "+fmt.Sprintf("%.40q", v))
			}
			*dst = v
		}
	}
	if st := q.Get("state"); st != "" {
		// A list of states is bounded by the states there are: each is one bound parameter.
		parts := strings.Split(st, ",")
		if len(parts) > len(workorder.States) {
			return f, kit.BadRequest("state", fmt.Sprintf("state: at most %d states, not %d", len(workorder.States), len(parts)))
		}
		for _, x := range parts {
			if !workorder.State(x).Valid() {
				return f, kit.BadRequest("state", fmt.Sprintf("state: unknown state %.40q", x))
			}
			if !slices.Contains(f.States, x) {
				f.States = append(f.States, x)
			}
		}
	}
	for name, dst := range map[string]*bool{"overdue": &f.Overdue, "warning": &f.Warning, "unlocated": &f.Unlocated} {
		if v := q.Get(name); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return f, kit.BadRequest(name, fmt.Sprintf("%s: want true or false, not %q", name, v))
			}
			*dst = b
		}
	}
	for name, dst := range map[string]**time.Time{"from": &f.From, "to": &f.To} {
		if v := q.Get(name); v != "" {
			t, err := parseWhen(v)
			if err != nil {
				return f, kit.BadRequest(name, fmt.Sprintf("%s: want a date (2025-10-01) or RFC 3339 time, not %q", name, v))
			}
			*dst = &t
		}
	}
	for name, dst := range map[string]*int{"limit": &f.Limit, "offset": &f.Offset} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return f, kit.BadRequest(name, fmt.Sprintf("%s: want a non-negative number, not %q", name, v))
			}
			*dst = n
		}
	}
	if f.Sort != "" {
		if _, ok := orders.Sorts[f.Sort]; !ok {
			return f, kit.BadRequest("sort", fmt.Sprintf("sort: unknown order %q", f.Sort))
		}
	}
	var err error
	f.Conditions, err = extraConditions(q)
	return f, err
}

func parseWhen(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.ParseInLocation("2006-01-02", v, shanghai)
}

// shanghai is the zone every date typed into CivicGrid means: the calendar's.
var shanghai = workcal.Location()

func (s *handlers) apiOrders(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	f, err := filterFrom(r, c)
	if err != nil {
		return err
	}
	if c.User.Role == auth.RoleResident {
		return s.residentOrders(w, r, c, f)
	}
	return s.writeOrders(w, r, c, f)
}

// residentOrders lists only the orders the resident raised.
func (s *handlers) residentOrders(w http.ResponseWriter, r *http.Request, c *kit.Caller, f orders.Filter) error {
	f.RaisedBy = c.User.ID
	return s.writeOrders(w, r, c, f)
}

// writeOrders answers with one page of the orders f selects, as the caller may see them, audited.
func (s *handlers) writeOrders(w http.ResponseWriter, r *http.Request, c *kit.Caller, f orders.Filter) error {
	total, list, err := s.Orders.List(r.Context(), f)
	if err != nil {
		return err
	}
	shown := kit.ShownLog(r, privacy.Orders)
	out := make([]OrderView, 0, len(list))
	for _, o := range list {
		out = append(out, s.view(r, c, o, shown))
	}
	if err := s.RecordShown(r, c, shown); err != nil {
		return err
	}
	// A total past orders.CountBoundOf(f) (10,000; a search's 1,000) is a lower bound: counting
	// stopped there. next_after pages on by keyset (?after=), as cheap at the millionth order as
	// at the first.
	body := map[string]any{"total": total, "total_capped": total > orders.CountBoundOf(f), "orders": out}
	if len(list) > 0 && len(list) == cmp.Or(min(f.Limit, 500), 50) {
		if cur := orders.CursorOf(list[len(list)-1], f.Sort); cur != "" {
			body["next_after"] = cur
		}
	}
	kit.WriteJSON(w, http.StatusOK, body)
	return nil
}

func (s *handlers) apiOrder(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	o, err := s.pathOrder(r, c)
	if err != nil {
		return err
	}
	return s.writeOrder(w, r, c, http.StatusOK, o)
}

// actionInput is the body of POST /api/v1/orders/{id}/actions.
type actionInput struct {
	Action        string   `json:"action"`
	Version       *int     `json:"version"`
	Category      string   `json:"category"`
	Grid          string   `json:"grid"`
	DeadlineClass string   `json:"deadline_class"`
	Department    string   `json:"department"`
	CoDepartments []string `json:"co_departments"`
	Reason        string   `json:"reason"`
	Result        string   `json:"result"`
	Note          string   `json:"note"`
	Photos        []any    `json:"photos"`
	Satisfaction  string   `json:"satisfaction"`
	Comment       string   `json:"comment"`
	DuplicateOf   int64    `json:"duplicate_of"`
	Deadline      string   `json:"deadline"`
	// CallbackOutcome is end_callback's: unreachable, declined or no_contact.
	CallbackOutcome string `json:"callback_outcome"`
}

// toInput converts the JSON body; photos may be given as ids or as {"id": …} objects.
func (in actionInput) toInput() (workorder.Input, error) {
	out := workorder.Input{Category: in.Category, Grid: in.Grid, DeadlineClass: in.DeadlineClass, Department: in.Department,
		CoDepartments: in.CoDepartments, Reason: in.Reason, Result: in.Result, Note: in.Note, Satisfaction: in.Satisfaction,
		Comment: in.Comment, DuplicateOf: in.DuplicateOf, CallbackOutcome: in.CallbackOutcome}
	for i, p := range in.Photos {
		switch v := p.(type) {
		case string:
			out.Photos = append(out.Photos, v)
		case map[string]any:
			id, _ := v["id"].(string)
			if id == "" {
				return out, kit.BadRequest("photos", fmt.Sprintf("photos[%d]: want an upload id or {\"id\": …}", i))
			}
			out.Photos = append(out.Photos, id)
		default:
			return out, kit.BadRequest("photos", fmt.Sprintf("photos[%d]: want an upload id or {\"id\": …}", i))
		}
	}
	if in.Deadline != "" {
		t, err := parseWhen(in.Deadline)
		if err != nil {
			return out, kit.BadRequest("deadline", fmt.Sprintf("deadline: want an RFC 3339 time or a date, not %q", in.Deadline))
		}
		out.Deadline = &t
	}
	return out, nil
}

func (s *handlers) apiOrderAction(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	var in actionInput
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	if in.Action == "" {
		return kit.BadRequest("action", "action: is required")
	}
	if in.Version == nil {
		return kit.BadRequest("version", "version: is required (the order's version you saw, for the optimistic check)")
	}
	if err := checkList("en", "co_departments", "co departments", len(in.CoDepartments), orders.MaxCoDepartments); err != nil {
		return err
	}
	if err := checkList("en", "photos", "photos", len(in.Photos), orders.MaxPhotos); err != nil {
		return err
	}
	input, err := in.toInput()
	if err != nil {
		return err
	}
	// Act is scoped to the caller's towns; only a resident's reach is narrower (their own orders),
	// and only for them is the extra read worth its cost.
	if c.User.Role == auth.RoleResident {
		if _, err := s.orderFor(r, c, id); err != nil {
			return err
		}
	}
	o, err := s.Orders.Act(r.Context(), c.Towns, id, ActorOf(c), workorder.Action(in.Action), *in.Version, input)
	if err != nil {
		return err
	}
	return s.writeOrder(w, r, c, http.StatusOK, o)
}
