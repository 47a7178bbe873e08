package party

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/party"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// year is the honour year a request asks for (?year=), by default the year of the latest July 1.
func (s *handlers) year(r *http.Request) (int, error) {
	y := r.URL.Query().Get("year")
	if y == "" {
		return party.HonourYear(s.service().Clock()), nil
	}
	n, err := strconv.Atoi(y)
	if err != nil || n < 2021 || n > 2200 {
		return 0, kit.BadRequest("year", "year is a year from 2021 on")
	}
	return n, nil
}

// rosterAs masks the members' names and phones unless the caller keeps rosters (party:roster and
// the privacy rule of class party_member); those shown whole are recorded in one audit row.
func (s *handlers) rosterAs(r *http.Request, c *kit.Caller, o party.Org, ms []party.Member) ([]party.Member, bool, error) {
	whole := c.User.Can(auth.PermPartyRoster) && kit.Viewer(r, c).Whole(privacy.PartyMembers, privacy.Facts{Town: o.TownCode})
	shown := kit.ShownLog(r, privacy.PartyMembers)
	for i := range ms {
		if whole {
			shown.Add(strconv.FormatInt(ms[i].ID, 10), o.TownCode)
			continue
		}
		ms[i].Name, ms[i].Phone = privacy.MaskName(ms[i].Name), privacy.MaskPhone(ms[i].Phone)
	}
	return ms, whole, s.RecordShown(r, c, shown)
}

func (s *handlers) apiTree(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	y, err := s.year(r)
	if err != nil {
		return err
	}
	roots, err := s.service().Tree(r.Context(), c.Towns, y)
	return kit.Reply(w, http.StatusOK, map[string]any{"year": y, "organisations": roots}, err)
}

func (s *handlers) apiCreateOrg(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var n party.NewOrg
	if err := kit.DecodeJSON(r, &n); err != nil {
		return err
	}
	o, err := s.service().CreateOrg(r.Context(), c.Towns, n, c.User)
	return kit.Reply(w, http.StatusCreated, o, err)
}

func (s *handlers) apiOrg(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	y, err := s.year(r)
	if err != nil {
		return err
	}
	o, ms, err := s.service().Roster(r.Context(), c.Towns, id, y)
	if err != nil {
		return err
	}
	ms, whole, err := s.rosterAs(r, c, o, ms)
	if err != nil {
		return err
	}
	o.Children = nil
	kit.WriteJSON(w, http.StatusOK, map[string]any{"organisation": o, "year": y, "members": ms, "masked": !whole})
	return nil
}

func (s *handlers) apiAddMember(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	var n party.NewMember
	if err := kit.DecodeJSON(r, &n); err != nil {
		return err
	}
	m, err := s.service().AddMember(r.Context(), c.Towns, id, n, c.User)
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusCreated, map[string]any{"id": m.ID, "org_id": m.OrgID})
	return nil
}

func (s *handlers) apiCouncils(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	cs, err := s.service().Councils(r.Context(), c.Towns)
	return kit.Reply(w, http.StatusOK, map[string]any{"councils": cs}, err)
}

func (s *handlers) apiCouncil(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	cn, err := s.service().Council(r.Context(), c.Towns, id)
	return kit.Reply(w, http.StatusOK, cn, err)
}

func (s *handlers) apiRecordMeeting(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	var n party.NewMeeting
	if err := kit.DecodeJSON(r, &n); err != nil {
		return err
	}
	m, err := s.service().RecordMeeting(r.Context(), c.Towns, id, n, c.User)
	return kit.Reply(w, http.StatusCreated, m, err)
}

type handOverBody struct {
	Day  string `json:"day"`
	Unit int64  `json:"unit"`
	Note string `json:"note"`
}

func (s *handlers) apiHandOver(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	var b handOverBody
	if err := kit.DecodeJSON(r, &b); err != nil {
		return err
	}
	t, err := s.service().HandOver(r.Context(), c.Towns, id, b.Day, b.Unit, b.Note, c.User)
	return kit.Reply(w, http.StatusOK, t, err)
}

func (s *handlers) apiMeeting(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	m, err := s.service().Meeting(r.Context(), c.Towns, id)
	return kit.Reply(w, http.StatusOK, m, err)
}

func (s *handlers) apiAddResolution(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	var n party.NewTask
	if err := kit.DecodeJSON(r, &n); err != nil {
		return err
	}
	t, err := s.service().AddResolution(r.Context(), c.Towns, id, n, c.User)
	return kit.Reply(w, http.StatusCreated, t, err)
}

func (s *handlers) apiTasks(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	q := r.URL.Query()
	f := party.TaskFilter{Status: q.Get("status"), Source: q.Get("source")}
	if f.Status != "" && f.Status != party.TaskOpen && f.Status != party.TaskDone && f.Status != party.TaskDropped {
		return kit.BadRequest("status", "status is open, done or dropped")
	}
	ts, err := s.service().Tasks(r.Context(), c.Towns, f)
	return kit.Reply(w, http.StatusOK, map[string]any{"tasks": ts}, err)
}

type reviewBody struct {
	MeetingID int64 `json:"meeting_id"`
	party.NewReview
}

func (s *handlers) apiReviewTask(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	var b reviewBody
	if err := kit.DecodeJSON(r, &b); err != nil {
		return err
	}
	t, err := s.service().ReviewTask(r.Context(), c.Towns, b.MeetingID, id, b.NewReview, c.User)
	return kit.Reply(w, http.StatusOK, t, err)
}

func (s *handlers) apiAgreements(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	as, err := s.service().Agreements(r.Context(), c.Towns)
	return kit.Reply(w, http.StatusOK, map[string]any{"agreements": as}, err)
}

func (s *handlers) apiCreateAgreement(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var n party.NewAgreement
	if err := kit.DecodeJSON(r, &n); err != nil {
		return err
	}
	a, err := s.service().CreateAgreement(r.Context(), c.Towns, n, c.User)
	return kit.Reply(w, http.StatusCreated, a, err)
}

func (s *handlers) apiMarket(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	m, err := s.service().Market(r.Context(), c.Towns)
	return kit.Reply(w, http.StatusOK, m, err)
}

func (s *handlers) apiAddNeed(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var n party.Need
	if err := kit.DecodeJSON(r, &n); err != nil {
		return err
	}
	n, err := s.service().AddNeed(r.Context(), c.Towns, n, c.User)
	return kit.Reply(w, http.StatusCreated, n, err)
}

func (s *handlers) apiAddResource(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var n party.Resource
	if err := kit.DecodeJSON(r, &n); err != nil {
		return err
	}
	n, err := s.service().AddResource(r.Context(), c.Towns, n, c.User)
	return kit.Reply(w, http.StatusCreated, n, err)
}

func (s *handlers) apiMatch(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var n party.NewMatch
	if err := kit.DecodeJSON(r, &n); err != nil {
		return err
	}
	t, err := s.service().Match(r.Context(), c.Towns, n, c.User)
	return kit.Reply(w, http.StatusCreated, t, err)
}

func (s *handlers) apiNetwork(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	sites, n, err := s.service().Network(r.Context(), c.Towns)
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"sites": sites, "centres": n.Centres, "stations": n.Stations, "points": n.Points, "enterprise_points": n.Enterprises})
	return nil
}

func (s *handlers) apiCoverage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	t, err := kit.CallerTown(r, c)
	if err != nil {
		return err
	}
	rep, err := s.service().Coverage(r.Context(), c.Towns, t)
	if err != nil {
		return err
	}
	if strings.Contains(r.URL.Query().Get("omit"), "entities") {
		rep.Entities = nil
	}
	kit.WriteJSON(w, http.StatusOK, rep)
	return nil
}

func (s *handlers) apiAddEntity(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var n party.NewEntity
	if err := kit.DecodeJSON(r, &n); err != nil {
		return err
	}
	id, err := s.service().AddEntity(r.Context(), c.Towns, n, c.User)
	return kit.Reply(w, http.StatusCreated, map[string]any{"id": id}, err)
}

func (s *handlers) apiAddActivity(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	var a party.Activity
	if err := kit.DecodeJSON(r, &a); err != nil {
		return err
	}
	if err := s.service().AddActivity(r.Context(), c.Towns, id, a, c.User); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *handlers) apiUpdateOrg(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	var n party.NewOrg
	if err := kit.DecodeJSON(r, &n); err != nil {
		return err
	}
	o, err := s.service().UpdateOrg(r.Context(), c.Towns, id, n, c.User)
	if err != nil {
		return err
	}
	o.Children = nil
	kit.WriteJSON(w, http.StatusOK, o)
	return nil
}

func (s *handlers) apiAddSite(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var n party.Site
	if err := kit.DecodeJSON(r, &n); err != nil {
		return err
	}
	x, err := s.service().AddSite(r.Context(), c.Towns, n, c.User)
	return kit.Reply(w, http.StatusCreated, x, err)
}

func (s *handlers) apiUpdateSite(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	var n party.Site
	if err := kit.DecodeJSON(r, &n); err != nil {
		return err
	}
	x, err := s.service().UpdateSite(r.Context(), c.Towns, id, n, c.User)
	return kit.Reply(w, http.StatusOK, x, err)
}
