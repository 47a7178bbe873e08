package orders

import (
	"context"
	"net/url"
	"strings"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// Queue is one of a role's working lists. The orders page shows it as a tab and the home page as
// a tile, both with a count; the count and the list are read through one filter (QueueFilter of
// Query), so a tile's number is the total of the list it opens.
type Queue struct {
	Label string // message key of the tab and the tile's title
	Card  string // message key of the tile's text; "" keeps the queue off the home page
	Query string // the orders page's query string
	// Alert makes the tile red while its count is not zero; HideEmpty leaves the tile out while
	// it is zero (a queue that is usually empty).
	Alert, HideEmpty bool
	// TileOnly keeps the queue off the orders page's tabs (a resident's one list is "all").
	TileOnly bool
	// Page is the page the tile opens instead of the orders page (a resident's own reports).
	Page string
}

// Href is the page the queue opens: the orders page with its query, or its own Page.
func (q Queue) Href() string {
	switch {
	case q.Page != "":
		return q.Page
	case q.Query == "":
		return "/orders"
	}
	return "/orders?" + q.Query
}

// openStates is the orders page's spelling of "still open".
var openStates = func() string {
	var s []string
	for _, si := range workorder.States {
		if si.Open {
			s = append(s, string(si.State))
		}
	}
	return strings.Join(s, ",")
}()

// Queues gives each role its working queues, what it does most first.
func Queues(u auth.User) []Queue {
	switch u.Role {
	case auth.RoleDispatcher:
		return []Queue{
			{Label: "tab received", Card: "card received", Query: "state=received"},
			{Label: "unlocated", Card: "card unlocated", Query: "unlocated=true", Alert: true, HideEmpty: true},
			{Label: "tab filed", Card: "card filed", Query: "state=filed"},
			{Label: "tab handled", Card: "card handled", Query: "state=handled"},
			{Label: "tab closed", Card: "card closed", Query: "state=closed"},
			{Label: "tab warning", Query: "warning=true"},
			{Label: "tab overdue", Card: "card overdue", Query: "overdue=true", Alert: true},
		}
	case auth.RoleHandler:
		d := url.QueryEscape(u.DepartmentCode)
		return []Queue{
			{Label: "tab dispatched", Card: "card dispatched", Query: "state=dispatched&department=" + d},
			{Label: "tab in progress", Card: "card in progress", Query: "state=in_progress&department=" + d},
			{Label: "tab overdue", Card: "card overdue", Query: "overdue=true&department=" + d, Alert: true},
			{Label: "tab mine", Query: "department=" + d},
		}
	case auth.RoleGridWorker, auth.RoleGridLeader:
		g := url.QueryEscape(u.GridCode)
		return []Queue{
			{Label: "tab to verify", Card: "card to verify", Query: "state=handled&grid=" + g},
			{Label: "tab my grid", Card: "card my grid", Query: "state=" + openStates + "&grid=" + g},
		}
	case auth.RoleLeader:
		return []Queue{
			{Label: "tab overdue", Card: "card overdue", Query: "overdue=true", Alert: true},
			{Label: "tab warning", Card: "card warning", Query: "warning=true"},
		}
	case auth.RoleResident:
		return []Queue{{Label: "my orders", Card: "card my orders", TileOnly: true, Page: ResidentReports}}
	}
	return nil
}

// ResidentReports is the resident's own list of reports (web/intake serves it): residents who
// open the staff's order pages are sent there.
const ResidentReports = "/my/reports"

// ResidentReportForm is the residents' report form (web/intake), with a map picker; residents
// who open the staff's new-order form are sent there.
const ResidentReportForm = "/report"

// QueueFilter is the filter of the orders list at query for c: the same one the orders page
// lists (a resident sees only the orders the resident raised).
func QueueFilter(c *kit.Caller, query string) (orders.Filter, error) {
	q, err := url.ParseQuery(query)
	if err != nil {
		return orders.Filter{}, kit.BadRequest("query", err.Error())
	}
	return listFilter(q, c)
}

func listFilter(q url.Values, c *kit.Caller) (orders.Filter, error) {
	f, err := filterFromValues(q, c)
	if err != nil {
		return f, err
	}
	if c.User.Role == auth.RoleResident {
		f.RaisedBy = c.User.ID
	}
	return f, nil
}

// CountQueues returns the total of each queue's list, bounded as the list counts it
// (orders.CountBoundOf): one count per queue, no page read.
func CountQueues(ctx context.Context, st *orders.Store, c *kit.Caller, qs []Queue) ([]int, error) {
	out := make([]int, len(qs))
	for i, q := range qs {
		f, err := QueueFilter(c, q.Query)
		if err != nil {
			return nil, err
		}
		if out[i], err = st.Count(ctx, f, orders.CountBoundOf(f)); err != nil {
			return nil, err
		}
	}
	return out, nil
}
