package volunteers

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/volunteers"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// shownVolunteers masks the phones of vs unless the caller may see volunteers' data whole
// (privacy.Volunteers); what was shown whole is written in one audit row before the response.
func (s *handlers) shownVolunteers(r *http.Request, c *kit.Caller, vs []volunteers.Volunteer) ([]volunteers.Volunteer, error) {
	shown := kit.ShownLog(r, privacy.Volunteers)
	vs = maskVolunteers(r, c, vs, shown)
	return vs, s.RecordShown(r, c, shown)
}

// maskVolunteers masks the phones of vs the caller may not see whole and adds those shown whole
// to shown; the caller records it once for the response.
func maskVolunteers(r *http.Request, c *kit.Caller, vs []volunteers.Volunteer, shown *privacy.Log) []volunteers.Volunteer {
	v := kit.Viewer(r, c)
	for i := range vs {
		if v.Whole(privacy.Volunteers, privacy.Facts{Town: vs[i].TownCode, Own: vs[i].UserID != 0 && vs[i].UserID == c.User.ID}) {
			if vs[i].UserID != c.User.ID {
				shown.Add(fmt.Sprint(vs[i].ID), vs[i].TownCode)
			}
			continue
		}
		vs[i].Phone = privacy.MaskPhone(vs[i].Phone)
	}
	return vs
}

// shownRoster masks the roster's phones the same way.
func (s *handlers) shownRoster(r *http.Request, c *kit.Caller, town string, es []volunteers.RosterEntry) ([]volunteers.RosterEntry, error) {
	v := kit.Viewer(r, c)
	shown := kit.ShownLog(r, privacy.Volunteers)
	whole := v.Whole(privacy.Volunteers, privacy.Facts{Town: town})
	for i := range es {
		if whole {
			shown.Add(fmt.Sprint(es[i].VolunteerID), town)
			continue
		}
		es[i].Phone = privacy.MaskPhone(es[i].Phone)
		if es[i].Attendance != nil {
			a := *es[i].Attendance
			a.Phone = privacy.MaskPhone(a.Phone)
			es[i].Attendance = &a
		}
	}
	return es, s.RecordShown(r, c, shown)
}

// revealID returns volunteer v's whole ID number when the caller may see it (privacy.Volunteers),
// added to shown (the response's one audit row); "" otherwise.
func (s *handlers) revealID(r *http.Request, c *kit.Caller, v volunteers.Volunteer, shown *privacy.Log) (string, error) {
	own := v.UserID != 0 && v.UserID == c.User.ID
	if !kit.Viewer(r, c).Whole(privacy.Volunteers, privacy.Facts{Town: v.TownCode, Own: own}) {
		return "", nil
	}
	n, err := s.svc().IDNumber(r.Context(), c.Towns, v.ID)
	if err != nil {
		return "", err
	}
	if !own {
		shown.Add(fmt.Sprint(v.ID)+" id_number", v.TownCode)
	}
	return n, nil
}

// me is the caller's own registration (problem.ErrNotFound when none).
func (s *handlers) me(r *http.Request, c *kit.Caller) (volunteers.Volunteer, error) {
	return s.svc().Of(r.Context(), c.Towns, c.User)
}

func (s *handlers) apiProjects(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	ps, err := s.svc().Projects(r.Context(), c.Towns)
	if err != nil {
		return err
	}
	teams, err := s.svc().Teams(r.Context(), c.Towns)
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"projects": ps, "teams": teams})
	return nil
}

func (s *handlers) apiCreateProject(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var in volunteers.Project
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	if in.TownCode == "" {
		in.TownCode = c.User.TownCode
	}
	p, err := s.svc().AddProject(r.Context(), c.Towns, in, kit.AuditActor(r, c))
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusCreated, p)
	return nil
}

func (s *handlers) apiVolunteers(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	q := r.URL.Query()
	vs, err := s.svc().List(r.Context(), c.Towns, volunteers.Filter{Status: q.Get("status"), Query: q.Get("q")})
	if err != nil {
		return err
	}
	if vs, err = s.shownVolunteers(r, c, vs); err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"volunteers": vs, "number_format": volunteers.NumberFormat})
	return nil
}

func (s *handlers) apiRegister(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var in volunteers.Application
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	v, err := s.svc().Register(r.Context(), c.Towns, in, c.User.ID, kit.AuditActor(r, c))
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusCreated, v)
	return nil
}

func (s *handlers) apiMe(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	v, err := s.me(r, c)
	if err != nil {
		return err
	}
	hours, err := s.svc().Hours(r.Context(), v.ID)
	if err != nil {
		return err
	}
	sus, err := s.svc().SignUps(r.Context(), v)
	if err != nil {
		return err
	}
	certs, err := s.svc().Certificates(r.Context(), v.ID)
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"volunteer": v, "hours": hours, "signups": sus, "certificates": certs})
	return nil
}

func (s *handlers) apiVolunteer(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	v, err := s.svc().Get(r.Context(), c.Towns, id)
	if err != nil {
		return err
	}
	out := map[string]any{}
	shown := kit.ShownLog(r, privacy.Volunteers)
	if r.URL.Query().Get("reveal") == "id_number" {
		n, err := s.revealID(r, c, v, shown)
		if err != nil {
			return err
		}
		if n == "" {
			return problem.Forbidden("your role may not see whole ID numbers")
		}
		out["id_number"] = n
	}
	vs := maskVolunteers(r, c, []volunteers.Volunteer{v}, shown)
	if err := s.RecordShown(r, c, shown); err != nil {
		return err
	}
	hours, err := s.svc().Hours(r.Context(), v.ID)
	if err != nil {
		return err
	}
	recs, err := s.svc().Records(r.Context(), v.ID)
	if err != nil {
		return err
	}
	out["volunteer"], out["hours"], out["records"] = vs[0], hours, recs
	kit.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (s *handlers) apiDecide(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Approve bool   `json:"approve"`
		Reason  string `json:"reason"`
	}
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	v, err := s.svc().Decide(r.Context(), c.Towns, id, in.Approve, in.Reason, kit.AuditActor(r, c))
	if err != nil {
		return err
	}
	vs, err := s.shownVolunteers(r, c, []volunteers.Volunteer{v})
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, vs[0])
	return nil
}

func (s *handlers) apiAddRecord(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	var in volunteers.Record
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	in.VolunteerID = id
	rec, err := s.svc().AddRecord(r.Context(), c.Towns, in, kit.AuditActor(r, c))
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusCreated, rec)
	return nil
}

// activityFilter reads ?project=&from=&to= (days, Shanghai).
func activityFilter(r *http.Request) (volunteers.ActivityFilter, error) {
	q := r.URL.Query()
	var f volunteers.ActivityFilter
	if p := q.Get("project"); p != "" {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return f, kit.BadRequest("project", "not a project id")
		}
		f.ProjectID = id
	}
	for _, x := range []struct {
		name string
		dst  *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := q.Get(x.name); v != "" {
			t, err := time.ParseInLocation("2006-01-02", v, workcal.Location())
			if err != nil {
				return f, kit.BadRequest(x.name, "a date (YYYY-MM-DD)")
			}
			*x.dst = t
		}
	}
	return f, nil
}

func (s *handlers) apiActivities(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	f, err := activityFilter(r)
	if err != nil {
		return err
	}
	as, err := s.svc().Activities(r.Context(), c.Towns, f)
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"activities": as})
	return nil
}

func (s *handlers) apiCreateActivity(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var in volunteers.NewActivity
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	a, err := s.svc().CreateActivity(r.Context(), c.Towns, in, kit.AuditActor(r, c))
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusCreated, a)
	return nil
}

func (s *handlers) apiActivity(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	a, err := s.svc().Activity(r.Context(), c.Towns, id)
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, a)
	return nil
}

func (s *handlers) apiCancelActivity(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	if _, err := s.leadActivity(r, c, id); err != nil {
		return err
	}
	if err := s.svc().CancelActivity(r.Context(), c.Towns, id, in.Reason, kit.AuditActor(r, c)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// roleOfActivity checks that role belongs to activity id.
func (s *handlers) roleOfActivity(r *http.Request, c *kit.Caller, id, role int64) error {
	a, err := s.svc().Activity(r.Context(), c.Towns, id)
	if err != nil {
		return err
	}
	for _, x := range a.Roles {
		if x.ID == role {
			return nil
		}
	}
	return problem.Field("role_id", "not a role of the activity")
}

func (s *handlers) apiSignUp(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		RoleID int64 `json:"role_id"`
	}
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	v, err := s.me(r, c)
	if err != nil {
		return err
	}
	if err := s.roleOfActivity(r, c, id, in.RoleID); err != nil {
		return err
	}
	su, err := s.svc().SignUpFor(r.Context(), c.Towns, in.RoleID, v, kit.AuditActor(r, c))
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusCreated, su)
	return nil
}

func (s *handlers) apiCancelSignUp(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	v, err := s.me(r, c)
	if err != nil {
		return err
	}
	if err := s.svc().CancelSignUp(r.Context(), c.Towns, id, v, kit.AuditActor(r, c)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *handlers) apiScan(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	var in volunteers.Proof
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	v, err := s.me(r, c)
	if err != nil {
		return err
	}
	sc, err := s.svc().CheckInOut(r.Context(), c.Towns, id, v, in, kit.AuditActor(r, c))
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, sc)
	return nil
}

// leadActivity is activity id when the caller leads it (its lead, or volunteers:manage).
func (s *handlers) leadActivity(r *http.Request, c *kit.Caller, id int64) (volunteers.Activity, error) {
	a, err := s.svc().Activity(r.Context(), c.Towns, id)
	if err != nil {
		return a, err
	}
	if !volunteers.MayLead(c.User, a) {
		return a, problem.Forbidden("only the activity's lead or volunteer staff (volunteers:manage) may do this")
	}
	return a, nil
}

// checkInURL is the address the lead's code opens on a volunteer's phone.
func checkInURL(r *http.Request, id int64, code string) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return fmt.Sprintf("%s://%s/volunteers/checkin?a=%d&c=%s", scheme, r.Host, id, url.QueryEscape(code))
}

func (s *handlers) apiCode(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.leadActivity(r, c, id); err != nil {
		return err
	}
	code, until, err := s.svc().CheckInCode(r.Context(), id, time.Now())
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	kit.WriteJSON(w, http.StatusOK, map[string]any{"code": code, "url": checkInURL(r, id, code), "expires": until, "period_seconds": int(volunteers.CodePeriod / time.Second)})
	return nil
}

func (s *handlers) apiRoster(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	a, err := s.leadActivity(r, c, id)
	if err != nil {
		return err
	}
	es, err := s.svc().Roster(r.Context(), c.Towns, id)
	if err != nil {
		return err
	}
	if es, err = s.shownRoster(r, c, a.TownCode, es); err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"roster": es})
	return nil
}

func (s *handlers) apiWalkIn(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Number string `json:"number"`
		RoleID int64  `json:"role_id"`
	}
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	if _, err := s.leadActivity(r, c, id); err != nil {
		return err
	}
	a, err := s.svc().WalkIn(r.Context(), c.Towns, id, in.Number, in.RoleID, kit.AuditActor(r, c))
	if err != nil {
		return err
	}
	a.Phone = privacy.MaskPhone(a.Phone)
	kit.WriteJSON(w, http.StatusCreated, a)
	return nil
}

// leadAttendance checks that the caller leads the activity of attendance id.
func (s *handlers) leadAttendance(r *http.Request, c *kit.Caller, id int64) error {
	a, err := s.svc().AttendanceActivity(r.Context(), c.Towns, id)
	if err != nil {
		return err
	}
	_, err = s.leadActivity(r, c, a.ID)
	return err
}

func (s *handlers) apiCheckOutFor(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		At     time.Time `json:"at"`
		Reason string    `json:"reason"`
	}
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.leadAttendance(r, c, id); err != nil {
		return err
	}
	a, err := s.svc().CheckOutFor(r.Context(), c.Towns, id, in.At, in.Reason, kit.AuditActor(r, c))
	if err != nil {
		return err
	}
	a.Phone = privacy.MaskPhone(a.Phone)
	kit.WriteJSON(w, http.StatusOK, a)
	return nil
}

func (s *handlers) apiAdjust(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Minutes int    `json:"minutes"`
		Reason  string `json:"reason"`
	}
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.leadAttendance(r, c, id); err != nil {
		return err
	}
	a, err := s.svc().Adjust(r.Context(), c.Towns, id, in.Minutes, in.Reason, kit.AuditActor(r, c))
	if err != nil {
		return err
	}
	a.Phone = privacy.MaskPhone(a.Phone)
	kit.WriteJSON(w, http.StatusOK, a)
	return nil
}

func (s *handlers) apiIssue(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var in volunteers.IssueRequest
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	cert, err := s.svc().Issue(r.Context(), c.Towns, in, kit.AuditActor(r, c))
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusCreated, map[string]any{"certificate": cert, "verify_url": verifyPath(cert.Number, cert.Code)})
	return nil
}

// verifyPath is the public verification link of a certificate.
func verifyPath(number, code string) string {
	return "/volunteers/verify?n=" + url.QueryEscape(number) + "&c=" + url.QueryEscape(code)
}

func (s *handlers) apiVerify(w http.ResponseWriter, r *http.Request, _ *kit.Caller) error {
	q := r.URL.Query()
	p, err := s.svc().Verify(r.Context(), q.Get("n"), q.Get("c"))
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"genuine": true, "certificate": p})
	return nil
}

// statsYear reads ?year= (default: this year).
func statsYear(r *http.Request) (int, error) {
	y := r.URL.Query().Get("year")
	if y == "" {
		return time.Now().In(workcal.Location()).Year(), nil
	}
	n, err := strconv.Atoi(y)
	if err != nil {
		return 0, kit.BadRequest("year", "not a year")
	}
	return n, nil
}

// townOf is the town the staff pages act for: ?town= among the caller's, else the first.
func townOf(r *http.Request, c *kit.Caller) string {
	if t := r.URL.Query().Get("town"); t != "" {
		return t
	}
	if c.User.TownCode != "" {
		return c.User.TownCode
	}
	if len(c.Towns) > 0 {
		return c.Towns[0]
	}
	return ""
}

func (s *handlers) apiStats(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	year, err := statsYear(r)
	if err != nil {
		return err
	}
	st, err := s.svc().YearStats(r.Context(), c.Towns, townOf(r, c), year)
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, st)
	return nil
}

// mayExportWhole reports whether the caller sees volunteers' data of town whole (the export
// carries whole ID numbers).
func mayExportWhole(r *http.Request, c *kit.Caller, town string) bool {
	return kit.Viewer(r, c).Whole(privacy.Volunteers, privacy.Facts{Town: town})
}

// apiConfirmSignUp takes up a place offered from the waiting list before the hold runs out.
func (s *handlers) apiConfirmSignUp(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	v, err := s.me(r, c)
	if err != nil {
		return err
	}
	if err := s.svc().ConfirmSignUp(r.Context(), c.Towns, id, v, kit.AuditActor(r, c)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
