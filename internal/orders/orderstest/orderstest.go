// Package orderstest seeds a small town for the tests of the work-order store and of the
// packages built on it (the HTTP layer): two grids, departments, categories and one user of
// each role, with a second tenant town to prove that nothing leaks between towns.
package orderstest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// Password is every fixture user's password.
const Password = "fixture-password"

// Fixture names what Seed created.
type Fixture struct {
	Town, OtherTown string // 新泾镇 and 陆家嘴街道, both tenants
	Grid, Grid2     string // two grids of Town sharing an edge
	OtherGrid       string // a grid of OtherTown
	// InGrid is a point (lng, lat) inside Grid, InGrid2 inside Grid2, Outside in no grid.
	InGrid, InGrid2, Outside orb.Point
	Sanitation, Market       string // departments of Town
	OtherDepartment          string // a department of OtherTown
	TopCategory              string // 市容环境, a top class
	Category                 string // 暴露垃圾: general, sanitation
	ConsultCategory          string // 咨询: consult, market
	OtherCategory            string // a category of OtherTown only

	// User ids; Handler belongs to Sanitation, Handler2 to Market; GridWorker and GridLeader to
	// Grid, GridWorker2 to Grid2. OtherDispatcher works in OtherTown.
	Dispatcher, Handler, Handler2, GridWorker, GridWorker2, GridLeader, Leader, Resident, Admin, OtherDispatcher int64

	users map[int64]auth.User
}

var (
	hashOnce sync.Once
	hash     string
	hashErr  error
)

// Seed fills db with the fixture town and returns its codes and user ids.
func Seed(t testing.TB, db *store.DB) Fixture {
	t.Helper()
	ctx := context.Background()
	f := Fixture{
		Town: "310105102", OtherTown: "310115005",
		Grid: "310105102001", Grid2: "310105102002", OtherGrid: "310115005001",
		InGrid: orb.Point{121.37, 31.21}, InGrid2: orb.Point{121.39, 31.21}, Outside: orb.Point{121.45, 31.21},
		Sanitation: "xj-sanitation", Market: "xj-market", OtherDepartment: "ljz-sanitation",
		TopCategory: "01", Category: "0101", ConsultCategory: "0901", OtherCategory: "7701",
		users: map[int64]auth.User{},
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
	for _, r := range []places.Region{
		{Code: "3101", Name: "上海市", Level: "city"},
		{Code: "310105", Name: "长宁区", Level: "district", ParentCode: "3101"},
		{Code: "310115", Name: "浦东新区", Level: "district", ParentCode: "3101"},
		{Code: f.Town, Name: "新泾镇", Level: "town", ParentCode: "310105", Tenant: true},
		{Code: f.OtherTown, Name: "陆家嘴街道", Level: "town", ParentCode: "310115", Tenant: true},
	} {
		must(places.UpsertRegion(ctx, db, r))
	}
	square := func(minLng, minLat, maxLng, maxLat float64) orb.Polygon {
		return orb.Polygon{{{minLng, minLat}, {maxLng, minLat}, {maxLng, maxLat}, {minLng, maxLat}, {minLng, minLat}}}
	}
	for _, g := range []places.Grid{
		{Code: f.Grid, TownCode: f.Town, Name: "新泾一村网格", Polygon: square(121.36, 31.20, 121.38, 31.22)},
		{Code: f.Grid2, TownCode: f.Town, Name: "新泾二村网格", Polygon: square(121.38, 31.20, 121.40, 31.22)},
		{Code: f.OtherGrid, TownCode: f.OtherTown, Name: "陆家嘴网格", Polygon: square(121.50, 31.23, 121.52, 31.25)},
	} {
		_, err := places.SaveGrid(ctx, db, g, audit.Actor{Name: "orderstest"})
		must(err)
	}
	for _, d := range []places.Department{
		{Code: f.Sanitation, TownCode: f.Town, Name: "新泾镇市容环境卫生管理所", Kind: "sanitation"},
		{Code: f.Market, TownCode: f.Town, Name: "新泾市场监督管理所", Kind: "market"},
		{Code: f.OtherDepartment, TownCode: f.OtherTown, Name: "陆家嘴街道市容所", Kind: "sanitation"},
	} {
		must(places.SaveDepartment(ctx, db, d, audit.Actor{Name: "orderstest"}))
	}
	s := orders.New(db)
	for _, c := range []orders.Category{
		{TownCode: f.Town, Code: f.TopCategory, Name: "市容环境", NameEN: "City appearance and environment"},
		{TownCode: f.Town, Code: f.Category, Parent: f.TopCategory, Name: "暴露垃圾", NameEN: "Exposed rubbish",
			DeadlineClass: workorder.ClassGeneral, Department: f.Sanitation, Keywords: []string{"垃圾", "乱扔"}},
		{TownCode: f.Town, Code: "09", Name: "咨询建议", NameEN: "Consultation"},
		{TownCode: f.Town, Code: f.ConsultCategory, Parent: "09", Name: "政策咨询", NameEN: "Policy question",
			DeadlineClass: workorder.ClassConsult, Department: f.Market},
		{TownCode: f.OtherTown, Code: f.OtherCategory, Name: "陆家嘴专属类别", DeadlineClass: workorder.ClassGeneral},
	} {
		must(s.SaveCategory(ctx, db, c))
	}

	hashOnce.Do(func() { hash, hashErr = auth.HashPassword(Password) })
	must(hashErr)
	add := func(username, name, role, town, dept, grid string) int64 {
		t.Helper()
		var id int64
		must(db.QueryRow(ctx, `INSERT INTO users (username, display_name, role, town_code, department_code, grid_code, password_hash, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			username, name, role, town, store.NullIfEmpty(dept), store.NullIfEmpty(grid), hash, time.Now().UnixMilli()).Scan(&id))
		f.users[id] = auth.User{ID: id, Username: username, DisplayName: name, Role: role, TownCode: town, DepartmentCode: dept, GridCode: grid}
		return id
	}
	f.Dispatcher = add("dispatcher", "派单员甲", workorder.RoleDispatcher, f.Town, "", "")
	f.Handler = add("handler", "市容所处置员", workorder.RoleHandler, f.Town, f.Sanitation, "")
	f.Handler2 = add("handler2", "市场所处置员", workorder.RoleHandler, f.Town, f.Market, "")
	f.GridWorker = add("gridworker", "网格员甲", workorder.RoleGridWorker, f.Town, "", f.Grid)
	f.GridWorker2 = add("gridworker2", "网格员乙", workorder.RoleGridWorker, f.Town, "", f.Grid2)
	f.GridLeader = add("gridleader", "网格长甲", workorder.RoleGridLeader, f.Town, "", f.Grid)
	f.Leader = add("leader", "领导甲", workorder.RoleLeader, f.Town, "", "")
	f.Resident = add("resident", "居民甲", workorder.RoleResident, f.Town, "", "")
	f.Admin = add("admin", "管理员甲", auth.RoleAdmin, f.Town, "", "")
	f.OtherDispatcher = add("other-dispatcher", "陆家嘴派单员", workorder.RoleDispatcher, f.OtherTown, "", "")
	return f
}

// User returns the seeded user with the id.
func (f Fixture) User(id int64) auth.User { return f.users[id] }

// As returns the lifecycle actor of a seeded user: role, department and grid as seeded.
func (f Fixture) As(id int64) orders.ActorInfo {
	u, ok := f.users[id]
	if !ok {
		panic("orderstest: no seeded user with that id")
	}
	a := orders.ActorInfo{Actor: workorder.Actor{UserID: u.ID, Role: u.Role, Department: u.DepartmentCode}, Name: u.DisplayName}
	if u.GridCode != "" {
		a.Grids = []string{u.GridCode}
	}
	return a
}

// Towns is the towns a user of Town sees.
func (f Fixture) Towns() []string { return []string{f.Town} }

// At is a Shanghai wall-clock time ("2025-11-03 09:00"), the way the town reads deadlines.
func At(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, workcal.Location())
	if err != nil {
		panic(err)
	}
	return t
}

// Clock is a settable time source for orders.Store.Now.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock is a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now is the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }
