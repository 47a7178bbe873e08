package orders

import (
	"net/http"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// OrderView is an order as one caller may see it: the caller's allowed actions, and its personal
// data masked unless package privacy's rule lets the caller see it whole.
type OrderView struct {
	orders.Order
	AllowedActions []workorder.Action `json:"allowed_actions"`
	// CallerMasked says that the order's personal data — the caller, the address below the
	// house number, numbers in its texts — is masked.
	CallerMasked bool `json:"caller_masked,omitempty"`
}

func ActorOf(c *kit.Caller) orders.ActorInfo {
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
func (s *handlers) view(r *http.Request, c *kit.Caller, o orders.Order, shown *privacy.Log) OrderView {
	v := OrderView{AllowedActions: s.Orders.Allowed(o, ActorOf(c).Actor)}
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
func (s *handlers) orderFor(r *http.Request, c *kit.Caller, id int64) (orders.Order, error) {
	o, err := s.Orders.Get(r.Context(), c.Towns, id, true)
	if err != nil {
		return o, err
	}
	if c.User.Role == auth.RoleResident && o.RaisedBy != c.User.ID {
		return orders.Order{}, problem.NotFound("order %d", id)
	}
	return o, nil
}

// pathOrder is the order of the path's {id}, if the caller may see it (orderFor).
func (s *handlers) pathOrder(r *http.Request, c *kit.Caller) (orders.Order, error) {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return orders.Order{}, err
	}
	return s.orderFor(r, c, id)
}

// View is an order as the caller may see it, with the actions they may take; an order shown
// whole is added to shown (its audit row).
func View(k *kit.Kit, r *http.Request, c *kit.Caller, o orders.Order, shown *privacy.Log) OrderView {
	return (&handlers{Kit: k}).view(r, c, o, shown)
}

// OrderFor loads an order the caller may see: staff see their towns' orders, residents their own.
func OrderFor(k *kit.Kit, r *http.Request, c *kit.Caller, id int64) (orders.Order, error) {
	return (&handlers{Kit: k}).orderFor(r, c, id)
}

// WriteOrder answers with one order as the caller may see it, audited.
func WriteOrder(k *kit.Kit, w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, o orders.Order) error {
	return (&handlers{Kit: k}).writeOrder(w, r, c, status, o)
}
