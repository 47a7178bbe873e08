package demo

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/dispatch"
	"github.com/civicgrid/civicgrid/internal/media"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// OrderCounts are how many demo orders each town gets.
var OrderCounts = map[string]int{world.XinjingCode: 420, world.LujiazuiCode: 60}

const ordersMarker = "demo_orders_loaded"

// Orders returns the demo extra that loads the category tree and several hundred orders spread
// over the last 90 days in every state, driven through the real lifecycle (so every order has a
// true history). Photos for the handled ones are generated and stored under dataDir/uploads.
func Orders(dataDir string, now time.Time) Extra {
	return func(ctx context.Context, db *store.DB, w *world.World, log *slog.Logger) error {
		town := w.Town.Code
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM settings WHERE town_code = ? AND key = ?`, town, ordersMarker).Scan(&n); err != nil || n > 0 {
			return err
		}
		st := orders.New(db)
		// The default tree as the town's first version, in force before the first order.
		if _, err := dispatch.Publish(ctx, db, town, CategoryTree(w), CategoryTreeValidFrom, "默认分类（示意） default tree (illustrative)",
			audit.Actor{Name: "demo"}, now); err != nil {
			return fmt.Errorf("category tree: %w", err)
		}
		photos, err := demoPhotos(ctx, st, media.Store{Dir: filepath.Join(dataDir, "uploads")}, town)
		if err != nil {
			return err
		}
		start := time.Now()
		generated := world.GenerateOrders(w, OrderCounts[town], 20250701, now)
		l := loader{st: st, w: w, photos: photos, town: town, now: now, rng: rand.New(rand.NewPCG(7, uint64(len(generated))))}
		for _, u := range w.Users {
			if u.Role == "dispatcher" && u.TownCode == town {
				l.dispatcher = u
			}
		}
		ids := make([]int64, len(generated))
		// One transaction for the town's whole history: all of it or none, and no commit per step.
		err = db.InTx(ctx, func(tx *store.Tx) error {
			l.tx = tx
			if err := l.findResident(ctx); err != nil {
				return err
			}
			for i, g := range generated {
				id, err := l.load(ctx, g, ids)
				if err != nil {
					return fmt.Errorf("demo order %d (%s → %s): %w", i, g.CategoryCode, g.TargetState, err)
				}
				ids[i] = id
			}
			_, err := tx.Exec(ctx, `INSERT INTO settings (town_code, key, value) VALUES (?, ?, ?)`, town, ordersMarker, fmt.Sprint(len(generated)))
			return err
		})
		if err != nil {
			return err
		}
		log.Info("demo orders loaded", "town", w.Town.Name, "orders", len(generated), "ms", time.Since(start).Milliseconds())
		return nil
	}
}

type loader struct {
	st         *orders.Store
	w          *world.World
	photos     map[string][]string // photo IDs by scene (photos.go)
	town       string
	now        time.Time
	rng        *rand.Rand
	dispatcher world.DemoUser
	clock      time.Time
	tx         *store.Tx
	// resident is the demo resident's account, who raised the first residentReports of the
	// town's resident reports (so "my reports" has something in it); left is whether one of them
	// has been left closed, for the resident to rate.
	resident    orders.ActorInfo
	residentTel string
	raised      int
	left        bool
}

// residentReports is how many of the town's resident reports the demo resident raised.
const residentReports = 8

// findResident looks up the town's demo resident, if it has one.
func (l *loader) findResident(ctx context.Context) error {
	for _, u := range l.w.Users {
		if u.Role != workorder.RoleResident || u.TownCode != l.town {
			continue
		}
		var id int64
		if err := l.tx.QueryRow(ctx, `SELECT id FROM users WHERE username = ?`, u.Username).Scan(&id); err != nil {
			return fmt.Errorf("demo resident %s: %w", u.Username, err)
		}
		l.resident = orders.ActorInfo{Name: u.DisplayName}
		l.resident.UserID, l.resident.Role = id, workorder.RoleResident
		l.residentTel = u.Phone
		return nil
	}
	return nil
}

// at moves the store's clock forward by a random delay within [min, max], never past now.
func (l *loader) at(min, max time.Duration) {
	d := min + time.Duration(l.rng.Int64N(int64(max-min)+1))
	l.clock = l.clock.Add(d)
	if l.clock.After(l.now) {
		l.clock = l.now.Add(-time.Minute)
	}
}

func (l *loader) load(ctx context.Context, g world.DemoOrder, ids []int64) (int64, error) {
	l.clock = g.ReceivedAt
	l.st.Now = func() time.Time { return l.clock }
	lat, lng := g.Lat, g.Lng
	actorName, actorRole := "12345热线", "system"
	switch g.Channel {
	case "patrol", "visit":
		actorName, actorRole = "网格员", "gridworker"
	case "resident":
		actorName, actorRole = "居民", "resident"
	case "open311":
		actorName = "Open311"
	}
	n := orders.NewOrder{TownCode: l.town, Channel: g.Channel, ExternalID: g.HotlineID, Content: g.Content,
		Address: g.Address, Lat: &lat, Lng: &lng, CallerName: g.CallerName, CallerPhone: g.CallerPhone, ReceivedAt: g.ReceivedAt,
		ActorName: actorName, ActorRole: actorRole}
	mine := g.Channel == "resident" && l.resident.UserID != 0 && l.raised < residentReports
	if mine {
		l.raised++
		n.RaisedBy, n.CallerName, n.CallerPhone, n.ActorName = l.resident.UserID, l.resident.Name, l.residentTel, l.resident.Name
	}
	o, err := l.st.CreateTx(ctx, l.tx, n)
	if err != nil {
		return 0, err
	}
	disp := orders.ActorInfo{Name: l.dispatcher.DisplayName}
	disp.Role, disp.Department = "dispatcher", l.dispatcher.DepartmentCode
	handler := orders.ActorInfo{Name: deptName(l.w, g.DepartmentCode) + "经办人"}
	handler.Role, handler.Department = "handler", g.DepartmentCode
	step := func(a orders.ActorInfo, act workorder.Action, in workorder.Input) error {
		o, err = l.st.ActTx(ctx, l.tx, []string{l.town}, o.ID, a, act, o.Version, in)
		return err
	}
	target := g.TargetState
	// The last five days' demands are still being worked on, so every queue has something in it.
	if l.now.Sub(g.ReceivedAt) < 5*24*time.Hour && (target == "closed" || target == "rated") {
		target = []string{"received", "received", "filed", "dispatched", "in_progress", "in_progress", "handled"}[l.rng.IntN(7)]
	}
	switch target {
	case "received":
		return o.ID, nil
	case "rejected":
		l.at(10*time.Minute, 2*time.Hour)
		return o.ID, step(disp, workorder.ActReject, workorder.Input{Reason: g.RejectReason})
	case "merged":
		l.at(10*time.Minute, 2*time.Hour)
		dup := int64(0)
		if g.MergedInto >= 0 && g.MergedInto < len(ids) {
			dup = ids[g.MergedInto]
		}
		if dup == 0 {
			return o.ID, nil
		}
		return o.ID, step(disp, workorder.ActMerge, workorder.Input{DuplicateOf: dup, Reason: g.RejectReason})
	}
	l.at(10*time.Minute, 3*time.Hour)
	if err := step(disp, workorder.ActFile, workorder.Input{Category: g.CategoryCode, Grid: g.GridCode}); err != nil || target == "filed" {
		return o.ID, err
	}
	l.at(5*time.Minute, 2*time.Hour)
	in := workorder.Input{Department: g.DepartmentCode}
	if _, isDept := l.w.Department(g.CommitteeCode); isDept && g.CommitteeCode != g.DepartmentCode && l.rng.IntN(3) == 0 {
		in.CoDepartments = []string{g.CommitteeCode}
	}
	if err := step(disp, workorder.ActDispatch, in); err != nil || target == "dispatched" {
		return o.ID, err
	}
	l.at(20*time.Minute, 6*time.Hour)
	if err := step(handler, workorder.ActAccept, workorder.Input{}); err != nil || target == "in_progress" {
		return o.ID, err
	}
	l.at(4*time.Hour, 3*24*time.Hour)
	scene := l.photos[photoScene(g.CategoryCode)]
	photo := scene[l.rng.IntN(len(scene))]
	if err := step(handler, workorder.ActReport, workorder.Input{Result: g.ResultText, Photos: []string{photo}}); err != nil || target == "handled" {
		return o.ID, err
	}
	l.at(2*time.Hour, 24*time.Hour)
	if err := step(disp, workorder.ActVerifyPass, workorder.Input{Note: g.VerifyNote}); err != nil || target == "closed" {
		return o.ID, err
	}
	if mine && !l.left {
		l.left = true // one closed report waits for the resident's rating
		return o.ID, nil
	}
	l.at(2*time.Hour, 24*time.Hour)
	sat := g.Satisfaction
	if sat == "basic" {
		sat = workorder.BasicallySatisfied
	}
	rater := disp
	if mine {
		rater = l.resident // the resident rates their own report
	}
	return o.ID, step(rater, workorder.ActRate, workorder.Input{Satisfaction: sat, Comment: g.RatingComment})
}

func deptName(w *world.World, code string) string {
	if d, ok := w.Department(code); ok {
		return d.Name
	}
	return code
}
