package consult

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
)

// Channels of an answer.
const (
	ChannelOnline = "online" // a signed-in resident on their phone
	ChannelPaper  = "paper"  // a paper form entered by a grid worker
	ChannelPublic = "public" // someone not signed in (where the consultation allows it)
)

// Channels lists the channels.
var Channels = []Label{
	{Code: ChannelOnline, ZH: "线上", EN: "Online"},
	{Code: ChannelPaper, ZH: "纸质", EN: "Paper"},
	{Code: ChannelPublic, ZH: "匿名", EN: "Anonymous"},
}

// Errors of answering that the pages tell in their own words.
var (
	ErrAnswered          = problem.New(problem.ErrConflict, "", "you have answered this consultation already")
	ErrHouseholdAnswered = problem.New(problem.ErrConflict, "building", "this household has answered this consultation already (one answer per household)")
	ErrNotAccepting      = problem.New(problem.ErrConflict, "", "this consultation is not taking answers now")
)

// Submission is one respondent's answers as a device sends them.
type Submission struct {
	// ClientID is made by the device (a random id per form), so that a resend of the same
	// answer — the offline queue retrying — is the same answer. 8–64 of [A-Za-z0-9_-].
	ClientID string                     `json:"client_id"`
	Answers  map[string]json.RawMessage `json:"answers"`
	// Building and Room name the household (where the consultation counts households, and
	// to show that the respondent lives in the area): e.g. 天山西路144弄12号, 502室.
	Building string `json:"building,omitempty"`
	Room     string `json:"room,omitempty"`
	// Paper marks an answer a grid worker enters from a paper form; Respondent and Phone are
	// the name and phone written on it (optional).
	Paper      bool   `json:"paper,omitempty"`
	Respondent string `json:"respondent,omitempty"`
	Phone      string `json:"phone,omitempty"`
}

// Receipt is a stored answer.
type Receipt struct {
	ID        int64     `json:"id"`
	ClientID  string    `json:"client_id"`
	Duplicate bool      `json:"duplicate"` // the same client id was stored before: nothing new was stored
	CreatedAt time.Time `json:"created_at"`
}

// Field limits of a submission.
const (
	MaxBuilding   = 60
	MaxRoom       = 20
	MaxRespondent = 40
	MaxPhone      = 20
)

func validClientID(id string) bool {
	if len(id) < 8 || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// NormalizeBuilding is a building's address as households are compared by: half-width digits
// and letters, no spaces or trailing punctuation.
func NormalizeBuilding(s string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r >= '０' && r <= '９':
			r = '0' + (r - '０')
		case r >= 'Ａ' && r <= 'Ｚ':
			r = 'A' + (r - 'Ａ')
		case r >= 'ａ' && r <= 'ｚ':
			r = 'A' + (r - 'ａ')
		case r >= 'a' && r <= 'z':
			r = r - 'a' + 'A'
		}
		if unicode.IsSpace(r) {
			continue
		}
		b.WriteRune(r)
	}
	return strings.TrimRightFunc(b.String(), unicode.IsPunct)
}

// NormalizeRoom is a room number as households are compared by: 502室, ５０２ and 502 are one.
func NormalizeRoom(s string) string {
	return strings.TrimSuffix(strings.TrimSuffix(NormalizeBuilding(s), "室"), "房")
}

// HouseholdKey is the stored key of a household: a hash of the consultation, the building and
// the room, so that the answers do not hold the address and the key of one consultation says
// nothing about another's.
func HouseholdKey(consultation int64, building, room string) string {
	h := sha256.Sum256([]byte(fmt.Sprintf("civicgrid-household\x00%d\x00%s\x00%s", consultation, NormalizeBuilding(building), NormalizeRoom(room))))
	return hex.EncodeToString(h[:16])
}

// resolve finds the address-book entry a building belongs to (the longest entry its address
// starts with) and returns its grid and committee.
func resolve(ctx context.Context, q store.Querier, town, building string) (grid, committee string, ok bool, err error) {
	var g, c sql.NullString
	err = q.QueryRow(ctx, `SELECT grid_code, committee_code FROM addresses WHERE town_code = ? AND text <> '' AND ? LIKE text || '%'
		ORDER BY LENGTH(text) DESC LIMIT 1`, town, building).Scan(&g, &c)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", false, nil
	}
	return g.String, c.String, err == nil, err
}

// Submit stores one answer to consultation id. by is nil for someone not signed in. The rules:
// the consultation is open; an anonymous answer only where it allows them; a signed-in
// resident (consult:answer) of its town; a paper answer only by consult:enter staff of its town;
// the household (building + room) where it counts households, and as proof of living in its
// grid, committee area or building; one answer per person, one per household where it counts
// households; a resend with the same client id returns the stored answer.
func (s *Service) Submit(ctx context.Context, id int64, sub Submission, by *auth.User) (Receipt, error) {
	sub.ClientID = strings.TrimSpace(sub.ClientID)
	sub.Building, sub.Room = NormalizeBuilding(sub.Building), NormalizeRoom(sub.Room)
	sub.Respondent, sub.Phone = strings.TrimSpace(sub.Respondent), strings.TrimSpace(sub.Phone)
	switch {
	case !validClientID(sub.ClientID):
		return Receipt{}, problem.Field("client_id", "8–64 letters, digits, _ or -")
	case utf8.RuneCountInString(sub.Building) > MaxBuilding:
		return Receipt{}, problem.Field("building", "is longer than %d characters", MaxBuilding)
	case utf8.RuneCountInString(sub.Room) > MaxRoom:
		return Receipt{}, problem.Field("room", "is longer than %d characters", MaxRoom)
	case utf8.RuneCountInString(sub.Respondent) > MaxRespondent:
		return Receipt{}, problem.Field("respondent", "is longer than %d characters", MaxRespondent)
	case utf8.RuneCountInString(sub.Phone) > MaxPhone:
		return Receipt{}, problem.Field("phone", "is longer than %d characters", MaxPhone)
	case len(sub.Answers) > MaxQuestions:
		return Receipt{}, problem.Field("answers", "has %d answers; a questionnaire has at most %d questions", len(sub.Answers), MaxQuestions)
	}
	c, err := s.getAny(ctx, s.DB, id)
	if err != nil {
		return Receipt{}, err
	}
	if c.Stored == StatusDraft {
		return Receipt{}, problem.NotFound("consultation %d", id)
	}
	// A resend of an answer stored before is answered first, whatever has changed since (the
	// consultation closing while the phone was offline).
	if r, ok, err := s.byClientID(ctx, s.DB, id, sub.ClientID); err != nil || ok {
		return r, err
	}
	row := answerRow{consultation: id, clientID: sub.ClientID}
	switch {
	case by == nil:
		if !c.Anonymous {
			return Receipt{}, problem.New(problem.ErrUnauthenticated, "", "sign in to answer this consultation")
		}
		row.channel = ChannelPublic
		sub.Respondent, sub.Phone = "", ""
	case sub.Paper:
		if !by.Can(auth.PermConsultEnter) {
			return Receipt{}, problem.Forbidden("your role (%s) may not enter paper answers (%s)", by.Role, auth.PermConsultEnter)
		}
		if by.TownCode != c.TownCode {
			return Receipt{}, problem.NotFound("consultation %d", id)
		}
		row.channel, row.enteredBy = ChannelPaper, by.ID
	default:
		if !by.Can(auth.PermConsultAnswer) {
			return Receipt{}, problem.Forbidden("your role (%s) may not answer consultations (%s); staff enter paper answers", by.Role, auth.PermConsultAnswer)
		}
		if by.TownCode != c.TownCode {
			return Receipt{}, problem.Forbidden("this consultation is for the residents of another town")
		}
		row.channel, row.userID, row.personKey = ChannelOnline, by.ID, fmt.Sprintf("u%d", by.ID)
		sub.Respondent, sub.Phone = "", ""
	}
	if !c.Accepting() {
		return Receipt{}, ErrNotAccepting
	}
	answers, err := ParseAnswers(c.Questions, sub.Answers)
	if err != nil {
		return Receipt{}, err
	}
	if err := s.eligible(ctx, c, sub, by, &row); err != nil {
		return Receipt{}, err
	}
	b, err := json.Marshal(answers)
	if err != nil {
		return Receipt{}, err
	}
	row.answers, row.respondent, row.phone = string(b), sub.Respondent, sub.Phone
	row.created = s.now().Truncate(time.Millisecond)
	var rec Receipt
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		rec, err = row.insert(ctx, tx)
		if err != nil || rec.ID != 0 {
			return err
		}
		// Nothing stored: the client id (a concurrent resend), the person or the household.
		r, ok, err := s.byClientID(ctx, tx, id, sub.ClientID)
		if err != nil || ok {
			rec = r
			return err
		}
		if row.personKey != "" {
			if err := tx.QueryRow(ctx, `SELECT 1 FROM consult_answers WHERE consultation_id = ? AND person_key = ?`, id, row.personKey).Scan(new(int)); err == nil {
				return ErrAnswered
			}
		}
		return ErrHouseholdAnswered
	})
	return rec, err
}

type answerRow struct {
	consultation               int64
	clientID, personKey        string
	householdKey, household    string
	channel                    string
	userID, enteredBy          int64
	respondent, phone, answers string
	created                    time.Time
}

func (a answerRow) insert(ctx context.Context, tx *store.Tx) (Receipt, error) {
	r := Receipt{ClientID: a.clientID, CreatedAt: a.created}
	err := tx.QueryRow(ctx, `INSERT INTO consult_answers (consultation_id, client_id, person_key, household_key, household, channel, user_id,
		entered_by, respondent, phone, answers, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
		a.consultation, a.clientID, store.NullIfEmpty(a.personKey), store.NullIfEmpty(a.householdKey), a.household, a.channel,
		store.NullIfZero(a.userID), store.NullIfZero(a.enteredBy), a.respondent, a.phone, a.answers, a.created.UnixMilli()).Scan(&r.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return Receipt{}, nil
	}
	return r, err
}

func (s *Service) byClientID(ctx context.Context, q store.Querier, id int64, clientID string) (Receipt, bool, error) {
	r := Receipt{ClientID: clientID, Duplicate: true}
	var at int64
	err := q.QueryRow(ctx, `SELECT id, created_at FROM consult_answers WHERE consultation_id = ? AND client_id = ?`, id, clientID).Scan(&r.ID, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return Receipt{}, false, nil
	}
	r.CreatedAt = time.UnixMilli(at)
	return r, err == nil, err
}

// eligible checks the respondent's household and area against the consultation's scope, and
// sets the household's key on row.
func (s *Service) eligible(ctx context.Context, c Consultation, sub Submission, by *auth.User, row *answerRow) error {
	hasHousehold := sub.Building != "" || sub.Room != ""
	if hasHousehold && (sub.Building == "" || sub.Room == "") {
		if sub.Building == "" {
			return problem.Field("building", "give the building with the room")
		}
		return problem.Field("room", "give the room with the building")
	}
	if c.PerHousehold && !hasHousehold {
		return problem.Field("building", "this consultation takes one answer per household: give the building and the room")
	}
	if hasHousehold {
		row.householdKey = HouseholdKey(c.ID, sub.Building, sub.Room)
		row.household = privacy.CoarseAddress(sub.Building)
		if !c.PerHousehold {
			// The household shows where the respondent lives; it does not limit the answers.
			row.householdKey = ""
		}
	}
	switch c.ScopeKind {
	case ScopeTown:
		return nil
	case ScopeBuilding:
		if sub.Building != c.ScopeCode {
			return problem.Field("building", "this consultation is for the households of %s", c.ScopeCode)
		}
		return nil
	}
	if !hasHousehold {
		if by != nil && row.channel == ChannelOnline && c.ScopeKind == ScopeGrid && by.GridCode == c.ScopeCode {
			return nil
		}
		return problem.Field("building", "this consultation is for the residents of one area: give the building and the room to show you live there")
	}
	grid, committee, ok, err := resolve(ctx, s.DB, c.TownCode, sub.Building)
	if err != nil {
		return err
	}
	if !ok {
		return problem.Field("building", "%s is not in the town's address book: write it as road and number (e.g. 天山西路144弄12号)", sub.Building)
	}
	if (c.ScopeKind == ScopeGrid && grid != c.ScopeCode) || (c.ScopeKind == ScopeCommittee && committee != c.ScopeCode) {
		return problem.Field("building", "%s is outside the area of this consultation", sub.Building)
	}
	return nil
}

// getAny is consultation id of any town (answering checks the town itself).
func (s *Service) getAny(ctx context.Context, q store.Querier, id int64) (Consultation, error) {
	c, err := s.scan(q.QueryRow(ctx, `SELECT `+cols+` FROM consultations c JOIN consult_bodies b ON b.id = c.body_id WHERE c.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, problem.NotFound("consultation %d", id)
	}
	return c, err
}

// Public returns consultation id as the public sees it: never a draft, any town.
func (s *Service) Public(ctx context.Context, id int64) (Consultation, error) {
	c, err := s.getAny(ctx, s.DB, id)
	if err == nil && c.Stored == StatusDraft {
		err = problem.NotFound("consultation %d", id)
	}
	if err != nil {
		return c, err
	}
	return s.Get(ctx, []string{c.TownCode}, id)
}

// AnsweredBy reports whether user u has answered consultation id.
func (s *Service) AnsweredBy(ctx context.Context, id int64, u auth.User) (bool, error) {
	err := s.DB.QueryRow(ctx, `SELECT 1 FROM consult_answers WHERE consultation_id = ? AND person_key = ?`, id, fmt.Sprintf("u%d", u.ID)).Scan(new(int))
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}
