package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/party"
)

// party tree and party coverage on the demo: the tree's 214, and the coverage report's total
// equal to its grids' sum.
func TestCLIParty(t *testing.T) {
	data := t.TempDir()
	if code, _, errOut := cli(t, "demo", "--data", data); code != 0 {
		t.Fatalf("demo: %d %s", code, errOut)
	}
	code, out, errOut := cli(t, "party", "tree", "--data", data, "--town", "310105102")
	if code != 0 || !strings.Contains(out, "中共上海市长宁区新泾镇委员会") || !strings.Contains(out, "214") {
		t.Fatalf("party tree: %d %s\n%s", code, errOut, out)
	}
	code, out, errOut = cli(t, "party", "coverage", "--data", data, "--town", "310105102", "--json")
	if code != 0 {
		t.Fatalf("party coverage: %d %s", code, errOut)
	}
	var rep party.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("party coverage --json: %v", err)
	}
	sum := 0
	for _, g := range rep.ByGrid {
		sum += g.Full
	}
	if rep.Total.Entities == 0 || sum != rep.Total.Full || len(rep.Gaps) != rep.Total.Entities-rep.Total.Full {
		t.Errorf("coverage: total %+v, grids' full %d, gaps %d", rep.Total, sum, len(rep.Gaps))
	}
	if code, _, _ := cli(t, "party", "coverage", "--data", data); code == 0 {
		t.Error("party coverage without --town succeeded")
	}
}
