package services_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/auth/authtest"
	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/services"
	"github.com/civicgrid/civicgrid/internal/sheet/sheettest"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

var town = []string{world.XinjingCode}

func users(t *testing.T, db *store.DB, names ...string) map[string]auth.User {
	return authtest.Users(t, db, names...)
}

// A request from receipt to rating on both databases: the deadline counted on the working-day
// calendar, the provider department alone may accept, the requester told at each step, the
// timeline, a stale version refused, the contact masked for others.
func TestRequestLifecycle(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := demo.Load(ctx, db, slog.New(slog.DiscardHandler), demo.Services(time.Now())); err != nil {
			t.Fatal(err)
		}
		u := users(t, db, "resident", "handler_market", "handler_police", "gridworker", "dispatcher")
		var item int64
		if err := db.QueryRow(ctx, `SELECT id FROM service_items WHERE name = ?`, "营业执照办理指导").Scan(&item); err != nil {
			t.Fatal(err)
		}
		// A Friday afternoon before the 2026 National Day holidays: 5 working days land after them.
		clock := time.Date(2026, 9, 25, 15, 0, 0, 0, workcal.Location())
		s := &services.Service{DB: db, Now: func() time.Time { return clock }}
		by := audit.Actor{Name: "test"}
		q, err := s.Create(ctx, town, u["resident"], services.NewRequest{ItemID: item, Organisation: "测试面馆", ContactPhone: "13900001111"}, by)
		if err != nil {
			t.Fatal(err)
		}
		want := workcal.Default().AddWorkingDays(clock, 5)
		if !q.DueAt.Equal(want) || !q.DueAt.After(clock.AddDate(0, 0, 7)) || q.ContactName != u["resident"].DisplayName || q.State != services.Received {
			t.Fatalf("request: due %v (want %v), contact %q, state %s", q.DueAt, want, q.ContactName, q.State)
		}
		var told int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = ? AND kind = 'service_requested' AND text LIKE ?`, u["handler_market"].ID, "%"+q.Number+"%").Scan(&told); err != nil || told != 1 {
			t.Fatalf("provider told %d times: %v", told, err)
		}
		if _, err := s.Act(ctx, town, u["handler_police"], q.ID, services.ActAccept, services.Input{}, by); !errors.Is(err, problem.ErrNotFound) {
			t.Fatalf("another department accepts: %v", err)
		}
		if _, err := s.Act(ctx, town, u["resident"], q.ID, services.ActAccept, services.Input{}, by); !errors.Is(err, services.ErrForbidden) {
			t.Fatalf("requester accepts: %v", err)
		}
		steps := []struct {
			who string
			act services.Action
			in  services.Input
			to  services.State
		}{
			{"handler_market", services.ActAccept, services.Input{}, services.Accepted},
			{"handler_market", services.ActDeliver, services.Input{Result: "已指导办结"}, services.Delivered},
			{"resident", services.ActReturn, services.Input{Reason: "还缺一步"}, services.Accepted},
			{"handler_market", services.ActDeliver, services.Input{Result: "补齐办结"}, services.Delivered},
			{"resident", services.ActConfirm, services.Input{}, services.Confirmed},
			{"resident", services.ActRate, services.Input{Satisfaction: "dissatisfied", Comment: "慢"}, services.Rated},
		}
		for _, st := range steps {
			clock = clock.Add(time.Hour)
			if q, err = s.Act(ctx, town, u[st.who], q.ID, st.act, st.in, by); err != nil || q.State != st.to {
				t.Fatalf("%s %s: %v, state %s", st.who, st.act, err, q.State)
			}
		}
		if len(q.Events) != 7 || q.Returned != 1 || q.Satisfaction != "dissatisfied" || q.Result != "补齐办结" {
			t.Fatalf("after the steps: %d events, returned %d, %q %q", len(q.Events), q.Returned, q.Satisfaction, q.Result)
		}
		for kind, who := range map[string]string{"service_accepted": "resident", "service_delivered": "resident", "service_returned": "handler_market", "service_rated": "dispatcher"} {
			var n int
			if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = ? AND kind = ? AND text LIKE ?`, u[who].ID, kind, "%"+q.Number+"%").Scan(&n); err != nil || n == 0 {
				t.Errorf("%s not told %s: %d %v", who, kind, n, err)
			}
		}
		// A stale screen: the version moved on.
		if _, err := s.Act(ctx, town, u["resident"], q.ID, services.ActRate, services.Input{Satisfaction: "satisfied"}, by); !errors.Is(err, services.ErrWrongState) {
			t.Fatalf("rating twice: %v", err)
		}
		// 代办: the grid worker requests for an elderly resident, the request lies in the worker's grid.
		b, err := s.Create(ctx, town, u["gridworker"], services.NewRequest{ItemID: item, ContactName: "王阿婆", ContactPhone: "13800002222",
			Address: "天山星城12号楼302室", OnBehalf: true}, by)
		if err != nil || !b.OnBehalf || b.Grid != u["gridworker"].GridCode || b.ContactName != "王阿婆" {
			t.Fatalf("代办: %+v %v", b, err)
		}
		if m := b.Masked(); m.ContactName == "王阿婆" || strings.Contains(m.ContactPhone, "00002222") || strings.Contains(m.Address, "302") {
			t.Errorf("masked: %+v", m)
		}
		if _, err := s.Create(ctx, town, u["resident"], services.NewRequest{ItemID: item, ContactPhone: "13800002222", OnBehalf: true}, by); problem.FieldOf(err) != "on_behalf" {
			t.Errorf("a resident's 代办: %v", err)
		}
		mine, err := s.List(ctx, town, u["gridworker"], services.Filter{})
		if err != nil || len(mine) == 0 {
			t.Fatal(err)
		}
		for _, r := range mine {
			if r.RequestedBy != u["gridworker"].ID {
				t.Errorf("a grid worker lists another's request %s", r.Number)
			}
		}
		dept, err := s.List(ctx, town, u["handler_market"], services.Filter{State: "open"})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range dept {
			if r.Department != "xj-market" || !services.IsOpen(r.State) {
				t.Errorf("handler's open list holds %s of %s in %s", r.Number, r.Department, r.State)
			}
		}
	})
}

// The export imports back unchanged, with no formula cell; an import with one bad row saves
// nothing, a department unknown in the town included.
func TestImportExport(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := demo.Load(ctx, db, slog.New(slog.DiscardHandler), demo.Services(time.Now())); err != nil {
			t.Fatal(err)
		}
		s := &services.Service{DB: db}
		by := audit.Actor{Name: "test"}
		var out bytes.Buffer
		if err := s.Export(ctx, world.XinjingCode, &out); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(bytes.NewReader(out.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows(f.GetSheetList()[0])
		if err != nil || len(rows) < 77 {
			t.Fatalf("export rows %d %v", len(rows), err)
		}
		for i := range rows {
			for j := range rows[i] {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				if fm, _ := f.GetCellFormula(f.GetSheetList()[0], cell); fm != "" {
					t.Fatalf("formula in %s", cell)
				}
			}
		}
		edits, err := services.ReadSheet(bytes.NewReader(out.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if n, err := s.Import(ctx, town, world.XinjingCode, edits, by); err != nil || n != len(rows)-1 {
			t.Fatalf("re-import: %d %v", n, err)
		}
		tree, err := s.Catalogue(ctx, world.XinjingCode, services.CatalogueJingcai, false)
		if err != nil || services.Count(tree) != (services.Counts{Aspects: 5, Categories: 28, Items: 76}) {
			t.Fatalf("after re-import: %+v %v", services.Count(tree), err)
		}
		header := rows[0]
		good := append([]string{}, rows[1]...)
		good[3], good[4] = "NEW-1", "新增项目"
		unknown := append([]string{}, rows[2]...)
		unknown[3], unknown[7] = "NEW-2", "no-such-dept"
		edits, err = services.ReadSheet(bytes.NewReader(sheettest.XLSX(t, [][]string{header, good, unknown})))
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Import(ctx, town, world.XinjingCode, edits, by)
		var ie *services.ImportError
		if !errors.As(err, &ie) || ie.Errors[0].Row != 3 || ie.Errors[0].Column != "H" || !strings.Contains(ie.Errors[0].Text("zh"), "不是本镇的部门编码") {
			t.Fatalf("unknown department: %v", err)
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM service_items WHERE code LIKE 'NEW-%'`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("a failed import saved %d items: %v", n, err)
		}
		if _, err := services.ReadSheet(strings.NewReader("not a spreadsheet")); !errors.As(err, &ie) {
			t.Fatalf("not xlsx: %v", err)
		}
	})
}

// Two handlers accept the same request at once: exactly one wins, the other gets a conflict,
// and the timeline holds one acceptance — on both databases.
func TestConcurrentAccept(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := demo.Load(ctx, db, slog.New(slog.DiscardHandler), demo.Services(time.Now())); err != nil {
			t.Fatal(err)
		}
		u := users(t, db, "resident", "handler_market", "dispatcher")
		var item int64
		if err := db.QueryRow(ctx, `SELECT id FROM service_items WHERE name = ?`, "食品安全快检").Scan(&item); err != nil {
			t.Fatal(err)
		}
		s := &services.Service{DB: db}
		by := audit.Actor{Name: "test"}
		for round := range 5 {
			q, err := s.Create(ctx, town, u["resident"], services.NewRequest{ItemID: item, ContactPhone: "13900003333"}, by)
			if err != nil {
				t.Fatal(err)
			}
			errs := make(chan error, 2)
			for _, who := range []string{"handler_market", "dispatcher"} {
				go func() {
					_, err := s.Act(ctx, town, u[who], q.ID, services.ActAccept, services.Input{}, by)
					errs <- err
				}()
			}
			ok := 0
			for range 2 {
				err := <-errs
				switch {
				case err == nil:
					ok++
				case !errors.Is(err, problem.ErrConflict):
					t.Fatalf("round %d: the loser got %v, want a conflict", round, err)
				}
			}
			var accepts int
			if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM service_request_events WHERE request_id = ? AND action = 'accept'`, q.ID).Scan(&accepts); err != nil {
				t.Fatal(err)
			}
			if ok != 1 || accepts != 1 {
				t.Fatalf("round %d: %d accepted, %d accept events; want 1 and 1", round, ok, accepts)
			}
		}
	})
}
