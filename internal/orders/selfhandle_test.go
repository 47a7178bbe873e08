package orders_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

func TestSelfHandle(t *testing.T) {
	each(t, at("2025-10-15 10:00"), func(t *testing.T, e env) {
		patrol := func(by int64, grid string) orders.Order {
			n := e.newOrder("井盖松动，已现场复位")
			n.Channel, n.RaisedBy, n.Grid, n.Category = orders.ChannelPatrol, by, grid, ""
			n.CallerName, n.CallerPhone = "", ""
			return e.create(t, n)
		}
		in := workorder.Input{Result: "已现场复位并加固", Photos: []string{e.upload(t)}}

		o := patrol(e.f.GridWorker, e.f.Grid)
		if got := e.s.Allowed(o, e.f.As(e.f.GridWorker).Actor); !slices.Contains(got, workorder.ActSelfHandle) {
			t.Errorf("allowed actions of the reporting worker = %v, want self_handle", got)
		}
		wantField(t, e.try(o, e.f.GridWorker, workorder.ActSelfHandle, workorder.Input{Result: "已处置"}), "photos")
		wantField(t, e.try(o, e.f.GridWorker, workorder.ActSelfHandle, workorder.Input{Result: "已处置", Photos: []string{"f00d"}}), "photos")
		if err := e.try(o, e.f.GridWorker2, workorder.ActSelfHandle, in); !errors.Is(err, workorder.ErrForbidden) {
			t.Errorf("another grid's worker: err = %v, want ErrForbidden", err)
		}
		if err := e.try(o, e.f.GridLeader, workorder.ActSelfHandle, in); !errors.Is(err, workorder.ErrForbidden) {
			t.Errorf("the grid leader on the worker's report: err = %v, want ErrForbidden", err)
		}

		closed := e.do(t, o, e.f.GridWorker, workorder.ActSelfHandle, in)
		if closed.State != string(workorder.Closed) || closed.ClosedAt == nil || !closed.ClosedAt.Equal(at("2025-10-15 10:00")) {
			t.Errorf("after self_handle: state %s, closed_at %v", closed.State, closed.ClosedAt)
		}
		got := e.get(t, o.ID)
		if got.Result != in.Result || got.ClosedAt == nil {
			t.Errorf("stored result %q, closed_at %v", got.Result, got.ClosedAt)
		}
		last := got.Events[len(got.Events)-1]
		if last.Action != string(workorder.ActSelfHandle) || !slices.Equal(last.Photos, in.Photos) || last.Result != in.Result || last.Data["self_handled"] != true {
			t.Errorf("self_handle event = %+v", last)
		}

		// Own report, but in a grid the worker does not serve.
		far := patrol(e.f.GridWorker, e.f.Grid2)
		if err := e.try(far, e.f.GridWorker, workorder.ActSelfHandle, in); !errors.Is(err, workorder.ErrForbidden) {
			t.Errorf("own report in another grid: err = %v, want ErrForbidden", err)
		}
		// Raised by the worker, but not on patrol: it goes through dispatch.
		n := e.newOrder("居民来电：楼道堆物")
		n.RaisedBy = e.f.GridWorker
		hot := e.create(t, n)
		if err := e.try(hot, e.f.GridWorker, workorder.ActSelfHandle, in); !errors.Is(err, workorder.ErrForbidden) {
			t.Errorf("non-patrol order: err = %v, want ErrForbidden", err)
		}
		if e.get(t, hot.ID).State != string(workorder.Received) {
			t.Error("refused self_handle changed the order")
		}
	})
}
