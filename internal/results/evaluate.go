package results

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
)

// Grades of the evaluation (人大验单: 满意 / 基本满意 / 不满意).
const (
	GradeSatisfied    = "satisfied"    // 满意
	GradeBasic        = "basic"        // 基本满意
	GradeDissatisfied = "dissatisfied" // 不满意
)

// Grades lists the grades in the order forms show them.
var Grades = []Status{
	{GradeSatisfied, "满意", "Satisfied"},
	{GradeBasic, "基本满意", "Basically satisfied"},
	{GradeDissatisfied, "不满意", "Dissatisfied"},
}

// Settings of a town (table settings; civicgrid settings set --town CODE KEY VALUE).
const (
	// SettingThreshold is the share of 不满意 in percent above which the evaluation sends a result
	// back for 整改 (default 30).
	SettingThreshold = "results_rectify_threshold"
	// SettingMinRatings is the number of ratings a result needs before the evaluation judges it
	// (default 10): three ratings of which one is 不满意 say little.
	SettingMinRatings = "results_min_ratings"
	// SettingRaterKey is the installation's secret of the raters' keyed hashes (the empty town);
	// the CLI's settings list leaves it out.
	SettingRaterKey = "results_rater_key"
)

// Defaults of the settings.
const (
	DefaultThreshold  = 30.0
	DefaultMinRatings = 10
)

var raterKeys sync.Map // *store.DB → []byte

// raterKey returns the installation's secret for the raters' hashes, made once and kept in the
// settings table (never shown by the CLI's settings list: it is not in a town).
func raterKey(ctx context.Context, db *store.DB) ([]byte, error) {
	if k, ok := raterKeys.Load(db); ok {
		return k.([]byte), nil
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	if _, err := db.Exec(ctx, `INSERT INTO settings (town_code, key, value) VALUES ('', ?, ?) ON CONFLICT (town_code, key) DO NOTHING`,
		SettingRaterKey, hex.EncodeToString(k)); err != nil {
		return nil, fmt.Errorf("rater key: %w", err)
	}
	var v string
	if err := db.QueryRow(ctx, `SELECT value FROM settings WHERE town_code = '' AND key = ?`, SettingRaterKey).Scan(&v); err != nil {
		return nil, fmt.Errorf("rater key: %w", err)
	}
	key, err := hex.DecodeString(v)
	if err != nil || len(key) < 16 {
		return nil, fmt.Errorf("rater key: the setting %s is not a hex key of 16 bytes or more", SettingRaterKey)
	}
	got, _ := raterKeys.LoadOrStore(db, key)
	return got.([]byte), nil
}

// raterHash is the keyed hash that stands for user in the ratings of result: the same person rates
// a result once, and without the key the hash names nobody (nor links one person's ratings of two
// results).
func raterHash(key []byte, result, user int64) string {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "%d:%d", result, user)
	return hex.EncodeToString(m.Sum(nil))
}

// RatingOpen reports whether r's rating window holds day.
func RatingOpen(r Result, day string) bool {
	return r.RatingOpens != "" && r.RatingOpens <= day && day <= r.RatingCloses
}

// Rate records by's grade of result id: residents and deputies of the result's town
// (results:rate), once per person, a project (not a part) inside its rating window. The rating
// is stored under a keyed hash of the rater; the audit row says that by rated, not how.
func (s *Service) Rate(ctx context.Context, towns []string, id int64, grade string, by auth.User) error {
	if !by.Can(auth.PermResultsRate) {
		return problem.Forbidden("results:rate needed")
	}
	if !validGrade(grade) {
		return problem.Field("grade", "%q is not a grade (satisfied, basic, dissatisfied)", grade)
	}
	key, err := raterKey(ctx, s.DB)
	if err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		r, err := s.get(ctx, tx, towns, id)
		if err != nil {
			return err
		}
		if r.ParentID != 0 {
			return problem.Field("grade", "rate the project, not one of its parts")
		}
		if !RatingOpen(r, s.Today()) {
			return problem.Conflict("the rating of %s is not open (%s – %s)", r.Title, r.RatingOpens, r.RatingCloses)
		}
		_, err = tx.Exec(ctx, `INSERT INTO result_ratings (result_id, rater, rater_kind, grade) VALUES (?, ?, ?, ?)`,
			id, raterHash(key, id, by.ID), raterKind(by), grade)
		if store.IsUniqueViolation(err) {
			return ErrRatedAlready
		}
		if err != nil {
			return err
		}
		return actor(by).Record(ctx, tx, audit.Entry{Action: "rate", Entity: "result", EntityID: strconv.FormatInt(id, 10), TownCode: r.TownCode})
	})
}

// ErrRatedAlready answers a second rating of one person.
var ErrRatedAlready = problem.New(problem.ErrConflict, "grade", "you have rated this result already: one rating per person")

// Rated reports whether by has rated result id.
func (s *Service) Rated(ctx context.Context, id int64, by auth.User) (bool, error) {
	key, err := raterKey(ctx, s.DB)
	if err != nil {
		return false, err
	}
	var n int
	err = s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM result_ratings WHERE result_id = ? AND rater = ?`, id, raterHash(key, id, by.ID)).Scan(&n)
	return n > 0, err
}

func raterKind(u auth.User) string {
	if u.Role == auth.RoleDeputy {
		return "deputy"
	}
	return "resident"
}

func validGrade(g string) bool {
	for _, x := range Grades {
		if x.Code == g {
			return true
		}
	}
	return false
}

// Tally is the count of a result's ratings by grade, and by the raters' kind.
type Tally struct {
	ResultID     int64   `json:"result_id"`
	Satisfied    int     `json:"satisfied"`
	Basic        int     `json:"basic"`
	Dissatisfied int     `json:"dissatisfied"`
	Total        int     `json:"total"`
	Deputies     int     `json:"deputies"`
	Residents    int     `json:"residents"`
	Share        float64 `json:"dissatisfied_share"` // percent of 不满意
	// Satisfaction is (满意 + 基本满意) / total in percent, the figure reports usually give.
	Satisfaction float64 `json:"satisfaction"`
}

// Tallies returns the tallies of results ids (only counts: no rater, no order).
func (s *Service) Tallies(ctx context.Context, ids []int64) (map[int64]Tally, error) {
	out := map[int64]Tally{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.DB.Query(ctx, `SELECT result_id, grade, rater_kind, COUNT(*) FROM result_ratings WHERE result_id IN (`+store.Placeholders(len(ids))+`)
		GROUP BY result_id, grade, rater_kind`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var grade, kind string
		var n int
		if err := rows.Scan(&id, &grade, &kind, &n); err != nil {
			return nil, err
		}
		t := out[id]
		t.ResultID = id
		switch grade {
		case GradeSatisfied:
			t.Satisfied += n
		case GradeBasic:
			t.Basic += n
		case GradeDissatisfied:
			t.Dissatisfied += n
		}
		if kind == "deputy" {
			t.Deputies += n
		} else {
			t.Residents += n
		}
		t.Total += n
		out[id] = t
	}
	for id, t := range out {
		if t.Total > 0 {
			t.Share = round1(100 * float64(t.Dissatisfied) / float64(t.Total))
			t.Satisfaction = round1(100 * float64(t.Satisfied+t.Basic) / float64(t.Total))
		}
		out[id] = t
	}
	return out, rows.Err()
}

// Rules are a town's evaluation settings.
type Rules struct {
	Threshold  float64 `json:"threshold"`   // percent of 不满意 above which a result goes back
	MinRatings int     `json:"min_ratings"` // fewer ratings: not judged
}

// EvaluationRules returns town's rules: the town's settings, else the installation's, else the
// defaults.
func (s *Service) EvaluationRules(ctx context.Context, town string) (Rules, error) {
	r := Rules{Threshold: DefaultThreshold, MinRatings: DefaultMinRatings}
	rows, err := s.DB.Query(ctx, `SELECT key, value FROM settings WHERE town_code IN ('', ?) AND key IN (?, ?) ORDER BY town_code`, town, SettingThreshold, SettingMinRatings)
	if err != nil {
		return r, err
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return r, err
		}
		switch k {
		case SettingThreshold:
			if f, err := ParseThreshold(v); err == nil {
				r.Threshold = f
			}
		case SettingMinRatings:
			if n, err := ParseMinRatings(v); err == nil {
				r.MinRatings = n
			}
		}
	}
	return r, rows.Err()
}

// ParseThreshold reads the results_rectify_threshold setting: a percentage from 0 to 100.
func ParseThreshold(v string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || f < 0 || f > 100 {
		return 0, fmt.Errorf("%s %q: want a percentage from 0 to 100, e.g. 30", SettingThreshold, v)
	}
	return f, nil
}

// ParseMinRatings reads the results_min_ratings setting: a whole number from 1.
func ParseMinRatings(v string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 || n > 1_000_000 {
		return 0, fmt.Errorf("%s %q: want a whole number from 1, e.g. 10", SettingMinRatings, v)
	}
	return n, nil
}

// Verdict is what the evaluation decided of one result.
type Verdict struct {
	Result Result `json:"result"`
	Tally  Tally  `json:"tally"`
	// Rectify: sent back for 整改 now; Judged: enough ratings to judge.
	Rectify bool   `json:"rectify"`
	Judged  bool   `json:"judged"`
	Reason  string `json:"reason,omitempty"`
}

// Judge applies rules to a tally: judged when it has MinRatings ratings, rectify when the share
// of 不满意 is above the threshold.
func Judge(rules Rules, t Tally) (judged, rectify bool) {
	if t.Total < rules.MinRatings {
		return false, false
	}
	return true, 100*float64(t.Dissatisfied) > rules.Threshold*float64(t.Total)
}

// Evaluate judges the projects of town's year whose rating windows have closed (results:manage):
// each one rated 不满意 above the threshold goes to 整改中 with a timeline entry giving the
// figures and note (the reason staff add), in one transaction with its audit row. A result already
// 整改中 is left as it is. Returns every project's verdict.
func (s *Service) Evaluate(ctx context.Context, towns []string, town string, year int, note string, by auth.User) ([]Verdict, error) {
	if !MayManage(by) {
		return nil, problem.Forbidden("results:manage needed")
	}
	if !containsTown(towns, town) {
		return nil, problem.Field("town", "not a town of yours")
	}
	var err error
	if note, err = checkText("note", note, MaxNote, false); err != nil {
		return nil, err
	}
	rules, err := s.EvaluationRules(ctx, town)
	if err != nil {
		return nil, err
	}
	list, err := s.Year(ctx, []string{town}, year)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, r := range list {
		if r.ParentID == 0 {
			ids = append(ids, r.ID)
		}
	}
	tallies, err := s.Tallies(ctx, ids)
	if err != nil {
		return nil, err
	}
	today := s.Today()
	var out []Verdict
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		for _, r := range list {
			if r.ParentID != 0 || r.RatingCloses == "" || r.RatingCloses >= today {
				continue
			}
			t := tallies[r.ID]
			t.ResultID = r.ID
			v := Verdict{Result: r, Tally: t}
			v.Judged, v.Rectify = Judge(rules, t)
			if v.Rectify && r.Status == StatusRectifying {
				v.Rectify = false
			}
			if v.Rectify {
				v.Reason = fmt.Sprintf("群众与代表评议：不满意 %d/%d（%.1f%%），超过阈值 %.0f%%，退回整改。", t.Dissatisfied, t.Total, t.Share, rules.Threshold)
				if note != "" {
					v.Reason += note
				}
				now := store.Millis(s.now())
				if _, err := tx.Exec(ctx, `UPDATE results SET status = ?, updated_at = ? WHERE id = ?`, StatusRectifying, now, r.ID); err != nil {
					return err
				}
				if err := addEntry(ctx, tx, r.ID, Entry{Day: today, Kind: KindRectify, Body: v.Reason, Status: StatusRectifying, AuthorName: by.DisplayName}, by.ID, now); err != nil {
					return err
				}
				if err := actor(by).Record(ctx, tx, audit.Entry{Action: "rectify", Entity: "result", EntityID: strconv.FormatInt(r.ID, 10), TownCode: r.TownCode,
					Detail: v.Reason}); err != nil {
					return err
				}
				v.Result.Status = StatusRectifying
			}
			out = append(out, v)
		}
		return nil
	})
	return out, err
}

// Paper is a count of paper ratings (纸质评议表) of one kind of rater, entered by staff.
type Paper struct {
	Kind         string `json:"kind"` // resident or deputy
	Satisfied    int    `json:"satisfied"`
	Basic        int    `json:"basic"`
	Dissatisfied int    `json:"dissatisfied"`
}

// MaxPaper bounds one entry of paper ratings.
const MaxPaper = 100000

// AddPaperRatings adds the counts of paper rating forms collected for project id (results:manage),
// once its rating window has opened. Paper forms name nobody: each counts as one rating under a
// random key. One transaction with the audit row (which gives the counts: they are totals, no
// person's grade).
func (s *Service) AddPaperRatings(ctx context.Context, towns []string, id int64, p Paper, by auth.User) error {
	if !MayManage(by) {
		return problem.Forbidden("results:manage needed")
	}
	if p.Kind != "resident" && p.Kind != "deputy" {
		return problem.Field("kind", "resident or deputy")
	}
	n := p.Satisfied + p.Basic + p.Dissatisfied
	if p.Satisfied < 0 || p.Basic < 0 || p.Dissatisfied < 0 || n == 0 || n > MaxPaper {
		return problem.Field("satisfied", "counts from 0, at least one form, at most %d", MaxPaper)
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		r, err := s.get(ctx, tx, towns, id)
		if err != nil {
			return err
		}
		if r.ParentID != 0 {
			return problem.Field("kind", "rate the project, not one of its parts")
		}
		if r.RatingOpens == "" || s.Today() < r.RatingOpens {
			return problem.Conflict("the rating of %s has not opened", r.Title)
		}
		for _, g := range []struct {
			grade string
			n     int
		}{{GradeSatisfied, p.Satisfied}, {GradeBasic, p.Basic}, {GradeDissatisfied, p.Dissatisfied}} {
			for range g.n {
				k := make([]byte, 16)
				if _, err := rand.Read(k); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, `INSERT INTO result_ratings (result_id, rater, rater_kind, grade) VALUES (?, ?, ?, ?)`,
					id, "paper:"+hex.EncodeToString(k), p.Kind, g.grade); err != nil {
					return err
				}
			}
		}
		return actor(by).Record(ctx, tx, audit.Entry{Action: "rate", Entity: "result", EntityID: strconv.FormatInt(id, 10), TownCode: r.TownCode,
			Detail: fmt.Sprintf("paper forms of %ss: %d satisfied, %d basic, %d dissatisfied", p.Kind, p.Satisfied, p.Basic, p.Dissatisfied)})
	})
}
