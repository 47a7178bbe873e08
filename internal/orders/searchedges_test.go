package orders_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/store"
)

// TestSearchEdgeRunsMatchALikeScan: a scanned part that begins or ends with a run of digits or
// letters (470弄8号, 弄47) is anchored through the index by the run or the edge term of a longer
// run (·470, 47·). Whatever the anchors, the orders listed and counted must be exactly those a
// LIKE scan of the content and address finds — longer runs that end or begin with the part's
// run (1470, 4701, b1470), runs that only contain it (14701), full-width digits — on SQLite
// before and after the indexer has seen the orders, and on PostgreSQL.
func TestSearchEdgeRunsMatchALikeScan(t *testing.T) {
	each(t, at("2025-11-03 09:00"), func(t *testing.T, e env) {
		ctx := context.Background()
		addresses := []string{
			"新渔东路470弄8号", "新渔东路1470弄8号", "新渔东路4701弄8号", "新渔东路14701弄8号", "新渔东路470弄18号",
			"新渔东路47弄8号", "B1470弄8号楼", "新渔东路４７０弄８号", "仙霞西路88弄", "仙霞西路188弄3号",
			"天山路1880号", "天山路880号", "新渔东路470-8号", "电话13812345678转470弄",
		}
		for i, a := range addresses {
			n := e.newOrder(fmt.Sprintf("楼道堆物%d", i%3))
			n.Address, n.ExternalID = a, fmt.Sprintf("E%d", i)
			e.create(t, n)
		}
		parts := []string{"470弄8号", "70弄8号", "470弄8", "0弄8号", "弄47", "弄470", "路47", "路4701", "路88", "88弄",
			"路1880号", "880号", "1470弄", "B1470弄", "678转", "470-8号", "转470弄", "物1"}
		like := func(part string) []int64 {
			t.Helper()
			p := "%" + part + "%"
			rows, err := e.db.Query(ctx, `SELECT id FROM orders WHERE town_code = ? AND (content LIKE ? OR address LIKE ?)
				ORDER BY received_at DESC, id DESC`, e.f.Town, p, p)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			out := []int64{}
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				out = append(out, id)
			}
			return out
		}
		check := func(stage string) {
			t.Helper()
			for _, part := range parts {
				want := like(part)
				total, list, err := e.s.List(ctx, orders.Filter{Towns: e.f.Towns(), Query: part})
				if err != nil {
					t.Fatalf("%s: search %q: %v", stage, part, err)
				}
				got := []int64{}
				for _, o := range list {
					got = append(got, o.ID)
				}
				if total != len(want) || !reflect.DeepEqual(got, want) {
					t.Errorf("%s: search %q lists %v (total %d), a LIKE scan %v", stage, part, got, total, want)
				}
			}
		}
		if e.db.Dialect() == store.SQLite {
			check("before indexing")
		}
		if _, err := orders.IndexSearch(ctx, e.db); err != nil {
			t.Fatal(err)
		}
		check("indexed")
	})
}
