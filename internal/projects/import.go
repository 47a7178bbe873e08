package projects

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
)

// MaxImportBallots bounds one import of paper ballots (a congress has a few hundred members).
const MaxImportBallots = 1000

// choiceWords are the words a ballot sheet may use for a choice; an empty cell leaves the
// candidate unmarked (an abstention).
var choiceWords = map[string]string{
	"赞成": Yes, "同意": Yes, "yes": Yes, "y": Yes, "✓": Yes, "√": Yes, "○": Yes,
	"反对": No, "不同意": No, "no": No, "n": No, "×": No, "x": No,
	"弃权": Abstain, "abstain": Abstain, "a": Abstain,
}

// column names a spreadsheet column, A … Z, AA …
func column(i int) string {
	name, _ := excelize.ColumnNumberToName(i + 1)
	return name
}

// ParseBallots reads paper ballots from a table: a header row, then one ballot a row. A column
// is a candidate's when its header starts with the candidate's project id ("12 精品小区建设", the
// export's own header) or is its title; cells hold 赞成/反对/弃权 (or yes/no/abstain, ✓/×), empty
// for unmarked. A column headed 轮次 or Round keeps only the rows of round (the export lists every
// round). Other columns are ignored. Errors name the row and the column.
func ParseBallots(rows [][]string, candidates []Candidate, round int) ([]Ballot, error) {
	if len(rows) == 0 {
		return nil, problem.Field("file", "the sheet is empty: a header row naming the candidates comes first")
	}
	cols := map[int]int64{}
	roundCol := -1
	for i, h := range rows[0] {
		h = strings.TrimSpace(h)
		if h == "轮次" || strings.EqualFold(h, "round") {
			roundCol = i
			continue
		}
		for _, c := range candidates {
			id := strconv.FormatInt(c.ProposalID, 10)
			if h == c.Title || h == id || strings.HasPrefix(h, id+" ") {
				cols[i] = c.ProposalID
			}
		}
	}
	if len(cols) != len(candidates) {
		return nil, problem.Field("file", "row 1: %d of the round's %d candidates have a column (headed by the project id and title, or the title)", len(cols), len(candidates))
	}
	if len(rows) > MaxImportBallots+1 {
		return nil, problem.Field("file", "%d rows; one import takes at most %d ballots", len(rows)-1, MaxImportBallots)
	}
	var out []Ballot
	for n, row := range rows[1:] {
		if roundCol >= 0 && roundCol < len(row) && strings.TrimSpace(row[roundCol]) != strconv.Itoa(round) {
			continue
		}
		blank := true
		b := Ballot{}
		for i, cell := range row {
			id, ok := cols[i]
			cell = strings.TrimSpace(cell)
			if !ok || cell == "" {
				continue
			}
			blank = false
			c, known := choiceWords[strings.ToLower(cell)]
			if !known {
				return nil, problem.Field("file", "row %d, column %s: %q is not 赞成, 反对 or 弃权 (yes, no, abstain)", n+2, column(i), cell)
			}
			b[id] = c
		}
		if !blank {
			out = append(out, b)
		}
	}
	return out, nil
}

// ReadBallots reads the first sheet of an xlsx file for ParseBallots.
func ReadBallots(r io.Reader, candidates []Candidate, round int) ([]Ballot, error) {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, problem.Field("file", "not a readable xlsx file: %v", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, problem.Field("file", "the xlsx file has no sheet")
	}
	rows, err := f.GetRows(sheets[0])
	if err != nil {
		return nil, problem.Field("file", "cannot read the sheet: %v", err)
	}
	return ParseBallots(rows, candidates, round)
}

// RoundCandidates returns the candidates of a session's round, in list order, with their titles.
func (s *Service) RoundCandidates(ctx context.Context, towns []string, id int64, round int) ([]Candidate, error) {
	x, err := getSession(ctx, s.DB, towns, id)
	if err != nil {
		return nil, err
	}
	r, err := roundOf(x, round)
	if err != nil {
		return nil, err
	}
	l, err := getList(ctx, s.DB, towns, x.ListID)
	if err != nil {
		return nil, err
	}
	in := map[int64]bool{}
	for _, c := range r.Candidates {
		in[c] = true
	}
	var out []Candidate
	for _, c := range l.Candidates {
		if in[c.ProposalID] {
			out = append(out, c)
		}
	}
	return out, nil
}

// EnterBallots stores a round's paper ballots all at once, or none: the tellers' tally sheet
// imported. The same rules as EnterBallot apply to each (paper session, round not counted, no
// more ballots than returned or issued); an error names the ballot (its row is the number + 1).
func (s *Service) EnterBallots(ctx context.Context, towns []string, id int64, round int, bs []Ballot, by auth.User, actor audit.Actor) (int, error) {
	if len(bs) > MaxImportBallots {
		return 0, problem.Field("file", "%d ballots; one import takes at most %d", len(bs), MaxImportBallots)
	}
	err := s.change(ctx, towns, id, by, actor, "enter paper ballots", func(tx *store.Tx, x Session) (string, error) {
		r, err := paperRoom(x, round, len(bs))
		if err != nil {
			return "", err
		}
		for i, b := range bs {
			if err := CheckBallot(r.Candidates, b); err != nil {
				return "", fmt.Errorf("ballot %d (row %d): %w", i+1, i+2, err)
			}
			if _, err := insertBallot(ctx, tx, id, round, ModePaper, b, r.Seats, by.ID); err != nil {
				return "", err
			}
		}
		return fmt.Sprintf("round %d: %d paper ballots imported", round, len(bs)), nil
	})
	return len(bs), err
}
