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
	return kit.Reply(w, http.StatusOK, map[string]any{"projects": ps, "teams": teams}, err)
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
	return kit.Reply(w, http.StatusCreated, p, err)
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
	return kit.Reply(w, http.StatusCreated, v, err)
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
	return kit.Reply(w, http.StatusOK, map[string]any{"volunteer": v, "hours": hours, "signups": sus, "certificates": certs}, err)
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
	return kit.Reply(w, http.StatusCreated, rec, err)
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
	return kit.Reply(w, http.StatusOK, map[string]any{"genuine": true, "certificate": p}, err)
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
	return kit.Reply(w, http.StatusOK, st, err)
}

// mayExportWhole reports whether the caller sees volunteers' data of town whole (the export
// carries whole ID numbers).
func mayExportWhole(r *http.Request, c *kit.Caller, town string) bool {
	return kit.Viewer(r, c).Whole(privacy.Volunteers, privacy.Facts{Town: town})
}
