package orders_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// recorder is a ResidentNotifier that keeps what it was given.
type recorder struct {
	mu  sync.Mutex
	got []orders.ResidentMessage
}

func (r *recorder) Notify(_ context.Context, m orders.ResidentMessage) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, m)
	return nil
}

func (r *recorder) take() []orders.ResidentMessage {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.got
	r.got = nil
	return out
}

// A resident's report tells the resident each step that changes what they see, in their words,
// and nothing of the staff's own steps; a hotline order tells nobody through this hook.
func TestResidentNotifiedOfTransitions(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db, at("2025-10-13 09:00"))
		rec := &recorder{}
		e.s.Residents = rec
		n := e.newOrder("小区门口路灯不亮")
		n.Channel, n.RaisedBy, n.CallerPhone, n.ActorRole = orders.ChannelResident, e.f.Resident, "13812345678", workorder.RoleResident
		o := e.create(t, n)
		if got := rec.take(); len(got) != 0 {
			t.Fatalf("creating the report told the resident %+v", got)
		}
		o = e.do(t, o, e.f.Dispatcher, workorder.ActFile, workorder.Input{Category: e.f.Category, Grid: e.f.Grid})
		got := rec.take()
		if len(got) != 1 {
			t.Fatalf("filing told %d messages, want 1", len(got))
		}
		m := got[0]
		if m.Kind != workorder.NewsAccepted || m.Action != workorder.ActFile || m.OrderID != o.ID || m.UserID != e.f.Resident ||
			m.Phone != "13812345678" || m.State != "filed" {
			t.Errorf("message of filing: %+v", m)
		}
		if want := "您反映的问题（编号 " + o.Number + "）已受理，我们正在安排负责的部门。"; m.ZH != want {
			t.Errorf("zh = %q, want %q", m.ZH, want)
		}
		if !strings.HasPrefix(m.EN, "Your report "+o.Number+" has been accepted") {
			t.Errorf("en = %q", m.EN)
		}
		o = e.do(t, o, e.f.Dispatcher, workorder.ActDispatch, workorder.Input{Department: e.f.Sanitation})
		if got := rec.take(); len(got) != 1 || got[0].Kind != workorder.NewsAssigned || !strings.Contains(got[0].ZH, o.Deadline.In(at("2025-10-13 09:00").Location()).Format("2006-01-02 15:04")) {
			t.Errorf("dispatching told %+v, want the news with the deadline", got)
		}
		o = e.do(t, o, e.f.Handler, workorder.ActAccept, workorder.Input{})
		if got := rec.take(); len(got) != 1 || got[0].Kind != workorder.NewsInProgress {
			t.Errorf("accepting told %+v", got)
		}
		// Staff steps tell nothing: asking for more time.
		e.clock.Set(at("2025-10-14 09:00"))
		deadline := at("2025-10-30 17:00")
		o = e.do(t, o, e.f.Handler, workorder.ActExtend, workorder.Input{Deadline: &deadline, Reason: "等配件"})
		if got := rec.take(); len(got) != 0 {
			t.Errorf("an extension request told the resident %+v", got)
		}
		o = e.do(t, o, e.f.Handler, workorder.ActReport, workorder.Input{Result: "已更换灯泡", Photos: []string{e.upload(t)}})
		o = e.do(t, o, e.f.GridWorker, workorder.ActVerifyFail, workorder.Input{Reason: "仍有一盏不亮"})
		got = rec.take()
		if len(got) != 2 || got[0].Kind != workorder.NewsHandled || got[1].Kind != workorder.NewsRework || got[1].State != "in_progress" {
			t.Errorf("report and rework told %+v", got)
		}
		o = e.do(t, o, e.f.Handler, workorder.ActReport, workorder.Input{Result: "两盏都已更换", Photos: []string{e.upload(t)}})
		o = e.do(t, o, e.f.GridWorker, workorder.ActVerifyPass, workorder.Input{Note: "现场已亮"})
		got = rec.take()
		if len(got) != 2 || got[1].Kind != workorder.NewsClosed || got[1].State != "closed" {
			t.Errorf("closing told %+v", got)
		}
		// The resident's own rating tells the resident nothing.
		e.do(t, o, e.f.Resident, workorder.ActRate, workorder.Input{Satisfaction: workorder.Satisfied})
		if got := rec.take(); len(got) != 0 {
			t.Errorf("rating told the resident %+v", got)
		}

		// A rejected anonymous report with a phone: told, with the reason, to the phone alone.
		a := e.newOrder("楼上噪音扰民，希望处理")
		a.Channel, a.ActorRole, a.CallerPhone = orders.ChannelResident, workorder.RoleResident, "13900001111"
		ao := e.create(t, a)
		e.do(t, ao, e.f.Dispatcher, workorder.ActReject, workorder.Input{Reason: "请拨打 110"})
		if got := rec.take(); len(got) != 1 || got[0].UserID != 0 || got[0].Phone != "13900001111" || !strings.Contains(got[0].ZH, "请拨打 110") {
			t.Errorf("rejecting an anonymous report told %+v", got)
		}
		// A hotline order is not a resident's report here.
		h := e.filed(t, "热线来电：垃圾未清运")
		e.do(t, h, e.f.Dispatcher, workorder.ActDispatch, workorder.Input{Department: e.f.Sanitation})
		if got := rec.take(); len(got) != 0 {
			t.Errorf("a hotline order told %+v", got)
		}
	})
}

// What a resident has seen of each report is kept per order, replaced on each visit.
func TestResidentSeen(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db, at("2025-10-13 09:00"))
		seen, err := e.s.ResidentSeen(ctx, e.f.Resident, []int64{1, 2})
		if err != nil || len(seen) != 0 {
			t.Fatalf("nothing seen yet: %v %v", seen, err)
		}
		for _, v := range []int{2, 5} {
			if err := e.s.MarkResidentSeen(ctx, e.f.Resident, 1, v); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.s.MarkResidentSeen(ctx, e.f.Dispatcher, 2, 3); err != nil {
			t.Fatal(err)
		}
		seen, err = e.s.ResidentSeen(ctx, e.f.Resident, []int64{1, 2})
		if err != nil || len(seen) != 1 || seen[1] != 5 {
			t.Fatalf("seen = %v, %v; want order 1 at version 5 only", seen, err)
		}
	})
}

// The resident's bell: a report counts once it has news the resident has not opened, and stops
// counting when they open it; another resident's reports and a report without news never count.
func TestResidentReportsWithNews(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db, at("2025-10-13 09:00"))
		count := func() int {
			n, err := e.s.ResidentReportsWithNews(ctx, e.f.Resident)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		n := e.newOrder("小区门口路灯不亮")
		n.Channel, n.RaisedBy, n.ActorRole = orders.ChannelResident, e.f.Resident, workorder.RoleResident
		o := e.create(t, n)
		e.create(t, n) // a second report that nothing happens to
		if got := count(); got != 0 {
			t.Fatalf("a new report with nothing done: %d with news, want 0", got)
		}
		o = e.do(t, o, e.f.Dispatcher, workorder.ActFile, workorder.Input{Category: e.f.Category, Grid: e.f.Grid})
		if got := count(); got != 1 {
			t.Fatalf("after filing: %d with news, want 1", got)
		}
		if err := e.s.MarkResidentSeen(ctx, e.f.Resident, o.ID, o.Version); err != nil {
			t.Fatal(err)
		}
		if got := count(); got != 0 {
			t.Fatalf("after opening it: %d with news, want 0", got)
		}
		o = e.do(t, o, e.f.Dispatcher, workorder.ActDispatch, workorder.Input{Department: e.f.Sanitation})
		if got := count(); got != 1 {
			t.Fatalf("after dispatching: %d with news, want 1", got)
		}
		if n, err := e.s.ResidentReportsWithNews(ctx, e.f.Dispatcher); err != nil || n != 0 {
			t.Errorf("another user's count: %d, %v", n, err)
		}
	})
}
