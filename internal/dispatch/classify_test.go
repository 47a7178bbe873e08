package dispatch

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

// separable is a tiny training set where one word decides the label and the rest is shared filler.
func separable() []Example {
	fillers := []string{"小区门口", "昨天晚上", "我们楼下", "最近一直", "请有关部门", "居民反映", "已经很久了", "希望尽快"}
	var ex []Example
	for i, f := range fillers {
		g := fillers[(i+3)%len(fillers)]
		ex = append(ex,
			Example{Text: f + "路灯坏了" + g, Label: "照明"},
			Example{Text: g + "有人乱扔垃圾" + f, Label: "环卫"},
			Example{Text: f + "装修噪音扰民" + g, Label: "噪音"},
		)
	}
	return ex
}

func TestClassifierLearnsSeparableTexts(t *testing.T) {
	m, err := Train(separable(), TrainOptions{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ text, want, decides string }{
		{"新村里的路灯坏了好几天", "照明", "路灯"},
		{"楼道里垃圾没人清理", "环卫", "垃圾"},
		{"半夜噪音太大", "噪音", "噪音"},
	}
	for _, c := range cases {
		p := m.Classify("", c.text, 3)
		if p.Label != c.want {
			t.Errorf("%s: label %q, want %q (top %v)", c.text, p.Label, c.want, p.Top)
		}
		if len(p.Top) != 3 {
			t.Fatalf("%s: top has %d labels, want 3", c.text, len(p.Top))
		}
		var sum float64
		for i, s := range p.Top {
			sum += s.P
			if i > 0 && s.P > p.Top[i-1].P {
				t.Errorf("%s: top not sorted: %v", c.text, p.Top)
			}
		}
		if math.Abs(sum-1) > 1e-6 || p.Top[0].P < 0.5 {
			t.Errorf("%s: probabilities %v: want a sum of 1 and a confident first", c.text, p.Top)
		}
		ev := m.Explain("", c.text, p.Label, 3)
		t.Logf("%s → %s %v because %v", c.text, p.Label, p.Top, ev)
		if len(ev) == 0 || !strings.Contains(ev[0].Gram, c.decides) && !strings.Contains(c.decides, ev[0].Gram) {
			t.Errorf("%s: explanation %v does not start with %q", c.text, ev, c.decides)
		}
		for _, e := range ev {
			if strings.Contains("新村里的好几天楼道里没清理半夜太大", e.Gram) {
				t.Errorf("%s: filler %q explains the label (%v)", c.text, e.Gram, ev)
			}
		}
	}
}

func TestTitleBlockAndFolding(t *testing.T) {
	ex := []Example{
		{Title: "停车", Text: "小区里的问题", Label: "交通"},
		{Title: "停车难", Text: "小区里的问题", Label: "交通"},
		{Title: "学校", Text: "小区里的问题", Label: "教育"},
		{Title: "学校收费", Text: "小区里的问题", Label: "教育"},
	}
	m, err := Train(ex, TrainOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !m.TitleBlock {
		t.Fatal("title block off by default")
	}
	if got := m.Classify("学校门口", "小区里的问题", 1).Label; got != "教育" {
		t.Errorf("title 学校门口: %q, want 教育", got)
	}
	// Full-width and upper-case letters are folded: ＡＢＣ and abc are one n-gram.
	m2, err := Train([]Example{{Text: "abc", Label: "x"}, {Text: "xyz", Label: "y"}}, TrainOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got := m2.Classify("", "ＡＢＣ", 1).Label; got != "x" {
		t.Errorf("ＡＢＣ: %q, want x", got)
	}
}

func TestTaxonomyNamesTeach(t *testing.T) {
	ex := []Example{{Text: "路灯坏了", Label: "城乡建设"}, {Text: "学校收费", Label: "教育文体"}}
	tax := []TaxonomyRow{{"城乡建设", "城市建设和市政管理", "燃气供应"}, {"教育文体", "教育", "高考招生"}, {"政法", "治安", "诈骗"}}
	m, err := Train(ex, TrainOptions{Seed: 1, Taxonomy: tax})
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Classify("", "燃气供应中断", 1).Label; got != "城乡建设" {
		t.Errorf("燃气供应中断: %q, want 城乡建设 (from the taxonomy)", got)
	}
	// The 2 level-1 names, and each of the 2 leaves of the data's labels defaultHyper.TaxRepeat
	// times; 政法 is no label of the data and adds nothing.
	if want := 2 + 2*defaultHyper.TaxRepeat; len(m.Labels) != 2 || m.Info.Extra != want {
		t.Errorf("labels %v, extra %d: the taxonomy must add only labels of the data", m.Labels, m.Info.Extra)
	}
}

func TestTrainDeterministicAndErrors(t *testing.T) {
	a, _ := Train(separable(), TrainOptions{Seed: 3})
	b, _ := Train(separable(), TrainOptions{Seed: 3})
	a.Info.Trained, b.Info.Trained = b.Info.Trained, a.Info.Trained
	var ba, bb bytes.Buffer
	if err := WriteModel(&ba, a); err != nil {
		t.Fatal(err)
	}
	WriteModel(&bb, b)
	if !bytes.Equal(ba.Bytes(), bb.Bytes()) {
		t.Error("the same seed and data gave different models")
	}
	if _, err := Train([]Example{{Text: "a", Label: "x"}}, TrainOptions{}); err == nil {
		t.Error("one label: no error")
	}
	if _, err := Train(separable(), TrainOptions{Bits: 40}); err == nil {
		t.Error("bits 40: no error")
	}
}

func TestModelFileRoundTrip(t *testing.T) {
	m, err := Train(separable(), TrainOptions{Seed: 2, Note: "synthetic"})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteModel(&buf, m); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), `{"format":"civicgrid.textmodel","version":2,`) {
		t.Errorf("file starts %.60s", buf.String())
	}
	m2, err := ReadModel(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"路灯不亮", "垃圾", "噪音", "无关的话"} {
		p1, p2 := m.Classify("", text, 3), m2.Classify("", text, 3)
		if fmt.Sprint(p1) != fmt.Sprint(p2) {
			t.Errorf("%s: %v before saving, %v after", text, p1, p2)
		}
	}
	// A model of the 2026-12-06 settings (complement naive Bayes not normalised, title at half
	// weight) is the same version and reads back as it was written.
	prev, err := Train(separable(), TrainOptions{Seed: 2, hyper: &previousHyper})
	if err != nil {
		t.Fatal(err)
	}
	var pbuf bytes.Buffer
	if err := WriteModel(&pbuf, prev); err != nil {
		t.Fatal(err)
	}
	prev2, err := ReadModel(bytes.NewReader(pbuf.Bytes()))
	if err != nil || prev2.TitleScale != 0.5 || prev2.members[1].Kind != "cnb" {
		t.Fatalf("2026-12-06 model: %v", err)
	}
	for _, text := range []string{"路灯不亮", "垃圾", "噪音", "无关的话"} {
		if p1, p2 := prev.Classify("标题", text, 3), prev2.Classify("标题", text, 3); fmt.Sprint(p1) != fmt.Sprint(p2) {
			t.Errorf("2026-12-06 model, %s: %v before saving, %v after", text, p1, p2)
		}
	}
	bad := strings.Replace(buf.String(), `"version":2`, `"version":9`, 1)
	if _, err := ReadModel(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "version 9") || !strings.Contains(err.Error(), "retrain") {
		t.Errorf("version 9: %v", err)
	}
	// Version 1 knew no complement naive Bayes: such a member in a version-1 file is refused.
	bad = strings.Replace(strings.Replace(buf.String(), `"version":2`, `"version":1`, 1), `"title_scale":1,`, "", 1)
	if _, err := ReadModel(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), `"cnb"`) {
		t.Errorf("version 1 with a cnb member: %v", err)
	}
	if _, err := ReadModel(strings.NewReader(`{"format":"other"}`)); err == nil {
		t.Error("another format: no error")
	}
}

// TestModelFileVersion1StillLoads: a model written before version 2 (logistic regression and
// multinomial naive Bayes, the title at full weight, no title_scale) loads and classifies as it did.
func TestModelFileVersion1StillLoads(t *testing.T) {
	m, err := Train(separable(), TrainOptions{Seed: 3, hyper: &firstHyper})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteModel(&buf, m); err != nil {
		t.Fatal(err)
	}
	v1 := strings.Replace(buf.String(), `"version":2`, `"version":1`, 1)
	if v1 == buf.String() || !strings.Contains(v1, `"title_scale":1,`) {
		t.Fatalf("unexpected file: %.300s", buf.String())
	}
	v1 = strings.Replace(v1, `"title_scale":1,`, "", 1)
	old, err := ReadModel(strings.NewReader(v1))
	if err != nil {
		t.Fatalf("version 1: %v", err)
	}
	if old.TitleScale != 0 || old.members[1].Kind != "nb" {
		t.Fatalf("version 1 read as title scale %v, members %s", old.TitleScale, old.members[1].Kind)
	}
	for _, text := range []string{"路灯不亮", "垃圾", "噪音"} {
		p1, p2 := m.Classify("路灯", text, 3), old.Classify("路灯", text, 3)
		if fmt.Sprint(p1) != fmt.Sprint(p2) {
			t.Errorf("%s: %v as written, %v as version 1", text, p1, p2)
		}
	}
	if _, err := ReadModel(strings.NewReader(strings.Replace(v1, `"version":1`, `"version":1,"title_scale":2`, 1))); err == nil {
		t.Error("version 1 with a title_scale: no error")
	}
}

func TestModelStoreSaveLoadRollback(t *testing.T) {
	s := &ModelStore{Dir: t.TempDir(), Keep: 2}
	if _, err := s.Load(); !errors.Is(err, ErrNoModel) {
		t.Fatalf("empty store: %v, want ErrNoModel", err)
	}
	var notes []string
	for i := 1; i <= 3; i++ {
		m, _ := Train(separable(), TrainOptions{Seed: uint64(i), Note: fmt.Sprint("run ", i)})
		n, err := s.Save(m)
		if err != nil || n != i {
			t.Fatalf("save %d: version %d, %v", i, n, err)
		}
		notes = append(notes, m.Info.Note)
	}
	if vs, _ := s.Versions(); fmt.Sprint(vs) != "[2 3]" {
		t.Errorf("versions %v, want [2 3] (keep 2)", vs)
	}
	m, err := s.Load()
	if err != nil || m.Info.Note != "run 3" || m.Info.Number != 3 {
		t.Fatalf("load: %v %+v", err, m.Info)
	}
	if n, err := s.Rollback(); err != nil || n != 2 {
		t.Fatalf("rollback: %d %v", n, err)
	}
	if m, _ := s.Load(); m.Info.Note != "run 2" {
		t.Errorf("after rollback: %q, want run 2", m.Info.Note)
	}
	if _, err := s.Rollback(); !errors.Is(err, ErrNoModel) {
		t.Errorf("second rollback: %v, want ErrNoModel (version 1 was pruned)", err)
	}
	m4, _ := Train(separable(), TrainOptions{Seed: 4})
	if n, _ := s.Save(m4); n != 4 {
		t.Errorf("save after rollback: version %d, want 4", n)
	}
}

func TestReadExamplesColumns(t *testing.T) {
	taidi := "message_id,title,detail,label_level1\n1,路灯,路灯坏了,城乡建设\n2,学校,收费,教育文体\n3,,,\n"
	ex, err := ReadExamples(strings.NewReader(taidi), Columns{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ex) != 2 || ex[0] != (Example{Title: "路灯", Text: "路灯坏了", Label: "城乡建设"}) {
		t.Errorf("taidi columns: %+v", ex)
	}
	plain := "\ufefftext,label\n噪音扰民,环境\n"
	if ex, err := ReadExamples(strings.NewReader(plain), Columns{}); err != nil || ex[0].Text != "噪音扰民" || ex[0].Label != "环境" {
		t.Errorf("text,label: %+v %v", ex, err)
	}
	if _, err := ReadExamples(strings.NewReader("text,what\na,b\n"), Columns{}); err == nil || !strings.Contains(err.Error(), "label") {
		t.Errorf("no label column: %v", err)
	}
	if _, err := ReadExamples(strings.NewReader("body,label\na,b\n"), Columns{Text: "body"}); err != nil {
		t.Errorf("--text-column body: %v", err)
	}
}

func TestEvaluateBeatsBaselines(t *testing.T) {
	var ex []Example
	for i := 0; i < 4; i++ {
		ex = append(ex, separable()...)
	}
	runs, err := Evaluate(ex, EvalOptions{Folds: 4, Seeds: []uint64{1, 2}, Epochs: 5, Bits: 14})
	if err != nil {
		t.Fatal(err)
	}
	maj, _ := MeanSD(runs, 0, func(s Scores) float64 { return s.Top1 })
	ens, _ := MeanSD(runs, 4, func(s Scores) float64 { return s.Top1 })
	if maj > 0.4 || ens < 0.95 {
		t.Errorf("top-1: most frequent %.2f (want ≈ 1/3), ensemble %.2f (want ≈ 1)", maj, ens)
	}
}

// TestDepartmentScores: a ranking of labels becomes a ranking of their departments, a department
// counted once at its best place; the department file is checked.
func TestDepartmentScores(t *testing.T) {
	dept, err := ReadDepartments(strings.NewReader("label,department\n路灯,城建\n井盖,城建\n噪音,执法\n"))
	if err != nil {
		t.Fatal(err)
	}
	ranked := [][]string{{"井盖", "路灯", "噪音"}, {"噪音", "路灯", "井盖"}, nil}
	got := departmentRanks(ranked, dept)
	if fmt.Sprint(got) != "[[城建 执法] [执法 城建] []]" {
		t.Errorf("department ranks %v", got)
	}
	// Labels 路灯 (wrong first label, right department) and 噪音: category top-1 0/2, department 1/2.
	ex := []Example{{Label: "路灯"}, {Label: "路灯"}}
	if s := score(ex, ranked[:2]); s.Top1 != 0 {
		t.Errorf("category top-1 %v, want 0", s.Top1)
	}
	if s := score([]Example{{Label: "城建"}, {Label: "城建"}}, got[:2]); s.Top1 != 0.5 || s.Top3 != 1 {
		t.Errorf("department scores %+v, want top-1 0.5, top-3 1", s)
	}
	for _, bad := range []string{"label,dept\n路灯,城建\n", "label,department\n路灯,\n", "label,department\n路灯,城建\n路灯,执法\n"} {
		if _, err := ReadDepartments(strings.NewReader(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	if _, err := Evaluate(separable(), EvalOptions{Folds: 2, Departments: map[string]string{"照明": "城建"}}); err == nil || !strings.Contains(err.Error(), "no department") {
		t.Errorf("a label without department: %v", err)
	}
}

// TestNBWeightedMemberLearnsAndIsStoredAsSoftmax: the NB-weighted logistic regression (a member
// TestTune compares) learns the separable texts alone, and a model with it is written as a
// softmax member of a version-2 file, which reads back to the same predictions.
func TestNBWeightedMemberLearnsAndIsStoredAsSoftmax(t *testing.T) {
	h := defaultHyper
	h.Members = []memberSpec{{Kind: "nblr", Rate: 1, Smooth: 0.03, Share: 1}}
	m, err := Train(separable(), TrainOptions{Seed: 5, hyper: &h})
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]string{"新村里的路灯坏了好几天": "照明", "楼道里垃圾没人清理": "环卫", "半夜噪音太大": "噪音"} {
		if p := m.Classify("", text, 3); p.Label != want {
			t.Errorf("%s: label %q, want %q (top %v)", text, p.Label, want, p.Top)
		}
	}
	var buf bytes.Buffer
	if err := WriteModel(&buf, m); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"kind":"softmax"`) || !strings.Contains(buf.String(), `"version":2`) {
		t.Fatalf("the member is not written as a softmax member of a version-2 file: %.300s", buf.String())
	}
	back, err := ReadModel(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"新村里的路灯坏了好几天", "楼道里垃圾没人清理", "半夜噪音太大"} {
		a, b := m.Classify("", text, 3), back.Classify("", text, 3)
		if a.Label != b.Label || math.Abs(a.Top[0].P-b.Top[0].P) > 1e-4 {
			t.Errorf("%s: %v before writing, %v read back", text, a.Top, b.Top)
		}
	}
}
