package orders_test

import (
	"strings"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// Every text of a new order is bounded and must be storable on both databases: a value that is
// too long, holds a NUL or is not UTF-8 is a field error naming the field, and nothing is written.
// Before, a 1 MB address or name was stored, and a NUL failed the statement on PostgreSQL (500).
func TestOrderTextLimits(t *testing.T) {
	each(t, at("2025-11-03 10:00"), func(t *testing.T, e env) {
		long := func(n int) string { return strings.Repeat("长", n) }
		for _, c := range []struct {
			field string
			set   func(n *orders.NewOrder, v string)
			max   int
		}{
			{"content", func(n *orders.NewOrder, v string) { n.Content = v }, orders.MaxContentRunes},
			{"address", func(n *orders.NewOrder, v string) { n.Address = v }, orders.MaxAddressRunes},
			{"caller_name", func(n *orders.NewOrder, v string) { n.CallerName = v }, orders.MaxNameRunes},
			{"caller_phone", func(n *orders.NewOrder, v string) { n.CallerPhone = v }, orders.MaxPhoneRunes},
			{"external_id", func(n *orders.NewOrder, v string) { n.ExternalID = v }, orders.MaxCodeRunes},
			{"category", func(n *orders.NewOrder, v string) { n.Category = v }, orders.MaxCodeRunes},
			{"grid", func(n *orders.NewOrder, v string) { n.Grid = v }, orders.MaxCodeRunes},
			{"kind", func(n *orders.NewOrder, v string) { n.ChannelData = map[string]string{"kind": v} }, orders.MaxChannelDataRunes},
		} {
			for name, v := range map[string]string{
				"too long": long(c.max + 1),
				"NUL":      "前\x00后",
				"not UTF8": "前\xff\xfe后",
			} {
				t.Run(c.field+" "+name, func(t *testing.T) {
					before := countOrders(t, e.db)
					n := e.newOrder("文本限制")
					c.set(&n, v)
					_, err := e.s.Create(ctx, n)
					wantField(t, err, c.field)
					// The bulk path of the importers applies the same rules.
					n = e.newOrder("文本限制")
					c.set(&n, v)
					wantField(t, orders.PrepareBulk(&n), c.field)
					if after := countOrders(t, e.db); after != before {
						t.Fatalf("%d orders written by a refused create", after-before)
					}
				})
			}
			// At the limit is fine (codes must exist, so only free text is tried).
			if c.field == "address" || c.field == "caller_name" || c.field == "content" {
				n := e.newOrder("文本限制")
				c.set(&n, long(c.max))
				e.create(t, n)
			}
		}
		t.Run("external id of a channel without ids", func(t *testing.T) {
			for _, ch := range []string{orders.ChannelResident, orders.ChannelVisit, orders.ChannelAPI} {
				n := e.newOrder("占号")
				n.Channel, n.ExternalID = ch, "HL-0001"
				_, err := e.s.Create(ctx, n)
				wantField(t, err, "external_id")
			}
		})
		t.Run("photos", func(t *testing.T) {
			n := e.newOrder("照片太多")
			for range orders.MaxPhotos + 1 {
				n.Photos = append(n.Photos, e.upload(t))
			}
			_, err := e.s.Create(ctx, n)
			wantField(t, err, "photos")
		})
	})
}

// A single very long word used to fail the insert on PostgreSQL (a tsvector lexeme holds at most
// 2,047 bytes); now it is indexed cut short, and the order is found by its other words.
func TestLongWordIsIndexed(t *testing.T) {
	each(t, at("2025-11-03 10:00"), func(t *testing.T, e env) {
		word := strings.Repeat("a", 3000)
		o := e.create(t, e.newOrder("门口噪音 "+word))
		if _, err := orders.IndexSearch(ctx, e.db); err != nil {
			t.Fatal(err)
		}
		total, list, err := e.s.List(ctx, orders.Filter{Towns: e.f.Towns(), Query: "噪音"})
		if err != nil || total != 1 || list[0].ID != o.ID {
			t.Fatalf("search after a long word: %d %v", total, err)
		}
		// The import's path (BulkCreate) writes the same terms.
		tx := func(fn func(tx *store.Tx) error) {
			if err := e.db.InTx(ctx, fn); err != nil {
				t.Fatal(err)
			}
		}
		tx(func(tx *store.Tx) error {
			n := e.newOrder("楼道堆物 " + strings.Repeat("字b", 1500))
			n.ExternalID = "LONG-1"
			_, err := e.s.BulkCreate(ctx, tx, []orders.NewOrder{n})
			return err
		})
	})
}

// A search or filter value with a NUL or bytes that are not UTF-8 is a field error, not a failed
// statement (PostgreSQL refused it with a 500).
func TestListRefusesBadText(t *testing.T) {
	each(t, at("2025-11-03 10:00"), func(t *testing.T, e env) {
		e.create(t, e.newOrder("门口噪音"))
		for _, c := range []struct {
			field string
			f     orders.Filter
		}{
			{"q", orders.Filter{Query: "噪\x00音"}},
			{"q", orders.Filter{Query: "\x00"}},
			{"q", orders.Filter{Query: "噪\xff"}},
			{"q", orders.Filter{Query: strings.Repeat("噪", orders.MaxQueryRunes+1)}},
			{"grid", orders.Filter{Grid: "\x00"}},
			{"category", orders.Filter{Category: "a\x00"}},
			{"channel", orders.Filter{Channel: "\xc3"}},
			{"department", orders.Filter{Department: "x\x00"}},
			{"state", orders.Filter{States: strings.Split(strings.Repeat("received,", 200), ",")[:200]}},
		} {
			c.f.Towns = e.f.Towns()
			_, _, err := e.s.List(ctx, c.f)
			wantField(t, err, c.field)
		}
	})
}

// Every free text and list of an action is bounded and must be storable; an extension cannot
// move the deadline more than MaxExtension past the current one (year 9999 was accepted).
func TestActionInputLimits(t *testing.T) {
	each(t, at("2025-11-03 10:00"), func(t *testing.T, e env) {
		f := e.f
		o := e.create(t, e.newOrder("动作限制"))
		long := strings.Repeat("长", orders.MaxNoteRunes+1)
		wantField(t, e.try(o, f.Dispatcher, workorder.ActReject, workorder.Input{Reason: long}), "reason")
		wantField(t, e.try(o, f.Dispatcher, workorder.ActReject, workorder.Input{Reason: "无效\x00"}), "reason")
		wantField(t, e.try(o, f.Dispatcher, workorder.ActFile, workorder.Input{Category: f.Category + "\x00", Grid: f.Grid}), "category")
		wantField(t, e.try(o, f.Dispatcher, workorder.ActFile, workorder.Input{Category: f.Category, Grid: "\xff"}), "grid")
		o = e.do(t, o, f.Dispatcher, workorder.ActFile, workorder.Input{Category: f.Category, Grid: f.Grid})
		var co []string
		for i := range orders.MaxCoDepartments + 1 {
			co = append(co, "dept-"+string(rune('a'+i)))
		}
		wantField(t, e.try(o, f.Dispatcher, workorder.ActDispatch, workorder.Input{Department: f.Sanitation, CoDepartments: co}), "co_departments")
		wantField(t, e.try(o, f.Dispatcher, workorder.ActDispatch, workorder.Input{Department: f.Sanitation, CoDepartments: []string{"x\x00"}}), "co_departments")
		o = e.do(t, o, f.Dispatcher, workorder.ActDispatch, workorder.Input{Department: f.Sanitation})
		o = e.do(t, o, f.Handler, workorder.ActAccept, workorder.Input{})

		far := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
		wantField(t, e.try(o, f.Handler, workorder.ActExtend, workorder.Input{Deadline: &far, Reason: "拖"}), "deadline")
		tooFar := o.Deadline.Add(orders.MaxExtension + time.Hour)
		wantField(t, e.try(o, f.Handler, workorder.ActExtend, workorder.Input{Deadline: &tooFar, Reason: "拖"}), "deadline")
		wantField(t, e.try(o, f.Handler, workorder.ActExtend, workorder.Input{Deadline: o.Deadline, Reason: long}), "reason")

		var photos []string
		for range orders.MaxPhotos + 1 {
			photos = append(photos, e.upload(t))
		}
		wantField(t, e.try(o, f.Handler, workorder.ActReport, workorder.Input{Result: "已清理", Photos: photos}), "photos")
		wantField(t, e.try(o, f.Handler, workorder.ActReport, workorder.Input{Result: long, Photos: photos[:1]}), "result")
		wantField(t, e.try(o, f.Handler, workorder.ActReport, workorder.Input{Result: "已清理", Photos: []string{"\x00"}}), "photos")
		if got := e.get(t, o.ID); got.Version != o.Version || len(got.Events) != len(o.Events) {
			t.Fatalf("refused actions changed the order: v%d → v%d, %d → %d events", o.Version, got.Version, len(o.Events), len(got.Events))
		}

		ok := o.Deadline.Add(orders.MaxExtension - time.Hour)
		o = e.do(t, o, f.Handler, workorder.ActExtend, workorder.Input{Deadline: &ok, Reason: "需协调多方"})
		if o.ExtensionDeadline == nil || !o.ExtensionDeadline.Equal(ok.Truncate(time.Millisecond)) {
			t.Fatalf("extension within the bound: %v", o.ExtensionDeadline)
		}
	})
}

func countOrders(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM orders`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Marking read is bounded: a hundred thousand ids used to be one statement SQLite refused (500).
func TestMarkReadBounded(t *testing.T) {
	each(t, at("2025-11-03 10:00"), func(t *testing.T, e env) {
		ids := make([]int64, orders.MaxMarkRead+1)
		for i := range ids {
			ids[i] = int64(i + 1)
		}
		wantField(t, e.s.MarkRead(ctx, e.f.Dispatcher, ids), "ids")
		if err := e.s.MarkRead(ctx, e.f.Dispatcher, ids[:orders.MaxMarkRead]); err != nil {
			t.Fatal(err)
		}
	})
}
