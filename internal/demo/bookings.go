package demo

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/bookings"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// Demo bookable resources.
const (
	BookingRedRoute = "陆家嘴改革开放红色路线"
	BookingGarden   = "绿八居民区乐颐生境花园"
	BookingMuseum   = "生境博物馆"
	BookingHall     = "新泾镇民间文化艺术展示馆"
	BookingArtSpace = "虹桥艺空间"
	BookingLounge   = "同Xin共享客厅"
)

// redRoutePoints are the 13 points of the demo's red route. The seed (人民网, 2020-07-01) says
// the route links 13 points of 陆家嘴's reform and opening-up without naming them; these are
// public landmarks of the area, in a walkable order — illustrative, not the official list.
var redRoutePoints = []bookings.Point{
	{Name: "上海国际会议中心", Lat: 31.24090, Lng: 121.49850},
	{Name: "东方明珠广播电视塔", Lat: 31.23970, Lng: 121.49980},
	{Name: "滨江大道", Lat: 31.23810, Lng: 121.49600},
	{Name: "仁恒滨江园", Lat: 31.23387, Lng: 121.494762},
	{Name: "陆家嘴中心绿地", Lat: 31.23780, Lng: 121.50330},
	{Name: "金茂大厦", Lat: 31.23520, Lng: 121.50550},
	{Name: "上海中心大厦", Lat: 31.23350, Lng: 121.50550},
	{Name: "上海环球金融中心", Lat: 31.23460, Lng: 121.50780},
	{Name: "陆家嘴街道城运中心", Lat: 31.232758, Lng: 121.505702},
	{Name: "梅园一村", Lat: 31.229359, Lng: 121.504517},
	{Name: "上海证券大厦", Lat: 31.23320, Lng: 121.51180},
	{Name: "崂山一村", Lat: 31.238829, Lng: 121.512759},
	{Name: "东方医院", Lat: 31.22929, Lng: 121.51563},
}

// Bookings returns the demo loader of bookings. 陆家嘴: the red route of 13 points, booked by
// units and party branches for groups, with slots from two weeks ago to a month ahead (Tuesday,
// Thursday and Saturday, 09:30 and 14:00), past visits checked in or not come, coming bookings,
// and one full slot with two groups on its waiting list. 新泾镇: 绿八's 生境花园 and 生境博物馆,
// the 民间文化艺术展示馆, 虹桥艺空间 and 仙霞路's 同Xin共享客厅, with visits booked by the demo
// residents and volunteers. Idempotent: a resource of that name in the town is left alone. The
// bookings are made through the service with its clock set back, so past ones went through the
// same rules; the units and contact people are invented.
func Bookings(now time.Time) Extra {
	return func(ctx context.Context, db *store.DB, w *world.World, log *slog.Logger) error {
		d := &bookingLoader{db: db, town: w.Town.Code, now: now, users: map[string]auth.User{}}
		d.svc = &bookings.Service{DB: db, Now: func() time.Time { return d.clock }}
		var err error
		switch w.Town.Code {
		case world.LujiazuiCode:
			err = d.lujiazui(ctx)
		case world.XinjingCode:
			err = d.xinjing(ctx)
		}
		if err != nil {
			return fmt.Errorf("demo bookings: %w", err)
		}
		// The bookings' notices of past days were read then: the demo's bells show the last
		// day's news, not a season's.
		if _, err := db.Exec(ctx, `UPDATE notifications SET read_at = created_at WHERE kind LIKE 'booking%' AND read_at IS NULL AND created_at < ?`,
			now.Add(-24*time.Hour).UnixMilli()); err != nil {
			return fmt.Errorf("demo bookings: %w", err)
		}
		if d.made > 0 {
			log.Info("demo bookings loaded", "town", w.Town.Name, "bookings", d.made)
		}
		return nil
	}
}

type bookingLoader struct {
	db    *store.DB
	svc   *bookings.Service
	town  string
	now   time.Time
	clock time.Time
	users map[string]auth.User
	made  int
}

func (d *bookingLoader) user(ctx context.Context, name string) (auth.User, error) {
	if u, ok := d.users[name]; ok {
		return u, nil
	}
	u, err := auth.UserByUsername(ctx, d.db, name)
	if err != nil {
		return u, fmt.Errorf("demo user %s: %w", name, err)
	}
	d.users[name] = u
	return u, nil
}

func bookingActor(u auth.User) audit.Actor { return audit.Actor{ID: u.ID, Name: "demo"} }

// day is the local midnight days from today.
func (d *bookingLoader) day(days int) time.Time {
	n := d.now.In(workcal.Location())
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, workcal.Location()).AddDate(0, 0, days)
}

// resource creates a resource with its slots from two weeks ago to a month ahead, unless the
// town has one of that name; it returns 0 when it exists already.
func (d *bookingLoader) resource(ctx context.Context, mgr auth.User, n bookings.NewResource, p bookings.SlotPattern) (int64, error) {
	var n0 int
	if err := d.db.QueryRow(ctx, `SELECT COUNT(*) FROM booking_resources WHERE town_code = ? AND name = ?`, d.town, n.Name).Scan(&n0); err != nil || n0 > 0 {
		return 0, err
	}
	d.clock = d.day(-15)
	n.TownCode = d.town
	res, err := d.svc.CreateResource(ctx, []string{d.town}, n, bookingActor(mgr), mgr)
	if err != nil {
		return 0, err
	}
	p.From, p.To = d.day(-14).Format("2006-01-02"), d.day(30).Format("2006-01-02")
	if _, err := d.svc.CreateSlots(ctx, []string{d.town}, res.ID, p, bookingActor(mgr), mgr); err != nil {
		return 0, err
	}
	return res.ID, nil
}

// demoBooking is one booking the loader makes.
type demoBooking struct {
	user, unit, contact, phone string
	size                       int
}

// book books the slots of a resource: for each slot (in time order) whose index is picked, the
// bookings in turn, as if made three days before the slot (or now, for slots ahead); past slots
// then get their check-ins and no-shows.
func (d *bookingLoader) book(ctx context.Context, resID int64, mgr auth.User, pick func(i int, sl bookings.Slot) []demoBooking) error {
	slots, err := d.svc.Slots(ctx, resID, d.day(-14), d.day(31))
	if err != nil {
		return err
	}
	for i, sl := range slots {
		bs := pick(i, sl)
		if len(bs) == 0 {
			continue
		}
		d.clock = sl.StartsAt.AddDate(0, 0, -3)
		if d.clock.After(d.now) {
			d.clock = d.now
		}
		var made []bookings.Booking
		for _, b := range bs {
			u, err := d.user(ctx, b.user)
			if err != nil {
				return err
			}
			got, err := d.svc.Book(ctx, sl.ID, bookings.Request{UnitName: b.unit, PartySize: b.size, ContactName: b.contact, ContactPhone: b.phone},
				bookingActor(u), u)
			if err != nil {
				return fmt.Errorf("book %s for %s: %w", sl.StartsAt.Format("2006-01-02 15:04"), b.unit, err)
			}
			made = append(made, got)
			d.made++
		}
		if !sl.StartsAt.Before(d.now) {
			continue
		}
		// The slot took place: most came, one in five did not.
		d.clock = sl.StartsAt.Add(10 * time.Minute)
		for j, b := range made {
			if b.State != "confirmed" {
				continue
			}
			if (i+j)%5 == 4 {
				_, err = d.svc.NoShow(ctx, []string{d.town}, b.ID, bookingActor(mgr), mgr)
			} else {
				_, err = d.svc.CheckIn(ctx, []string{d.town}, b.Code, bookingActor(mgr), mgr)
			}
			if err != nil {
				return err
			}
		}
	}
	d.clock = d.now
	return nil
}

var demoUnits = []demoBooking{
	{unit: "梅园一村居民区党总支", contact: "张敏", phone: "13916230451", size: 18},
	{unit: "陆家嘴街道城运中心党支部", contact: "李卫东", phone: "13764418820", size: 12},
	{unit: "东方医院第二党支部", contact: "陈静", phone: "13801729034", size: 25},
	{unit: "滨江小区居民区党支部", contact: "王海燕", phone: "13611852207", size: 15},
	{unit: "崂山一村居民区党总支", contact: "周建华", phone: "13524406618", size: 20},
	{unit: "仁恒滨江园居民区党支部", contact: "吴晓丽", phone: "13918845312", size: 10},
}

// The demo users who book for the units (any signed-in user may book for a unit).
var demoBookers = []string{"lujiazui_dispatcher", "resident", "volunteer", "gridworker", "gridleader", "deputy"}

func (d *bookingLoader) lujiazui(ctx context.Context) error {
	mgr, err := d.user(ctx, "lujiazui_admin")
	if err != nil {
		return err
	}
	id, err := d.resource(ctx, mgr, bookings.NewResource{Kind: bookings.KindRoute, Name: BookingRedRoute, NameEN: "Lujiazui Reform and Opening-up Red Route",
		Description: "串联陆家嘴区域内13个改革开放进程点位的红色路线，欢迎各区域单位、基层党组织预约打卡、参观学习。每批讲解约2小时。",
		Address:     "集合点：上海国际会议中心（滨江大道2727号）", OpeningHours: "周二、周四、周六 9:30、14:00 两批",
		Who: bookings.WhoUnits, AheadDays: 30, MaxPerHolder: 2, GroupMin: 5, GroupMax: 40, HoldHours: 24, Points: redRoutePoints},
		bookings.SlotPattern{Weekdays: []int{2, 4, 6}, Times: []string{"09:30-11:30", "14:00-16:00"}, Capacity: 40, MaxGroups: 2, SkipHolidays: true})
	if err != nil || id == 0 {
		return err
	}
	// The first coming slot is full (two groups, 40 people) with two more groups waiting; about
	// half the other slots have a group, past ones checked in.
	full := -1
	live := map[int]int{} // coming bookings per unit (a unit holds at most two)
	return d.book(ctx, id, mgr, func(i int, sl bookings.Slot) []demoBooking {
		pick := func(k int) demoBooking {
			if sl.StartsAt.After(d.now) {
				live[k%len(demoUnits)]++
			}
			b := demoUnits[k%len(demoUnits)]
			b.user = demoBookers[k%len(demoBookers)]
			return b
		}
		if full < 0 && sl.StartsAt.After(d.now.Add(24*time.Hour)) {
			full = i
			a, b, c, e := pick(2), pick(4), pick(0), pick(3)
			a.size, b.size = 25, 15
			return []demoBooking{a, b, c, e}
		}
		if i%2 == 1 || sl.StartsAt.After(d.now.AddDate(0, 0, 21)) {
			return nil
		}
		k := i / 2
		if sl.StartsAt.After(d.now) {
			for n := 0; n < len(demoUnits) && live[k%len(demoUnits)] >= 2; n++ {
				k++
			}
			if live[k%len(demoUnits)] >= 2 {
				return nil
			}
		}
		return []demoBooking{pick(k)}
	})
}

func (d *bookingLoader) xinjing(ctx context.Context) error {
	mgr, err := d.user(ctx, "admin")
	if err != nil {
		return err
	}
	people := []demoBooking{{user: "resident"}, {user: "volunteer"}, {user: "gridworker"}, {user: "gridleader"}, {user: "deputy"}}
	// Every third slot: past ones with one to five visitors, coming ones with one visitor in turn
	// (each may hold two live bookings of a place).
	everyOther := func(i int, sl bookings.Slot) []demoBooking {
		if i%3 != 0 || sl.StartsAt.After(d.now.AddDate(0, 0, 14)) {
			return nil
		}
		if sl.StartsAt.After(d.now) {
			return []demoBooking{people[(i/3)%len(people)]}
		}
		return people[:1+i%len(people)]
	}
	coming := 0
	hallVisits := func(i int, sl bookings.Slot) []demoBooking {
		if i%4 != 1 || sl.StartsAt.After(d.now.AddDate(0, 0, 21)) {
			return nil
		}
		if sl.StartsAt.After(d.now) {
			if coming++; coming > 2 {
				return nil
			}
		}
		return []demoBooking{{user: "volunteer", unit: "新泾镇向“新”力志愿者联盟", contact: "刘芳", phone: "13817726504", size: 12}, {user: "resident"}}
	}
	places := []struct {
		n    bookings.NewResource
		p    bookings.SlotPattern
		pick func(int, bookings.Slot) []demoBooking
	}{
		{bookings.NewResource{Kind: bookings.KindPlace, Name: BookingGarden, NameEN: "Lüba Leyi Habitat Garden",
			Description: "绿八居民区居民共建的生境花园，志愿者带领认识本地植物与昆虫。", Address: "绿八居民区", Lat: 31.208316, Lng: 121.373846,
			OpeningHours: "周六、周日 9:00–11:00、15:00–16:00", Who: bookings.WhoAnyone, AheadDays: 14, MaxPerHolder: 2, GroupMin: 2, GroupMax: 10, HoldHours: 12},
			bookings.SlotPattern{Weekdays: []int{6, 7}, Times: []string{"09:00-10:00", "10:00-11:00", "15:00-16:00"}, Capacity: 15}, everyOther},
		{bookings.NewResource{Kind: bookings.KindPlace, Name: BookingMuseum, NameEN: "Habitat Museum",
			Description: "生境花园旁的小小博物馆，展示社区生物多样性调查成果。", Address: "绿八居民区", Lat: 31.208994, Lng: 121.381323,
			OpeningHours: "周二至周日 10:00–11:00、14:00–15:00", Who: bookings.WhoAnyone, AheadDays: 14, MaxPerHolder: 2, GroupMin: 2, GroupMax: 20, HoldHours: 12},
			bookings.SlotPattern{Weekdays: []int{2, 3, 4, 5, 6, 7}, Times: []string{"10:00-11:00", "14:00-15:00"}, Capacity: 20, SkipHolidays: true}, everyOther},
		{bookings.NewResource{Kind: bookings.KindPlace, Name: BookingHall, NameEN: "Xinjing Folk Culture and Art Exhibition Hall",
			Description: "展出新泾地区老屋里、老物件与民间艺术作品，团体参观请由单位预约。", Lat: 31.203126, Lng: 121.385381,
			OpeningHours: "周二至周六 9:30–11:30、13:30–16:00", Who: bookings.WhoAnyone, AheadDays: 30, MaxPerHolder: 2, GroupMin: 5, GroupMax: 30, HoldHours: 24},
			bookings.SlotPattern{Weekdays: []int{2, 3, 4, 5, 6}, Times: []string{"09:30-11:30", "13:30-16:00"}, Capacity: 30, MaxGroups: 1, SkipHolidays: true}, hallVisits},
		{bookings.NewResource{Kind: bookings.KindPlace, Name: BookingArtSpace, NameEN: "Hongqiao Art Space",
			Description: "社区展览与文艺活动空间。", Lat: 31.215389, Lng: 121.384969, OpeningHours: "周三至周日 10:00–16:00",
			Who: bookings.WhoAnyone, AheadDays: 21, MaxPerHolder: 2, GroupMin: 2, GroupMax: 20, HoldHours: 24},
			bookings.SlotPattern{Weekdays: []int{3, 4, 5, 6, 7}, Times: []string{"10:00-12:00", "14:00-16:00"}, Capacity: 25, SkipHolidays: true}, nil},
		{bookings.NewResource{Kind: bookings.KindPlace, Name: BookingLounge, NameEN: "Tong Xin Shared Living Room",
			Description: "宁聚里·新泾镇仙霞路党群服务中心的共享客厅，可预约举办居民议事、小组活动。", Address: "宁聚里·新泾镇仙霞路党群服务中心",
			Lat: 31.211018, Lng: 121.395739, OpeningHours: "周一至周五 9:00–17:00", Who: bookings.WhoUnits, AheadDays: 30, MaxPerHolder: 2,
			GroupMin: 3, GroupMax: 16, HoldHours: 24},
			bookings.SlotPattern{Weekdays: []int{1, 2, 3, 4, 5}, Times: []string{"09:00-11:00", "14:00-16:00", "18:30-20:30"}, Capacity: 16, MaxGroups: 1, SkipHolidays: true}, nil},
	}
	for _, pl := range places {
		id, err := d.resource(ctx, mgr, pl.n, pl.p)
		if err != nil {
			return fmt.Errorf("%s: %w", pl.n.Name, err)
		}
		if id != 0 && pl.pick != nil {
			if err := d.book(ctx, id, mgr, pl.pick); err != nil {
				return fmt.Errorf("%s: %w", pl.n.Name, err)
			}
		}
	}
	return nil
}
