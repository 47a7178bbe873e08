package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/projects"
	"github.com/civicgrid/civicgrid/internal/store"
)

// TestCLIProjects: `projects list` shows the demo's 2025 list (差额 met) and its session;
// `projects recount` recounts it equal to the published result, and exits non-zero once a stored
// ballot is changed behind the count's back.
func TestCLIProjects(t *testing.T) {
	data := t.TempDir()
	if code, _, errOut := cli(t, "demo", "--data", data); code != 0 {
		t.Fatalf("demo: %d %s", code, errOut)
	}
	code, out, errOut := cli(t, "projects", "list", "--data", data, "--town", "310105102")
	if code != 0 || !strings.Contains(out, "2025") || !strings.Contains(out, demo.ProjectsSession) || strings.Contains(out, "NOT MET") {
		t.Fatalf("projects list: %d %s %s", code, out, errOut)
	}
	db, err := store.Open(context.Background(), store.Options{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := db.QueryRow(context.Background(), `SELECT id FROM project_sessions WHERE name = ?`, demo.ProjectsSession).Scan(&id); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = cli(t, "projects", "recount", "--data", data, "--json", strconv.FormatInt(id, 10))
	var rc projects.Recounted
	if code != 0 || json.Unmarshal([]byte(out[:strings.LastIndex(out, "}")+1]), &rc) != nil || !rc.Match || len(rc.Rounds) != 1 || rc.Rounds[0].Tally.Valid != 65 {
		t.Fatalf("projects recount: %d %+v %s", code, rc, errOut)
	}
	// A valid ballot's no becomes a yes: the recount differs.
	if _, err := db.Exec(context.Background(), `UPDATE project_ballot_marks SET choice = 'yes' WHERE choice = 'no' AND ballot_id =
		(SELECT b.id FROM project_ballots b JOIN project_ballot_marks m ON m.ballot_id = b.id WHERE b.valid = 1 AND m.choice = 'no' ORDER BY b.id LIMIT 1)
		AND proposal_id = (SELECT MIN(proposal_id) FROM project_ballot_marks m2 WHERE m2.ballot_id = project_ballot_marks.ballot_id AND m2.choice = 'no')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	code, out, _ = cli(t, "projects", "recount", "--data", data, strconv.FormatInt(id, 10))
	if code == 0 || !strings.Contains(out, "DIFFERS") {
		t.Fatalf("recount after tampering: %d %s", code, out)
	}
	if code, _, errOut := cli(t, "projects", "recount", "--data", data, "x"); code == 0 || !strings.Contains(errOut, "not a number") {
		t.Errorf("recount x: %d %s", code, errOut)
	}
	// Importing the tellers' sheet into the counted round is refused, and nothing changes.
	x := excelize.NewFile()
	x.SetSheetRow("Sheet1", "A1", &[]any{"轮次", "精品小区建设"})
	x.SetSheetRow("Sheet1", "A2", &[]any{"1", "赞成"})
	file := filepath.Join(t.TempDir(), "ballots.xlsx")
	if err := x.SaveAs(file); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = cli(t, "projects", "import-ballots", "--data", data, "--session", strconv.FormatInt(id, 10), "--as", "dispatcher", file)
	if code == 0 || !strings.Contains(errOut, "candidates have a column") {
		t.Errorf("import into the demo round with one column: %d %s", code, errOut)
	}
}
