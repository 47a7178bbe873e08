package orders_test

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
)

func ptr(f float64) *float64 { return &f }

func TestCreate(t *testing.T) {
	each(t, at("2025-10-01 08:30"), func(t *testing.T, e env) {
		f := e.f

		t.Run("locates the grid from the point", func(t *testing.T) {
			for _, c := range []struct {
				lng, lat float64
				grid     string
			}{
				{f.InGrid[0], f.InGrid[1], f.Grid},
				{f.InGrid2[0], f.InGrid2[1], f.Grid2},
				{121.38, 31.21, f.Grid}, // on the shared edge: the lower code wins
				{f.Outside[0], f.Outside[1], ""},
			} {
				n := e.newOrder("定位测试")
				n.Grid, n.Lng, n.Lat = "", ptr(c.lng), ptr(c.lat)
				o := e.create(t, n)
				if o.Grid != c.grid || *o.Lat != c.lat {
					t.Errorf("(%v, %v) → grid %q, want %q", c.lng, c.lat, o.Grid, c.grid)
				}
				if got := e.get(t, o.ID); got.Grid != c.grid || got.Lng == nil || *got.Lng != c.lng {
					t.Errorf("stored grid %q lng %v", got.Grid, got.Lng)
				}
			}
		})

		t.Run("number, short code and tracking", func(t *testing.T) {
			o := e.create(t, e.newOrder("编号测试"))
			if want := fmt.Sprintf("%s-20251001-%06d", f.Town, o.ID); o.Number != want {
				t.Fatalf("number %q, want %q", o.Number, want)
			}
			if !regexp.MustCompile(`^[2-9A-HJKMNP-Z]{6}$`).MatchString(o.ShortCode) {
				t.Fatalf("short code %q", o.ShortCode)
			}
			if len(o.Events) != 1 || o.Events[0].Action != orders.ActionReceive || o.Events[0].To != "received" {
				t.Fatalf("events %+v", o.Events)
			}
			got, err := e.s.ByNumber(ctx, o.Number, strings.ToLower(o.ShortCode))
			if err != nil || got.ID != o.ID || len(got.Events) != 1 {
				t.Fatalf("by number: %v", err)
			}
			wrong := "222222"
			if o.ShortCode == wrong {
				wrong = "333333"
			}
			if _, err := e.s.ByNumber(ctx, o.Number, wrong); !errors.Is(err, problem.ErrNotFound) {
				t.Fatalf("wrong short code: %v", err)
			}
			if _, err := e.db.Exec(ctx, `INSERT INTO settings (town_code, key, value) VALUES (?, ?, ?)`, f.Town, orders.SettingOrderPrefix, "XJ"); err != nil {
				t.Fatal(err)
			}
			p := e.create(t, e.newOrder("前缀"))
			if want := fmt.Sprintf("XJ-20251001-%06d", p.ID); p.Number != want {
				t.Fatalf("number %q, want %q", p.Number, want)
			}
		})

		t.Run("external id is taken once", func(t *testing.T) {
			n := e.newOrder("热线工单")
			n.ExternalID = "SH12345-2025-0001"
			o := e.create(t, n)
			if _, err := e.s.Create(ctx, n); !errors.Is(err, problem.ErrConflict) {
				t.Fatalf("second import: %v", err)
			}
			got, err := e.s.ByExternalID(ctx, e.db, f.Town, orders.ChannelHotline, n.ExternalID)
			if err != nil || got.ID != o.ID {
				t.Fatalf("by external id: %v", err)
			}
			// Another channel may reuse the id; an importer's transaction survives a duplicate.
			err = e.db.InTx(ctx, func(tx *store.Tx) error {
				if _, err := e.s.CreateTx(ctx, tx, n); !errors.Is(err, problem.ErrConflict) {
					return fmt.Errorf("duplicate in tx: %v", err)
				}
				n2 := n
				n2.Channel = orders.ChannelOpen311
				_, err := e.s.CreateTx(ctx, tx, n2)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.s.ByExternalID(ctx, e.db, f.Town, orders.ChannelOpen311, n.ExternalID); err != nil {
				t.Fatal(err)
			}
		})

		t.Run("bad input names the field", func(t *testing.T) {
			cases := []struct {
				field string
				edit  func(n *orders.NewOrder)
			}{
				{"content", func(n *orders.NewOrder) { n.Content = "  " }},
				{"content", func(n *orders.NewOrder) { n.Content = strings.Repeat("垃", orders.MaxContentRunes+1) }},
				{"channel", func(n *orders.NewOrder) { n.Channel = "fax" }},
				{"town", func(n *orders.NewOrder) { n.TownCode = "" }},
				{"town", func(n *orders.NewOrder) { n.TownCode = "310105" }}, // a district
				{"town", func(n *orders.NewOrder) { n.TownCode = "999999999" }},
				{"lng", func(n *orders.NewOrder) { n.Lat = ptr(31.2) }},
				{"lat", func(n *orders.NewOrder) { n.Lng = ptr(121.3) }},
				{"lat", func(n *orders.NewOrder) { n.Lat, n.Lng = ptr(91), ptr(121.3) }},
				{"lng", func(n *orders.NewOrder) { n.Lat, n.Lng = ptr(31.2), ptr(181) }},
				{"lat", func(n *orders.NewOrder) { n.Lat, n.Lng = ptr(0), ptr(0) }},
				{"category", func(n *orders.NewOrder) { n.Category = "nope" }},
				{"category", func(n *orders.NewOrder) { n.Category = f.OtherCategory }},
				{"grid", func(n *orders.NewOrder) { n.Grid = f.OtherGrid }},
				{"deadline_class", func(n *orders.NewOrder) { n.DeadlineClass = "urgent" }},
				{"limit_days", func(n *orders.NewOrder) { n.LimitDays = -1 }},
				{"raised_by", func(n *orders.NewOrder) { n.RaisedBy = 987654 }},
				{"received_at", func(n *orders.NewOrder) { n.ReceivedAt = at("2025-10-02 08:30") }},
			}
			for _, c := range cases {
				n := e.newOrder("校验")
				c.edit(&n)
				_, err := e.s.Create(ctx, n)
				wantField(t, err, c.field)
			}
			n := e.newOrder(strings.Repeat("垃", orders.MaxContentRunes))
			e.create(t, n)
		})
	})
}

func TestUploads(t *testing.T) {
	each(t, at("2025-10-01 08:30"), func(t *testing.T, e env) {
		id := e.upload(t)
		u := orders.Upload{ID: id, TownCode: e.f.Town, MIME: "image/jpeg", Size: 1234}
		if err := e.s.SaveUpload(ctx, u); err != nil {
			t.Fatalf("same content twice: %v", err)
		}
		got, err := e.s.UploadByID(ctx, e.f.Towns(), id)
		if err != nil || got.Width != 800 || got.MIME != "image/jpeg" {
			t.Fatalf("upload: %+v %v", got, err)
		}
		if _, err := e.s.UploadByID(ctx, []string{e.f.OtherTown}, id); !errors.Is(err, problem.ErrNotFound) {
			t.Fatalf("other town: %v", err)
		}
		u.ID = "not-a-hash"
		wantField(t, e.s.SaveUpload(ctx, u), "id")
	})
}

func TestCategories(t *testing.T) {
	each(t, at("2025-10-01 08:30"), func(t *testing.T, e env) {
		cats, err := e.s.Categories(ctx, e.f.Town)
		if err != nil || len(cats) != 4 {
			t.Fatalf("%d categories (%v)", len(cats), err)
		}
		if c := cats[1]; c.Code != e.f.Category || c.Parent != e.f.TopCategory || c.Department != e.f.Sanitation || len(c.Keywords) != 2 {
			t.Fatalf("category %+v", c)
		}
		wantField(t, e.s.SaveCategory(ctx, e.db, orders.Category{TownCode: e.f.Town, Code: "0102", Name: "x", Department: e.f.OtherDepartment}), "department")
		wantField(t, e.s.SaveCategory(ctx, e.db, orders.Category{TownCode: e.f.Town, Code: "0102", Name: "x", DeadlineClass: "soon"}), "deadline_class")
		wantField(t, e.s.SaveCategory(ctx, e.db, orders.Category{TownCode: e.f.Town, Code: "0102"}), "name")
		c := cats[1]
		c.Name, c.Keywords = "暴露垃圾（改）", nil
		if err := e.s.SaveCategory(ctx, e.db, c); err != nil {
			t.Fatal(err)
		}
		cats, _ = e.s.Categories(ctx, e.f.Town)
		if cats[1].Name != "暴露垃圾（改）" || len(cats[1].Keywords) != 0 {
			t.Fatalf("updated %+v", cats[1])
		}
	})
}

// A point inside another town's grids is refused on lat, whichever channel creates the order (each
// channel's order comes through Create): stored in the chosen town it sat unassigned, out of sight
// of the town that must handle it. A point inside no town's grids still goes in unassigned.
func TestCreateRefusesPointInAnotherTown(t *testing.T) {
	each(t, at("2026-03-02 09:00"), func(t *testing.T, e env) {
		for _, channel := range []string{orders.ChannelAPI, orders.ChannelPatrol, orders.ChannelResident, orders.ChannelOpen311} {
			n := e.newOrder("路灯不亮 " + channel)
			n.Channel, n.Grid = channel, ""
			lat, lng := 31.24, 121.51 // inside 陆家嘴网格 of OtherTown
			n.Lat, n.Lng = &lat, &lng
			_, err := e.s.Create(ctx, n)
			var fe *problem.FieldError
			if !errors.As(err, &fe) || fe.Field != "lat" || !strings.Contains(fe.Reason, "陆家嘴街道") {
				t.Fatalf("%s: point in another town: got %v, want a field error on lat naming 陆家嘴街道", channel, err)
			}
			// With a grid of its own town named, the point still may not lie in another town.
			n.Grid = e.f.Grid
			if _, err := e.s.Create(ctx, n); !errors.As(err, &fe) || fe.Field != "lat" {
				t.Fatalf("%s: grid given, point in another town: got %v", channel, err)
			}
		}
		n := e.newOrder("井盖缺失")
		n.Grid = ""
		lat, lng := e.f.Outside[1], e.f.Outside[0]
		n.Lat, n.Lng = &lat, &lng
		if o := e.create(t, n); o.Grid != "" {
			t.Fatalf("point in no grid: stored in grid %q, want unassigned", o.Grid)
		}
		lat, lng = e.f.InGrid[1], e.f.InGrid[0]
		if o := e.create(t, n); o.Grid != e.f.Grid {
			t.Fatalf("point in own grid: grid %q, want %q", o.Grid, e.f.Grid)
		}
	})
}
