package orders

import (
	"net/url"

	"github.com/civicgrid/civicgrid/internal/orders"
)

// ListFilter is a filter another web package adds to the order list, its API and its export
// (the same code path, filterFromValues): when a request carries Param, Condition turns its query
// into a condition over the orders table — web/kpi's "the orders this figure counts".
type ListFilter struct {
	Param     string
	Condition func(q url.Values) (orders.Condition, error)
}

var listFilters []ListFilter

// RegisterListFilter adds a filter; call it from an init function. A parameter taken twice
// panics.
func RegisterListFilter(f ListFilter) {
	for _, g := range listFilters {
		if g.Param == f.Param {
			panic("weborders: list filter " + f.Param + " registered twice")
		}
	}
	listFilters = append(listFilters, f)
}

// extraConditions are the registered filters the query asks for.
func extraConditions(q url.Values) ([]orders.Condition, error) {
	var out []orders.Condition
	for _, f := range listFilters {
		if q.Get(f.Param) == "" {
			continue
		}
		c, err := f.Condition(q)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}
