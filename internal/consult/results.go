package consult

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"
)

// Count is how many answers chose an option (or gave a rating), and the share of the
// question's answers in per cent (one decimal).
type Count struct {
	Key   string  `json:"key"`
	Text  string  `json:"text"`
	Count int     `json:"count"`
	Share float64 `json:"share"`
}

// Rank is an option of a ranking question: its mean position (1 = first) and its Borda score
// (n−1 points for a first place, 0 for the last, summed).
type Rank struct {
	Key     string  `json:"key"`
	Text    string  `json:"text"`
	MeanPos float64 `json:"mean_position"`
	Borda   int     `json:"borda"`
}

// QuestionResult is the tally of one question.
type QuestionResult struct {
	Question Question `json:"question"`
	Answered int      `json:"answered"` // answers that answered it
	Counts   []Count  `json:"counts,omitempty"`
	Mean     float64  `json:"mean,omitempty"`    // rating
	Ranking  []Rank   `json:"ranking,omitempty"` // best first
	Matrix   [][]int  `json:"matrix,omitempty"`  // [row][column]
	Texts    int      `json:"texts,omitempty"`   // text answers (read them with Texts)
}

// Results are the tally of a consultation's answers.
type Results struct {
	Total     int              `json:"total"`
	Channels  []Count          `json:"channels"`
	Questions []QuestionResult `json:"questions"`
	Consent   *Outcome         `json:"consent,omitempty"`
}

// StoredAnswer is one stored answer as the export and the text pages read it.
type StoredAnswer struct {
	ID         int64
	Channel    string
	Household  string // the building, coarse (no room)
	Respondent string
	Phone      string
	EnteredBy  int64
	UserID     int64
	CreatedAt  time.Time
	Answers    Answers
}

// Each calls fn for each answer of consultation c in the order given.
func (s *Service) Each(ctx context.Context, c Consultation, fn func(StoredAnswer) error) error {
	rows, err := s.DB.Query(ctx, `SELECT id, channel, household, respondent, phone, entered_by, user_id, created_at, answers
		FROM consult_answers WHERE consultation_id = ? ORDER BY created_at, id`, c.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var a StoredAnswer
		var by, uid sql.NullInt64
		var at int64
		var raw string
		if err := rows.Scan(&a.ID, &a.Channel, &a.Household, &a.Respondent, &a.Phone, &by, &uid, &at, &raw); err != nil {
			return err
		}
		a.EnteredBy, a.UserID, a.CreatedAt = by.Int64, uid.Int64, time.UnixMilli(at)
		if err := json.Unmarshal([]byte(raw), &a.Answers); err != nil {
			return fmt.Errorf("answer %d: %w", a.ID, err)
		}
		if err := fn(a); err != nil {
			return err
		}
	}
	return rows.Err()
}

func share(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return math.Round(float64(n)*1000/float64(of)) / 10
}

// Tally counts the answers of c per question.
func (s *Service) Tally(ctx context.Context, c Consultation) (Results, error) {
	res := Results{Questions: make([]QuestionResult, len(c.Questions))}
	idx := map[string]int{}
	posSum := make([][]int, len(c.Questions)) // ranking: sum of positions per option
	for i, q := range c.Questions {
		idx[q.Key] = i
		qr := QuestionResult{Question: q}
		switch q.Type {
		case TypeSingle, TypeMultiple:
			for _, o := range q.Options {
				qr.Counts = append(qr.Counts, Count{Key: o.Key, Text: o.Text})
			}
		case TypeRating:
			for v := 1; v <= q.Scale; v++ {
				qr.Counts = append(qr.Counts, Count{Key: fmt.Sprint(v), Text: fmt.Sprint(v)})
			}
		case TypeRanking:
			posSum[i] = make([]int, len(q.Options))
			for _, o := range q.Options {
				qr.Ranking = append(qr.Ranking, Rank{Key: o.Key, Text: o.Text})
			}
		case TypeMatrix:
			qr.Matrix = make([][]int, len(q.Rows))
			for r := range qr.Matrix {
				qr.Matrix[r] = make([]int, len(q.Options))
			}
		}
		res.Questions[i] = qr
	}
	channels := map[string]int{}
	ratingSum := make([]int, len(c.Questions))
	err := s.Each(ctx, c, func(a StoredAnswer) error {
		res.Total++
		channels[a.Channel]++
		for key, v := range a.Answers {
			i, ok := idx[key]
			if !ok {
				continue
			}
			qr, q := &res.Questions[i], c.Questions[i]
			qr.Answered++
			switch q.Type {
			case TypeSingle:
				if j := optionIndex(q.Options, v.Choice); j >= 0 {
					qr.Counts[j].Count++
				}
			case TypeMultiple:
				for _, k := range v.Choices {
					if j := optionIndex(q.Options, k); j >= 0 {
						qr.Counts[j].Count++
					}
				}
			case TypeRating:
				if v.Rating >= 1 && v.Rating <= q.Scale {
					qr.Counts[v.Rating-1].Count++
					ratingSum[i] += v.Rating
				}
			case TypeRanking:
				for p, k := range v.Choices {
					if j := optionIndex(q.Options, k); j >= 0 {
						posSum[i][j] += p + 1
						qr.Ranking[j].Borda += len(q.Options) - 1 - p
					}
				}
			case TypeMatrix:
				for r, col := range v.Matrix {
					ri, ci := optionIndex(q.Rows, r), optionIndex(q.Options, col)
					if ri >= 0 && ci >= 0 {
						qr.Matrix[ri][ci]++
					}
				}
			case TypeText:
				qr.Texts++
			}
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	for i := range res.Questions {
		qr := &res.Questions[i]
		for j := range qr.Counts {
			qr.Counts[j].Share = share(qr.Counts[j].Count, qr.Answered)
		}
		if qr.Question.Type == TypeRating && qr.Answered > 0 {
			qr.Mean = math.Round(float64(ratingSum[i])*100/float64(qr.Answered)) / 100
		}
		if qr.Question.Type == TypeRanking {
			for j := range qr.Ranking {
				if qr.Answered > 0 {
					qr.Ranking[j].MeanPos = math.Round(float64(posSum[i][j])*100/float64(qr.Answered)) / 100
				}
			}
			slices.SortStableFunc(qr.Ranking, func(a, b Rank) int { return b.Borda - a.Borda })
		}
	}
	for _, l := range Channels {
		if n := channels[l.Code]; n > 0 {
			res.Channels = append(res.Channels, Count{Key: l.Code, Text: l.ZH, Count: n, Share: share(n, res.Total)})
		}
	}
	if c.Consent != nil {
		for i, q := range c.Questions {
			if q.Consent {
				agree := 0
				if j := optionIndex(q.Options, q.AgreeKey); j >= 0 && res.Questions[i].Counts != nil {
					agree = res.Questions[i].Counts[j].Count
				}
				o := c.Consent.Apply(res.Questions[i].Answered, agree)
				res.Consent = &o
			}
		}
	}
	return res, nil
}

// TextPage is a page of the answers to a text question.
type TextPage struct {
	Total int        `json:"total"`
	Page  int        `json:"page"`
	Pages int        `json:"pages"`
	Items []TextItem `json:"items"`
}

// TextItem is one text answer.
type TextItem struct {
	AnswerID int64     `json:"answer_id"`
	At       time.Time `json:"at"`
	Text     string    `json:"text"`
}

// TextPageSize is how many text answers a page lists.
const TextPageSize = 20

// Texts returns page (1-based) of the answers to text question key of c, oldest first.
func (s *Service) Texts(ctx context.Context, c Consultation, key string, page int) (TextPage, error) {
	if page < 1 {
		page = 1
	}
	p := TextPage{Page: page, Items: []TextItem{}}
	from := (page - 1) * TextPageSize
	err := s.Each(ctx, c, func(a StoredAnswer) error {
		v, ok := a.Answers[key]
		if !ok || v.Text == "" {
			return nil
		}
		if p.Total >= from && p.Total < from+TextPageSize {
			p.Items = append(p.Items, TextItem{AnswerID: a.ID, At: a.CreatedAt, Text: v.Text})
		}
		p.Total++
		return nil
	})
	p.Pages = (p.Total + TextPageSize - 1) / TextPageSize
	return p, err
}

// Format is an answer to question q as one cell of a table: option texts, a ranking in order,
// a matrix row by row.
func Format(q Question, v Value) string {
	switch q.Type {
	case TypeSingle:
		return optionText(q.Options, v.Choice)
	case TypeMultiple:
		out := ""
		for i, k := range v.Choices {
			if i > 0 {
				out += "；"
			}
			out += optionText(q.Options, k)
		}
		return out
	case TypeRanking:
		out := ""
		for i, k := range v.Choices {
			if i > 0 {
				out += " "
			}
			out += fmt.Sprintf("%d.%s", i+1, optionText(q.Options, k))
		}
		return out
	case TypeRating:
		if v.Rating == 0 {
			return ""
		}
		return fmt.Sprint(v.Rating)
	case TypeMatrix:
		out := ""
		for _, r := range q.Rows {
			if col, ok := v.Matrix[r.Key]; ok {
				if out != "" {
					out += "；"
				}
				out += r.Text + "：" + optionText(q.Options, col)
			}
		}
		return out
	}
	return v.Text
}
