package volunteers_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/capacity"
	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/volunteers"
	"github.com/civicgrid/civicgrid/internal/workcal"
	"github.com/xuri/excelize/v2"
)

var (
	ctx   = context.Background()
	quiet = slog.New(slog.NewTextHandler(io.Discard, nil))
	xj    = world.XinjingCode
	towns = []string{xj}
	staff = audit.Actor{ID: 0, Name: "test"}
)

// clock is a settable clock for the service.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, workcal.Location())
	if err != nil {
		panic(err)
	}
	return t
}

// idNumber makes a valid resident ID number with serial n (checksum computed).
func idNumber(n int) string {
	first := fmt.Sprintf("31010519800101%03d", n%1000)
	return first + string(volunteers.ResidentIDCheck(first))
}

// fixture is the demo world with an alliance, a project and an activity of one role.
type fixture struct {
	db  *store.DB
	s   *volunteers.Service
	clk *clock
	pid int64
}

func each(t *testing.T, body func(t *testing.T, f *fixture)) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		if _, err := demo.Load(ctx, db, quiet); err != nil {
			t.Fatal(err)
		}
		clk := &clock{t: at("2026-03-01 09:00")}
		s := &volunteers.Service{DB: db, Now: clk.Now}
		if err := s.SetAlliance(ctx, towns, volunteers.Alliance{TownCode: xj, Name: `向"新"力志愿服务联盟`, Issuer: "新泾镇志愿服务联盟", PersonInCharge: "测负责", Contact: "021-00000000"}, staff); err != nil {
			t.Fatal(err)
		}
		p, err := s.AddProject(ctx, towns, volunteers.Project{TownCode: xj, Name: "泾彩悦读"}, staff)
		if err != nil {
			t.Fatal(err)
		}
		body(t, &fixture{db: db, s: s, clk: clk, pid: p.ID})
	})
}

func (f *fixture) volunteer(t *testing.T, n int) volunteers.Volunteer {
	t.Helper()
	v, err := f.s.Register(ctx, towns, volunteers.Application{Name: fmt.Sprintf("测试%d", n), IDType: volunteers.IDResident, IDNumber: idNumber(n), Phone: "13800000000"}, 0, staff)
	if err != nil {
		t.Fatal(err)
	}
	v, err = f.s.Decide(ctx, towns, v.ID, true, "", staff)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (f *fixture) activity(t *testing.T, start, end string, places int) volunteers.Activity {
	t.Helper()
	lat, lng := 31.2090, 121.3620
	a, err := f.s.CreateActivity(ctx, towns, volunteers.NewActivity{ProjectID: f.pid, Title: "读书会 " + start, Place: "新泾镇社区文化活动中心",
		Lat: &lat, Lng: &lng, Start: at(start), End: at(end), Roles: []volunteers.NewRole{{Name: "引导员", Places: places}}}, staff)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestResidentIDChecksum: GB 11643's check character; a mistyped digit, an impossible birth date
// and a wrong length are refused with the field named.
func TestResidentIDChecksum(t *testing.T) {
	for _, ok := range []string{"11010519491231002X", idNumber(7)} {
		if err := volunteers.ValidateID(volunteers.IDResident, ok); err != nil {
			t.Errorf("%s: %v, want valid", ok, err)
		}
	}
	for _, bad := range []string{"110105194912310021", "11010519490231002X", "1101051949123100", "11010519491231002A"} {
		err := volunteers.ValidateID(volunteers.IDResident, bad)
		if problem.FieldOf(err) != "id_number" {
			t.Errorf("%s: %v, want a field error on id_number", bad, err)
		}
	}
	if err := volunteers.ValidateID(volunteers.IDPassport, "E12345678"); err != nil {
		t.Errorf("passport: %v", err)
	}
	if got := volunteers.MaskID("11010519491231002X"); got != "110***********002X" {
		t.Errorf("MaskID = %q", got)
	}
}

// TestIDNumberSealed: the ID number is stored sealed (the row holds neither it nor its digits in
// a row), masked for pages, and read back whole only through IDNumber; one person registers once.
func TestIDNumberSealed(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		v := f.volunteer(t, 1)
		var sealed, masked string
		if err := f.db.QueryRow(ctx, `SELECT id_sealed, id_masked FROM volunteers WHERE id = ?`, v.ID).Scan(&sealed, &masked); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(sealed, idNumber(1)) || strings.Contains(sealed, idNumber(1)[6:14]) || masked != volunteers.MaskID(idNumber(1)) {
			t.Errorf("stored %q / %q", sealed, masked)
		}
		if got, err := f.s.IDNumber(ctx, towns, v.ID); err != nil || got != idNumber(1) {
			t.Errorf("IDNumber = %q, %v", got, err)
		}
		if _, err := f.s.IDNumber(ctx, []string{"310115005"}, v.ID); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("IDNumber from another town: %v", err)
		}
		_, err := f.s.Register(ctx, towns, volunteers.Application{Name: "重复", IDType: volunteers.IDResident, IDNumber: idNumber(1), Phone: "13800000001"}, 0, staff)
		if problem.FieldOf(err) != "id_number" {
			t.Errorf("second registration of the same ID: %v", err)
		}
		if !strings.HasPrefix(v.Number, xj+"-2026-") || len(v.Number) != len("310105102-2026-00001") {
			t.Errorf("volunteer number %q", v.Number)
		}
	})
}

// TestHours: check-in and check-out by the rotating code across midnight; a missing check-out
// earns nothing until the lead confirms it; an adjustment with its reason and audit row; a
// volunteer's total equals the sum of the attendances.
func TestHours(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		v := f.volunteer(t, 2)
		w := f.volunteer(t, 3)
		night := f.activity(t, "2026-03-01 22:00", "2026-03-02 02:00", 5)
		for _, x := range []volunteers.Volunteer{v, w} {
			if su, err := f.s.SignUpFor(ctx, towns, night.Roles[0].ID, x, staff); err != nil || su.State != capacity.StateConfirmed {
				t.Fatalf("sign-up: %+v, %v", su, err)
			}
		}
		scanAt := func(act volunteers.Activity, x volunteers.Volunteer, when string) volunteers.Scan {
			t.Helper()
			f.clk.Set(at(when))
			code, _, err := f.s.CheckInCode(ctx, act.ID, at(when))
			if err != nil {
				t.Fatal(err)
			}
			sc, err := f.s.CheckInOut(ctx, towns, act.ID, x, volunteers.Proof{Code: code}, staff)
			if err != nil {
				t.Fatalf("scan at %s: %v", when, err)
			}
			return sc
		}
		scan := func(x volunteers.Volunteer, when string) volunteers.Scan { return scanAt(night, x, when) }
		// v arrives early (21:40: counted from 22:00) and leaves at 01:50 the next day.
		if sc := scan(v, "2026-03-01 21:40"); sc.Action != "check_in" {
			t.Fatalf("first scan: %+v", sc)
		}
		sc := scan(v, "2026-03-02 01:50")
		if sc.Action != "check_out" || sc.Attendance.Minutes == nil || *sc.Attendance.Minutes != 230 {
			t.Fatalf("across midnight: %+v, want 230 minutes", sc.Attendance)
		}
		// w checks in at 22:30 and never checks out.
		scan(w, "2026-03-01 22:30")
		f.clk.Set(at("2026-03-02 09:00"))
		code, _, _ := f.s.CheckInCode(ctx, night.ID, f.clk.Now())
		if _, err := f.s.CheckInOut(ctx, towns, night.ID, w, volunteers.Proof{Code: code}, staff); !errors.Is(err, problem.ErrConflict) {
			t.Errorf("check-out 7 h after the end: %v, want refused (the lead confirms)", err)
		}
		att, err := f.s.Attendances(ctx, towns, night.ID)
		if err != nil || len(att) != 2 {
			t.Fatal(att, err)
		}
		var wa volunteers.Attendance
		for _, a := range att {
			if a.VolunteerID == w.ID {
				wa = a
			}
		}
		if !wa.MissingCheckOut() || wa.Credited() != 0 {
			t.Errorf("missing check-out credited %d", wa.Credited())
		}
		if n, _ := f.s.TotalMinutes(ctx, w.ID); n != 0 {
			t.Errorf("total with a missing check-out: %d, want 0", n)
		}
		// The lead confirms: left at 01:00 → 150 minutes.
		if _, err := f.s.CheckOutFor(ctx, towns, wa.ID, at("2026-03-02 01:00"), "", staff); problem.FieldOf(err) != "reason" {
			t.Errorf("confirm without reason: %v", err)
		}
		wa, err = f.s.CheckOutFor(ctx, towns, wa.ID, at("2026-03-02 01:00"), "手机没电，现场确认 01:00 离开", staff)
		if err != nil || wa.Credited() != 150 {
			t.Fatalf("confirmed: %+v, %v", wa, err)
		}
		// An adjustment needs a reason and is audited with the old and new figures.
		if _, err := f.s.Adjust(ctx, towns, wa.ID, 180, " ", staff); problem.FieldOf(err) != "reason" {
			t.Errorf("adjust without reason: %v", err)
		}
		lead := audit.Actor{ID: 0, Name: "lead-test"}
		wa, err = f.s.Adjust(ctx, towns, wa.ID, 180, "活动结束后协助清场", lead)
		if err != nil || wa.Credited() != 180 || *wa.Minutes != 150 || wa.Reason != "活动结束后协助清场" {
			t.Fatalf("adjusted: %+v, %v", wa, err)
		}
		var detail string
		if err := f.db.QueryRow(ctx, `SELECT detail FROM audit_log WHERE actor = 'lead-test' AND entity = 'vol_attendance' AND entity_id = ?`, fmt.Sprint(wa.ID)).Scan(&detail); err != nil ||
			!strings.Contains(detail, "150 → 180") || !strings.Contains(detail, "活动结束后协助清场") {
			t.Errorf("audit of the adjustment: %q, %v", detail, err)
		}
		// A second activity for v; totals equal the sum over attendances.
		day := f.activity(t, "2026-03-10 09:00", "2026-03-10 11:00", 2)
		f.clk.Set(at("2026-03-05 09:00"))
		if _, err := f.s.SignUpFor(ctx, towns, day.Roles[0].ID, v, staff); err != nil {
			t.Fatal(err)
		}
		scanAt(day, v, "2026-03-10 09:10")
		scanAt(day, v, "2026-03-10 10:31")
		// Totals count hours once their 7-day publication (公示) has passed.
		f.clk.Set(at("2026-03-17 10:32"))
		for _, x := range []volunteers.Volunteer{v, w} {
			lines, err := f.s.Service(ctx, x.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			var sum int64
			for _, l := range lines {
				sum += int64(l.Credited())
			}
			total, _ := f.s.TotalMinutes(ctx, x.ID)
			hours, _ := f.s.Hours(ctx, x.ID)
			var byProject int64
			for _, h := range hours {
				byProject += h.Minutes
			}
			if total != sum || byProject != sum {
				t.Errorf("volunteer %d: total %d, by project %d, sum of attendances %d", x.ID, total, byProject, sum)
			}
		}
		if total, _ := f.s.TotalMinutes(ctx, v.ID); total != 230+81 {
			t.Errorf("v's total %d, want 311", total)
		}
	})
}

// TestCheckInCodeRotates: a code works in its period and the next, not after, and not for
// another activity; the location check accepts a phone inside the radius only.
func TestCheckInCodeRotates(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		v := f.volunteer(t, 4)
		a := f.activity(t, "2026-03-01 10:00", "2026-03-01 12:00", 3)
		other := f.activity(t, "2026-03-01 10:00", "2026-03-01 12:30", 3)
		if _, err := f.s.SignUpFor(ctx, towns, a.Roles[0].ID, v, staff); err != nil {
			t.Fatal(err)
		}
		shown := at("2026-03-01 10:00")
		code, until, err := f.s.CheckInCode(ctx, a.ID, shown)
		if err != nil || !until.After(shown) || until.Sub(shown) > volunteers.CodePeriod {
			t.Fatalf("code %q until %v: %v", code, until, err)
		}
		otherCode, _, _ := f.s.CheckInCode(ctx, other.ID, shown)
		f.clk.Set(shown.Add(10 * time.Second))
		if _, err := f.s.CheckInOut(ctx, towns, a.ID, v, volunteers.Proof{Code: otherCode}, staff); problem.FieldOf(err) != "code" {
			t.Errorf("another activity's code: %v", err)
		}
		f.clk.Set(shown.Add(2 * volunteers.CodePeriod))
		if _, err := f.s.CheckInOut(ctx, towns, a.ID, v, volunteers.Proof{Code: code}, staff); problem.FieldOf(err) != "code" {
			t.Errorf("a code two periods old: %v, want refused", err)
		}
		far, near, lng := 31.2190, 31.2095, 121.3620
		if _, err := f.s.CheckInOut(ctx, towns, a.ID, v, volunteers.Proof{Lat: &far, Lng: &lng}, staff); problem.FieldOf(err) != "lat" {
			t.Errorf("1 km away: %v, want refused", err)
		}
		sc, err := f.s.CheckInOut(ctx, towns, a.ID, v, volunteers.Proof{Lat: &near, Lng: &lng}, staff)
		if err != nil || sc.Action != "check_in" || sc.Attendance.CheckInBy != volunteers.ByLocation {
			t.Errorf("55 m away: %+v, %v", sc, err)
		}
	})
}

// TestCertificateVerification: a certificate carries the rules' fields and verifies through its
// code; a forged code, a number with another's code, and a made-up number are refused alike.
func TestCertificateVerification(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		v := f.volunteer(t, 5)
		a := f.activity(t, "2026-03-01 10:00", "2026-03-01 12:00", 3)
		if _, err := f.s.SignUpFor(ctx, towns, a.Roles[0].ID, v, staff); err != nil {
			t.Fatal(err)
		}
		for _, when := range []string{"2026-03-01 10:05", "2026-03-01 11:35"} {
			f.clk.Set(at(when))
			code, _, _ := f.s.CheckInCode(ctx, a.ID, f.clk.Now())
			if _, err := f.s.CheckInOut(ctx, towns, a.ID, v, volunteers.Proof{Code: code}, staff); err != nil {
				t.Fatal(err)
			}
		}
		f.clk.Set(at("2026-03-08 11:36")) // the 7-day 公示 has passed
		if _, err := f.s.Issue(ctx, towns, volunteers.IssueRequest{VolunteerID: v.ID, From: "2026-04-01", To: "2026-04-30"}, staff); problem.FieldOf(err) != "to" {
			t.Errorf("a period without hours: %v", err)
		}
		c, err := f.s.Issue(ctx, towns, volunteers.IssueRequest{VolunteerID: v.ID, From: "2026-01-01", To: "2026-12-31"}, staff)
		if err != nil {
			t.Fatal(err)
		}
		if c.Minutes != 90 || c.Hours() != "1.5" || c.IDMasked != volunteers.MaskID(idNumber(5)) || c.VolunteerNumber != v.Number ||
			c.Issuer == "" || c.PersonInCharge == "" || c.Contact == "" || !strings.Contains(c.Content, "泾彩悦读") || !strings.HasPrefix(c.Number, xj+"-2026-C") {
			t.Errorf("certificate %+v", c)
		}
		p, err := f.s.Verify(ctx, c.Number, c.Code)
		if err != nil || p.Hours != "1.5" || p.VolunteerNumber != v.Number || strings.Contains(p.Name, "5") == false && p.Name == v.Name {
			t.Errorf("verify: %+v, %v", p, err)
		}
		if p.Name == v.Name || p.IDMasked != c.IDMasked {
			t.Errorf("public view shows %q / %q; want the name masked and only the masked ID", p.Name, p.IDMasked)
		}
		forged := []struct{ number, code string }{
			{c.Number, strings.Repeat("A", 12)},
			{strings.Replace(c.Number, "C000001", "C000002", 1), c.Code},
			{xj + "-2026-C999999", c.Code},
			{c.Number, ""},
		}
		for _, x := range forged {
			if _, err := f.s.Verify(ctx, x.number, x.code); !volunteers.Forged(err) {
				t.Errorf("forged %s?c=%s: %v, want refused", x.number, x.code, err)
			}
		}
	})
}

// TestConcurrentSignUp: 20 volunteers sign up at once for 5 places through the capacity engine:
// exactly 5 confirmed, 15 waiting; a cancellation promotes the first waiting one, who is told.
func TestConcurrentSignUp(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		a := f.activity(t, "2026-03-20 09:00", "2026-03-20 11:00", 5)
		var vs []volunteers.Volunteer
		for i := 0; i < 20; i++ {
			vs = append(vs, f.volunteer(t, 100+i))
		}
		var wg sync.WaitGroup
		errs := make([]error, len(vs))
		for i, v := range vs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = f.s.SignUpFor(ctx, towns, a.Roles[0].ID, v, staff)
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("sign-up %d: %v", i, err)
			}
		}
		counts, err := capacity.Count(ctx, f.db, a.Roles[0].PoolID)
		if err != nil || counts.Claims[capacity.StateConfirmed] != 5 || counts.Claims[capacity.StateWaiting] != 15 {
			t.Fatalf("counts %+v, %v", counts, err)
		}
		roster, err := f.s.Roster(ctx, towns, a.ID)
		if err != nil || len(roster) != 20 || roster[5].Position != 1 {
			t.Fatalf("roster of %d, %v", len(roster), err)
		}
		var confirmed volunteers.Volunteer
		for _, v := range vs {
			if v.ID == roster[0].VolunteerID {
				confirmed = v
			}
		}
		if err := f.s.CancelSignUp(ctx, towns, a.ID, confirmed, staff); err != nil {
			t.Fatal(err)
		}
		after, _ := f.s.Roster(ctx, towns, a.ID)
		promoted := roster[5].VolunteerID
		for _, e := range after {
			if e.VolunteerID == promoted && e.State != capacity.StateHeld {
				t.Errorf("first waiting %d is %s after a cancellation, want offered the place (held)", promoted, e.State)
			}
		}
		if _, err := f.s.SignUpFor(ctx, towns, a.Roles[0].ID, vs[3], staff); !errors.Is(err, problem.ErrConflict) {
			t.Errorf("second sign-up: %v", err)
		}
	})
}

// TestRemindersOnce: confirmed volunteers with an account are reminded once, within a day of the start.
func TestRemindersOnce(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		u, err := auth.UserByUsername(ctx, f.db, "volunteer")
		if err != nil {
			t.Fatal(err)
		}
		v, err := f.s.Register(ctx, towns, volunteers.Application{Name: "周根宝", IDType: volunteers.IDResident, IDNumber: idNumber(9), Phone: "13900000000"}, u.ID, staff)
		if err != nil {
			t.Fatal(err)
		}
		v, _ = f.s.Decide(ctx, towns, v.ID, true, "", staff)
		a := f.activity(t, "2026-03-03 09:00", "2026-03-03 11:00", 3)
		if _, err := f.s.SignUpFor(ctx, towns, a.Roles[0].ID, v, staff); err != nil {
			t.Fatal(err)
		}
		if n, _ := f.s.SendReminders(ctx); n != 0 {
			t.Errorf("reminded %d two days ahead", n)
		}
		f.clk.Set(at("2026-03-02 10:00"))
		for i, want := range []int{1, 0} {
			if n, err := f.s.SendReminders(ctx); n != want || err != nil {
				t.Errorf("round %d: reminded %d, %v; want %d", i, n, err, want)
			}
		}
		var k int
		if err := f.db.QueryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = ? AND kind = 'volunteer_reminder'`, u.ID).Scan(&k); err != nil || k != 1 {
			t.Errorf("%d reminder notices, %v", k, err)
		}
	})
}

// TestExportYear: the year's workbook has the service records (whole ID numbers, the national
// system's fields first), one row per credited attendance, no formula cells, and the export is audited.
func TestExportYear(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		v := f.volunteer(t, 6)
		a := f.activity(t, "2026-03-01 10:00", "2026-03-01 12:00", 3)
		if _, err := f.s.SignUpFor(ctx, towns, a.Roles[0].ID, v, staff); err != nil {
			t.Fatal(err)
		}
		for _, when := range []string{"2026-03-01 10:00", "2026-03-01 11:00"} {
			f.clk.Set(at(when))
			code, _, _ := f.s.CheckInCode(ctx, a.ID, f.clk.Now())
			if _, err := f.s.CheckInOut(ctx, towns, a.ID, v, volunteers.Proof{Code: code}, staff); err != nil {
				t.Fatal(err)
			}
		}
		f.clk.Set(at("2026-03-08 11:00")) // the 7-day 公示 has passed
		var buf bytes.Buffer
		n, err := f.s.ExportYear(ctx, towns, xj, 2026, &buf, staff)
		if err != nil || n != 1 {
			t.Fatalf("export: %d, %v", n, err)
		}
		x, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := x.GetRows("服务记录")
		if err != nil || len(rows) != 2 {
			t.Fatalf("rows %v, %v", rows, err)
		}
		if strings.Join(rows[0], ",") != strings.Join(volunteers.ExportColumns, ",") || rows[1][2] != idNumber(6) || rows[1][8] != "1.0" {
			t.Errorf("export rows %q", rows)
		}
		var k int
		if err := f.db.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'export' AND entity = 'volunteer'`).Scan(&k); err != nil || k != 1 {
			t.Errorf("%d export audit rows, %v", k, err)
		}
	})
}
