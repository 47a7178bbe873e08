package party

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/civicgrid/civicgrid/internal/party"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

func (s *handlers) councilsPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	cs, err := s.service().Councils(r.Context(), c.Towns)
	if err != nil {
		return err
	}
	if len(cs) == 1 {
		http.Redirect(w, r, idPath("/party/councils/%d", cs[0].ID), http.StatusSeeOther)
		return nil
	}
	return s.Render(w, r, http.StatusOK, "party_councils", kit.PageData{Title: "pt.council title", Data: cs})
}

// councilData is what party_council.html shows.
type councilData struct {
	C         party.Council
	MayManage bool
	Form      meetingForm
	Today     string
	Open      []party.Task // the council's open resolutions
}

// meetingForm is the meeting the secretary's form posted, kept when it is refused.
type meetingForm struct {
	Title, HeldOn, Place, Agenda string
	Attending                    map[int64]bool
	Text, Owner, Due             string
}

func (s *handlers) councilPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.renderCouncil(w, r, c, http.StatusOK, meetingForm{}, nil)
}

func (s *handlers) renderCouncil(w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, f meetingForm, ferr error) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	svc := s.service()
	cn, err := svc.Council(r.Context(), c.Towns, id)
	if err != nil {
		return err
	}
	d := councilData{C: cn, MayManage: party.MayManage(c.User), Form: f, Today: svc.Today()}
	if d.Form.HeldOn == "" {
		d.Form.HeldOn = d.Today
	}
	if d.Form.Attending == nil {
		d.Form.Attending = map[int64]bool{}
	}
	ts, err := svc.Tasks(r.Context(), []string{cn.TownCode}, party.TaskFilter{Status: party.TaskOpen, Source: party.SourceResolution})
	if err != nil {
		return err
	}
	d.Open = ts
	pd := kit.PageData{Title: "pt.council title", Data: d}
	if ferr != nil {
		_, pd.Error, pd.Field = kit.ErrorText(r, kit.Language(w, r), ferr)
	}
	return s.Render(w, r, status, "party_council", pd)
}

func (s *handlers) meetingSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	f := meetingForm{Title: r.PostFormValue("title"), HeldOn: r.PostFormValue("held_on"), Place: r.PostFormValue("place"), Agenda: r.PostFormValue("agenda"),
		Attending: map[int64]bool{}, Text: r.PostFormValue("resolution"), Owner: r.PostFormValue("owner"), Due: r.PostFormValue("due")}
	n := party.NewMeeting{Title: f.Title, HeldOn: f.HeldOn, Place: f.Place, Agenda: strings.ReplaceAll(f.Agenda, "\r\n", "\n")}
	if len(r.PostForm["attending"]) > party.MaxAttending {
		return kit.BadRequest("attending", "too many units")
	}
	for _, v := range r.PostForm["attending"] {
		if u, err := strconv.ParseInt(v, 10, 64); err == nil {
			n.Attending = append(n.Attending, u)
			f.Attending[u] = true
		}
	}
	if strings.TrimSpace(f.Text) != "" {
		n.Resolutions = []party.NewTask{{Text: f.Text, Owner: f.Owner, Due: f.Due}}
		if f.Due == "" {
			n.Resolutions[0].DueDays = defaultDueDays
		}
	}
	m, err := s.service().RecordMeeting(r.Context(), c.Towns, id, n, c.User)
	if status, ok := fieldStatus(err); ok {
		return s.renderCouncil(w, r, c, status, f, err)
	}
	if err != nil {
		return err
	}
	kit.RedirectFlash(w, r, idPath("/party/meetings/%d", m.ID), kit.Translator(kit.Language(w, r))("pt.meeting recorded"))
	return nil
}

// defaultDueDays is the time a resolution recorded without a due day gets: 20 working days.
const defaultDueDays = 20

func (s *handlers) handOverSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	_, err = s.service().HandOver(r.Context(), c.Towns, id, r.PostFormValue("day"), 0, r.PostFormValue("note"), c.User)
	if status, ok := fieldStatus(err); ok {
		return s.renderCouncil(w, r, c, status, meetingForm{}, err)
	}
	if err != nil {
		return err
	}
	kit.RedirectFlash(w, r, idPath("/party/councils/%d", id), kit.Translator(kit.Language(w, r))("pt.handed over"))
	return nil
}

// meetingData is what party_meeting.html shows.
type meetingData struct {
	M         party.Meeting
	MayManage bool
	Units     []party.Unit // the council's units, owners a resolution may name
	Statuses  map[string]string
	Reviews   map[int64]*party.Review // this meeting's review of each task under review
}

func (s *handlers) meetingPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.renderMeeting(w, r, c, http.StatusOK, nil)
}

func (s *handlers) renderMeeting(w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, ferr error) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	svc := s.service()
	m, err := svc.Meeting(r.Context(), c.Towns, id)
	if err != nil {
		return err
	}
	cn, err := svc.Council(r.Context(), c.Towns, m.CouncilID)
	if err != nil {
		return err
	}
	d := meetingData{M: m, MayManage: party.MayManage(c.User), Units: cn.Units, Statuses: labels(party.TaskStatuses, kit.Language(w, r)), Reviews: map[int64]*party.Review{}}
	for _, t := range m.ToReview {
		d.Reviews[t.ID] = m.Reviewed(t)
	}
	pd := kit.PageData{Title: "pt.meeting title", Data: d}
	if ferr != nil {
		_, pd.Error, pd.Field = kit.ErrorText(r, kit.Language(w, r), ferr)
	}
	return s.Render(w, r, status, "party_meeting", pd)
}

func (s *handlers) resolutionSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	n := party.NewTask{Text: r.PostFormValue("text"), Owner: r.PostFormValue("owner"), Due: r.PostFormValue("due")}
	if days := r.PostFormValue("due_days"); days != "" && n.Due == "" {
		n.DueDays, _ = strconv.Atoi(days)
	}
	_, err = s.service().AddResolution(r.Context(), c.Towns, id, n, c.User)
	if status, ok := fieldStatus(err); ok {
		return s.renderMeeting(w, r, c, status, err)
	}
	if err != nil {
		return err
	}
	kit.RedirectFlash(w, r, idPath("/party/meetings/%d", id)+"#pt-resolutions", kit.Translator(kit.Language(w, r))("pt.resolution added"))
	return nil
}

func (s *handlers) reviewSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	task, err := strconv.ParseInt(r.PostFormValue("task"), 10, 64)
	if err != nil {
		return kit.BadRequest("task", "task is a number")
	}
	progress, err := strconv.Atoi(r.PostFormValue("progress"))
	if err != nil {
		return kit.BadRequest("progress", "progress is a number from 0 to 100")
	}
	_, err = s.service().ReviewTask(r.Context(), c.Towns, id, task, party.NewReview{Note: r.PostFormValue("note"), Progress: progress, Status: r.PostFormValue("status")}, c.User)
	if status, ok := fieldStatus(err); ok {
		return s.renderMeeting(w, r, c, status, err)
	}
	if err != nil {
		return err
	}
	kit.RedirectFlash(w, r, idPath("/party/meetings/%d", id)+"#pt-review", kit.Translator(kit.Language(w, r))("pt.reviewed"))
	return nil
}
