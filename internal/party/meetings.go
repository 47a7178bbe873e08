package party

import (
	"context"
	"fmt"
	"slices"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
)

// Meeting is a council meeting: agenda, the member units attending, its resolutions (tasks) and,
// for review, the tasks still open from earlier meetings and agreements.
type Meeting struct {
	ID          int64  `json:"id"`
	CouncilID   int64  `json:"council_id"`
	Council     string `json:"council"`
	TownCode    string `json:"town"`
	Title       string `json:"title"`
	HeldOn      string `json:"held_on"`
	Place       string `json:"place,omitempty"`
	Agenda      string `json:"agenda,omitempty"`
	Attending   []Unit `json:"attending,omitempty"`
	Absent      []Unit `json:"absent,omitempty"`
	Resolutions []Task `json:"resolutions,omitempty"`
	// ToReview are the tasks this meeting reviews: those of earlier meetings (and the town's
	// agreements and matches) still open when it was held, or reviewed at it.
	ToReview []Task `json:"to_review,omitempty"`
}

// Reviewed is the review this meeting made of task t, if any.
func (m Meeting) Reviewed(t Task) *Review {
	for i := range t.Reviews {
		if t.Reviews[i].MeetingID == m.ID {
			return &t.Reviews[i]
		}
	}
	return nil
}

// NewMeeting is a meeting as the council's secretary records it.
type NewMeeting struct {
	Title       string    `json:"title"`
	HeldOn      string    `json:"held_on"`
	Place       string    `json:"place"`
	Agenda      string    `json:"agenda"`
	Attending   []int64   `json:"attending"` // member unit ids
	Resolutions []NewTask `json:"resolutions"`
}

func (s *Service) meetings(ctx context.Context, council int64) ([]Meeting, error) {
	rows, err := s.DB.Query(ctx, `SELECT m.id, m.council_id, c.name, c.town_code, m.title, m.held_on, m.place, m.agenda FROM party_meetings m
		JOIN party_councils c ON c.id = m.council_id WHERE m.council_id = ? ORDER BY m.held_on DESC, m.id DESC`, council)
	if err != nil {
		return nil, fmt.Errorf("meetings: %w", err)
	}
	defer rows.Close()
	var out []Meeting
	for rows.Next() {
		var m Meeting
		if err := rows.Scan(&m.ID, &m.CouncilID, &m.Council, &m.TownCode, &m.Title, &m.HeldOn, &m.Place, &m.Agenda); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func (s *Service) meetingRow(ctx context.Context, q store.Querier, towns []string, id int64) (Meeting, error) {
	where, args := store.In("c.town_code", towns)
	var m Meeting
	err := q.QueryRow(ctx, `SELECT m.id, m.council_id, c.name, c.town_code, m.title, m.held_on, m.place, m.agenda FROM party_meetings m
		JOIN party_councils c ON c.id = m.council_id WHERE m.id = ? AND `+where, append([]any{id}, args...)...).
		Scan(&m.ID, &m.CouncilID, &m.Council, &m.TownCode, &m.Title, &m.HeldOn, &m.Place, &m.Agenda)
	if isNoRows(err) {
		return Meeting{}, problem.NotFound("meeting %d", id)
	}
	return m, err
}

// RecordMeeting records a meeting of council id with its attendance and resolutions, each
// resolution a task due on a working day; all of it or nothing.
func (s *Service) RecordMeeting(ctx context.Context, towns []string, id int64, n NewMeeting, by auth.User) (Meeting, error) {
	if err := checkManager(by); err != nil {
		return Meeting{}, err
	}
	var err error
	if n.Title, err = problem.Text("title", n.Title, MaxName, true); err != nil {
		return Meeting{}, err
	}
	if _, err := ParseDate("held_on", n.HeldOn); err != nil {
		return Meeting{}, err
	}
	if n.Place, err = problem.Text("place", n.Place, MaxName, false); err != nil {
		return Meeting{}, err
	}
	if n.Agenda, err = problem.Text("agenda", n.Agenda, MaxText, false); err != nil {
		return Meeting{}, err
	}
	if len(n.Attending) > MaxAttending {
		return Meeting{}, problem.Field("attending", "at most %d units", MaxAttending)
	}
	if len(n.Resolutions) > 50 {
		return Meeting{}, problem.Field("resolutions", "at most 50 resolutions at once")
	}
	dues := make([]string, len(n.Resolutions))
	for i := range n.Resolutions {
		f := fmt.Sprintf("resolutions[%d]", i)
		if err := checkTask(f, &n.Resolutions[i]); err != nil {
			return Meeting{}, err
		}
		if dues[i], err = s.due(f, n.Resolutions[i], n.HeldOn); err != nil {
			return Meeting{}, err
		}
	}
	var mid int64
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		town, us, err := councilUnits(ctx, tx, towns, id)
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO party_meetings (council_id, title, held_on, place, agenda, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			id, n.Title, n.HeldOn, n.Place, n.Agenda, nullID(by.ID), s.now().UnixMilli()).Scan(&mid); err != nil {
			return fmt.Errorf("insert meeting: %w", err)
		}
		seen := map[int64]bool{}
		for _, u := range n.Attending {
			i := slices.IndexFunc(us, func(x Unit) bool { return x.ID == u })
			if i < 0 || !us[i].Active(n.HeldOn) {
				return problem.Field("attending", "unit %d is not a member of this council on %s", u, n.HeldOn)
			}
			if seen[u] {
				continue
			}
			seen[u] = true
			if _, err := tx.Exec(ctx, `INSERT INTO party_attendance (meeting_id, unit_id) VALUES (?, ?)`, mid, u); err != nil {
				return err
			}
		}
		if err := record(ctx, tx, by, audit.ActionCreate, "party_meeting", mid, town, n.HeldOn+" "+n.Title); err != nil {
			return err
		}
		for i, r := range n.Resolutions {
			if _, err := s.insertTask(ctx, tx, town, taskSource{meeting: mid}, r, dues[i], by); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Meeting{}, err
	}
	return s.Meeting(ctx, towns, mid)
}

// AddResolution adds a resolution (a task) to meeting id.
func (s *Service) AddResolution(ctx context.Context, towns []string, id int64, n NewTask, by auth.User) (Task, error) {
	if err := checkManager(by); err != nil {
		return Task{}, err
	}
	if err := checkTask("resolution", &n); err != nil {
		return Task{}, err
	}
	var tid int64
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		m, err := s.meetingRow(ctx, tx, towns, id)
		if err != nil {
			return err
		}
		due, err := s.due("resolution", n, m.HeldOn)
		if err != nil {
			return err
		}
		tid, err = s.insertTask(ctx, tx, m.TownCode, taskSource{meeting: id}, n, due, by)
		return err
	})
	if err != nil {
		return Task{}, err
	}
	return s.Task(ctx, towns, tid)
}

// Meeting returns meeting id of towns with attendance, resolutions and the tasks it reviews.
func (s *Service) Meeting(ctx context.Context, towns []string, id int64) (Meeting, error) {
	m, err := s.meetingRow(ctx, s.DB, towns, id)
	if err != nil {
		return Meeting{}, err
	}
	us, err := units(ctx, s.DB, m.CouncilID)
	if err != nil {
		return Meeting{}, err
	}
	rows, err := s.DB.Query(ctx, `SELECT unit_id FROM party_attendance WHERE meeting_id = ?`, id)
	if err != nil {
		return Meeting{}, err
	}
	present := map[int64]bool{}
	for rows.Next() {
		var u int64
		if err := rows.Scan(&u); err != nil {
			rows.Close()
			return Meeting{}, err
		}
		present[u] = true
	}
	rows.Close()
	for _, u := range us {
		switch {
		case present[u.ID]:
			m.Attending = append(m.Attending, u)
		case u.Active(m.HeldOn):
			m.Absent = append(m.Absent, u)
		}
	}
	if m.Resolutions, err = s.tasks(ctx, s.DB, `WHERE t.meeting_id = ? ORDER BY t.id`, id); err != nil {
		return Meeting{}, err
	}
	// What this meeting reviews: tasks of the town not its own, made before it was held (earlier
	// meetings, agreements signed, matches made), that were open or that it reviewed.
	if m.ToReview, err = s.tasks(ctx, s.DB, `WHERE t.town_code = ? AND (t.meeting_id IS NULL OR t.meeting_id <> ?)
		AND COALESCE(m.held_on, a.signed_on, '0000') < ?
		AND (t.status = 'open' OR EXISTS (SELECT 1 FROM party_task_reviews r WHERE r.task_id = t.id AND r.meeting_id = ?))
		ORDER BY t.due, t.id LIMIT 200`, m.TownCode, id, m.HeldOn, id); err != nil {
		return Meeting{}, err
	}
	return m, nil
}

// Expected is how many member units were members on the day of the meeting (present or absent).
func (m Meeting) Expected() int { return len(m.Attending) + len(m.Absent) }
