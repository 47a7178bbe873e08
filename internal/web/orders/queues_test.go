package orders_test

import (
	"github.com/civicgrid/civicgrid/internal/demo"
	"html"
	"regexp"
	"strconv"
	"testing"

	"github.com/civicgrid/civicgrid/internal/web/webtest"
)

var (
	tileRe  = regexp.MustCompile(`<a class="card tile[^"]*" href="([^"]*)"><h3>([^<]*) <span class="count">(\d+)</span>`)
	totalRe = regexp.MustCompile(`\d+–\d+ / (\d+)`)
	// mineRe is the total of a resident's own list (web/intake's /my/reports).
	mineRe = regexp.MustCompile(`id="my-reports" data-total="(\d+)"`)
	tabRe2 = regexp.MustCompile(`<a href="(/orders\?[^"]*)"[^>]*>([^<]*) <span class="count">(\d+)</span></a>`)
)

// listTotal is the number of orders the list at href shows in all (0 when it says it has none).
func listTotal(t *testing.T, a *webtest.App, user, href string) int {
	t.Helper()
	body := a.GetOK(t, user, href)
	m := totalRe.FindStringSubmatch(body)
	if m == nil {
		m = mineRe.FindStringSubmatch(body)
	}
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestTileCountsMatchTheirLists: every count a role's home tile or queue tab shows is the total
// of the list its link opens, over the demo's orders (issue #11 item 7).
func TestTileCountsMatchTheirLists(t *testing.T) {
	webtest.Each(t, demo.WorldWithOrders, func(t *testing.T, a *webtest.App) {
		for _, user := range []string{"dispatcher", "handler_police", "gridworker", "gridleader", "leader", "resident"} {
			body := a.GetOK(t, user, "/")
			tiles := tileRe.FindAllStringSubmatch(body, -1)
			if len(tiles) == 0 {
				t.Errorf("%s: no counted tile on the home page", user)
			}
			nonzero := false
			for _, m := range tiles {
				href := html.UnescapeString(m[1])
				want, _ := strconv.Atoi(m[3])
				nonzero = nonzero || want > 0
				if got := listTotal(t, a, user, href); got != want {
					t.Errorf("%s: tile %s says %d, its list %s holds %d", user, m[2], want, href, got)
				}
			}
			if !nonzero && user != "resident" {
				t.Errorf("%s: every tile counts 0 on the demo", user)
			}
			// The orders page's tabs, from the first queue.
			if len(tiles) > 0 {
				_, page := a.Get(user, html.UnescapeString(tiles[0][1]))
				tabs := tabRe2.FindAllStringSubmatch(page, -1)
				if user != "resident" && len(tabs) < 2 {
					t.Errorf("%s: %d counted tabs", user, len(tabs))
				}
				for _, m := range tabs {
					href := html.UnescapeString(m[1])
					want, _ := strconv.Atoi(m[3])
					if got := listTotal(t, a, user, href); got != want {
						t.Errorf("%s: tab %s says %d, its list %s holds %d", user, m[2], want, href, got)
					}
				}
			}
		}
	})
}
