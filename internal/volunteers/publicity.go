package volunteers

import (
	"context"
	"fmt"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
)

// PublicityPeriod is the 公示期 of recorded hours: an attendance's credited figure is visible to
// the team (roster, the volunteer's record) as pending for this long after it was set, during
// which the volunteer or the activity's lead may object; it then becomes final and counts towards
// totals, certificates and statistics. State is computed from published_at and the open
// objection, so nothing has to run at the 7-day mark.
const PublicityPeriod = 7 * 24 * time.Hour

// Final reports whether the attendance's figure counts at now: published more than
// PublicityPeriod ago and no objection open.
func (a Attendance) Final(now time.Time) bool {
	return a.PublishedAt != nil && !a.PublishedAt.Add(PublicityPeriod).After(now) && a.Objection == ""
}

// Pending reports whether the figure is in its 公示 (set, not final).
func (a Attendance) Pending(now time.Time) bool { return a.PublishedAt != nil && !a.Final(now) }

// PublicUntil is the end of the 公示 (nil without a figure).
func (a Attendance) PublicUntil() *time.Time {
	if a.PublishedAt == nil {
		return nil
	}
	t := a.PublishedAt.Add(PublicityPeriod)
	return &t
}

func (a Attendance) publicity(now time.Time) string {
	switch {
	case a.PublishedAt == nil:
		return ""
	case a.Objection != "":
		return "objected"
	case a.Final(now):
		return "final"
	}
	return "pending"
}

// Counted is the minutes the attendance counts for at now: Credited once final, else 0.
func (a Attendance) Counted(now time.Time) int {
	if !a.Final(now) {
		return 0
	}
	return a.Credited()
}

// counted is Counted in SQL over the attendance alias t at the service's now, for sums. The
// cut-off is a number the server computes, never user input.
func (s *Service) counted(t string) string {
	cut := store.Millis(s.now().Add(-PublicityPeriod))
	return fmt.Sprintf(`CASE WHEN %[1]s.published_at IS NOT NULL AND %[1]s.published_at <= %[2]d AND %[1]s.objection = '' THEN COALESCE(%[1]s.adjusted_minutes, %[1]s.minutes, 0) ELSE 0 END`, t, cut)
}

// Object records an objection to an attendance's figure during its 公示, by the volunteer it is
// for (volunteerID, the caller's own record) or the activity's lead (or staff). An objection
// keeps the figure out of the totals until the lead answers it: an adjustment (a new figure,
// published anew) or ResolveObjection (the figure stands).
func (s *Service) Object(ctx context.Context, towns []string, attendanceID int64, objection string, u auth.User, volunteerID int64, by audit.Actor) (Attendance, error) {
	objection, err := text("objection", objection, true, 300)
	if err != nil {
		return Attendance{}, err
	}
	return s.changeAttendance(ctx, towns, attendanceID, by, func(tx *store.Tx, cur Attendance, a Activity) (string, error) {
		if cur.VolunteerID != volunteerID && !MayLead(u, a) {
			return "", problem.Forbidden("only the volunteer or the activity's lead may object to these hours")
		}
		now := s.now()
		if !cur.Pending(now) || cur.Objection != "" {
			return "", problem.Conflict("objections are taken while the hours are in their 7-day publication, once")
		}
		if _, err := tx.Exec(ctx, `UPDATE vol_attendance SET objection = ?, objected_by = ?, objected_at = ? WHERE id = ?`, objection, store.NullIfZero(u.ID), store.Millis(now), cur.ID); err != nil {
			return "", err
		}
		// The lead answers it on the roster page: the notice links there.
		if a.LeadID != 0 && a.LeadID != u.ID {
			if _, err := tx.Exec(ctx, `INSERT INTO notifications (user_id, kind, text, link, created_at) VALUES (?, ?, ?, ?, ?)`, a.LeadID, KindObjection,
				fmt.Sprintf("「%s」有志愿者对服务时长提出异议：%s", a.Title, objection), LeadLink(a.ID), store.Millis(now)); err != nil {
				return "", fmt.Errorf("notify the lead of an objection: %w", err)
			}
		}
		return "objection to the published hours: " + objection, nil
	})
}

// The notices of an objection: to the lead when a volunteer objects, to the volunteer when it is
// answered (the figure kept, or adjusted).
const (
	KindObjection         = "vol_objection"
	KindObjectionAnswered = "vol_objection_answered"
)

// LeadLink is the lead's roster page of activity id, where objections are answered.
func LeadLink(id int64) string { return fmt.Sprintf("/volunteers/activities/%d/lead", id) }

// ReadLeadNotices marks user's notices of objections to activity id's hours read: the lead has
// opened the roster where they are answered.
func (s *Service) ReadLeadNotices(ctx context.Context, userID, activityID int64) error {
	_, err := s.DB.Exec(ctx, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL AND order_id IS NULL AND link = ?`,
		store.Millis(s.now()), userID, LeadLink(activityID))
	if err != nil {
		return fmt.Errorf("read objection notices of activity %d: %w", activityID, err)
	}
	return nil
}

// ResolveObjection answers an objection by keeping the figure, with a reason (the lead or
// staff; the caller checks MayLead). The figure then counts once its original 公示 has passed.
func (s *Service) ResolveObjection(ctx context.Context, towns []string, attendanceID int64, reason string, by audit.Actor) (Attendance, error) {
	reason, err := text("reason", reason, true, 200)
	if err != nil {
		return Attendance{}, err
	}
	return s.changeAttendance(ctx, towns, attendanceID, by, func(tx *store.Tx, cur Attendance, a Activity) (string, error) {
		if cur.Objection == "" {
			return "", problem.Conflict("no open objection")
		}
		if _, err := tx.Exec(ctx, `UPDATE vol_attendance SET objection = '', objected_by = NULL, objected_at = NULL WHERE id = ?`, cur.ID); err != nil {
			return "", err
		}
		if err := s.notifyVolunteer(ctx, tx, cur.VolunteerID, KindObjectionAnswered,
			fmt.Sprintf("您对「%s」服务时长的异议已处理：维持 %s 小时。理由：%s", a.Title, FormatHours(int64(cur.Credited())), reason)); err != nil {
			return "", err
		}
		return fmt.Sprintf("objection (%s) answered, figure kept: %s", cur.Objection, reason), nil
	})
}
