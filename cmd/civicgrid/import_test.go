package main

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/intake"
	"github.com/civicgrid/civicgrid/internal/store"
)

func TestImportHotlineCLI(t *testing.T) {
	data := demoData(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "热线.csv")
	os.WriteFile(file, []byte("工单编号,来电时间,诉求地址,诉求内容\nC-1,2025-09-30 10:00,剑河路176弄,楼道堆物\nC-2,bad,,x\n"), 0o600)
	report := filepath.Join(dir, "errors.xlsx")
	// The demo has two towns: --town is required.
	if code, _, errOut := cli(t, "import", "hotline", file, "--data", data); code == 0 || !strings.Contains(errOut, "--town is required") ||
		strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
		t.Fatalf("no town: %d %q", code, errOut)
	}
	code, out, errOut := cli(t, "import", "hotline", file, "--data", data, "--town", "310105102", "--json", "--errors", report)
	if code != 0 {
		t.Fatalf("import: %d %s", code, errOut)
	}
	var sum map[string]any
	if err := json.Unmarshal([]byte(out), &sum); err != nil || strings.Count(strings.TrimSpace(out), "\n") != 0 {
		t.Fatalf("--json printed %q: %v", out, err)
	}
	if sum["created"] != 1.0 || sum["rejected"] != 1.0 || sum["updated"] != 0.0 || sum["unchanged"] != 0.0 {
		t.Errorf("summary %v", sum)
	}
	if st, err := os.Stat(report); err != nil || st.Size() == 0 {
		t.Errorf("error report: %v", err)
	}
	code, out, _ = cli(t, "import", "hotline", "--data", data, "--town", "310105102", file)
	if code != 0 || !strings.Contains(out, "created 0, updated 0, unchanged 1, rejected 1") {
		t.Errorf("second import: %d %s", code, out)
	}
	for name, args := range map[string][]string{
		"missing file":    {filepath.Join(dir, "nope.csv")},
		"missing columns": {writeFile(t, dir, "bad.csv", "工单编号,诉求内容\nX,y\n")},
		"legacy xls":      {writeFile(t, dir, "old.xls", "whatever")},
	} {
		code, _, errOut := cli(t, append([]string{"import", "hotline", "--data", data, "--town", "310105102"}, args...)...)
		if code == 0 || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || errOut == "" {
			t.Errorf("%s: exit %d, stderr %q", name, code, errOut)
		}
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestImportCrash kills the importer (kill -9) at random moments and runs it again until it
// finishes, then compares the orders with a clean import into a fresh data directory: the same
// rows, none twice.
func TestImportCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and imports 30,000 rows several times")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "civicgrid")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v %s", err, out)
	}
	file := filepath.Join(dir, "hotline.csv")
	f, _ := os.Create(file)
	if err := demo.HotlineCSV(f, 30_000, 3); err != nil {
		t.Fatal(err)
	}
	f.Close()
	run := func(data string) *exec.Cmd {
		// Small batches give the kills many commit points to fall between.
		return exec.Command(bin, "import", "hotline", file, "--data", data, "--town", "310105102", "--json", "--batch", "1000")
	}
	prepare := func(data string) {
		if out, err := exec.Command(bin, "demo", "--data", data).CombinedOutput(); err != nil {
			t.Fatalf("demo: %v %s", err, out)
		}
	}
	clean, crashed := filepath.Join(dir, "clean"), filepath.Join(dir, "crashed")
	prepare(clean)
	prepare(crashed)
	if out, err := run(clean).CombinedOutput(); err != nil {
		t.Fatalf("clean import: %v %s", err, out)
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	kills, deadline := 0, time.Now().Add(45*time.Second)
	for {
		cmd := run(crashed)
		var out strings.Builder
		cmd.Stdout = &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		wait := time.Duration(50+rng.IntN(351)) * time.Millisecond
		if kills >= 5 || time.Now().After(deadline) {
			wait = time.Minute // enough kills: let it finish
		}
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("import: %v %s", err, out.String())
			}
			var sum intake.Summary
			_ = json.Unmarshal([]byte(out.String()), &sum)
			t.Logf("finished after %d kills: %s", kills, strings.TrimSpace(out.String())[:min(200, len(out.String()))])
			goto compare
		case <-time.After(wait):
			_ = cmd.Process.Kill() // SIGKILL: no deferred cleanup, no rollback but SQLite's own
			<-done
			kills++
		}
	}
compare:
	a, b := snapshot(t, clean), snapshot(t, crashed)
	if len(a) < 29_000 || len(a) != len(b) {
		t.Fatalf("clean import has %d orders, crashed and resumed %d", len(a), len(b))
	}
	for k, v := range a {
		if b[k] != v {
			t.Fatalf("order %s: clean %q, resumed %q", k, v, b[k])
		}
	}
}

// snapshot is external_id → content|grid|address of the hotline orders, failing on duplicates.
func snapshot(t *testing.T, data string) map[string]string {
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(ctx, `SELECT external_id, content, COALESCE(grid_code, ''), address FROM orders WHERE channel = 'hotline' AND external_id LIKE 'HL3%'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, content, grid, addr string
		if err := rows.Scan(&id, &content, &grid, &addr); err != nil {
			t.Fatal(err)
		}
		if _, dup := out[id]; dup {
			t.Fatalf("order %s is there twice", id)
		}
		out[id] = content + "|" + grid + "|" + addr
	}
	var events, orders int
	_ = db.QueryRow(ctx, `SELECT COUNT(*) FROM order_events e JOIN orders o ON o.id = e.order_id WHERE o.external_id LIKE 'HL3%'`).Scan(&events)
	_ = db.QueryRow(ctx, `SELECT COUNT(*) FROM orders WHERE external_id LIKE 'HL3%'`).Scan(&orders)
	if events != orders {
		t.Fatalf("%d events for %d orders: each should have exactly its receive event", events, orders)
	}
	return out
}
