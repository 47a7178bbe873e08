package volunteers

import (
	"context"
	"crypto/hmac"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/capacity"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// How a check-in or check-out was made.
const (
	ByCode     = "code"     // the volunteer scanned the lead's rotating code
	ByLocation = "location" // the phone's position was inside the activity's place
	ByLead     = "lead"     // the lead recorded it (walk-in, a missing check-out confirmed)
)

// CodePeriod is how often the lead's check-in code changes. A code is accepted during its own
// period and the next one (so between CodePeriod and twice that), never later: a photo of
// yesterday's code, or of one a minute old, does not check anyone in.
const CodePeriod = 30 * time.Second

// EarlyCheckIn is how long before the start a volunteer may check in.
const EarlyCheckIn = time.Hour

// LateCheckOut is how long after the end a volunteer may still check out themselves; after it a
// missing check-out waits for the lead.
const LateCheckOut = 2 * time.Hour

// Attendance is a volunteer's attendance at an activity and the minutes it earns.
type Attendance struct {
	ID          int64      `json:"id"`
	ActivityID  int64      `json:"activity_id"`
	VolunteerID int64      `json:"volunteer_id"`
	Number      string     `json:"number"`
	Name        string     `json:"name"`
	Phone       string     `json:"phone"`
	Role        string     `json:"role,omitempty"`
	CheckIn     time.Time  `json:"check_in"`
	CheckInBy   string     `json:"check_in_by"`
	CheckOut    *time.Time `json:"check_out,omitempty"`
	CheckOutBy  string     `json:"check_out_by,omitempty"`
	// Minutes is what the hours rule gives for the actual check-in and check-out (nil while the
	// check-out is missing: no hours until it is recorded).
	Minutes  *int   `json:"minutes,omitempty"`
	Adjusted *int   `json:"adjusted_minutes,omitempty"`
	Reason   string `json:"adjust_reason,omitempty"`
	WalkIn   bool   `json:"walk_in"`
	// PublishedAt is when the credited figure was set and its 公示 began (nil: no figure yet);
	// Objection an open objection to it.
	PublishedAt *time.Time `json:"published_at,omitempty"`
	Objection   string     `json:"objection,omitempty"`
	// Publicity is the figure's state when read: "" (no figure yet), "pending" (in its 公示),
	// "objected" or "final".
	Publicity string `json:"publicity,omitempty"`
}

// Credited is the minutes the attendance counts for: the adjustment when there is one, else the
// computed minutes, else 0 (no check-out yet).
func (a Attendance) Credited() int {
	if a.Adjusted != nil {
		return *a.Adjusted
	}
	if a.Minutes != nil {
		return *a.Minutes
	}
	return 0
}

// MissingCheckOut reports whether the attendance still waits for a check-out.
func (a Attendance) MissingCheckOut() bool { return a.CheckOut == nil }

// ServiceMinutes is the hours rule: the minutes between the actual check-in and check-out,
// clipped to the activity's planned time (arriving early or leaving late adds nothing; arriving
// late or leaving early counts only the time present), rounded down to whole minutes; never
// negative. Timestamps are absolute, so an activity across midnight counts the same way.
func ServiceMinutes(in, out, start, end time.Time) int {
	from, to := in, out
	if from.Before(start) {
		from = start
	}
	if to.After(end) {
		to = end
	}
	if !to.After(from) {
		return 0
	}
	return int(to.Sub(from) / time.Minute)
}

// CheckInCode returns the code the lead shows for activity id at t, and the time it stops being
// shown (the next code takes over then).
func (s *Service) CheckInCode(ctx context.Context, activityID int64, t time.Time) (string, time.Time, error) {
	k, err := keysFor(ctx, s.DB)
	if err != nil {
		return "", time.Time{}, err
	}
	w := t.Unix() / int64(CodePeriod/time.Second)
	return codeFor(k, activityID, w), time.Unix((w+1)*int64(CodePeriod/time.Second), 0), nil
}

func codeFor(k *keys, activityID, window int64) string {
	return strconv.FormatInt(window, 36) + "." + mac(k.checkin, fmt.Sprintf("%d:%d", activityID, window), 16)
}

// validCode reports whether code is activity id's code of the current or the previous period.
func (s *Service) validCode(ctx context.Context, activityID int64, code string) (bool, error) {
	k, err := keysFor(ctx, s.DB)
	if err != nil {
		return false, err
	}
	ws, _, ok := strings.Cut(code, ".")
	w, err := strconv.ParseInt(ws, 36, 64)
	if !ok || err != nil {
		return false, nil
	}
	now := s.now().Unix() / int64(CodePeriod/time.Second)
	if w != now && w != now-1 {
		return false, nil
	}
	return hmac.Equal([]byte(code), []byte(codeFor(k, activityID, w))), nil
}

// Proof is how a volunteer proves presence: the lead's code, or the phone's position.
type Proof struct {
	Code string   `json:"code"`
	Lat  *float64 `json:"lat"`
	Lng  *float64 `json:"lng"`
}

// distanceM is the great-circle distance in metres.
func distanceM(lat1, lng1, lat2, lng2 float64) float64 {
	const r = 6371000
	p1, p2 := lat1*math.Pi/180, lat2*math.Pi/180
	dp, dl := (lat2-lat1)*math.Pi/180, (lng2-lng1)*math.Pi/180
	h := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * r * math.Asin(math.Sqrt(h))
}

// prove checks a proof for activity a and says how it was made.
func (s *Service) prove(ctx context.Context, a Activity, p Proof) (string, error) {
	if p.Code != "" {
		ok, err := s.validCode(ctx, a.ID, p.Code)
		if err != nil {
			return "", err
		}
		if !ok {
			return "", problem.Field("code", "the code has expired or is not this activity's: scan the code the lead shows now")
		}
		return ByCode, nil
	}
	if p.Lat == nil || p.Lng == nil {
		return "", problem.Field("code", "scan the lead's code or share your location")
	}
	if a.Lat == nil || a.Lng == nil {
		return "", problem.Field("lat", "this activity has no place on the map: scan the lead's code")
	}
	if d := distanceM(*p.Lat, *p.Lng, *a.Lat, *a.Lng); d > float64(a.RadiusM) {
		return "", problem.Field("lat", "you are %.0f m from the activity's place; within %d m checks in", d, a.RadiusM)
	}
	return ByLocation, nil
}

// Scan is the result of a volunteer's scan: a check-in, or a check-out when checked in already.
type Scan struct {
	Action     string     `json:"action"` // "check_in" or "check_out"
	Attendance Attendance `json:"attendance"`
}

// CheckInOut checks volunteer v in at activity id with proof, or out when v is checked in
// already. Check-in needs a confirmed sign-up (walk-ins are recorded by the lead) and is open from
// EarlyCheckIn before the start to the end; check-out until LateCheckOut after the end.
func (s *Service) CheckInOut(ctx context.Context, towns []string, activityID int64, v Volunteer, p Proof, by audit.Actor) (Scan, error) {
	var out Scan
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		a, err := s.activity(ctx, tx, towns, activityID)
		if err != nil {
			return err
		}
		if a.TownCode != v.TownCode || v.Status != StatusApproved {
			return problem.Forbidden("only approved volunteers of the town check in")
		}
		if a.Status != ActivityOpen {
			return problem.Conflict("the activity is cancelled")
		}
		how, err := s.prove(ctx, a, p)
		if err != nil {
			return err
		}
		now := s.now()
		cur, err := s.attendanceOf(ctx, tx, activityID, v.ID)
		if err != nil && !errors.Is(err, problem.ErrNotFound) {
			return err
		}
		if err == nil {
			if cur.CheckOut != nil {
				return problem.Conflict("checked out already at %s", cur.CheckOut.In(workcal.Location()).Format("15:04"))
			}
			if now.After(a.End.Add(LateCheckOut)) {
				return problem.Conflict("too late to check out: the lead confirms your check-out")
			}
			min := ServiceMinutes(cur.CheckIn, now, a.Start, a.End)
			if _, err := tx.Exec(ctx, `UPDATE vol_attendance SET check_out_at = ?, check_out_by = ?, minutes = ?, published_at = ? WHERE id = ?`, store.Millis(now), how, min, store.Millis(now), cur.ID); err != nil {
				return err
			}
			out.Action = "check_out"
			if err := by.Record(ctx, tx, audit.Entry{Action: audit.ActionUpdate, Entity: "vol_attendance", EntityID: fmt.Sprint(cur.ID), TownCode: a.TownCode,
				Detail: fmt.Sprintf("check-out by %s: %d min", how, min)}); err != nil {
				return err
			}
		} else {
			if now.Before(a.Start.Add(-EarlyCheckIn)) || !now.Before(a.End) {
				return problem.Conflict("check-in opens %s before the start and closes at the end", EarlyCheckIn)
			}
			c, r, err := liveClaimOn(ctx, tx, a, v.ID)
			if err != nil {
				return err
			}
			if c.ID == 0 || (c.State != capacity.StateConfirmed && c.State != capacity.StateNoShow) {
				return problem.Conflict("no confirmed sign-up for this activity: ask the lead to record you as a walk-in")
			}
			if _, _, err := s.engine().CheckIn(ctx, tx, c.ID); err != nil {
				return err
			}
			var id int64
			if err := tx.QueryRow(ctx, `INSERT INTO vol_attendance (activity_id, volunteer_id, role_id, check_in_at, check_in_by) VALUES (?, ?, ?, ?, ?) RETURNING id`,
				activityID, v.ID, r.ID, store.Millis(now), how).Scan(&id); err != nil {
				return err
			}
			out.Action = "check_in"
			if err := by.Record(ctx, tx, audit.Entry{Action: audit.ActionCreate, Entity: "vol_attendance", EntityID: fmt.Sprint(id), TownCode: a.TownCode,
				Detail: "check-in by " + how}); err != nil {
				return err
			}
		}
		out.Attendance, err = s.attendanceOf(ctx, tx, activityID, v.ID)
		return err
	})
	return out, err
}

// WalkIn records a volunteer who came without signing up, checked in now by the lead. The walk-in
// takes a free place of the role when there is one (the engine), and is recorded either way.
func (s *Service) WalkIn(ctx context.Context, towns []string, activityID int64, number string, roleID int64, by audit.Actor) (Attendance, error) {
	number = strings.TrimSpace(number)
	var out Attendance
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		a, err := s.activity(ctx, tx, towns, activityID)
		if err != nil {
			return err
		}
		var vid int64
		var status string
		err = tx.QueryRow(ctx, `SELECT id, status FROM volunteers WHERE town_code = ? AND number = ?`, a.TownCode, number).Scan(&vid, &status)
		if errors.Is(err, sql.ErrNoRows) || err == nil && status != StatusApproved {
			return problem.Field("number", "no approved volunteer with the number %q in the town", number)
		}
		if err != nil {
			return err
		}
		var role *Role
		for i := range a.Roles {
			if a.Roles[i].ID == roleID || roleID == 0 && i == 0 {
				role = &a.Roles[i]
			}
		}
		if role == nil {
			return problem.Field("role_id", "not a role of the activity")
		}
		if _, err := s.attendanceOf(ctx, tx, activityID, vid); err == nil {
			return problem.Conflict("the volunteer is checked in already")
		}
		c, _, err := liveClaimOn(ctx, tx, a, vid)
		if err != nil {
			return err
		}
		if c.ID == 0 {
			c, _, err = s.engine().Claim(ctx, tx, capacity.ClaimRequest{PoolID: role.PoolID, HolderKind: capacity.HolderUser, HolderRef: holderRef(vid), Size: 1, NoWait: true})
			if err != nil && !errors.Is(err, capacity.ErrFull) && !errors.Is(err, capacity.ErrClosed) {
				return err
			}
		}
		if c.ID != 0 && (c.State == capacity.StateConfirmed || c.State == capacity.StateNoShow) {
			if _, _, err := s.engine().CheckIn(ctx, tx, c.ID); err != nil {
				return err
			}
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO vol_attendance (activity_id, volunteer_id, role_id, check_in_at, check_in_by, walk_in) VALUES (?, ?, ?, ?, ?, 1) RETURNING id`,
			activityID, vid, role.ID, store.Millis(s.now()), ByLead).Scan(&id); err != nil {
			return err
		}
		if err := by.Record(ctx, tx, audit.Entry{Action: audit.ActionCreate, Entity: "vol_attendance", EntityID: fmt.Sprint(id), TownCode: a.TownCode,
			Detail: "walk-in " + number}); err != nil {
			return err
		}
		out, err = s.attendanceOf(ctx, tx, activityID, vid)
		return err
	})
	return out, err
}

// CheckOutFor records a check-out for an attendance by the lead: a missing check-out confirmed
// (the volunteer forgot, or the phone died), at the time the lead states, with a reason; the
// minutes follow the hours rule.
func (s *Service) CheckOutFor(ctx context.Context, towns []string, attendanceID int64, at time.Time, reason string, by audit.Actor) (Attendance, error) {
	reason, err := text("reason", reason, true, 200)
	if err != nil {
		return Attendance{}, err
	}
	return s.changeAttendance(ctx, towns, attendanceID, by, func(tx *store.Tx, cur Attendance, a Activity) (string, error) {
		if cur.CheckOut != nil {
			return "", problem.Conflict("checked out already: adjust the minutes instead")
		}
		if !at.After(cur.CheckIn) {
			return "", problem.Field("at", "after the check-in (%s)", cur.CheckIn.In(workcal.Location()).Format("2006-01-02 15:04"))
		}
		if at.After(s.now()) {
			return "", problem.Field("at", "not in the future")
		}
		min := ServiceMinutes(cur.CheckIn, at, a.Start, a.End)
		if _, err := tx.Exec(ctx, `UPDATE vol_attendance SET check_out_at = ?, check_out_by = ?, minutes = ?, published_at = ? WHERE id = ?`, store.Millis(at), ByLead, min, store.Millis(s.now()), cur.ID); err != nil {
			return "", err
		}
		return fmt.Sprintf("check-out confirmed by the lead at %s: %d min; reason: %s", at.Format(time.RFC3339), min, reason), nil
	})
}

// MaxAdjustMinutes bounds an adjustment (a day).
const MaxAdjustMinutes = 24 * 60

// Adjust sets the minutes an attendance counts for, replacing what the rule computed, with a
// reason; the audit row keeps the old and new figures and the reason.
func (s *Service) Adjust(ctx context.Context, towns []string, attendanceID int64, minutes int, reason string, by audit.Actor) (Attendance, error) {
	reason, err := text("reason", reason, true, 200)
	if err != nil {
		return Attendance{}, err
	}
	if minutes < 0 || minutes > MaxAdjustMinutes {
		return Attendance{}, problem.Field("minutes", "between 0 and %d", MaxAdjustMinutes)
	}
	return s.changeAttendance(ctx, towns, attendanceID, by, func(tx *store.Tx, cur Attendance, a Activity) (string, error) {
		// A new figure is published anew (公示 restarts) and answers any open objection.
		if _, err := tx.Exec(ctx, `UPDATE vol_attendance SET adjusted_minutes = ?, adjust_reason = ?, adjusted_by = ?, published_at = ?, objection = '', objected_by = NULL, objected_at = NULL WHERE id = ?`,
			minutes, reason, store.NullIfZero(by.ID), store.Millis(s.now()), cur.ID); err != nil {
			return "", err
		}
		if cur.Objection != "" {
			if err := s.notifyVolunteer(ctx, tx, cur.VolunteerID, KindObjectionAnswered,
				fmt.Sprintf("您对「%s」服务时长的异议已处理：调整为 %s 小时，重新公示 7 天。理由：%s", a.Title, FormatHours(int64(minutes)), reason)); err != nil {
				return "", err
			}
		}
		return fmt.Sprintf("minutes adjusted %d → %d; reason: %s", cur.Credited(), minutes, reason), nil
	})
}

// changeAttendance reads attendance id of towns and its activity and runs change on them in one
// transaction; change returns the audit detail of what it did, recorded in the same transaction.
// It returns the attendance as it then stands.
func (s *Service) changeAttendance(ctx context.Context, towns []string, id int64, by audit.Actor, change func(tx *store.Tx, cur Attendance, a Activity) (string, error)) (Attendance, error) {
	var out Attendance
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		cur, a, err := s.attendanceByID(ctx, tx, towns, id)
		if err != nil {
			return err
		}
		detail, err := change(tx, cur, a)
		if err != nil {
			return err
		}
		if err := by.Record(ctx, tx, audit.Entry{Action: audit.ActionUpdate, Entity: "vol_attendance", EntityID: fmt.Sprint(cur.ID), TownCode: a.TownCode, Detail: detail}); err != nil {
			return err
		}
		out, err = s.attendanceOf(ctx, tx, cur.ActivityID, cur.VolunteerID)
		return err
	})
	return out, err
}

const attendanceCols = `t.id, t.activity_id, t.volunteer_id, COALESCE(v.number, ''), v.name, v.phone, COALESCE(r.name, ''), t.check_in_at, t.check_in_by, t.check_out_at, t.check_out_by,
	t.minutes, t.adjusted_minutes, t.adjust_reason, t.walk_in, t.published_at, t.objection`
const attendanceFrom = ` FROM vol_attendance t JOIN volunteers v ON v.id = t.volunteer_id LEFT JOIN vol_roles r ON r.id = t.role_id`

func scanAttendance(r interface{ Scan(...any) error }) (Attendance, error) {
	var a Attendance
	err := scanAttendanceInto(r, &a)
	return a, err
}

// scanAttendanceInto scans attendanceCols into a, and then the columns after them into more.
func scanAttendanceInto(r interface{ Scan(...any) error }, a *Attendance, more ...any) error {
	var in int64
	var out, min, adj, pub sql.NullInt64
	var walk int
	err := r.Scan(append([]any{&a.ID, &a.ActivityID, &a.VolunteerID, &a.Number, &a.Name, &a.Phone, &a.Role, &in, &a.CheckInBy, &out, &a.CheckOutBy, &min, &adj, &a.Reason, &walk,
		&pub, &a.Objection}, more...)...)
	if pub.Valid {
		t := store.FromMillis(pub.Int64)
		a.PublishedAt = &t
	}
	a.CheckIn, a.WalkIn = store.FromMillis(in), walk == 1
	if out.Valid {
		t := store.FromMillis(out.Int64)
		a.CheckOut = &t
	}
	if min.Valid {
		m := int(min.Int64)
		a.Minutes = &m
	}
	if adj.Valid {
		m := int(adj.Int64)
		a.Adjusted = &m
	}
	return err
}

func (s *Service) attendanceOf(ctx context.Context, q store.Querier, activityID, volunteerID int64) (Attendance, error) {
	a, err := scanAttendance(q.QueryRow(ctx, `SELECT `+attendanceCols+attendanceFrom+` WHERE t.activity_id = ? AND t.volunteer_id = ?`, activityID, volunteerID))
	if errors.Is(err, sql.ErrNoRows) {
		return Attendance{}, problem.NotFound("attendance")
	}
	return a, err
}

// attendanceByID reads an attendance of towns and its activity.
func (s *Service) attendanceByID(ctx context.Context, q store.Querier, towns []string, id int64) (Attendance, Activity, error) {
	at, err := scanAttendance(q.QueryRow(ctx, `SELECT `+attendanceCols+attendanceFrom+` WHERE t.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Attendance{}, Activity{}, problem.NotFound("attendance %d", id)
	}
	if err != nil {
		return Attendance{}, Activity{}, err
	}
	a, err := s.activity(ctx, q, towns, at.ActivityID)
	if err != nil {
		return Attendance{}, Activity{}, problem.NotFound("attendance %d", id)
	}
	return at, a, nil
}

// AttendanceActivity returns the activity of attendance id of towns (for the lead's check).
func (s *Service) AttendanceActivity(ctx context.Context, towns []string, id int64) (Activity, error) {
	_, a, err := s.attendanceByID(ctx, s.DB, towns, id)
	return a, err
}

// Attendances lists the attendance of an activity of towns.
func (s *Service) Attendances(ctx context.Context, towns []string, activityID int64) ([]Attendance, error) {
	if _, err := s.Activity(ctx, towns, activityID); err != nil {
		return nil, err
	}
	return store.Collect(ctx, s.DB, func(r *sql.Rows) (Attendance, error) {
		a, err := scanAttendance(r)
		a.Publicity = a.publicity(s.now())
		return a, err
	}, `SELECT `+attendanceCols+attendanceFrom+` WHERE t.activity_id = ? ORDER BY t.check_in_at, t.id`, activityID)
}
