package orders

import (
	"net/http"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// writeOrder answers with one order as the caller may see it, audited.
func (s *handlers) writeOrder(w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, o orders.Order) error {
	shown := kit.ShownLog(r, privacy.Orders)
	v := s.view(r, c, o, shown)
	if err := s.RecordShown(r, c, shown); err != nil {
		return err
	}
	kit.WriteJSON(w, status, v)
	return nil
}

// Listed drops from an order what a list page does not show (the caller, the address, the
// result), so that the page carries no personal data it does not display and its audit row
// names only what was on the screen.
func Listed(o orders.Order) orders.Order {
	o.CallerName, o.CallerPhone, o.Address, o.Result = "", "", "", ""
	return o
}
