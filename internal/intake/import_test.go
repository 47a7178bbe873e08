package intake_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/civicgrid/civicgrid/internal/intake"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/orders/orderstest"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

var ctx = context.Background()

// seed is the orders fixture town plus an address book: 天山西路299号 and 仙霞西路100号 lie in
// Grid2, the estate 新泾一村 in Grid.
// fixture is the orders fixture (orderstest.Seed) the import tests run on.
type fixture = orderstest.Fixture

// each runs body on both databases, each seeded with the orders fixture and its addresses (seed).
func each(t *testing.T, body func(t *testing.T, db *store.DB, f fixture)) {
	testdb.Each(t, func(t *testing.T, db *store.DB) { body(t, db, seed(t, db)) })
}

func seed(t *testing.T, db *store.DB) orderstest.Fixture {
	t.Helper()
	f := orderstest.Seed(t, db)
	for _, a := range []places.Address{
		{TownCode: f.Town, Text: "天山西路299号", Road: "天山西路", Number: "299号", Lng: 121.39, Lat: 31.21, GridCode: f.Grid2},
		{TownCode: f.Town, Text: "仙霞西路100号", Road: "仙霞西路", Number: "100号", Lng: 121.39, Lat: 31.21, GridCode: f.Grid2},
		{TownCode: f.Town, Text: "仙霞西路300号", Road: "仙霞西路", Number: "300号", Lng: 121.37, Lat: 31.21, GridCode: f.Grid},
		{TownCode: f.Town, Text: "剑河路10弄", Road: "剑河路", Number: "10弄", Estate: "新泾一村", Lng: 121.37, Lat: 31.21, GridCode: f.Grid},
	} {
		if err := places.SaveAddress(ctx, db, a); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

var header = []string{"工单编号", "来电时间", "诉求人", "联系电话", "诉求地址", "经度", "纬度", "诉求类型", "诉求分类", "诉求内容", "办理时限", "街镇"}

// rows of the routing fixture; the expected grid is filled in by the test (fixture codes).
var rows = [][]string{
	{"HL001", "2025-09-30 10:03", "王女士", "13800138000", "某处", "121.37", "31.21", "投诉", "城市管理/市容环境/暴露垃圾", "路边有垃圾", "5", "新泾镇"},
	{"HL002", "2025/9/30 11:00", "李先生", "021-62345678", "上海市长宁区新泾镇 天山西路２９９号", "", "", "咨询", "咨询/政策咨询", "咨询政策", "", ""},
	{"HL003", "2025年9月30日 12时00分", "", "", "长宁区新泾一村12号楼", "", "", "求助", "其他", "楼道灯坏了", "3", "长宁区新泾镇"},
	{"HL004", "2025-09-30", "", "", "仙霞西路120号", "", "", "建议", "", "建议增加座椅", "", ""},
	{"HL005", "2025-09-30 13:00", "", "", "不知道在哪里", "", "", "", "乱扔杂物", "乱扔杂物", "", ""},
	{"HL006", "2025-13-01", "", "", "", "", "", "", "", "日期错了", "", ""},
	{"HL007", "2025-09-30 14:00", "", "", "陆家嘴", "", "", "", "", "别的街镇", "", "陆家嘴街道"},
}

func writeXLSX(t *testing.T, path string, data [][]string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	_ = f.SetSheetRow("Sheet1", "A1", &[]string{"12345热线工单导出"}) // a title row above the header
	_ = f.SetSheetRow("Sheet1", "A2", &header)
	for i, r := range data {
		cell, _ := excelize.CoordinatesToCellName(1, i+3)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

func newStore(db *store.DB) *orders.Store {
	s := orders.New(db)
	s.Now = func() time.Time { return time.Date(2025, 10, 1, 9, 0, 0, 0, time.Local) }
	return s
}

func importFile(t *testing.T, db *store.DB, f orderstest.Fixture, path string, extra ...func(*intake.ImportOptions)) intake.Summary {
	t.Helper()
	o := intake.ImportOptions{Town: f.Town, Path: path, Actor: f.As(f.Dispatcher), Orders: newStore(db)}
	for _, x := range extra {
		x(&o)
	}
	sum, err := intake.Import(ctx, db, o)
	if err != nil {
		t.Fatalf("import %s: %v", filepath.Base(path), err)
	}
	return sum
}

func byExternal(t *testing.T, db *store.DB, f orderstest.Fixture, id string) orders.Order {
	t.Helper()
	s := newStore(db)
	o, err := s.ByExternalID(ctx, db, f.Town, orders.ChannelHotline, id)
	if err != nil {
		t.Fatalf("order %s: %v", id, err)
	}
	o, err = s.Get(ctx, f.Towns(), o.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestImportXLSXRoutingAndIdempotency(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, f fixture) {
		path := filepath.Join(t.TempDir(), "热线.xlsx")
		writeXLSX(t, path, rows)
		var report bytes.Buffer
		sum := importFile(t, db, f, path, func(o *intake.ImportOptions) { o.ErrorsTo = &report })
		if sum.Created != 5 || sum.Rejected != 2 || sum.Updated != 0 || sum.Unchanged != 0 || sum.Unlocated != 1 || sum.Rows != 7 {
			t.Fatalf("summary %+v", sum)
		}
		if len(sum.Errors) != 2 || sum.Errors[0].Line != 8 || sum.Errors[0].Column != "来电时间" || sum.Errors[1].Line != 9 {
			t.Errorf("errors %+v", sum.Errors)
		}
		x, err := excelize.OpenReader(&report)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := x.GetRows(x.GetSheetList()[0])
		if len(got) != 3 || got[1][0] != "8" || got[1][1] != "来电时间" {
			t.Errorf("error report %v", got)
		}

		for _, c := range []struct {
			id, grid, category, class string
			limit                     int
		}{
			{"HL001", f.Grid, f.Category, workorder.ClassGeneral, 5},         // coordinates
			{"HL002", f.Grid2, f.ConsultCategory, workorder.ClassConsult, 0}, // road + number, full-width, prefixes
			{"HL003", f.Grid, "", workorder.ClassGeneral, 3},                 // estate named in the address
			{"HL004", f.Grid2, "", workorder.ClassConsult, 0},                // nearest number on the road
			{"HL005", "", f.Category, "", 0},                                 // unknown address: 待定位; keyword category
		} {
			o := byExternal(t, db, f, c.id)
			if o.Grid != c.grid || o.Category != c.category || o.DeadlineClass != c.class || o.LimitDays() != c.limit ||
				o.State != string(workorder.Received) {
				t.Errorf("%s: grid %q category %q class %q limit %d state %s; want %q %q %q %d", c.id, o.Grid, o.Category,
					o.DeadlineClass, o.LimitDays(), o.State, c.grid, c.category, c.class, c.limit)
			}
			if len(o.Events) != 1 || o.Events[0].Action != orders.ActionReceive || o.Events[0].Actor != "派单员甲" {
				t.Errorf("%s events %+v", c.id, o.Events)
			}
		}
		if o := byExternal(t, db, f, "HL002"); o.CallerPhone != "021-62345678" || o.ReceivedAt.Hour() != 3 || o.Number == "" {
			t.Errorf("HL002 %+v", o)
		}

		// The same file again: nothing new, nothing changed.
		again := importFile(t, db, f, path)
		if again.Created != 0 || again.Unchanged != 5 || again.Updated != 0 || again.Rejected != 2 || again.ResumedFrom != 0 {
			t.Fatalf("re-import %+v", again)
		}
		// A corrected row updates the hotline's fields only and says so in the history.
		changed := append([][]string(nil), rows...)
		changed[0] = append([]string(nil), rows[0]...)
		changed[0][9], changed[0][8] = "路边有垃圾，已两天", "城市管理/暴露垃圾"
		path2 := filepath.Join(t.TempDir(), "热线2.xlsx")
		writeXLSX(t, path2, changed)
		upd := importFile(t, db, f, path2)
		if upd.Created != 0 || upd.Updated != 1 || upd.Unchanged != 4 {
			t.Fatalf("update %+v", upd)
		}
		o := byExternal(t, db, f, "HL001")
		if o.Content != "路边有垃圾，已两天" || o.Version != 2 || len(o.Events) != 2 {
			t.Fatalf("updated order %+v", o)
		}
		ev := o.Events[1]
		if ev.Action != intake.ActionHotlineUpdate || ev.Seq != 2 || fmt.Sprint(ev.Data["changed"]) != "[content category_text]" {
			t.Errorf("update event %+v", ev)
		}
	})
}

func TestImportGB18030HeaderVariants(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, f fixture) {
		csv := "热线工单导出,,,\n\n" +
			"序号,＊工单号：,受理时间（必填）,问题描述,地址,LNG,纬度(WGS84),时限(工作日)\n" +
			"1,HLG1,2025-09-30 10:03,\"垃圾没人收，\n已经三天\",天山西路299号,,,5个工作日\n" +
			"2,HLG2,2025-09-30 10:05,噪音扰民,,121.39,31.21,\n" +
			",,,,,,,\n" +
			"3,HLG3,2025-09-30 10:07,,,,,\n"
		enc, err := simplifiedchinese.GB18030.NewEncoder().String(csv)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "gbk.csv")
		if err := os.WriteFile(path, []byte(enc), 0o600); err != nil {
			t.Fatal(err)
		}
		var last [2]int64
		sum := importFile(t, db, f, path, func(o *intake.ImportOptions) {
			o.Progress = func(done, total int64) { last = [2]int64{done, total} }
		})
		if sum.Created != 2 || sum.Rejected != 1 || sum.Errors[0].Column != "问题描述" || sum.Header["hotline_id"] != "＊工单号：" {
			t.Fatalf("summary %+v", sum)
		}
		if last[0] != last[1] || last[1] != int64(len(enc)) {
			t.Errorf("progress %v, file %d bytes", last, len(enc))
		}
		if o := byExternal(t, db, f, "HLG1"); o.Content != "垃圾没人收，\n已经三天" || o.Grid != f.Grid2 || o.LimitDays() != 5 {
			t.Errorf("HLG1 %+v", o)
		}
		if o := byExternal(t, db, f, "HLG2"); o.Grid != f.Grid2 {
			t.Errorf("HLG2 grid %q", o.Grid)
		}
	})
}

// TestImportResume interrupts an import after its first batches and runs it again: the second
// run continues after the last committed row, and the database ends as after one clean run.
func TestImportResume(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, f fixture) {
		var b strings.Builder
		b.WriteString(strings.Join(header, ",") + "\n")
		for i := range 50 {
			date := "2025-09-30 10:00"
			if i%7 == 3 {
				date = "bad"
			}
			fmt.Fprintf(&b, "R%03d,%s,,,天山西路%d号,,,,,内容%d,,\n", i, date, 280+i, i)
		}
		path := filepath.Join(t.TempDir(), "resume.csv")
		if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		cctx, cancel := context.WithCancel(ctx)
		batches := 0
		_, err := intake.Import(cctx, db, intake.ImportOptions{Town: f.Town, Path: path, BatchSize: 8, Orders: newStore(db),
			OnBatch: func(intake.Summary) {
				if batches++; batches == 3 {
					cancel()
				}
			}})
		if err == nil {
			t.Fatal("cancelled import returned no error")
		}
		sum := importFile(t, db, f, path, func(o *intake.ImportOptions) { o.BatchSize = 8 })
		if sum.ResumedFrom != 25 || sum.Created != 43 || sum.Rejected != 7 || len(sum.Errors) != 7 || sum.Rows != 50 {
			t.Fatalf("resumed summary %+v", sum)
		}
		var n, events, details int
		_ = db.QueryRow(ctx, `SELECT COUNT(*), COUNT(DISTINCT external_id) FROM orders`).Scan(&n, &events)
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM order_events WHERE action = 'receive'`).Scan(&details); err != nil {
			t.Fatal(err)
		}
		if n != 43 || events != 43 || details != 43 {
			t.Errorf("orders %d distinct %d receive events %d, want 43", n, events, details)
		}
		// The resumed import leaves the search index complete: the orders of the killed run too.
		if db.Dialect() == store.SQLite {
			var through, max int64
			if err := db.QueryRow(ctx, `SELECT (SELECT indexed_through FROM search.search_state), (SELECT MAX(id) FROM orders)`).Scan(&through, &max); err != nil || through != max {
				t.Errorf("search index covers orders up to %d (%v), the last is %d", through, err, max)
			}
		}
		for q, want := range map[string]string{"内容7": "R007", "内容1": "R001", "天山西路282号": "R002"} {
			total, list, err := orders.New(db).List(ctx, orders.Filter{Towns: []string{f.Town}, Query: q})
			if err != nil || total != 1 || list[0].ExternalID != want {
				t.Errorf("search %q: %d orders (%v), want %s", q, total, err, want)
			}
		}
		var status string
		_ = db.QueryRow(ctx, `SELECT status FROM import_jobs WHERE id = ?`, sum.Job).Scan(&status)
		if status != intake.JobDone {
			t.Errorf("job status %q", status)
		}
	})
}

func TestPush(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, f fixture) {
		items := []map[string]string{
			{"工单编号": "P1", "来电时间": "2025-09-30 10:03", "诉求内容": "推送一", "lng": "121.39", "lat": "31.21"},
			{"hotline_id": "P2", "received_at": "2025-09-30 10:04", "content": "推送二", "address": "新泾一村"},
			{"hotline_id": "P3", "received_at": "someday", "content": ""},
			{"hotline_id": "P1", "received_at": "2025-09-30 10:03", "content": "重复"},
		}
		res, err := intake.Push(ctx, db, newStore(db), f.Town, f.As(f.Dispatcher), items)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range res {
			got = append(got, r.Status+":"+r.Grid)
		}
		want := []string{"created:" + f.Grid2, "created:" + f.Grid, "rejected:", "rejected:"}
		if !reflect.DeepEqual(got, want) || len(res[2].Errors) != 2 || res[0].Number == "" {
			t.Fatalf("push %v %+v", got, res)
		}
		res, err = intake.Push(ctx, db, newStore(db), f.Town, f.As(f.Dispatcher), items[:2])
		if err != nil || res[0].Status != intake.Unchanged || res[1].Status != intake.Unchanged || res[0].Number == "" {
			t.Fatalf("re-push %+v %v", res, err)
		}
	})
}

// A hotline row whose point lies in another town is not routed into this town by its address
// (which this town's address book knows): it waits unplaced, never in the reporter's grid.
func TestImportPointInAnotherTown(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, f fixture) {
		path := filepath.Join(t.TempDir(), "热线.xlsx")
		writeXLSX(t, path, [][]string{
			{"HL101", "2025-09-30 10:03", "王女士", "13800138000", "仙霞西路100号", "121.51", "31.24", "投诉", "", "路边有垃圾", "5", "新泾镇"},
			{"HL102", "2025-09-30 10:05", "王女士", "13800138000", "仙霞西路100号", "", "", "投诉", "", "路边有垃圾", "5", "新泾镇"},
		})
		sum := importFile(t, db, f, path)
		if sum.Created != 2 || sum.Unlocated != 1 {
			t.Fatalf("summary %+v", sum)
		}
		if o := byExternal(t, db, f, "HL101"); o.Grid != "" {
			t.Errorf("a point in another town went to grid %q", o.Grid)
		}
		if o := byExternal(t, db, f, "HL102"); o.Grid != f.Grid2 {
			t.Errorf("the same address without a point: grid %q, want %q", o.Grid, f.Grid2)
		}
	})
}
