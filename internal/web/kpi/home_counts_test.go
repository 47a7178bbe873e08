package kpi_test

import (
	"encoding/json"
	"html"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/web/webtest"
)

var (
	// The leader's 超期工单 tile: open orders past the order's own deadline.
	overdueTile = regexp.MustCompile(`<a class="card tile[^"]*" href="(/orders\?[^"]*overdue=true[^"]*)"><h3>[^<]*<span class="count">([0-9,]+)</span>`)
	// The late-stage rows (one per owner) and their total (orders with any late stage).
	lateLink = regexp.MustCompile(`<a (?:id="kpi-late-all" )?href="(/orders\?late[^"]*)" data-count="(\d+)"`)
)

// TestLeaderHomeCountsEqualTheirLists: every count on the leader's home that speaks of lateness
// — the 超期工单 tile (the order's deadline) and the 超期环节 rows and total (the stage clocks) —
// equals the total of the order list it links to, and the two are named apart: on the demo they
// differ (closed orders waiting for their callback are late stages, never overdue orders).
func TestLeaderHomeCountsEqualTheirLists(t *testing.T) {
	webtest.Each(t, demo.WorldWithOrders, func(t *testing.T, a *webtest.App) {
		for _, lang := range []string{"zh", "en"} {
			home := a.GetOK(t, "leader", "/?lang="+lang)
			listTotal := func(href string) int {
				t.Helper()
				q := strings.TrimPrefix(html.UnescapeString(href), "/orders")
				var body struct {
					Total int `json:"total"`
				}
				if err := json.Unmarshal([]byte(a.GetOK(t, "leader", "/api/v1/orders"+q)), &body); err != nil {
					t.Fatal(err)
				}
				return body.Total
			}
			m := overdueTile.FindStringSubmatch(home)
			if m == nil {
				t.Fatalf("%s: no overdue tile on the leader's home", lang)
			}
			overdue, _ := strconv.Atoi(strings.ReplaceAll(m[2], ",", ""))
			if got := listTotal(m[1]); got != overdue {
				t.Errorf("%s: the overdue tile says %d, its list %s holds %d", lang, overdue, m[1], got)
			}
			links := lateLink.FindAllStringSubmatch(home, -1)
			if len(links) < 2 || !strings.Contains(home, `id="kpi-late-all"`) {
				t.Fatalf("%s: late-stage rows and their total missing: %v", lang, links)
			}
			var all int
			for _, l := range links {
				n, _ := strconv.Atoi(l[2])
				if got := listTotal(l[1]); got != n {
					t.Errorf("%s: %s counts %d, its list holds %d", lang, l[1], n, got)
				}
				if strings.Contains(l[1], "late=1") {
					all = n
				}
			}
			if overdue == 0 || all == 0 || all == overdue {
				t.Errorf("%s: demo's overdue orders %d, orders with a late stage %d: want both, and different", lang, overdue, all)
			}
			names := map[string][2]string{"zh": {"超期工单", "超期环节"}, "en": {"Overdue orders", "Late stages now"}}[lang]
			for _, n := range names {
				if !strings.Contains(home, n) {
					t.Errorf("%s: the home does not name %q", lang, n)
				}
			}
		}
	})
}
