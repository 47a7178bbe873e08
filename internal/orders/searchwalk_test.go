package orders_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/search"
	"github.com/civicgrid/civicgrid/internal/store"
)

// TestSearchManyHitsPlans checks that the plans List takes for a search with many hits (SQLite:
// walk the sort's index; PostgreSQL: walk the filters' newest orders, bounded, and fall back to
// the search index when the walk comes up short) list exactly what the plain query lists: the
// same orders in the same order and the same total, page after page, by offset and by keyset, for
// both time sorts, with and without filters. Receiving times repeat, so ties must break by id.
func TestSearchManyHitsPlans(t *testing.T) {
	each(t, at("2025-06-02 10:00"), func(t *testing.T, e env) {
		const n = 400
		now := e.clock.Now().UnixMilli()
		// Contents: 噪音 in a third of the orders, the road 仙霞西路 (in traditional characters in
		// some) in an eleventh, mostly old; the rest another word. States and categories vary.
		q := `WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < ?)
			INSERT INTO orders (town_code, number, short_code, state, channel, content, address, grid_code, category_code,
				received_at, updated_at)
			SELECT CASE WHEN i % 13 = 0 THEN ? ELSE ? END, 'W-' || i, 'W' || i,
				CASE i % 4 WHEN 0 THEN 'received' WHEN 1 THEN 'closed' ELSE 'rated' END,
				'hotline',
				CASE WHEN i % 11 = 0 AND i > 200 THEN '仙霞西路路面破损' WHEN i % 11 = 0 THEN '仙霞西路噪音' WHEN i % 3 = 0 THEN '夜间噪音扰民' ELSE '楼道堆物' END,
				CASE WHEN i % 22 = 0 THEN '仙霞西路88弄' ELSE '新泾一村' END, ?,
				CASE WHEN i % 2 = 0 THEN ? ELSE ? END,
				CAST(? AS BIGINT) - (i / 3) * 60000, CAST(? AS BIGINT) - (i / 3) * 60000
			FROM n`
		if _, err := e.db.Exec(ctx, q, n, e.f.OtherTown, e.f.Town, e.f.Grid, e.f.Category, e.f.ConsultCategory, now, now); err != nil {
			t.Fatal(err)
		}
		// PostgreSQL keeps an order's search terms in its row, as Create writes them.
		indexPG := func(numbers string) {
			if e.db.Dialect() != store.Postgres {
				return
			}
			rows, err := e.db.Query(ctx, `SELECT DISTINCT content, address FROM orders WHERE number LIKE ?`, numbers)
			if err != nil {
				t.Fatal(err)
			}
			var texts [][2]string
			for rows.Next() {
				var c, a string
				if err := rows.Scan(&c, &a); err != nil {
					t.Fatal(err)
				}
				texts = append(texts, [2]string{c, a})
			}
			rows.Close()
			for _, tx := range texts {
				if _, err := e.db.Exec(ctx, `UPDATE orders SET search = CAST(? AS tsvector) WHERE number LIKE ? AND content = ? AND address = ?`,
					search.TSVector(search.Terms(tx[0], tx[1])), numbers, tx[0], tx[1]); err != nil {
					t.Fatal(err)
				}
			}
		}
		indexPG("W-%")
		if _, err := orders.IndexSearch(ctx, e.db); err != nil {
			t.Fatal(err)
		}
		// More orders after indexing: on SQLite they lie past the index's high-water mark and
		// are matched by their text; the plans must agree about them too.
		more := strings.NewReplacer("'W-'", "'X-'", "'W'", "'X'").Replace(q)
		if _, err := e.db.Exec(ctx, more, 30, e.f.OtherTown, e.f.Town, e.f.Grid, e.f.Category, e.f.ConsultCategory, now+1, now+1); err != nil {
			t.Fatal(err)
		}
		indexPG("X-%")
		plain := e.s
		walks := map[string]*orders.Store{}
		for _, w := range [][2]int{{1, 5}, {1, 40}, {1, 1000}, {60, 40}} {
			s := orders.New(e.db)
			s.Now = e.s.Now
			s.SetSearchWalk(w[0], w[1])
			walks[fmt.Sprintf("many>%d walk %d", w[0], w[1])] = s
		}
		ids := func(list []orders.Order) []int64 {
			out := make([]int64, len(list))
			for i, o := range list {
				out[i] = o.ID
			}
			return out
		}
		town := e.f.Towns()
		from, to := e.clock.Now().Add(-90*time.Minute), e.clock.Now().Add(-30*time.Minute)
		filters := map[string]orders.Filter{
			"common word":          {Towns: town, Query: "噪音"},
			"traditional road":     {Towns: town, Query: "仙霞西路"},
			"traditional spelled":  {Towns: town, Query: "仙霞西路 破損"},
			"word and state":       {Towns: town, Query: "噪音", States: []string{"closed", "rated"}},
			"word and category":    {Towns: town, Query: "噪音", Category: e.f.Category},
			"two towns":            {Towns: []string{e.f.Town, e.f.OtherTown}, Query: "噪音"},
			"rare":                 {Towns: town, Query: "路面破损 88弄"},
			"single ideograph":     {Towns: town, Query: "噪 楼道"},
			"word in a time range": {Towns: town, Query: "噪音", From: &from, To: &to},
			"road since":           {Towns: town, Query: "仙霞西路", From: &from},
			"word until":           {Towns: town, Query: "噪音", To: &to},
		}
		// A search with a time range asks SQLite's index only for the hits within the range's
		// span of ids: its orders are exactly those a scan of the text finds in the range.
		for name, f := range filters {
			if f.From == nil && f.To == nil {
				continue
			}
			var want []int64
			cond, args := `town_code = ? AND (content LIKE ? OR address LIKE ?)`, []any{e.f.Town, "%" + f.Query + "%", "%" + f.Query + "%"}
			if f.From != nil {
				cond, args = cond+` AND received_at >= ?`, append(args, f.From.UnixMilli())
			}
			if f.To != nil {
				cond, args = cond+` AND received_at < ?`, append(args, f.To.UnixMilli())
			}
			rows, err := e.db.Query(ctx, `SELECT id FROM orders WHERE `+cond+` ORDER BY received_at DESC, id DESC`, args...)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				want = append(want, id)
			}
			rows.Close()
			g := f
			g.Limit = 500
			total, got, err := e.s.List(ctx, g)
			if err != nil {
				t.Fatal(err)
			}
			if len(want) < 10 || total != len(want) || !reflect.DeepEqual(ids(got), want) {
				t.Errorf("%s: got %d %v, want %d %v", name, total, ids(got), len(want), want)
			}
		}
		for name, f := range filters {
			// The bounded count (on SQLite a union that streams the index's hits) is the number of
			// orders the pages list, at a bound below and above it.
			all := 0
			for cur := ""; ; {
				g := f
				g.Limit, g.After = 500, cur
				_, list, err := plain.List(ctx, g)
				if err != nil {
					t.Fatal(err)
				}
				all += len(list)
				if len(list) < g.Limit {
					break
				}
				cur = orders.CursorOf(list[len(list)-1], "-received_at")
			}
			for _, bound := range []int{3, 60, orders.CountBound} {
				if n, err := plain.Count(ctx, f, bound); err != nil || n != min(all, bound+1) {
					t.Errorf("%s: count up to %d = %d (%v), want %d", name, bound, n, err, min(all, bound+1))
				}
			}
			for _, sort := range []string{"-received_at", "received_at"} {
				for _, limit := range []int{7, 50} {
					f := f
					f.Sort, f.Limit = sort, limit
					// Walk the plain query's pages by keyset to the end, then check each page of
					// every plan: first, by offset, after and before a cursor.
					var pages []orders.Filter
					for p, cur := 0, ""; p < 40; p++ {
						g := f
						g.After = cur
						_, list, err := plain.List(ctx, g)
						if err != nil {
							t.Fatalf("%s %s: %v", name, sort, err)
						}
						pages = append(pages, g)
						if len(list) < limit {
							break
						}
						cur = orders.CursorOf(list[len(list)-1], sort)
						if p == 1 {
							h := f
							h.Before = orders.CursorOf(list[0], sort)
							pages = append(pages, h)
							h = f
							h.Offset = 2 * limit
							pages = append(pages, h)
						}
					}
					for _, g := range pages {
						wantTotal, want, err := plain.List(ctx, g)
						if err != nil {
							t.Fatal(err)
						}
						for wname, s := range walks {
							total, got, err := s.List(ctx, g)
							if err != nil {
								t.Fatalf("%s, %s, %s, after %q before %q offset %d: %v", name, wname, sort, g.After, g.Before, g.Offset, err)
							}
							if total != wantTotal || !reflect.DeepEqual(ids(got), ids(want)) {
								t.Errorf("%s, %s, %s, limit %d, after %q before %q offset %d:\n got %d %v\nwant %d %v",
									name, wname, sort, limit, g.After, g.Before, g.Offset, total, ids(got), wantTotal, ids(want))
							}
						}
					}
				}
			}
		}
	})
}
