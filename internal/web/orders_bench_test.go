package web_test

import (
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// BenchmarkHTTPLifecycle is orders.BenchmarkLifecycle through the HTTP API: each closed loop is
// a POST /api/v1/orders (a grid worker's patrol report, located by its point) and 8 POSTs to
// /api/v1/orders/{id}/actions — file, dispatch, accept, extend, approve_extension, report (with
// an uploaded photo), verify_pass, rate — each as the role that takes it, with a bearer token,
// real JSON both ways and the version from the previous answer. It reports lifecycles per second.
func BenchmarkHTTPLifecycle(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchHTTPLifecycle(b, testdb.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { benchHTTPLifecycle(b, testdb.Postgres(b)) })
}

func benchHTTPLifecycle(b *testing.B, db *store.DB) {
	a := newOrdersApp(b, db)
	newOrder := map[string]any{"content": "楼道堆物影响通行", "address": "新泾一村 3 号", "lat": 31.2226, "lng": 121.3945, "category": xjCategory}
	if o := a.create("gridworker", newOrder); o.Grid != xjGrid {
		b.Fatalf("the benchmark's point lies in grid %q, want %s", o.Grid, xjGrid)
	}
	steps := []struct {
		user   string
		act    workorder.Action
		fields map[string]any
	}{
		{"dispatcher", workorder.ActFile, map[string]any{"category": xjCategory, "grid": xjGrid}},
		{"dispatcher", workorder.ActDispatch, map[string]any{"department": leadDept, "co_departments": []string{coDept}}},
		{leadHandler, workorder.ActAccept, nil},
		{leadHandler, workorder.ActExtend, map[string]any{"reason": "需协调"}}, // deadline set per order
		{"dispatcher", workorder.ActApproveExtension, nil},
		{leadHandler, workorder.ActReport, map[string]any{"result": "已处理", "photos": []string{a.photo}}},
		{"gridworker", workorder.ActVerifyPass, map[string]any{"note": "核查通过"}},
		{"dispatcher", workorder.ActRate, map[string]any{"satisfaction": workorder.Satisfied}},
	}
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		o := a.create("gridworker", newOrder)
		for _, st := range steps {
			fields := st.fields
			if st.act == workorder.ActExtend {
				fields = map[string]any{"reason": "需协调", "deadline": o.Deadline.Add(48 * time.Hour).Format(time.RFC3339Nano)}
			}
			code, next, e := a.act(st.user, o, st.act, fields)
			if code != 200 {
				b.Fatalf("%s = %d %s", st.act, code, e.Error.Message)
			}
			o = next
		}
		if o.State != string(workorder.Rated) {
			b.Fatalf("lifecycle ended in %s", o.State)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "lifecycles/s")
}
