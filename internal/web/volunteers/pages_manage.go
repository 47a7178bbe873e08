package volunteers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/volunteers"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

type manageData struct {
	Pending      []volunteers.Volunteer
	Volunteers   []volunteers.Volunteer
	Projects     []volunteers.Project
	Teams        []volunteers.Team
	Alliance     *volunteers.Alliance
	Certificates []volunteers.Certificate
	Leads        []option
	Grids        []option
	Q            string
	Lang         string
	NumberFormat string
}

func (s *handlers) managePage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.renderManage(w, r, c, http.StatusOK, nil)
}

func (s *handlers) renderManage(w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, ferr error) error {
	svc := s.svc()
	ctx := r.Context()
	lang := kit.Language(w, r)
	d := manageData{Q: r.URL.Query().Get("q"), Lang: lang, NumberFormat: volunteers.NumberFormat}
	var err error
	if d.Pending, err = svc.List(ctx, c.Towns, volunteers.Filter{Status: volunteers.StatusPending, Limit: 100}); err != nil {
		return err
	}
	if d.Volunteers, err = svc.List(ctx, c.Towns, volunteers.Filter{Status: volunteers.StatusApproved, Query: d.Q, Limit: 100}); err != nil {
		return err
	}
	all := append(append([]volunteers.Volunteer{}, d.Pending...), d.Volunteers...)
	if all, err = s.shownVolunteers(r, c, all); err != nil {
		return err
	}
	d.Pending, d.Volunteers = all[:len(d.Pending)], all[len(d.Pending):]
	if d.Projects, err = svc.Projects(ctx, c.Towns); err != nil {
		return err
	}
	if d.Teams, err = svc.Teams(ctx, c.Towns); err != nil {
		return err
	}
	if a, err := svc.GetAlliance(ctx, c.Towns, townOf(r, c)); err == nil {
		d.Alliance = &a
	}
	if d.Certificates, err = svc.CertificatesOf(ctx, c.Towns, 20); err != nil {
		return err
	}
	users, err := auth.Users(ctx, s.DB, c.Towns, "")
	if err != nil {
		return err
	}
	for _, u := range users {
		if !u.Disabled && u.Can(auth.PermVolunteersLead) {
			d.Leads = append(d.Leads, option{strconv.FormatInt(u.ID, 10), u.DisplayName + " · " + auth.RoleName(u.Role, lang)})
		}
	}
	if d.Grids, err = s.gridOptions(r, c); err != nil {
		return err
	}
	pd := kit.PageData{Title: "vol.manage", Data: d}
	if ferr != nil {
		_, pd.Error, pd.Field = kit.ErrorText(r, lang, ferr)
	}
	return s.Render(w, r, status, "vol_manage", pd)
}

func (s *handlers) decideSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	approve := r.PostFormValue("decision") == "approve"
	v, err := s.svc().Decide(r.Context(), c.Towns, id, approve, r.PostFormValue("reason"), kit.AuditActor(r, c))
	if status, ok := formStatus(err); ok {
		return s.renderManage(w, r, c, status, err)
	}
	if err != nil {
		return err
	}
	T := kit.Translator(kit.Language(w, r))
	msg := fmt.Sprintf(T("vol.rejected"), v.Name)
	if approve {
		msg = fmt.Sprintf(T("vol.approved"), v.Name, v.Number)
	}
	kit.RedirectFlash(w, r, "/volunteers/manage", msg)
	return nil
}

func (s *handlers) projectSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	team, _ := strconv.ParseInt(r.PostFormValue("team_id"), 10, 64)
	_, err := s.svc().AddProject(r.Context(), c.Towns, volunteers.Project{TownCode: townOf(r, c), Name: r.PostFormValue("name"), Description: r.PostFormValue("description"),
		GridCode: r.PostFormValue("grid"), TeamID: team}, kit.AuditActor(r, c))
	return submitted(w, r, err, func(status int) error {
		return s.renderManage(w, r, c, status, err)
	}, "/volunteers/manage", "vol.project added")
}

// activityForm reads the new-activity form: roles as lines "name places" (引导员 5).
func activityForm(r *http.Request) (volunteers.NewActivity, error) {
	loc := workcal.Location()
	pid, _ := strconv.ParseInt(r.PostFormValue("project_id"), 10, 64)
	lead, _ := strconv.ParseInt(r.PostFormValue("lead_id"), 10, 64)
	n := volunteers.NewActivity{ProjectID: pid, Title: r.PostFormValue("title"), Description: r.PostFormValue("description"), Requirements: r.PostFormValue("requirements"),
		Place: r.PostFormValue("place"), LeadID: lead}
	var err error
	if n.Start, err = time.ParseInLocation("2006-01-02T15:04", r.PostFormValue("start"), loc); err != nil {
		return n, problem.Field("start", "a date and time")
	}
	if n.End, err = time.ParseInLocation("2006-01-02T15:04", r.PostFormValue("end"), loc); err != nil {
		return n, problem.Field("end", "a date and time")
	}
	if n.Lat, err = kit.FloatField(r, "lat"); err != nil {
		return n, problem.Field("lat", "a latitude")
	}
	if n.Lng, err = kit.FloatField(r, "lng"); err != nil {
		return n, problem.Field("lng", "a longitude")
	}
	lines := strings.Split(r.PostFormValue("roles"), "\n")
	if len(lines) > volunteers.MaxRoles {
		return n, problem.Field("roles", "at most %d roles", volunteers.MaxRoles)
	}
	for i, l := range lines {
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		places, err := strconv.Atoi(f[len(f)-1])
		if len(f) < 2 || err != nil {
			return n, problem.Field("roles", "line %d: a role's name and its number of places (引导员 5)", i+1)
		}
		n.Roles = append(n.Roles, volunteers.NewRole{Name: strings.Join(f[:len(f)-1], " "), Places: places})
	}
	return n, nil
}

func (s *handlers) activitySubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	n, err := activityForm(r)
	var a volunteers.Activity
	if err == nil {
		a, err = s.svc().CreateActivity(r.Context(), c.Towns, n, kit.AuditActor(r, c))
	}
	return submitted(w, r, err, func(status int) error {
		return s.renderManage(w, r, c, status, err)
	}, fmt.Sprintf("/volunteers/activities/%d", a.ID), "vol.activity created")
}

type personData struct {
	V            volunteers.Volunteer
	IDNumber     string
	MayReveal    bool
	Hours        []volunteers.HoursLine
	Service      []volunteers.ServiceLine
	Records      []volunteers.Record
	Certificates []volunteers.Certificate
	Kinds        []volunteers.Label
	Lang         string
	YearStart    string
	Today        string
}

func (s *handlers) personPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderPerson(w, r, c, id, http.StatusOK, nil)
}

func (s *handlers) renderPerson(w http.ResponseWriter, r *http.Request, c *kit.Caller, id int64, status int, ferr error) error {
	svc := s.svc()
	v, err := svc.Get(r.Context(), c.Towns, id)
	if err != nil {
		return err
	}
	lang := kit.Language(w, r)
	now := svc.Now().In(workcal.Location())
	d := personData{Kinds: volunteers.RecordKinds, Lang: lang, YearStart: fmt.Sprintf("%d-01-01", now.Year()), Today: now.Format("2006-01-02")}
	d.MayReveal = kit.Viewer(r, c).Role == auth.RoleAdmin || kit.Viewer(r, c).Role == auth.RoleDispatcher
	shown := kit.ShownLog(r, privacy.Volunteers)
	if r.URL.Query().Get("reveal") == "id_number" {
		if d.IDNumber, err = s.revealID(r, c, v, shown); err != nil {
			return err
		}
	}
	d.V = maskVolunteers(r, c, []volunteers.Volunteer{v}, shown)[0]
	if err := s.RecordShown(r, c, shown); err != nil {
		return err
	}
	if d.Hours, err = svc.Hours(r.Context(), id); err != nil {
		return err
	}
	if d.Service, err = svc.Service(r.Context(), id, 100); err != nil {
		return err
	}
	if d.Records, err = svc.Records(r.Context(), id); err != nil {
		return err
	}
	if d.Certificates, err = svc.Certificates(r.Context(), id); err != nil {
		return err
	}
	pd := kit.PageData{Title: "vol.person", Data: d}
	if ferr != nil {
		_, pd.Error, pd.Field = kit.ErrorText(r, lang, ferr)
	}
	return s.Render(w, r, status, "vol_person", pd)
}

func (s *handlers) recordSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	_, err = s.svc().AddRecord(r.Context(), c.Towns, volunteers.Record{VolunteerID: id, Kind: r.PostFormValue("kind"), Title: r.PostFormValue("title"),
		Detail: r.PostFormValue("detail"), Day: r.PostFormValue("day")}, kit.AuditActor(r, c))
	return submitted(w, r, err, func(status int) error {
		return s.renderPerson(w, r, c, id, status, err)
	}, fmt.Sprintf("/volunteers/people/%d", id), "vol.record added")
}

func (s *handlers) issueSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	cert, err := s.svc().Issue(r.Context(), c.Towns, volunteers.IssueRequest{VolunteerID: id, From: r.PostFormValue("from"), To: r.PostFormValue("to")}, kit.AuditActor(r, c))
	return submitted(w, r, err, func(status int) error {
		return s.renderPerson(w, r, c, id, status, err)
	}, "/volunteers/certificates/"+cert.Number, "vol.certificate issued")
}
