package orders_test

import (
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

var updateTrace = flag.Bool("update-trace", false, "rewrite testdata/effects.golden")

// TestEffectsTrace walks every action of the lifecycle (and every branch of its notifications)
// and writes down, after each step, every column Act writes, the event's data and every
// notification sent (to whom, of which kind, with which text). The golden file was recorded
// before the effects became data in workorder's table, so it proves that reading the table
// changed nothing; both databases must produce the same trace.
func TestEffectsTrace(t *testing.T) {
	each(t, at("2025-11-03 09:00"), func(t *testing.T, e env) { // a Monday
		f := e.f
		tr := &tracer{t: t, e: e, photos: map[string]string{}}
		photo := func() string {
			p := e.upload(t)
			tr.photos[p] = fmt.Sprintf("photo-%d", len(tr.photos)+1)
			return p
		}

		// The main loop with every side step along the way.
		n := e.newOrder("小区门口垃圾堆放多日无人清运，影响出行，请尽快处理，谢谢，另外楼道也有杂物堆放，希望相关部门尽快派人处理")
		n.RaisedBy = f.Resident
		o := tr.create(n, "main")
		o = tr.do(o, f.Dispatcher, workorder.ActFile, workorder.Input{Category: f.Category, Grid: f.Grid})
		o = tr.do(o, f.Dispatcher, workorder.ActDispatch, workorder.Input{Department: f.Market, CoDepartments: []string{f.Sanitation}})
		o = tr.do(o, f.Handler2, workorder.ActReturn, workorder.Input{Reason: "不属于本部门职责"})
		o = tr.do(o, f.Dispatcher, workorder.ActDispatch, workorder.Input{Department: f.Sanitation, CoDepartments: []string{f.Market}})
		e.clock.Set(at("2025-11-04 10:30"))
		o = tr.do(o, f.Handler, workorder.ActAccept, workorder.Input{})
		want := at("2025-11-14 17:00")
		o = tr.do(o, f.Handler, workorder.ActExtend, workorder.Input{Deadline: &want, Reason: "需协调物业"})
		o = tr.do(o, f.Dispatcher, workorder.ActRefuseExtension, workorder.Input{Reason: "理由不充分"})
		o = tr.do(o, f.Handler, workorder.ActExtend, workorder.Input{Deadline: &want, Reason: "物业已同意配合"})
		o = tr.do(o, f.Dispatcher, workorder.ActApproveExtension, workorder.Input{})
		e.clock.Set(at("2025-11-05 09:00"))
		o = tr.do(o, f.Dispatcher, workorder.ActSuspend, workorder.Input{Reason: "等待物业配合"})
		o = tr.do(o, f.Leader, workorder.ActEscalate, workorder.Input{Note: "挂起期间也要跟进"})
		e.clock.Set(at("2025-11-06 14:00"))
		o = tr.do(o, f.Dispatcher, workorder.ActResume, workorder.Input{Reason: "物业已到场"})
		o = tr.do(o, f.Leader, workorder.ActEscalate, workorder.Input{Note: "请尽快办结"})
		o = tr.do(o, f.Handler, workorder.ActReport, workorder.Input{Result: "已清运", Photos: []string{photo()}})
		o = tr.do(o, f.GridLeader, workorder.ActVerifyFail, workorder.Input{Reason: "楼道杂物仍在"})
		o = tr.do(o, f.Handler, workorder.ActReport, workorder.Input{Result: "已清运，楼道杂物已清理完毕，并加装监控一处，居民已确认现场情况良好无遗留问题，后续将持续跟踪", Photos: []string{photo()}})
		e.clock.Set(at("2025-11-07 16:00"))
		o = tr.do(o, f.GridWorker, workorder.ActVerifyPass, workorder.Input{Note: "现场已清理干净", Photos: []string{photo()}})
		o = tr.do(o, f.Resident, workorder.ActRate, workorder.Input{Satisfaction: workorder.Dissatisfied, Comment: "还是脏"})
		o = tr.do(o, f.Dispatcher, workorder.ActReopen, workorder.Input{Reason: "居民不满意"})
		o = tr.do(o, f.Handler, workorder.ActReport, workorder.Input{Result: "再次清理", Photos: []string{photo()}})
		o = tr.do(o, f.Dispatcher, workorder.ActVerifyPass, workorder.Input{Note: "电话核实"})
		tr.do(o, f.Dispatcher, workorder.ActRate, workorder.Input{Satisfaction: workorder.Satisfied})

		// A filed order suspended before dispatch has no deadline to move… it has one: filed.
		o = tr.create(e.newOrder("路灯不亮"), "suspend-filed")
		o = tr.do(o, f.Dispatcher, workorder.ActFile, workorder.Input{Category: f.ConsultCategory, Grid: f.Grid2, DeadlineClass: workorder.ClassComplex})
		o = tr.do(o, f.Dispatcher, workorder.ActSuspend, workorder.Input{Reason: "待核实"})
		o = tr.act(o, orders.SystemActor, "system", workorder.ActEscalate, workorder.Input{Note: "自动督办"})
		e.clock.Set(at("2025-11-10 11:00"))
		tr.do(o, f.Dispatcher, workorder.ActResume, workorder.Input{})

		// A received order suspended and resumed has no deadline yet; then rejected.
		o = tr.create(e.newOrder("咨询办事时间"), "reject")
		o = tr.do(o, f.Dispatcher, workorder.ActSuspend, workorder.Input{Reason: "待回电"})
		o = tr.do(o, f.Dispatcher, workorder.ActResume, workorder.Input{})
		tr.do(o, f.Dispatcher, workorder.ActReject, workorder.Input{Reason: "非本镇事项"})

		// Merge, and escalation of a received order (no department yet).
		a := tr.create(e.newOrder("同一处垃圾"), "merge-target")
		b := tr.create(e.newOrder("同一处垃圾（重复来电）"), "merge")
		tr.do(a, f.Leader, workorder.ActEscalate, workorder.Input{Note: "尚未派遣"})
		tr.do(b, f.Dispatcher, workorder.ActMerge, workorder.Input{DuplicateOf: a.ID})

		// Self-handling a patrol report.
		p := e.newOrder("井盖松动，已现场复位")
		p.Channel, p.RaisedBy, p.CallerName, p.CallerPhone, p.Category = orders.ChannelPatrol, f.GridWorker, "", "", ""
		o = tr.create(p, "self")
		tr.do(o, f.GridWorker, workorder.ActSelfHandle, workorder.Input{Result: "已现场复位并加固", Photos: []string{photo()}})

		got := tr.b.String()
		path := filepath.Join("testdata", "effects.golden")
		if *updateTrace && e.db.Dialect() == store.SQLite {
			if err := os.MkdirAll("testdata", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(raw) != got {
			gl, wl := strings.Split(got, "\n"), strings.Split(string(raw), "\n")
			for i := 0; i < len(gl) || i < len(wl); i++ {
				var g, w string
				if i < len(gl) {
					g = gl[i]
				}
				if i < len(wl) {
					w = wl[i]
				}
				if g != w {
					t.Fatalf("%s: line %d differs:\n got: %s\nwant: %s", path, i+1, g, w)
				}
			}
		}
	})
}

type tracer struct {
	t      *testing.T
	e      env
	b      strings.Builder
	names  map[int64]string // order id → name in the trace
	photos map[string]string
	lastN  int64 // highest notification id written
}

func (tr *tracer) create(n orders.NewOrder, name string) orders.Order {
	tr.t.Helper()
	o := tr.e.create(tr.t, n)
	if tr.names == nil {
		tr.names = map[int64]string{}
	}
	tr.names[o.ID] = name
	fmt.Fprintf(&tr.b, "== %s: created %s\n", name, o.State)
	tr.notifications()
	return o
}

func (tr *tracer) do(o orders.Order, user int64, act workorder.Action, in workorder.Input) orders.Order {
	tr.t.Helper()
	return tr.act(o, tr.e.f.As(user), tr.e.f.User(user).Username, act, in)
}

func (tr *tracer) act(o orders.Order, a orders.ActorInfo, who string, act workorder.Action, in workorder.Input) orders.Order {
	tr.t.Helper()
	o, err := tr.e.s.Act(ctx, tr.e.f.Towns(), o.ID, a, act, o.Version, in)
	if err != nil {
		tr.t.Fatalf("%s by %s: %v", act, who, err)
	}
	fmt.Fprintf(&tr.b, "-- %s: %s by %s\n", tr.names[o.ID], act, who)
	tr.row(o.ID)
	got := tr.e.get(tr.t, o.ID)
	ev := got.Events[len(got.Events)-1]
	data, err := json.Marshal(ev.Data)
	if err != nil {
		tr.t.Fatal(err)
	}
	fmt.Fprintf(&tr.b, "   event %s→%s reason=%q note=%q result=%q comment=%q photos=%v data=%s\n",
		ev.From, ev.To, ev.Reason, ev.Note, ev.Result, ev.Comment, tr.photoNames(ev.Photos), tr.ids(string(data)))
	tr.notifications()
	return o
}

// ids replaces order ids in s by the orders' names in the trace, so the trace does not depend on
// how a database numbers rows.
func (tr *tracer) ids(s string) string {
	for id, name := range tr.names {
		s = strings.ReplaceAll(s, fmt.Sprintf(`"duplicate_of":%d`, id), `"duplicate_of":"`+name+`"`)
	}
	return s
}

func (tr *tracer) photoNames(ps []string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = tr.photos[p]
	}
	return out
}

// row writes every column Act writes, as text.
func (tr *tracer) row(id int64) {
	tr.t.Helper()
	cols := []string{"state", "version", "grid_code", "category_code", "deadline_class", "department_code", "co_departments",
		"filed_at", "deadline_at", "closed_at", "updated_at", "suspended", "suspended_since", "suspended_total_ms",
		"extension_pending", "extension_deadline", "satisfaction", "returned_count", "rework_count", "reopen_count",
		"escalated_at", "escalation_level", "warning_at", "duplicate_of", "result"}
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	err := tr.e.db.QueryRow(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM orders WHERE id = ?`, id).Scan(ptrs...)
	if err != nil {
		tr.t.Fatal(err)
	}
	var parts []string
	for i, c := range cols {
		v := "NULL"
		if vals[i].Valid {
			v = vals[i].String
			if strings.HasSuffix(c, "_at") || c == "suspended_since" || c == "extension_deadline" {
				v = tr.millis(v)
			}
			if c == "duplicate_of" {
				var id int64
				_, _ = fmt.Sscan(v, &id)
				v = tr.names[id]
			}
		}
		parts = append(parts, c+"="+v)
	}
	fmt.Fprintf(&tr.b, "   %s\n", strings.Join(parts, " "))
}

func (tr *tracer) millis(v string) string {
	var ms int64
	if _, err := fmt.Sscan(v, &ms); err != nil {
		return v
	}
	if ms == 0 {
		return "0"
	}
	return store.FromMillis(ms).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05.000")
}

// notifications writes every notification sent since the last call, with the recipient's name.
func (tr *tracer) notifications() {
	tr.t.Helper()
	rows, err := tr.e.db.Query(ctx, `SELECT n.id, u.username, n.order_id, n.kind, n.text FROM notifications n JOIN users u ON u.id = n.user_id
		WHERE n.id > ? ORDER BY u.username, n.id`, tr.lastN)
	if err != nil {
		tr.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var user, kind, text string
		var order sql.NullInt64
		if err := rows.Scan(&id, &user, &order, &kind, &text); err != nil {
			tr.t.Fatal(err)
		}
		tr.lastN = max(tr.lastN, id)
		fmt.Fprintf(&tr.b, "   notify %s [%s] order=%s %s\n", user, kind, tr.names[order.Int64], text)
	}
	if err := rows.Err(); err != nil {
		tr.t.Fatal(err)
	}
}
