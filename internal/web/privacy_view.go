package web

import (
	"net/http"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// Every response that shows personal data goes through package privacy: records are masked by its
// rule, and one audit row names whose data the response showed whole. The helpers below give the
// handlers the viewer, the log and the writing of the row.

// viewer is the caller as package privacy sees them.
func viewer(r *http.Request, c *kit.Caller) privacy.Viewer {
	v := privacy.ViewerOf(c.User, c.Towns)
	v.IP = kit.ClientIP(r)
	return v
}

// shownLog starts the audit log of the response to r, which shows records of class cl.
func shownLog(r *http.Request, cl privacy.Class) *privacy.Log {
	return privacy.NewLog(cl, r.Method+" "+r.URL.RequestURI())
}

// recordShown writes the response's audit row when it showed personal data whole. Handlers call
// it before writing the response, and answer with its error instead: data that cannot be
// audited is not shown.
func (s *Server) recordShown(r *http.Request, c *kit.Caller, l *privacy.Log) error {
	return privacy.Record(r.Context(), s.DB, viewer(r, c), l)
}

// writeOrder answers with one order as the caller may see it, audited.
func (s *Server) writeOrder(w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, o orders.Order) error {
	shown := shownLog(r, privacy.Orders)
	v := s.view(r, c, o, shown)
	if err := s.recordShown(r, c, shown); err != nil {
		return err
	}
	kit.WriteJSON(w, status, v)
	return nil
}

// listed drops from an order what a list page does not show (the caller, the address, the
// result), so that the page carries no personal data it does not display and its audit row
// names only what was on the screen.
func listed(o orders.Order) orders.Order {
	o.CallerName, o.CallerPhone, o.Address, o.Result = "", "", "", ""
	return o
}
