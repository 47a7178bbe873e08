package ops_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/web/webtest"
)

// A leader's one click supervises (督办) the open orders of a hotspot: six orders of one category
// in one grid this week are escalated once each, and shown on the hotspots page before.
func TestSuperviseAHotspot(t *testing.T) {
	a := webtest.New(t, testdb.SQLite(t), demo.WorldWithOrders)
	ctx := context.Background()
	var cat string
	if err := a.DB.QueryRow(ctx, `SELECT c.code FROM categories c WHERE c.town_code = ? AND NOT EXISTS
		(SELECT 1 FROM categories k WHERE k.town_code = c.town_code AND k.parent_code = c.code) ORDER BY c.code DESC LIMIT 1`, world.XinjingCode).Scan(&cat); err != nil {
		t.Fatal(err)
	}
	tok := bearer(t, a, "dispatcher")
	var grid string
	ids := map[int64]bool{}
	for i := range 6 {
		var o struct {
			ID   int64
			Grid string
		}
		post(t, a, tok, "/api/v1/orders", fmt.Sprintf(`{"content": "堵点 %d", "address": "剑河路176弄", "category": %q, "lat": 31.2216, "lng": 121.3765}`, i, cat), &o)
		grid, ids[o.ID] = o.Grid, true
	}
	if code, body := a.Get("leader", "/api/v1/ops/hotspots"); code != 200 || !strings.Contains(body, `"category":"`+cat+`"`) {
		t.Fatalf("hotspots = %d, want the new one of %s: %s", code, cat, body)
	}
	form := url.Values{"town": {world.XinjingCode}, "grid": {grid}, "category": {cat}, "from": {fmt.Sprint(time.Now().Add(-7 * 24 * time.Hour).UnixMilli())}}
	req, _ := http.NewRequest("POST", a.URL+"/ops/hotspots/supervise", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+bearer(t, a, "leader"))
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/ops/hotspots") {
		t.Fatalf("supervise = %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	rows, err := a.DB.Query(ctx, `SELECT id, escalation_level FROM orders WHERE town_code = ? AND grid_code = ? AND category_code = ? AND escalation_level > 0`,
		world.XinjingCode, grid, cat)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id int64
		var level int
		rows.Scan(&id, &level)
		if !ids[id] || level != 1 {
			t.Errorf("order %d escalated to level %d", id, level)
		}
		n++
	}
	if n != 6 {
		t.Errorf("%d orders supervised, want 6", n)
	}
}
