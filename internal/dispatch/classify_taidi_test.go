package dispatch

import (
	"os"
	"path/filepath"
	"strings"
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

// TestClassifierTaidiCrossValidation holds the classifier to what it reached on the public sample (one seed
// of 5-fold cross-validation here; `civicgrid eval` runs several for docs/DISPATCH.md).
func TestClassifierTaidiCrossValidation(t *testing.T) {
	ex, tax := taidi(t)
	if len(ex) != 298 {
		t.Fatalf("read %d examples, want 298", len(ex))
	}
	runs, err := Evaluate(ex, EvalOptions{Folds: 5, Seeds: []uint64{1}, Taxonomy: tax})
	if err != nil {
		t.Fatal(err)
	}
	s := runs[0].Scores
	for i, name := range EvalSystems {
		t.Logf("%-34s top1 %.3f  top3 %.3f  macroF1 %.3f", name, s[i].Top1, s[i].Top3, s[i].MacroF1)
	}
	ens := s[len(s)-1]
	t.Logf("calibration: mean first-label probability %.3f, ECE %.3f", runs[0].Confidence, runs[0].ECE)
	if ens.Top1 < 0.886 || ens.Top3 < 0.985 || ens.MacroF1 < 0.88 { // two texts of 298 below; the ensemble without the phrases (0.883 / 0.987 / 0.878) fails
		t.Errorf("ensemble %+v: below what it reached (top-1 0.893, top-3 0.990, macro-F1 0.891 with seed 1)", ens)
	}
	if noPhr := s[len(s)-2]; ens.Top1 <= noPhr.Top1 || ens.MacroF1 <= noPhr.MacroF1 {
		t.Errorf("ensemble %+v does not beat itself without the taxonomy phrases %+v", ens, noPhr)
	}
	if r := runs[0]; r.ECE > 0.1 {
		t.Errorf("ensemble calibration: mean first-label probability %.3f for top-1 %.3f, ECE %.3f (was 0.032)", r.Confidence, ens.Top1, r.ECE)
	}
	for i := range 2 {
		if ens.Top1 <= s[i].Top1 || ens.MacroF1 <= s[i].MacroF1 {
			t.Errorf("ensemble %+v does not beat %s %+v", ens, EvalSystems[i], s[i])
		}
	}
}

// TestClassifierTaidiExplanation: a model trained on the sample explains with the words of the text.
func TestClassifierTaidiExplanation(t *testing.T) {
	ex, tax := taidi(t)
	m, err := Train(ex, TrainOptions{Seed: 1, Taxonomy: tax})
	if err != nil {
		t.Fatal(err)
	}
	title, body := "小区门口学校附近的幼儿园收费太高", "孩子上幼儿园每个月学费三千多，教育局管不管"
	p := m.Classify(title, body, 3)
	ev := m.Explain(title, body, p.Label, 5)
	t.Logf("%s → %v because %v", title, p.Top, ev)
	if p.Label != "教育文体" || len(ev) == 0 {
		t.Fatalf("label %q, evidence %v: want 教育文体 with evidence", p.Label, ev)
	}
	for _, e := range ev {
		if !strings.Contains(title+body, e.Gram) {
			t.Errorf("evidence %q is not in the text", e.Gram)
		}
	}
}

// TestClassifierTaidiHeldOut: trained on the development part (238 texts, all the settings were chosen on
// it), the ensemble is scored once on the 60 texts never looked at while choosing.
func TestClassifierTaidiHeldOut(t *testing.T) {
	ex, tax := taidi(t)
	dev, test := heldOut(ex)
	if len(dev) != 238 || len(test) != 60 {
		t.Fatalf("split %d + %d, want 238 + 60", len(dev), len(test))
	}
	ranked := func(r Ranker) [][]string {
		out := make([][]string, len(test))
		for i, e := range test {
			out[i] = r(e)
		}
		return out
	}
	ens, err := Train(dev, TrainOptions{Seed: 1, Taxonomy: tax})
	if err != nil {
		t.Fatal(err)
	}
	prev, err := Train(dev, TrainOptions{Seed: 1, Taxonomy: tax, hyper: &previousHyper})
	if err != nil {
		t.Fatal(err)
	}
	noPhr, err := Train(dev, TrainOptions{Seed: 1, Taxonomy: tax, hyper: &noPhrasesHyper})
	if err != nil {
		t.Fatal(err)
	}
	s, p := score(test, ranked(ens.Rank)), score(test, ranked(prev.Rank))
	kw := score(test, ranked(NewKeywordRules(dev, tax).Rank))
	t.Logf("held out (60): ensemble %+v, without the phrases (12-07 afternoon) %+v, 12-06 ensemble %+v, keyword rules %+v", s, score(test, ranked(noPhr.Rank)), p, kw)
	if s.Top1 < heldOutFloor.Top1 || s.Top3 < heldOutFloor.Top3 || s.MacroF1 < heldOutFloor.MacroF1 {
		t.Errorf("ensemble on the held-out texts %+v: below %+v", s, heldOutFloor)
	}
}

// heldOutFloor is just under what the ensemble reached on the held-out texts (0.867 / 1.000 /
// 0.872 with the taxonomy phrases, 0.867 / 1.000 / 0.875 without; the 2026-12-06 ensemble's
// 0.833 / 0.983 / 0.846 fails it).
var heldOutFloor = Scores{Top1: 0.85, Top3: 0.98, MacroF1: 0.86}
