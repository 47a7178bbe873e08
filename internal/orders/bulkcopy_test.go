package orders_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/store"
)

// TestBulkCreateCopyMatchesInsert stores the same orders through BulkCreate in a transaction
// that can COPY (store.InCopyTx: PostgreSQL's COPY path) and in one that cannot (InTx: multi-row
// INSERTs), and compares the rows the database then holds, column by column — the search terms
// included, as the database prints them — and the receive events, except what must differ (id,
// number, short code, external id).
func TestBulkCreateCopyMatchesInsert(t *testing.T) {
	each(t, at("2025-10-01 08:30"), func(t *testing.T, e env) {
		f := e.f
		build := func(prefix string) []orders.NewOrder {
			var ns []orders.NewOrder
			for i, v := range []func(n *orders.NewOrder){
				func(n *orders.NewOrder) {},
				// Traditional characters fold to simplified terms (陸家嘴 → 陆家 家嘴); a repeated word has
				// two positions; bigrams stop at spaces, so positions run 1–5.
				func(n *orders.NewOrder) { n.Content, n.Address = "陸家嘴 噪音 噪音 擾民", "" },
				func(n *orders.NewOrder) { n.Grid, n.Lng, n.Lat = "", ptr(f.InGrid2[0]), ptr(f.InGrid2[1]) },
				func(n *orders.NewOrder) { n.Grid, n.Category, n.LimitDays, n.Content = "", "", 3, "!!!" }, // no terms at all
			} {
				n := e.newOrder(fmt.Sprintf("楼道堆物 第%d件", i))
				v(&n)
				n.ExternalID = fmt.Sprintf("%s%d", prefix, i)
				ns = append(ns, n)
			}
			return ns
		}
		var viaInsert, viaCopy []orders.Created
		for _, w := range []struct {
			in   func(func(*store.Tx) error) error
			copy bool
			out  *[]orders.Created
			ns   []orders.NewOrder
		}{
			{func(fn func(*store.Tx) error) error { return e.db.InTx(ctx, fn) }, false, &viaInsert, build("I")},
			{func(fn func(*store.Tx) error) error { return e.db.InCopyTx(ctx, fn) }, e.db.Dialect() == store.Postgres, &viaCopy, build("P")},
		} {
			if err := w.in(func(tx *store.Tx) error {
				if tx.CanCopy() != w.copy {
					t.Errorf("CanCopy %v, want %v", tx.CanCopy(), w.copy)
				}
				var err error
				*w.out, err = e.s.BulkCreate(ctx, tx, w.ns)
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		search := "''"
		if e.db.Dialect() == store.Postgres {
			search = "COALESCE(search::text, 'NULL')"
		}
		row := func(id int64) []string {
			r, err := e.db.Query(ctx, `SELECT town_code, state, version, channel, content, address, COALESCE(lat, 0), COALESCE(lng, 0),
				COALESCE(grid_code, ''), category_code, deadline_class, limit_days, caller_name, caller_phone, COALESCE(raised_by, 0),
				received_at, updated_at, channel_data, category_version, `+search+`,
				e.seq, e.at, e.actor_name, e.actor_role, e.action, e.from_state, e.to_state, e.photos, e.data
				FROM orders JOIN order_events e ON e.order_id = orders.id WHERE orders.id = ? ORDER BY e.seq`, id)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			var out []string
			for r.Next() {
				vals := make([]any, 29)
				strs := make([]string, 29)
				for i := range vals {
					vals[i] = &strs[i]
				}
				if err := r.Scan(vals...); err != nil {
					t.Fatal(err)
				}
				out = append(out, strs...)
			}
			return out
		}
		for i := range viaInsert {
			want, got := row(viaInsert[i].ID), row(viaCopy[i].ID)
			if len(got) != 29 {
				t.Fatalf("order %d: %d columns with its events, want one event", i, len(got))
			}
			// The event data names the external id, which differs on purpose.
			want[28], got[28] = "", ""
			if !reflect.DeepEqual(want, got) {
				t.Errorf("order %d differs:\n INSERT %q\n COPY   %q", i, want, got)
			}
		}
		if e.db.Dialect() == store.Postgres {
			var terms string
			if err := e.db.QueryRow(ctx, `SELECT search::text FROM orders WHERE id = ?`, viaCopy[1].ID).Scan(&terms); err != nil {
				t.Fatal(err)
			}
			if want := "'噪音':3,4 '家嘴':2 '扰民':5 '陆家':1"; terms != want {
				t.Errorf("search terms %s, want %s", terms, want)
			}
		}
	})
}
