package orders_test

import (
	"context"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/orders/orderstest"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

func TestList(t *testing.T) {
	each(t, at("2025-11-03 09:00"), func(t *testing.T, e env) {
		f := e.f
		// 12 hotline orders in Grid, an hour apart; every third one is a consultation in Grid2 by patrol.
		var all []orders.Order
		for i := range 12 {
			e.clock.Set(at("2025-11-03 09:00").Add(time.Duration(i) * time.Hour))
			n := e.newOrder("第" + string(rune('A'+i)) + "件：楼道堆物")
			if i == 4 {
				n.RaisedBy = f.Resident
			}
			if i%3 == 0 {
				n.Content = "咨询垃圾分类时间 50%_折扣"
				n.Channel, n.Grid, n.Category = orders.ChannelPatrol, f.Grid2, f.ConsultCategory
			}
			all = append(all, e.create(t, n))
		}
		// Two dispatched: one to Sanitation with Market co-handling, one to Market.
		d1 := e.do(t, all[1], f.Dispatcher, workorder.ActFile, workorder.Input{Category: f.Category, Grid: f.Grid})
		d1 = e.do(t, d1, f.Dispatcher, workorder.ActDispatch, workorder.Input{Department: f.Sanitation, CoDepartments: []string{f.Market}})
		d2 := e.do(t, all[2], f.Dispatcher, workorder.ActFile, workorder.Input{Category: f.Category, Grid: f.Grid})
		d2 = e.do(t, d2, f.Dispatcher, workorder.ActDispatch, workorder.Input{Department: f.Market})
		// And one order of the other town, never listed for this one.
		other := e.newOrder("陆家嘴")
		other.TownCode, other.Grid, other.Category = f.OtherTown, f.OtherGrid, ""
		e.create(t, other)

		from, to := at("2025-11-03 12:00"), at("2025-11-03 15:00")
		cases := []struct {
			name   string
			filter orders.Filter
			want   int
		}{
			{"all", orders.Filter{}, 12},
			{"state", orders.Filter{States: []string{"dispatched"}}, 2},
			{"states", orders.Filter{States: []string{"received", "dispatched"}}, 12},
			{"grid", orders.Filter{Grid: f.Grid2}, 4},
			{"leaf category", orders.Filter{Category: f.Category}, 8},
			{"top category includes its leaves", orders.Filter{Category: f.TopCategory}, 8},
			{"channel", orders.Filter{Channel: orders.ChannelPatrol}, 4},
			{"lead department", orders.Filter{Department: f.Sanitation}, 1},
			{"lead or co-department", orders.Filter{Department: f.Market}, 2},
			{"received between", orders.Filter{From: &from, To: &to}, 3},
			{"text", orders.Filter{Query: "楼道"}, 8},
			{"text in traditional characters", orders.Filter{Query: "樓道"}, 8},
			{"a lone traditional character", orders.Filter{Query: "樓"}, 8},
			{"number", orders.Filter{Query: all[5].Number}, 1},
			{"LIKE characters are literal", orders.Filter{Query: "50%_"}, 4},
			{"LIKE wildcard not a wildcard", orders.Filter{Query: "5_%"}, 0},
			{"raised by", orders.Filter{RaisedBy: f.Resident}, 1},
			{"overdue: none yet", orders.Filter{Overdue: true}, 0},
		}
		for _, c := range cases {
			c.filter.Towns = f.Towns()
			total, list, err := e.s.List(ctx, c.filter)
			if err != nil || total != c.want || len(list) != min(c.want, 50) {
				t.Errorf("%s: total %d, %d rows (%v); want %d", c.name, total, len(list), err, c.want)
			}
		}
		if total, _, _ := e.s.List(ctx, orders.Filter{Towns: nil}); total != 0 {
			t.Errorf("no towns listed %d orders", total)
		}

		// Paging is stable and newest first by default.
		total, page, err := e.s.List(ctx, orders.Filter{Towns: f.Towns(), Limit: 5, Offset: 10})
		if err != nil || total != 12 || len(page) != 2 || page[0].ID != all[1].ID || page[1].ID != all[0].ID {
			t.Fatalf("last page: %d rows of %d (%v)", len(page), total, err)
		}
		_, page, _ = e.s.List(ctx, orders.Filter{Towns: f.Towns(), Limit: 3, Sort: "received_at"})
		if len(page) != 3 || page[0].ID != all[0].ID || page[2].ID != all[2].ID {
			t.Fatalf("oldest first: %v", page)
		}
		if _, _, err := e.s.List(ctx, orders.Filter{Towns: f.Towns(), Sort: "content"}); err == nil {
			t.Fatal("unknown sort accepted")
		} else {
			wantField(t, err, "sort")
		}

		// After the deadline the dispatched orders are overdue.
		e.clock.Set(at("2025-11-11 09:00"))
		total, list, err := e.s.List(ctx, orders.Filter{Towns: f.Towns(), Overdue: true, Sort: "deadline"})
		if err != nil || total != 2 || !list[0].Overdue || list[0].ID != d1.ID {
			t.Fatalf("overdue: %d (%v)", total, err)
		}
		_ = d2
	})
}

func TestListUnlocated(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := orderstest.Seed(t, db)
		s := orders.New(db)
		ctx := context.Background()
		located, err := s.Create(ctx, orders.NewOrder{TownCode: f.Town, Channel: orders.ChannelHotline, Content: "路灯不亮", Grid: f.Grid})
		if err != nil {
			t.Fatal(err)
		}
		lost, err := s.Create(ctx, orders.NewOrder{TownCode: f.Town, Channel: orders.ChannelHotline, Content: "地址不详的诉求", Address: "某路某号"})
		if err != nil {
			t.Fatal(err)
		}
		total, list, err := s.List(ctx, orders.Filter{Towns: f.Towns(), Unlocated: true})
		if err != nil {
			t.Fatal(err)
		}
		if total != 1 || list[0].ID != lost.ID {
			t.Fatalf("unlocated queue = %d orders (%v); want only %d, not %d", total, list, lost.ID, located.ID)
		}
	})
}
