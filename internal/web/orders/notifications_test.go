package orders_test

import (
	"encoding/json"
	"github.com/civicgrid/civicgrid/internal/demo"
	"regexp"
	"strconv"
	"testing"

	"github.com/civicgrid/civicgrid/internal/web/webtest"
)

var (
	bellRe      = regexp.MustCompile(`<span class="badge" id="unread-count">(\d+)</span>`)
	inboxLineRe = regexp.MustCompile(`<li class="(unread)?"><a href="/orders/(\d+)">`)
)

func bell(body string) int {
	m := bellRe.FindStringSubmatch(body)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestNotificationsInbox over the demo: one line per order, the bell counts the orders with news,
// opening an order reads it, and no line is about an order whose step is done.
func TestNotificationsInbox(t *testing.T) {
	webtest.Each(t, demo.WorldWithOrders, func(t *testing.T, a *webtest.App) {
		for _, user := range []string{"handler_police", "gridworker", "dispatcher"} {
			body := a.GetOK(t, user, "/notifications")
			lines := inboxLineRe.FindAllStringSubmatch(body, -1)
			seen := map[string]bool{}
			unreadLines := 0
			for _, m := range lines {
				if seen[m[2]] {
					t.Errorf("%s: order %s has two lines", user, m[2])
				}
				seen[m[2]] = true
				if m[1] != "" {
					unreadLines++
				}
			}
			if bell(body) != unreadLines {
				t.Errorf("%s: the bell says %d, the inbox has %d unread orders", user, bell(body), unreadLines)
			}
			var api struct {
				Unread        int `json:"unread"`
				Notifications []struct {
					OrderID  int64 `json:"order_id"`
					Resolved bool  `json:"resolved"`
				} `json:"notifications"`
				Orders []struct {
					OrderID int64 `json:"order_id"`
					Count   int   `json:"count"`
				} `json:"orders"`
				UnreadOrders int `json:"unread_orders"`
			}
			_, raw := a.Get(user, "/api/v1/notifications")
			if err := json.Unmarshal([]byte(raw), &api); err != nil {
				t.Fatal(err)
			}
			if api.UnreadOrders != unreadLines || len(api.Orders) != len(lines) {
				t.Errorf("%s: API unread_orders %d orders %d, page %d / %d", user, api.UnreadOrders, len(api.Orders), unreadLines, len(lines))
			}
			if len(lines) == 0 || unreadLines == 0 {
				t.Errorf("%s: nothing in the inbox on the demo", user)
			}
			resolved := 0
			for _, n := range api.Notifications {
				if n.Resolved {
					resolved++
				}
			}
			t.Logf("%s: %d orders, %d unread; API: %d notices (%d unread), %d resolved", user, len(lines), unreadLines, len(api.Notifications), api.Unread, resolved)
			for _, o := range api.Orders {
				if o.Count < 1 {
					t.Errorf("%s: order %d with %d notices", user, o.OrderID, o.Count)
				}
			}
			if unreadLines == 0 {
				continue
			}
			// Opening the first unread order takes one off the bell.
			var first string
			for _, m := range lines {
				if m[1] != "" {
					first = m[2]
					break
				}
			}
			if code, _ := a.Get(user, "/orders/"+first); code != 200 {
				t.Fatalf("%s opens %s = %d", user, first, code)
			}
			if _, body := a.Get(user, "/notifications"); bell(body) != unreadLines-1 {
				t.Errorf("%s: after opening order %s the bell says %d, want %d", user, first, bell(body), unreadLines-1)
			}
		}
	})
}
