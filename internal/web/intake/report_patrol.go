package intake

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"

	weborders "github.com/civicgrid/civicgrid/internal/web/orders"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// clientIDPattern is what patrol.js sends as client_id (a random UUID); it becomes the order's
// external id on the patrol channel, so a retried submission finds the order it already made.
var clientIDPattern = regexp.MustCompile(`^[A-Za-z0-9-]{8,64}$`)

// patrolForm is what the patrol page shows again after a refused submission.
type patrolForm struct {
	ClientID, Content, Address, Category, Result string
	Lat, Lng                                     string
	SelfHandle                                   bool
}

// patrolView is an answer to a patrol submission, for the script and the confirmation page.
type patrolView struct {
	ID          int64  `json:"id"`
	Number      string `json:"number"`
	State       string `json:"state"`
	StateLabel  string `json:"state_label"`
	Grid        string `json:"grid"`
	SelfHandled bool   `json:"self_handled"`
	Existing    bool   `json:"existing,omitempty"` // a retry: the order was made by an earlier attempt
	URL         string `json:"url"`
}

func isPatroller(c *kit.Caller) bool {
	return c.User.Role == auth.RoleGridWorker || c.User.Role == auth.RoleGridLeader
}

var errNotPatroller = &kit.HTTPError{Status: http.StatusForbidden,
	Msg: "巡查上报仅供网格员、网格长使用；其他人员请用“新建工单”，市民请用“随手拍”(/report)"}

func (s *handlers) patrolPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	if !isPatroller(c) {
		return errNotPatroller
	}
	return s.renderPatrol(w, r, c, http.StatusOK, patrolForm{}, "", "")
}

func (s *handlers) renderPatrol(w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, f patrolForm, errMsg, field string) error {
	town := c.User.TownCode
	if town == "" && len(c.Towns) > 0 {
		town = c.Towns[0]
	}
	cats, err := s.leafCategories(r.Context(), town)
	if err != nil {
		return err
	}
	gridName := c.User.GridCode
	if g, err := places.GridByCode(r.Context(), s.DB, c.Towns, c.User.GridCode); err == nil {
		gridName = g.Name
	}
	return s.Render(w, r, status, "patrol", kit.PageData{Title: "patrol report", Error: errMsg, Field: field,
		Data: map[string]any{"Form": f, "Categories": cats, "Grid": c.User.GridCode, "GridName": gridName}})
}

// patrolSubmit takes a grid worker's report from the street: it creates a patrol order raised by
// the worker, with the photos, and when the worker fixed the problem on the spot (自行处置)
// closes it at once with the result and the photos as evidence. A client_id seen before answers
// with the order it already made (and finishes the self-handling if that attempt broke off), so
// the offline outbox can retry after a lost response without making a second order.
func (s *handlers) patrolSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	if !isPatroller(c) {
		return errNotPatroller
	}
	f := patrolForm{}
	v, err := s.patrol(w, r, c, &f)
	if err != nil {
		status, _ := kit.StatusOf(err)
		if status >= 500 {
			return err
		}
		if kit.WantsJSON(r) {
			s.WriteAPIError(w, r, err)
			return nil
		}
		_, msg, field := kit.ErrorText(r, kit.Language(w, r), err)
		return s.renderPatrol(w, r, c, status, f, msg, field)
	}
	if kit.WantsJSON(r) {
		status := http.StatusCreated
		if v.Existing {
			status = http.StatusOK
		}
		kit.WriteJSON(w, status, v)
		return nil
	}
	http.Redirect(w, r, v.URL, http.StatusSeeOther)
	return nil
}

func (s *handlers) patrol(w http.ResponseWriter, r *http.Request, c *kit.Caller, f *patrolForm) (patrolView, error) {
	ctx := r.Context()
	if err := readReportForm(w, r, MaxReportPhotos); err != nil {
		return patrolView{}, err
	}
	f.ClientID = strings.TrimSpace(r.FormValue("client_id"))
	f.Content, f.Address, f.Category = r.FormValue("content"), r.FormValue("address"), strings.TrimSpace(r.FormValue("category"))
	f.Result, f.Lat, f.Lng = r.FormValue("result"), r.FormValue("lat"), r.FormValue("lng")
	f.SelfHandle = r.FormValue("self_handle") != "" && r.FormValue("self_handle") != "0"

	town := c.User.TownCode
	if town == "" && len(c.Towns) == 1 {
		town = c.Towns[0]
	}
	if !slices.Contains(c.Towns, town) {
		return patrolView{}, problem.Field("town", "您的账号没有所属街镇，无法上报")
	}
	if f.ClientID != "" && !clientIDPattern.MatchString(f.ClientID) {
		return patrolView{}, problem.Field("client_id", "must be 8–64 letters, digits or '-' (a UUID)")
	}
	content, err := formText(r, "content", maxPatrolContent, "问题描述")
	if err != nil {
		return patrolView{}, err
	}
	address, err := formText(r, "address", 200, "地址")
	if err != nil {
		return patrolView{}, err
	}
	result, err := formText(r, "result", maxPatrolContent, "处置结果")
	if err != nil {
		return patrolView{}, err
	}
	if content == "" {
		return patrolView{}, problem.Field("content", "请简要描述发现的问题")
	}
	if f.SelfHandle && result == "" {
		return patrolView{}, problem.Field("result", "勾选了“已现场处置”，请写明处置结果")
	}

	// A retry of a submission that reached us before: answer with that order.
	if f.ClientID != "" {
		if o, err := s.Orders.ByExternalID(ctx, s.DB, town, orders.ChannelPatrol, f.ClientID); err == nil {
			return s.patrolRetry(w, r, c, o, f.SelfHandle, result)
		} else if !errors.Is(err, problem.ErrNotFound) {
			return patrolView{}, err
		}
	}

	photos, err := processPhotos(w, r, MaxReportPhotos)
	if err != nil {
		return patrolView{}, err
	}
	if len(photos) == 0 {
		return patrolView{}, problem.Field("photos", "请至少拍一张现场照片")
	}
	lat, lng, err := reportLocation(r, photos)
	if err != nil {
		return patrolView{}, err
	}
	grid, err := s.patrolGrid(ctx, kit.Language(w, r), c, town, lat, lng)
	if err != nil {
		return patrolView{}, err
	}
	if f.SelfHandle && grid != c.User.GridCode {
		return patrolView{}, problem.Field("self_handle", "自行处置仅限本网格（%s）：该位置属于网格 %s，请不勾选“已现场处置”，按一般上报派单", c.User.GridCode, grid)
	}
	if f.Category != "" {
		if ok, err := s.categoryExists(ctx, town, f.Category); err != nil {
			return patrolView{}, err
		} else if !ok {
			return patrolView{}, problem.Field("category", "未知的分类 %q", f.Category)
		}
	}
	ids, err := s.savePhotos(ctx, town, c.User.ID, photos)
	if err != nil {
		return patrolView{}, err
	}
	a := weborders.ActorOf(c)
	n := orders.NewOrder{TownCode: town, Channel: orders.ChannelPatrol, ExternalID: f.ClientID, Content: content, Address: address,
		Lat: lat, Lng: lng, Category: f.Category, Grid: grid, RaisedBy: c.User.ID, ActorName: a.Name, ActorRole: c.User.Role}
	if !f.SelfHandle {
		n.Photos = ids // the evidence of the report; when self-handled, the closing event carries them
	}
	o, err := s.Orders.Create(ctx, n)
	if errors.Is(err, problem.ErrConflict) && f.ClientID != "" {
		// A concurrent retry won the race to create it.
		existing, lerr := s.Orders.ByExternalID(ctx, s.DB, town, orders.ChannelPatrol, f.ClientID)
		if lerr != nil {
			return patrolView{}, lerr
		}
		return s.patrolRetry(w, r, c, existing, f.SelfHandle, result)
	}
	if err != nil {
		return patrolView{}, err
	}
	if f.SelfHandle {
		if o, err = s.Orders.Act(ctx, c.Towns, o.ID, a, workorder.ActSelfHandle, o.Version, workorder.Input{Result: result, Photos: ids}); err != nil {
			return patrolView{}, fmt.Errorf("工单 %s 已上报，但自行处置未成功（可在工单页重试）: %w", o.Number, err)
		}
	}
	return s.patrolView(r, o, false), nil
}

// patrolRetry answers a repeated client_id with the order it made. If the first attempt asked
// for self-handling but broke off between creating and closing, the retry finishes the job with
// the photos it carries again.
func (s *handlers) patrolRetry(w http.ResponseWriter, r *http.Request, c *kit.Caller, o orders.Order, selfHandle bool, result string) (patrolView, error) {
	if o.RaisedBy != c.User.ID {
		return patrolView{}, problem.Conflict("client_id %s belongs to another report; reload the page", o.ExternalID)
	}
	if selfHandle && o.State == string(workorder.Received) {
		photos, err := processPhotos(w, r, MaxReportPhotos)
		if err != nil {
			return patrolView{}, err
		}
		ids, err := s.savePhotos(r.Context(), o.TownCode, c.User.ID, photos)
		if err != nil {
			return patrolView{}, err
		}
		if o, err = s.Orders.Act(r.Context(), c.Towns, o.ID, weborders.ActorOf(c), workorder.ActSelfHandle, o.Version,
			workorder.Input{Result: result, Photos: ids}); err != nil {
			return patrolView{}, err
		}
	}
	return s.patrolView(r, o, true), nil
}

// patrolGrid is the grid of the reported point; a worker without a position (or at a point the
// illustrative polygons miss) reports from the grid they patrol. A point inside another town's
// grids is refused: the order would be stored in the worker's town (and grid) while the problem
// lies elsewhere, out of sight of the town that must handle it.
func (s *handlers) patrolGrid(ctx context.Context, lang string, c *kit.Caller, town string, lat, lng *float64) (string, error) {
	if lat == nil {
		return c.User.GridCode, nil
	}
	if err := s.checkPointTown(ctx, lang, town, lat, lng); err != nil {
		return "", err
	}
	loc, err := s.Locators.Get(ctx, town)
	if err != nil {
		return "", err
	}
	if g, ok := loc.Locate(*lng, *lat); ok {
		return g.Code, nil
	}
	return c.User.GridCode, nil
}

func (s *handlers) categoryExists(ctx context.Context, town, code string) (bool, error) {
	cs, err := s.Orders.Categories(ctx, town)
	if err != nil {
		return false, err
	}
	for _, c := range cs {
		if c.Code == code {
			return true, nil
		}
	}
	return false, nil
}

func (s *handlers) patrolView(r *http.Request, o orders.Order, existing bool) patrolView {
	return patrolView{ID: o.ID, Number: o.Number, State: o.State, StateLabel: weborders.StateLabel(o.State, "zh"), Grid: o.Grid,
		SelfHandled: o.State == string(workorder.Closed), Existing: existing, URL: fmt.Sprintf("/patrol/done/%d", o.ID)}
}

// patrolDone is the confirmation after a patrol report: the number, and whether it is closed.
func (s *handlers) patrolDone(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	o, err := weborders.OrderFor(s.Kit, r, c, id)
	if err != nil {
		return err
	}
	v := s.patrolView(r, o, false)
	v.StateLabel = weborders.StateLabel(o.State, kit.Language(w, r))
	return s.Render(w, r, http.StatusOK, "report_done", kit.PageData{Title: "patrol report",
		Data: map[string]any{"Patrol": v, "Order": o}})
}
