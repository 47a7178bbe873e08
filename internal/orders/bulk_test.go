package orders_test

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// TestBulkCreateMatchesCreate stores the same demands through Create and through BulkCreate and
// compares what the database then holds, column by column and event by event, except what must
// differ (id, number, short code, external id, write times).
func TestBulkCreateMatchesCreate(t *testing.T) {
	each(t, at("2025-10-01 08:30"), func(t *testing.T, e env) {
		f := e.f
		variants := []func(n *orders.NewOrder){
			func(n *orders.NewOrder) {}, // grid given, category given
			func(n *orders.NewOrder) { n.Grid, n.Lng, n.Lat = "", ptr(f.InGrid2[0]), ptr(f.InGrid2[1]) },
			func(n *orders.NewOrder) { n.Grid, n.Lng, n.Lat = "", ptr(f.Outside[0]), ptr(f.Outside[1]) },
			func(n *orders.NewOrder) { n.Grid, n.Category, n.LimitDays = "", "", 3 },
			func(n *orders.NewOrder) {
				n.DeadlineClass, n.ReceivedAt, n.CallerPhone = workorder.ClassConsult, at("2025-09-30 10:03"), "021-62345678"
			},
		}
		var singles, bulk []orders.NewOrder
		for i, v := range variants {
			n := e.newOrder(fmt.Sprintf("  批量对照 %d  ", i))
			v(&n)
			a, b := n, n
			a.ExternalID, b.ExternalID = fmt.Sprintf("C%d", i), fmt.Sprintf("B%d", i)
			singles, bulk = append(singles, a), append(bulk, b)
		}
		var made []orders.Created
		err := e.db.InTx(ctx, func(tx *store.Tx) error {
			var err error
			made, err = e.s.BulkCreate(ctx, tx, bulk)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for i := range singles {
			c := e.create(t, singles[i])
			want, got := e.get(t, c.ID), e.get(t, made[i].ID)
			if want := fmt.Sprintf("%s-%s-%06d", f.Town, got.ReceivedAt.In(at("2025-01-01 00:00").Location()).Format("20060102"), got.ID); got.Number != want {
				t.Errorf("bulk number %q, want %q", got.Number, want)
			}
			if len(got.ShortCode) != 6 || made[i].Number != got.Number || made[i].ShortCode != got.ShortCode {
				t.Errorf("returned order %s/%s, stored %s/%s", made[i].Number, made[i].ShortCode, got.Number, got.ShortCode)
			}
			if len(got.Events) != 1 || got.Events[0].Data["external_id"] != bulk[i].ExternalID {
				t.Fatalf("bulk events %+v", got.Events)
			}
			for _, o := range []*orders.Order{&want, &got} {
				// The test clock stands still, so write times agree too.
				o.ID, o.Number, o.ShortCode, o.ExternalID = 0, "", "", ""
				for j := range o.Events {
					delete(o.Events[j].Data, "external_id")
				}
			}
			if !reflect.DeepEqual(want, got) {
				t.Errorf("variant %d differs:\n Create     %+v\n BulkCreate %+v", i, want, got)
			}
		}
		// Ids go on from where the bulk left them: the next Create does not collide.
		if o := e.create(t, e.newOrder("之后单建")); o.ID <= made[len(made)-1].ID {
			t.Errorf("id %d after bulk ids up to %d", o.ID, made[len(made)-1].ID)
		}
	})
}

func TestBulkCreateRejects(t *testing.T) {
	each(t, at("2025-10-01 08:30"), func(t *testing.T, e env) {
		bad := e.newOrder("未知网格")
		bad.Grid = "nope"
		empty := e.newOrder(" ")
		dup := e.newOrder("重复")
		dup.ExternalID = "D1"
		e.create(t, dup)
		for name, c := range map[string]struct {
			n     orders.NewOrder
			field string
			kind  error
		}{
			"unknown grid":  {bad, "grid", nil},
			"empty content": {empty, "content", nil},
			"duplicate":     {dup, "", problem.ErrConflict},
		} {
			err := e.db.InTx(ctx, func(tx *store.Tx) error {
				_, err := e.s.BulkCreate(ctx, tx, []orders.NewOrder{e.newOrder("好的"), c.n})
				return err
			})
			if c.field != "" {
				wantField(t, err, c.field)
			} else if !errors.Is(err, c.kind) {
				t.Errorf("%s: %v", name, err)
			}
		}
		// Nothing of the failed batches is left behind.
		var n int
		if err := e.db.QueryRow(ctx, `SELECT COUNT(*) FROM orders`).Scan(&n); err != nil || n != 1 {
			t.Errorf("orders after failed batches: %d %v", n, err)
		}
	})
}

// TestBulkCreateSharedValues writes more orders than one statement carries, so later rows of
// each statement and the short last statement refer back to the values their call shares, and
// checks every stored row got them; orders that do not share them are refused.
func TestBulkCreateSharedValues(t *testing.T) {
	each(t, at("2025-10-01 08:30"), func(t *testing.T, e env) {
		const n = 2*250 + 7
		bulk := make([]orders.NewOrder, n)
		for i := range bulk {
			bulk[i] = e.newOrder(fmt.Sprintf("共享值 %d", i))
			bulk[i].ExternalID = fmt.Sprintf("S%d", i)
		}
		var made []orders.Created
		if err := e.db.InTx(ctx, func(tx *store.Tx) error {
			var err error
			made, err = e.s.BulkCreate(ctx, tx, bulk)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		var orderRows, eventRows int
		if err := e.db.QueryRow(ctx, `SELECT COUNT(*) FROM orders WHERE town_code = ? AND state = ? AND version = 1 AND channel = ?
			AND updated_at = ? AND external_id LIKE 'S%' AND content LIKE '共享值 %'`,
			e.f.Town, string(workorder.Received), orders.ChannelHotline, at("2025-10-01 08:30").UnixMilli()).Scan(&orderRows); err != nil {
			t.Fatal(err)
		}
		if err := e.db.QueryRow(ctx, `SELECT COUNT(*) FROM order_events e JOIN orders o ON o.id = e.order_id
			WHERE o.external_id LIKE 'S%' AND e.seq = 1 AND e.action = ? AND e.actor_name = '派单员甲' AND e.actor_role = ?
			AND e.from_state = '' AND e.to_state = ? AND e.at = ? AND e.data LIKE '%"external_id":"' || o.external_id || '"%'`,
			orders.ActionReceive, workorder.RoleDispatcher, string(workorder.Received), at("2025-10-01 08:30").UnixMilli()).Scan(&eventRows); err != nil {
			t.Fatal(err)
		}
		if orderRows != n || eventRows != n {
			t.Errorf("%d orders and %d receive events with the shared values, want %d each", orderRows, eventRows, n)
		}
		if got := e.get(t, made[n-1].ID); got.ExternalID != fmt.Sprintf("S%d", n-1) || got.Content != fmt.Sprintf("共享值 %d", n-1) {
			t.Errorf("last order %s %q", got.ExternalID, got.Content)
		}

		other := []orders.NewOrder{e.newOrder("甲"), e.newOrder("乙")}
		other[1].ActorName = "另一人"
		err := e.db.InTx(ctx, func(tx *store.Tx) error {
			_, err := e.s.BulkCreate(ctx, tx, other)
			return err
		})
		if err == nil || !strings.Contains(err.Error(), "order 1") {
			t.Errorf("orders of two actors in one call: %v", err)
		}
	})
}

// TestByExternalIDs looks up batches that lie past, around and on the stored ids: the SQLite
// shortcut (one probe of the batch's id range) must not miss an id inside the range.
func TestByExternalIDs(t *testing.T) {
	each(t, at("2025-10-01 08:30"), func(t *testing.T, e env) {
		for _, id := range []string{"HL20250101-0005", "HL20250101-0010"} {
			n := e.newOrder("已有 " + id)
			n.ExternalID = id
			e.create(t, n)
		}
		for name, c := range map[string]struct {
			ids  []string
			want []string
		}{
			"past every stored id":   {[]string{"HL20250101-0011", "HL20250101-0020"}, nil},
			"before every stored id": {[]string{"HL20250101-0001", "HL20250101-0004"}, nil},
			"around one, missing it": {[]string{"HL20250101-0006", "HL20250101-0004"}, nil},
			"around one, naming it":  {[]string{"HL20250101-0011", "HL20250101-0004", "HL20250101-0010"}, []string{"HL20250101-0010"}},
			"both, in the middle":    {[]string{"HL20250101-0001", "HL20250101-0005", "HL20250101-0010", "HL20250101-0099"}, []string{"HL20250101-0005", "HL20250101-0010"}},
			"one id, stored":         {[]string{"HL20250101-0005"}, []string{"HL20250101-0005"}},
			"next to a stored id":    {[]string{"HL20250101-0005x"}, nil},
		} {
			var got map[string]orders.Order
			if err := e.db.InTx(ctx, func(tx *store.Tx) error {
				var err error
				got, err = e.s.ByExternalIDs(ctx, tx, e.f.Town, orders.ChannelHotline, c.ids)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			var keys []string
			for k, o := range got {
				if o.ExternalID != k || o.Content != "已有 "+k {
					t.Errorf("%s: %s maps to %s %q", name, k, o.ExternalID, o.Content)
				}
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if !slices.Equal(keys, c.want) {
				t.Errorf("%s: found %v, want %v", name, keys, c.want)
			}
		}
	})
}
