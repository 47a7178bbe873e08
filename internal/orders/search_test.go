package orders_test

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/orders"
	textsearch "github.com/civicgrid/civicgrid/internal/search"
	"github.com/civicgrid/civicgrid/internal/store"
)

// TestSearch runs the same searches on both databases, and on SQLite at each stage of the index
// file: before the indexer has seen the orders, after it has, and after a text change that is
// queued and then re-indexed. The answers must not depend on how far the indexer got.
func TestSearch(t *testing.T) {
	each(t, at("2025-11-03 09:00"), func(t *testing.T, e env) {
		ctx := context.Background()
		texts := [][2]string{
			{"小区门口噪音扰民，夜间施工", "仙霞西路88弄"},
			{"楼道堆放杂物", "天山五村3号楼"},
			{"共享单车乱停放", "北翟路1000号"},
			{"夜间噪音", "新泾一村"},
			{"水管漏水", "天山五村"},
		}
		var made []orders.Order
		for i, tx := range texts {
			n := e.newOrder(tx[0])
			n.Address, n.ExternalID = tx[1], fmt.Sprintf("S%d", i)
			if i%2 == 0 {
				n.RaisedBy = e.f.Resident // a resident's own reports: their search is tested order by order
			}
			made = append(made, e.create(t, n))
		}
		// The same words in the other town: never in this town's answers (search counts and
		// lists made's orders alone), always in the two towns' (checked below).
		elsewhere := e.newOrder(texts[0][0])
		elsewhere.TownCode, elsewhere.Grid, elsewhere.Category, elsewhere.ExternalID = e.f.OtherTown, e.f.OtherGrid, "", "S-other"
		elsewhere.Address = texts[0][1]
		otherOrder := e.create(t, elsewhere)
		bothTowns := func(stage string) {
			t.Helper()
			total, list, err := e.s.List(ctx, orders.Filter{Towns: []string{e.f.Town, e.f.OtherTown}, Query: "门口噪音", Sort: "id"})
			if err != nil || total != 2 || len(list) != 2 || list[0].ID != made[0].ID || list[1].ID != otherOrder.ID {
				t.Errorf("%s: 门口噪音 in both towns: total %d, %d listed (%v), want orders %d and %d", stage, total, len(list), err, made[0].ID, otherOrder.ID)
			}
		}
		search := func(q string, raisedBy int64) []int {
			t.Helper()
			total, list, err := e.s.List(ctx, orders.Filter{Towns: e.f.Towns(), Query: q, Sort: "id", RaisedBy: raisedBy})
			if err != nil {
				t.Fatalf("search %q: %v", q, err)
			}
			out := []int{}
			for _, o := range list {
				for i, m := range made {
					if m.ID == o.ID {
						out = append(out, i)
					}
				}
			}
			if total != len(out) {
				t.Fatalf("search %q: total %d, listed %d", q, total, len(out))
			}
			return out
		}
		cases := []struct {
			q    string
			want []int
		}{
			{"噪音", []int{0, 3}},
			{"门口噪音", []int{0}},
			{"夜间 噪音", []int{0, 3}},
			{"天山五村", []int{1, 4}},
			{"3号楼", []int{1}},
			{"水", []int{4}},     // one ideograph: matched by scanning
			{"西路88弄", []int{0}}, // number fragments: scanned, anchored by 88
			{"路1000号", []int{2}},
			{"0号", []int{2}}, // no anchor: 0 may end 1000, 号 start 号楼
			{"村3号", []int{1}},
			{"漏水 天山", []int{4}},        // parts in content and address
			{"施工噪音", []int{}},          // both words occur, but not this phrase
			{"，。", []int{}},            // nothing searchable
			{"S2", []int{2}},           // the channel's own id
			{made[1].Number, []int{1}}, // an order number
		}
		check := func(stage string) {
			t.Helper()
			for _, c := range cases {
				if got := search(c.q, 0); !reflect.DeepEqual(got, c.want) {
					t.Errorf("%s: search %q = %v, want %v", stage, c.q, got, c.want)
				}
				own := []int{}
				for _, i := range c.want {
					if i%2 == 0 {
						own = append(own, i)
					}
				}
				if got := search(c.q, e.f.Resident); !reflect.DeepEqual(got, own) {
					t.Errorf("%s: the resident's search %q = %v, want %v", stage, c.q, got, own)
				}
			}
		}
		check("before indexing")
		bothTowns("before indexing")
		if _, _, err := e.s.List(ctx, orders.Filter{Towns: e.f.Towns(), Query: strings.Repeat("噪音", 101)}); err == nil {
			t.Error("a 202-character search was accepted")
		} else {
			wantField(t, err, "q")
		}
		if _, err := orders.IndexSearch(ctx, e.db); err != nil {
			t.Fatal(err)
		}
		if e.db.Dialect() == store.SQLite {
			var through, hits int
			if err := e.db.QueryRow(ctx, `SELECT indexed_through FROM search.search_state`).Scan(&through); err != nil || through != int(otherOrder.ID) {
				t.Fatalf("index file covers orders up to %d (%v), want %d", through, err, otherOrder.ID)
			}
			if err := e.db.QueryRow(ctx, `SELECT COUNT(*) FROM search.orders_search WHERE orders_search MATCH '"门口 口噪 噪音"'`).Scan(&hits); err != nil || hits != 2 {
				t.Fatalf("index file answers %d (%v), want 2 (one per town)", hits, err)
			}
			// Each order's town term follows its terms: a town's search asks for its hits alone.
			ids, err := store.Collect(ctx, e.db, func(rows *sql.Rows) (id int64, err error) { return id, rows.Scan(&id) },
				`SELECT rowid FROM search.orders_search WHERE orders_search MATCH ?`, `("门口 口噪 噪音") AND ("`+textsearch.TownTerm(e.f.OtherTown)+`")`)
			if err != nil {
				t.Fatal(err)
			}
			if len(ids) != 1 || ids[0] != otherOrder.ID {
				t.Fatalf("the other town's term with the words finds %v, want [%d]", ids, otherOrder.ID)
			}
		}
		check("indexed")
		bothTowns("indexed")

		// The hotline corrects order 3: its old words no longer find it, its new ones do.
		cur := e.get(t, made[3].ID)
		n := e.newOrder("夜间钻孔声音")
		n.Address = "新泾一村"
		err := e.db.InTx(ctx, func(tx *store.Tx) error {
			_, err := e.s.ChannelUpdate(ctx, tx, cur, n, orders.ActorInfo{Name: "热线"}, "hotline_update")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		cases[0].want, cases[2].want = []int{0}, []int{0}
		cases = append(cases, struct {
			q    string
			want []int
		}{"钻孔", []int{3}})
		check("text changed, queued")
		if _, err := orders.IndexSearch(ctx, e.db); err != nil {
			t.Fatal(err)
		}
		if e.db.Dialect() == store.SQLite {
			var queued int
			if err := e.db.QueryRow(ctx, `SELECT COUNT(*) FROM search_queue`).Scan(&queued); err != nil || queued != 0 {
				t.Fatalf("search queue holds %d (%v) after indexing", queued, err)
			}
		}
		check("re-indexed")
	})
}
