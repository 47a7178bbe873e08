package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/media"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	"github.com/civicgrid/civicgrid/internal/workcal"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// orderView is an order as one caller may see it: the caller's allowed actions, and its personal
// data masked unless package privacy's rule lets the caller see it whole.
type orderView struct {
	orders.Order
	AllowedActions []workorder.Action `json:"allowed_actions"`
	// CallerMasked says that the order's personal data — the caller, the address below the
	// house number, numbers in its texts — is masked.
	CallerMasked bool `json:"caller_masked,omitempty"`
}

func actorOf(c *kit.Caller) orders.ActorInfo {
	a := orders.ActorInfo{Name: c.User.DisplayName}
	if a.Name == "" {
		a.Name = c.User.Username
	}
	a.UserID, a.Role, a.Department = c.User.ID, c.User.Role, c.User.DepartmentCode
	if c.User.GridCode != "" {
		a.Grids = []string{c.User.GridCode}
	}
	return a
}

// view is o as the caller may see it; when it shows personal data whole, that is added to shown,
// which the handler records (recordShown) before it answers.
func (s *Server) view(r *http.Request, c *kit.Caller, o orders.Order, shown *privacy.Log) orderView {
	v := orderView{AllowedActions: s.Kit.Orders.Allowed(o, actorOf(c).Actor)}
	if v.AllowedActions == nil {
		v.AllowedActions = []workorder.Action{}
	}
	var whole bool
	v.Order, v.CallerMasked, whole = kit.Viewer(r, c).Order(o)
	if whole {
		shown.Add(o.Number, o.TownCode)
	}
	return v
}

// orderFor loads an order the caller may see: staff see their towns' orders, residents their own.
func (s *Server) orderFor(r *http.Request, c *kit.Caller, id int64) (orders.Order, error) {
	o, err := s.Kit.Orders.Get(r.Context(), c.Towns, id, true)
	if err != nil {
		return o, err
	}
	if c.User.Role == auth.RoleResident && o.RaisedBy != c.User.ID {
		return orders.Order{}, problem.NotFound("order %d", id)
	}
	return o, nil
}

func (s *Server) apiCategories(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	town := r.URL.Query().Get("town")
	if town == "" && len(c.Towns) > 0 {
		town = c.Towns[0]
	}
	if !slices.Contains(c.Towns, town) {
		return problem.NotFound("town %s", town)
	}
	cs, err := s.Kit.Orders.Categories(r.Context(), town)
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
func (s *Server) newOrder(c *kit.Caller, in orderInput, lang string) (orders.NewOrder, error) {
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
		ActorName: actorOf(c).Name, ActorRole: c.User.Role}
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

func (s *Server) apiCreateOrder(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var in orderInput
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	n, err := s.newOrder(c, in, "en")
	if err != nil {
		return err
	}
	o, err := s.Kit.Orders.Create(r.Context(), n)
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusCreated, s.view(r, c, o, nil)) // what the caller just sent: no one else's data is shown
	return nil
}

// filterFrom reads the list filters from the query string, naming any bad parameter.
func filterFrom(r *http.Request, c *kit.Caller) (orders.Filter, error) {
	q := r.URL.Query()
	if err := checkFilterParams(q); err != nil {
		return orders.Filter{}, err
	}
	f := orders.Filter{Towns: c.Towns, Grid: q.Get("grid"), Category: q.Get("category"), Channel: q.Get("channel"),
		Department: q.Get("department"), Query: strings.TrimSpace(q.Get("q")), Sort: q.Get("sort")}
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
	return f, nil
}

func parseWhen(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.ParseInLocation("2006-01-02", v, shanghai)
}

// shanghai is the zone every date typed into CivicGrid means: the calendar's.
var shanghai = workcal.Location()

func (s *Server) apiOrders(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
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
func (s *Server) residentOrders(w http.ResponseWriter, r *http.Request, c *kit.Caller, f orders.Filter) error {
	f.RaisedBy = c.User.ID
	return s.writeOrders(w, r, c, f)
}

// writeOrders answers with one page of the orders f selects, as the caller may see them, audited.
func (s *Server) writeOrders(w http.ResponseWriter, r *http.Request, c *kit.Caller, f orders.Filter) error {
	total, list, err := s.Kit.Orders.List(r.Context(), f)
	if err != nil {
		return err
	}
	shown := kit.ShownLog(r, privacy.Orders)
	out := make([]orderView, 0, len(list))
	for _, o := range list {
		out = append(out, s.view(r, c, o, shown))
	}
	if err := s.RecordShown(r, c, shown); err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"total": total, "orders": out})
	return nil
}

func (s *Server) apiOrder(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	o, err := s.orderFor(r, c, id)
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
}

// toInput converts the JSON body; photos may be given as ids or as {"id": …} objects.
func (in actionInput) toInput() (workorder.Input, error) {
	out := workorder.Input{Category: in.Category, Grid: in.Grid, DeadlineClass: in.DeadlineClass, Department: in.Department,
		CoDepartments: in.CoDepartments, Reason: in.Reason, Result: in.Result, Note: in.Note, Satisfaction: in.Satisfaction,
		Comment: in.Comment, DuplicateOf: in.DuplicateOf}
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

func (s *Server) apiOrderAction(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
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
	o, err := s.Kit.Orders.Act(r.Context(), c.Towns, id, actorOf(c), workorder.Action(in.Action), *in.Version, input)
	if err != nil {
		return err
	}
	return s.writeOrder(w, r, c, http.StatusOK, o)
}

// storePhoto cleans and stores one uploaded photo and records it for the town.
func (s *Server) storePhoto(r *http.Request, town string, userID int64, file interface{ Read([]byte) (int, error) }) (orders.Upload, error) {
	p, err := media.ProcessContext(r.Context(), file)
	switch {
	case errors.Is(err, media.ErrTooLarge):
		return orders.Upload{}, &kit.HTTPError{Status: http.StatusRequestEntityTooLarge, Msg: "file: " + err.Error(), Field: "file"}
	case errors.Is(err, media.ErrNotImage):
		return orders.Upload{}, &kit.HTTPError{Status: http.StatusUnsupportedMediaType, Msg: "file: " + err.Error(), Field: "file"}
	case err != nil:
		return orders.Upload{}, err
	}
	return s.keepPhoto(r.Context(), town, userID, p)
}

// keepPhoto writes a processed photo to the content-addressed store and records it as an
// upload of the town, so orders of that town may name it as evidence.
func (s *Server) keepPhoto(ctx context.Context, town string, userID int64, p media.Photo) (orders.Upload, error) {
	if err := s.Photos.Save(p); err != nil {
		return orders.Upload{}, err
	}
	u := orders.Upload{ID: p.ID, TownCode: town, MIME: "image/jpeg", Size: int64(len(p.Full)), Width: p.Width, Height: p.Height, CreatedBy: userID}
	if err := s.Kit.Orders.SaveUpload(ctx, u); err != nil {
		return u, err
	}
	return u, nil
}

func (s *Server) apiUpload(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	r.Body = http.MaxBytesReader(w, r.Body, media.MaxBytes+1<<20)
	file, _, err := r.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &kit.HTTPError{Status: http.StatusRequestEntityTooLarge, Msg: "file: larger than 10 MiB", Field: "file"}
		}
		return kit.BadRequest("file", "file: send the photo as multipart form field \"file\"")
	}
	defer file.Close()
	town := r.FormValue("town")
	if town == "" && len(c.Towns) > 0 {
		town = c.Towns[0]
	}
	if !slices.Contains(c.Towns, town) {
		return problem.Field("town", "unknown town code %q", town)
	}
	u, err := s.storePhoto(r, town, c.User.ID, file)
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusCreated, map[string]any{"id": u.ID, "url": "/uploads/" + u.ID, "thumbnail": "/uploads/" + u.ID + "/thumb",
		"width": u.Width, "height": u.Height})
	return nil
}

// servePhoto serves a stored photo: to a signed-in user whose towns hold it, and to anyone with a
// reference that a page allowed to show it signed (privacy.PhotoLinks: the tracking page, Open311
// when the town publishes photos). Knowing a photo's hash is not enough.
func (s *Server) servePhoto(w http.ResponseWriter, r *http.Request) {
	id, sig := privacy.Split(r.PathValue("id"))
	path, err := s.Photos.Path(id, strings.HasSuffix(r.URL.Path, "/thumb"))
	if err != nil || !s.mayOpenPhoto(r, id, sig) {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "private, max-age=86400, immutable")
	w.Header().Set("Content-Type", "image/jpeg")
	http.ServeFile(w, r, path)
}

// mayOpenPhoto applies servePhoto's rule; any failure refuses.
func (s *Server) mayOpenPhoto(r *http.Request, id, sig string) bool {
	if sig != "" {
		links, err := privacy.PhotoLinksFor(r.Context(), s.DB)
		return err == nil && links.Valid(id, sig)
	}
	c, err := s.Authenticate(r)
	if err != nil || c == nil || len(c.Towns) == 0 {
		return false
	}
	_, err = s.Kit.Orders.UploadByID(r.Context(), c.Towns, id)
	return err == nil
}

func (s *Server) apiNotifications(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	list, unread, err := s.Kit.Orders.Notifications(r.Context(), c.User.ID, r.URL.Query().Get("unread") == "true", 50)
	if err != nil {
		return err
	}
	if list == nil {
		list = []orders.Notification{}
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"unread": unread, "notifications": list})
	return nil
}

func (s *Server) apiNotificationsRead(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var in struct {
		IDs []int64 `json:"ids"`
	}
	if r.ContentLength != 0 {
		if err := kit.DecodeJSON(r, &in); err != nil {
			return err
		}
	}
	if err := checkList("en", "ids", "notification ids", len(in.IDs), maxNotificationIDs); err != nil {
		return err
	}
	if err := s.Kit.Orders.MarkRead(r.Context(), c.User.ID, in.IDs); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// publicOrder is what anyone holding an order's number and short code may see.
type publicOrder struct {
	Number     string         `json:"number"`
	State      string         `json:"state"`
	StateLabel string         `json:"state_label"`
	Category   string         `json:"category"`
	Content    string         `json:"content"`
	ReceivedAt time.Time      `json:"received_at"`
	Deadline   *time.Time     `json:"deadline"`
	ClosedAt   *time.Time     `json:"closed_at"`
	Timeline   []publicEvent  `json:"timeline"`
	Rating     string         `json:"satisfaction,omitempty"`
	Extra      map[string]any `json:"-"`
}

type publicEvent struct {
	At     time.Time `json:"at"`
	Action string    `json:"action"`
	Label  string    `json:"label"`
	Text   string    `json:"text,omitempty"`
	Photos []string  `json:"photos,omitempty"`
}

// publicView keeps what a resident should see: no names of staff, no phone numbers, no internal
// notes. Numbers and the caller's name inside the texts are masked too (the number and code may be
// in other hands than the reporter's), and photos are given as signed references (privacy.PhotoLinks),
// the only way to open them without signing in.
func publicView(o orders.Order, lang string, links *privacy.PhotoLinks) publicOrder {
	o, _ = privacy.MaskOrder(o)
	p := publicOrder{Number: o.Number, State: o.State, StateLabel: stateLabel(o.State, lang), Category: o.Category, Content: o.Content,
		ReceivedAt: o.ReceivedAt, Deadline: o.Deadline, ClosedAt: o.ClosedAt, Rating: o.Satisfaction}
	for _, e := range o.Events {
		pe := publicEvent{At: e.At, Action: e.Action, Label: actionLabel(e.Action, lang)}
		switch e.Action {
		case orders.ActionReceive:
			pe.Photos = links.SignAll(e.Photos) // the reporter's own photos
		case "report", "self_handle":
			pe.Text, pe.Photos = e.Result, links.SignAll(e.Photos)
		case "reject":
			pe.Text = e.Reason
		case "verify_pass":
			pe.Photos = links.SignAll(e.Photos)
		case "rate":
			pe.Text = e.Comment
		}
		p.Timeline = append(p.Timeline, pe)
	}
	return p
}

func stateLabel(s, lang string) string {
	if lang == "en" {
		return workorder.State(s).LabelEN()
	}
	return workorder.State(s).LabelZH()
}

func actionLabel(a, lang string) string {
	if a == actionFileDispatch {
		if lang == "en" {
			return "File and dispatch"
		}
		return "立案并派遣"
	}
	if a == orders.ActionReceive {
		if lang == "en" {
			return "Received"
		}
		return "受理"
	}
	if lang == "en" {
		return workorder.Action(a).LabelEN()
	}
	return workorder.Action(a).LabelZH()
}
