package kpi

import (
	"net/url"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/kpi"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/problem"
	weborders "github.com/civicgrid/civicgrid/internal/web/orders"
)

// The order list's kpi filter: /orders?kpi=KEY&kpi_from=DATE&kpi_to=DATE[&kpi_by=DIM&kpi_group=CODE]
// [&kpi_part=num][&kpi_town=CODE] lists exactly the orders a figure counts (kpi.Condition), on
// the list's own code path. Its parameters have their own names: the list's from, to and grid
// mean other things (the time received, the order's grid).
func init() {
	weborders.RegisterListFilter(weborders.ListFilter{Param: "kpi", Condition: listCondition})
	// /orders?late_owner=KIND:CODE: the orders with a stage of that owner late now (the leader's
	// home's "late now" rows).
	weborders.RegisterListFilter(weborders.ListFilter{Param: "late_owner", Condition: func(q url.Values) (orders.Condition, error) {
		kind, code, _ := strings.Cut(q.Get("late_owner"), ":")
		cond, args, err := kpi.LateCondition(kind, code, time.Now())
		return orders.Condition{SQL: cond, Args: args}, err
	}})
	// /orders?late=1: the orders with any stage late now, whoever owns it (the leader's home's
	// "orders with a late stage" total). Not overdue=true, which is the order's own deadline.
	weborders.RegisterListFilter(weborders.ListFilter{Param: "late", Condition: func(q url.Values) (orders.Condition, error) {
		if v := q.Get("late"); v != "1" && v != "true" {
			return orders.Condition{}, problem.Field("late", "1 or true (the orders with a stage late now)")
		}
		cond, args := kpi.LateAnyCondition(time.Now())
		return orders.Condition{SQL: cond, Args: args}, nil
	}})
}

// maxTowns bounds kpi_town's list: a district has a few dozen towns.
const maxTowns = 100

func listCondition(q url.Values) (orders.Condition, error) {
	from, err := kpi.ParseDate("kpi_from", q.Get("kpi_from"))
	if err != nil {
		return orders.Condition{}, err
	}
	to, err := kpi.ParseDate("kpi_to", q.Get("kpi_to"))
	if err != nil {
		return orders.Condition{}, err
	}
	if len(q.Get("kpi_group")) > 64 {
		return orders.Condition{}, problem.Field("kpi_group", "at most 64 characters")
	}
	cond, args, err := kpi.Condition(q.Get("kpi"), q.Get("kpi_by"), q.Get("kpi_group"), q.Get("kpi_part"), from, to.AddDate(0, 0, 1))
	if err != nil {
		return orders.Condition{}, err
	}
	if t := q.Get("kpi_town"); t != "" {
		towns := strings.Split(t, ",")
		if len(towns) > maxTowns {
			return orders.Condition{}, problem.Field("kpi_town", "at most %d towns", maxTowns)
		}
		in := make([]string, len(towns))
		for i, town := range towns {
			in[i] = "?"
			args = append(args, town)
		}
		cond += ` AND town_code IN (` + strings.Join(in, ", ") + `)`
	}
	return orders.Condition{SQL: cond, Args: args}, nil
}

// OrdersHref is the order list of the orders a figure counts.
func ordersHref(key, part, by, group string, towns []string, p kpi.Period) string {
	q := url.Values{}
	q.Set("kpi", key)
	q.Set("kpi_from", day(p.From))
	q.Set("kpi_to", lastDay(p))
	if part != "" {
		q.Set("kpi_part", part)
	}
	if by != "" {
		q.Set("kpi_by", by)
		q.Set("kpi_group", group)
	}
	if len(towns) > 0 {
		q.Set("kpi_town", strings.Join(towns, ","))
	}
	q.Set("sort", "-received_at")
	return "/orders?" + q.Encode()
}
