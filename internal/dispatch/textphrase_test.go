package dispatch

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// phraseTaxonomy is a small tree whose names are five characters long: no 1–3-gram is one of them.
var phraseTaxonomy = []TaxonomyRow{
	{"照明", "公共照明设施", "路灯不亮问题"},
	{"环卫", "环境卫生管理", "垃圾清运不及时"},
	{"噪音", "噪声污染防治", "其他"},
	{"不在数据里", "外来的类别名", "其他"},
}

func TestPhraseSetFindsWholeNames(t *testing.T) {
	list := taxonomyPhrases(phraseTaxonomy)
	// 其他 and one-character names are no phrases; each name once, in the rows' order.
	if want := []string{"公共照明设施", "路灯不亮问题", "环境卫生管理", "垃圾清运不及时", "噪声污染防治", "外来的类别名"}; !slices.Equal(list, want) {
		t.Fatalf("phrases %q, want %q", list, want)
	}
	p := newPhraseSet(list, 0.3)
	runes := func(s string) []rune {
		var rs []rune
		for _, r := range s {
			rs = append(rs, foldRune(r))
		}
		return rs
	}
	for _, c := range []struct {
		text string
		want []int32
	}{
		{"小区的路灯不亮问题一直没人管，垃圾清运不及时", []int32{1, 3}},
		{"路灯不亮问题，路灯不亮问题", []int32{1}}, // once however often
		{"路灯不亮了", nil},   // a part of a name is not the name
		{"垃圾清运不及", nil},  // cut short at the end of the text
		{"环境卫生，管理", nil}, // not across punctuation
		{"噪声污染防治噪声污染防治公共照明设施", []int32{4, 0}}, // one after the other, both found
	} {
		got := p.find(runes(c.text), nil)
		slices.Sort(got)
		want := slices.Clone(c.want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: found %v, want %v", c.text, got, want)
		}
	}
	// The title's finds and the body's are one list.
	if got := p.find(runes("路灯不亮问题"), p.find(runes("路灯不亮问题和噪声污染防治"), nil)); len(got) != 2 {
		t.Errorf("title and body: %v, want 2 phrases", got)
	}
}

// TestTaxonomyPhrasesInModel: trained with a taxonomy, the model carries the names of the labels it
// has (not the others), a text naming one gets its feature, the file is version 3 and reads back to
// the same predictions; without a taxonomy it stays version 2, which older builds read.
func TestTaxonomyPhrasesInModel(t *testing.T) {
	m, err := Train(separable(), TrainOptions{Seed: 3, Taxonomy: phraseTaxonomy})
	if err != nil {
		t.Fatal(err)
	}
	if m.phrases == nil || slices.Contains(m.phrases.list, "外来的类别名") || !slices.Contains(m.phrases.list, "垃圾清运不及时") {
		t.Fatalf("phrases %v: want the names under 照明, 环卫 and 噪音 only", m.phrases)
	}
	with, without := m.features("", "楼下垃圾清运不及时"), m.features("", "楼下垃圾清运不及")
	slot := m.phrases.slot(slices.Index(m.phrases.list, "垃圾清运不及时"), m.mask())
	has := func(s *scratch) bool {
		return slices.ContainsFunc(s.out, func(f feature) bool { return f.idx == slot && f.val == 0.3 })
	}
	if !has(with) || has(without) {
		t.Errorf("phrase feature: %v with the name, %v without (want true, false)", has(with), has(without))
	}
	scratchPool.Put(with)
	scratchPool.Put(without)
	var buf bytes.Buffer
	if err := WriteModel(&buf, m); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), `{"format":"civicgrid.textmodel","version":3,`) || !strings.Contains(buf.String(), `"phrase_weight":0.3`) {
		t.Fatalf("file starts %.60s", buf.String())
	}
	m2, err := ReadModel(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"路灯不亮问题", "垃圾清运不及时", "噪声污染防治", "无关的话"} {
		if p1, p2 := m.Classify("标题", text, 3), m2.Classify("标题", text, 3); fmt.Sprint(p1) != fmt.Sprint(p2) {
			t.Errorf("%s: %v before saving, %v after", text, p1, p2)
		}
	}
	// Phrases in a file that says version 2 (an older build would drop them silently): refused.
	bad := strings.Replace(buf.String(), `"version":3`, `"version":2`, 1)
	if _, err := ReadModel(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "version 3") {
		t.Errorf("phrases in a version-2 file: %v", err)
	}
	bad = strings.Replace(buf.String(), `"phrase_weight":0.3`, `"phrase_weight":0`, 1)
	if _, err := ReadModel(strings.NewReader(bad)); err == nil {
		t.Error("phrases without a weight: no error")
	}
	// Without a taxonomy: no phrases, version 2.
	plain, err := Train(separable(), TrainOptions{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	if err := WriteModel(&buf, plain); err != nil {
		t.Fatal(err)
	}
	if plain.phrases != nil || !strings.HasPrefix(buf.String(), `{"format":"civicgrid.textmodel","version":2,`) || strings.Contains(buf.String(), "phrase") {
		t.Errorf("without a taxonomy: phrases %v, file %.60s", plain.phrases, buf.String())
	}
}

// BenchmarkPhraseFind: finding the sample taxonomy's names (the labels' level-2/3 names) in the
// sample's real texts, title and body — the part of classifying the phrases add.
func BenchmarkPhraseFind(b *testing.B) {
	ex, tax := taidi(b)
	p := newPhraseSet(taxonomyPhrases(tax), 0.3)
	var texts [][]rune
	for _, e := range ex {
		for _, s := range []string{e.Title, e.Text} {
			var rs []rune
			for _, r := range s {
				if len(rs) == maxTextRunes {
					break
				}
				rs = append(rs, foldRune(r))
			}
			texts = append(texts, rs)
		}
	}
	var hits []int32
	b.ResetTimer()
	for i := range b.N {
		j := 2 * (i % len(ex))
		hits = p.find(texts[j+1], p.find(texts[j], hits[:0]))
	}
}
