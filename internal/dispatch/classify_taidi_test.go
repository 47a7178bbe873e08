package dispatch

import (
	"os"
	"path/filepath"
	"testing"
)

// The public labelled sample (../shared/data/complaints, see its README): read by tests, never
// committed.
const dataDir = "../../../shared/data/complaints"

// openData opens a data file; a missing file fails in CI and skips elsewhere.
func openData(t testing.TB, name string) *os.File {
	t.Helper()
	path := filepath.Join(dataDir, name)
	f, err := os.Open(path)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("test data %s is missing (%v): the CI machine must provide /work/shared/data/complaints (see shared/data/README.md)", path, err)
		}
		t.Skipf("test data %s is missing: %v", path, err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func taidi(t testing.TB) ([]Example, []TaxonomyRow) {
	t.Helper()
	ex, err := ReadExamples(openData(t, "taidi2020c_labelled_dev.csv"), Columns{})
	if err != nil {
		t.Fatal(err)
	}
	tax, err := ReadTaxonomy(openData(t, "taidi2020c_taxonomy_l1_l2_l3.csv"))
	if err != nil {
		t.Fatal(err)
	}
	return ex, tax
}

func TestTaidiCrossValidation(t *testing.T) {
	ex, tax := taidi(t)
	if len(ex) != 298 {
		t.Fatalf("read %d examples, want 298", len(ex))
	}
	seeds := []uint64{1, 2, 3}
	runs, err := Evaluate(ex, EvalOptions{Folds: 5, Seeds: seeds, Taxonomy: tax})
	if err != nil {
		t.Fatal(err)
	}
	for s, name := range EvalSystems {
		t1, sd1 := MeanSD(runs, s, func(x Scores) float64 { return x.Top1 })
		t3, _ := MeanSD(runs, s, func(x Scores) float64 { return x.Top3 })
		f1, _ := MeanSD(runs, s, func(x Scores) float64 { return x.MacroF1 })
		t.Logf("%-34s top1 %.3f ±%.3f  top3 %.3f  macroF1 %.3f", name, t1, sd1, t3, f1)
	}
}
