package services

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"

	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/services"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// svc is the services service on the server's database.
func (s *handlers) svc() *services.Service { return &services.Service{DB: s.DB, Now: s.Orders.Now} }

// townOf is the town whose catalogue a request reads: ?town=, else the caller's own, else the
// first town with a catalogue.
func (s *handlers) townOf(r *http.Request, c *kit.Caller) (string, error) {
	towns, err := s.svc().Towns(r.Context())
	if err != nil {
		return "", err
	}
	if t := r.URL.Query().Get("town"); t != "" {
		if !slices.Contains(towns, t) {
			// A town that runs CivicGrid without a catalogue yet shows an empty one (the portal
			// links every town's services); an unknown town is not found.
			if _, _, err := s.PublicTown(r, nil); err != nil {
				return "", err
			}
		}
		return t, nil
	}
	if c != nil && slices.Contains(towns, c.User.TownCode) {
		return c.User.TownCode, nil
	}
	if len(towns) == 0 {
		return "", nil
	}
	return towns[0], nil
}

func catalogueOf(r *http.Request) (string, error) {
	switch v := r.URL.Query().Get("catalogue"); v {
	case "", services.CatalogueJingcai:
		return services.CatalogueJingcai, nil
	case services.CatalogueHealth:
		return v, nil
	default:
		return "", problem.Field("catalogue", "must be jingcai or health")
	}
}

// shown returns the requests as c may see them: whole to the requester and to the roles
// privacy.Rules lists (each recorded in the response's one audit row), masked otherwise.
func (s *handlers) shown(r *http.Request, c *kit.Caller, list []services.Request) ([]services.Request, error) {
	v := kit.Viewer(r, c)
	log := kit.ShownLog(r, privacy.ServiceRequests)
	out := make([]services.Request, len(list))
	for i, q := range list {
		f := q.Facts(c.User.ID)
		if v.Whole(privacy.ServiceRequests, f) {
			if !f.Own {
				log.Add(q.Number, q.TownCode)
			}
			out[i] = q
		} else {
			out[i] = q.Masked()
		}
	}
	return out, s.RecordShown(r, c, log)
}

// catalogue is the published catalogue the request asks for (?catalogue=) in the caller's or
// the asked town, with that town and catalogue code: what the API and the page show alike.
func (s *handlers) catalogue(r *http.Request, c *kit.Caller) (town, cat string, tree []services.Aspect, err error) {
	if town, err = s.townOf(r, c); err != nil {
		return "", "", nil, err
	}
	if cat, err = catalogueOf(r); err != nil {
		return "", "", nil, err
	}
	tree, err = s.svc().Catalogue(r.Context(), town, cat, false)
	return town, cat, tree, err
}

func (s *handlers) apiCatalogue(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	town, cat, tree, err := s.catalogue(r, c)
	if err != nil {
		return err
	}
	n := services.Count(tree)
	kit.WriteJSON(w, http.StatusOK, map[string]any{"town": town, "catalogue": cat, "aspects": tree,
		"counts": map[string]int{"aspects": n.Aspects, "categories": n.Categories, "items": n.Items}})
	return nil
}

func (s *handlers) apiItem(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	it, err := s.item(r)
	return kit.Reply(w, http.StatusOK, it, err)
}

// item is the active item of the path (an inactive one is not found, except for editors).
func (s *handlers) item(r *http.Request) (services.Item, error) {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return services.Item{}, err
	}
	it, err := s.svc().Item(r.Context(), id)
	if err == nil && !it.Active {
		err = problem.NotFound("service item %d", id)
	}
	return it, err
}

func (s *handlers) apiSaveItem(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var in struct {
		Town string `json:"town"`
		services.ItemEdit
	}
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	if in.Town == "" {
		in.Town = c.User.TownCode
	}
	it, err := s.svc().SaveItem(r.Context(), c.Towns, in.Town, in.ItemEdit, kit.AuditActor(r, c))
	return kit.Reply(w, http.StatusOK, it, err)
}

func (s *handlers) apiImport(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	n, err := s.importFile(r, c)
	if err != nil {
		if ie, ok := err.(*services.ImportError); ok {
			kit.WriteJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": ie.Error(), "errors": ie.Errors})
			return nil
		}
		return err
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"imported": n})
	return nil
}

// importFile reads the form's xlsx file and imports it into the caller's town.
func (s *handlers) importFile(r *http.Request, c *kit.Caller) (int, error) {
	f, _, err := r.FormFile("file")
	if err != nil {
		return 0, problem.Field("file", "attach the catalogue as an xlsx file")
	}
	defer f.Close()
	edits, err := services.ReadSheet(f)
	if err != nil {
		return 0, err
	}
	town := r.FormValue("town")
	if town == "" {
		town = c.User.TownCode
	}
	return s.svc().Import(r.Context(), c.Towns, town, edits, kit.AuditActor(r, c))
}

func (s *handlers) apiExport(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.exportFile(w, r, c)
}

// exportFile sends the caller's town's catalogues as xlsx (no personal data: items only).
func (s *handlers) exportFile(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	town := r.URL.Query().Get("town")
	if town == "" {
		town = c.User.TownCode
	}
	if !slices.Contains(c.Towns, town) {
		return problem.NotFound("service catalogue of town %q", town)
	}
	var buf bytes.Buffer
	if err := s.svc().Export(r.Context(), town, &buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="service-catalogue-`+town+`.xlsx"`)
	_, err := w.Write(buf.Bytes())
	return err
}

func (s *handlers) apiCreate(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var in services.NewRequest
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	q, err := s.svc().Create(r.Context(), c.Towns, c.User, in, kit.AuditActor(r, c))
	return kit.Reply(w, http.StatusCreated, q, err)
}

func (s *handlers) apiList(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	f, err := filterOf(r)
	if err != nil {
		return err
	}
	list, err := s.svc().List(r.Context(), c.Towns, c.User, f)
	if err != nil {
		return err
	}
	if list, err = s.shown(r, c, list); err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"requests": list})
	return nil
}

func filterOf(r *http.Request) (services.Filter, error) {
	f := services.Filter{State: r.URL.Query().Get("state"), Overdue: r.URL.Query().Get("overdue") == "1"}
	if f.State != "" && f.State != "open" && services.State(f.State).Label("en") == f.State {
		return f, problem.Field("state", "%q is not a state", f.State)
	}
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > services.MaxList {
			return f, problem.Field("limit", "must be between 1 and %d", services.MaxList)
		}
		f.Limit = n
	}
	return f, nil
}

// visible is request id as c may see it (not found when c may not see it at all).
func (s *handlers) visible(r *http.Request, c *kit.Caller) (services.Request, error) {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return services.Request{}, err
	}
	q, err := s.svc().Request(r.Context(), c.Towns, id)
	if err == nil && !services.Visible(c.User, q) {
		err = problem.NotFound("service request %d", id)
	}
	return q, err
}

func (s *handlers) apiRequest(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	q, err := s.visible(r, c)
	if err != nil {
		return err
	}
	list, err := s.shown(r, c, []services.Request{q})
	if err != nil {
		return err
	}
	out := struct {
		services.Request
		Allowed []services.Action `json:"allowed_actions"`
	}{list[0], services.AllowedActions(q.Subject(), actorOf(c))}
	kit.WriteJSON(w, http.StatusOK, out)
	return nil
}

func actorOf(c *kit.Caller) services.Actor {
	return services.Actor{UserID: c.User.ID, Role: c.User.Role, Department: c.User.DepartmentCode}
}

// actionBody is what an action carries.
type actionBody struct {
	Action       services.Action `json:"action"`
	Note         string          `json:"note"`
	Result       string          `json:"result"`
	Reason       string          `json:"reason"`
	Satisfaction string          `json:"satisfaction"`
	Comment      string          `json:"comment"`
}

func (b actionBody) input() services.Input {
	return services.Input{Note: b.Note, Result: b.Result, Reason: b.Reason, Satisfaction: b.Satisfaction, Comment: b.Comment}
}

// The actions each route takes: the provider's and the requester's.
var (
	handleActions  = []services.Action{services.ActAccept, services.ActRefuse, services.ActDeliver}
	respondActions = []services.Action{services.ActConfirm, services.ActReturn, services.ActRate, services.ActCancel}
)

func (s *handlers) act(r *http.Request, c *kit.Caller, allowed []services.Action, b actionBody) (services.Request, error) {
	if !slices.Contains(allowed, b.Action) {
		return services.Request{}, problem.Field("action", "%q is not an action of this route", b.Action)
	}
	q, err := s.visible(r, c)
	if err != nil {
		return q, err
	}
	return s.svc().Act(r.Context(), c.Towns, c.User, q.ID, b.Action, b.input(), kit.AuditActor(r, c))
}

func (s *handlers) apiAct(w http.ResponseWriter, r *http.Request, c *kit.Caller, allowed []services.Action) error {
	var b actionBody
	if err := kit.DecodeJSON(r, &b); err != nil {
		return err
	}
	q, err := s.act(r, c, allowed, b)
	if err != nil {
		return err
	}
	list, err := s.shown(r, c, []services.Request{q})
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, list[0])
	return nil
}

func (s *handlers) apiHandle(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.apiAct(w, r, c, handleActions)
}

func (s *handlers) apiRespond(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.apiAct(w, r, c, respondActions)
}
