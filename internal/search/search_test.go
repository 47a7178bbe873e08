package search

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTerms(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"门口噪音", "门口 口噪 噪音"},
		{"3号楼漏水", "3 号楼 楼漏 漏水"},
		{"水，门口", "水 门口"},
		{"ＡＢＣ１２３室", "abc123 室 ab· abc· abc1· abc12· ·23 ·123 ·c123 ·bc123"},
		{"仙霞西路 88 弄", "仙霞 霞西 西路 88 弄"},
		{"Open311 test-Case", "open311 test case op· ope· open· open3· open31· ·11 ·311 ·n311 ·en311 ·pen311 te· tes· ·st ·est ca· cas· ·se ·ase"},
		{"1470弄8号", "1470 弄 8 号 14· 147· ·70 ·470"},
		{"12弄", "12 弄"},
		{"", ""},
		{"，。！", ""},
		{"车", "车"},
		{"A车B", "a 车 b"},
	} {
		if got := Terms(c.in); got != c.want {
			t.Errorf("Terms(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := Terms("门口", "噪音"); got != "门口 噪音" {
		t.Errorf("two texts: %q", got)
	}
	// Each text's edge terms follow its own terms, in no phrase of the next text's.
	if got := Terms("门口123", "噪音"); got != "门口 123 12· ·23 噪音" {
		t.Errorf("two texts with edge terms: %q", got)
	}
}

// Traditional and simplified characters are one term, both ways, in the text and the query.
func TestTraditionalFoldsToSimplified(t *testing.T) {
	if a, b := Terms("陸家嘴濱江大道"), Terms("陆家嘴滨江大道"); a != b {
		t.Errorf("traditional %q ≠ simplified %q", a, b)
	}
	if q := Parse("陸家嘴").FTS5(); q != Parse("陆家嘴").FTS5() || !strings.Contains(q, "陆家") {
		t.Errorf("query %q", q)
	}
}

func TestParse(t *testing.T) {
	q := Parse("  噪音 3号楼  水 ")
	want := Query{Phrases: [][]string{{"噪音"}, {"3", "号楼"}}, Texts: []string{"噪音", "3号楼"}, Scan: []string{"水"}}
	if !reflect.DeepEqual(q, want) {
		t.Fatalf("Parse = %#v, want %#v", q, want)
	}
	if got := q.FTS5(); got != `"噪音" AND "3 号楼"` {
		t.Errorf("FTS5 = %s", got)
	}
	if got := q.TSQuery(); got != `'噪音' & ('3' <-> '号楼')` {
		t.Errorf("TSQuery = %s", got)
	}
	if !Parse(" ，。 ").Empty() {
		t.Error("punctuation only should be an empty query")
	}
	if n := len(Parse(strings.Repeat("门口 ", 40)).Phrases); n != 16 {
		t.Errorf("a pasted paragraph keeps %d parts, want 16", n)
	}
}

func TestTSVector(t *testing.T) {
	if got := TSVector("门口 口噪 噪音 门口"); got != "'门口':1,4 '口噪':2 '噪音':3" {
		t.Errorf("TSVector = %s", got)
	}
	if TSVector("") != "" {
		t.Error("empty terms should give an empty vector")
	}
}

// Every run of two or more ideographs cut out of a text is found by the index: its terms occur in
// the text's terms, next to each other. This is what makes the bigram index exact for Chinese.
func TestSubstringsAreFound(t *testing.T) {
	texts := []string{
		"仙霞西路88弄小区门口共享单车乱停放，影响居民出行，希望尽快清理。",
		"天山五村3号楼楼道堆放杂物，存在消防隐患",
		"新泾镇北翟路上夜间施工噪音扰民，已持续一周",
		"泉口路菜场门口占道经营，早上七点到九点最严重",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, text := range texts {
		terms := " " + Terms(text) + " "
		runs := hanRuns(text)
		for range 200 {
			run := runs[rng.IntN(len(runs))]
			if len(run) < 2 {
				continue
			}
			i := rng.IntN(len(run) - 1)
			j := i + 2 + rng.IntN(len(run)-i-1)
			sub := string(run[i:j])
			q := Parse(sub)
			if len(q.Phrases) != 1 {
				t.Fatalf("Parse(%q) = %#v", sub, q)
			}
			if phrase := " " + strings.Join(q.Phrases[0], " ") + " "; !strings.Contains(terms, phrase) {
				t.Fatalf("%q is in %q but its terms %q are not in %q", sub, text, phrase, terms)
			}
		}
	}
}

func hanRuns(s string) [][]rune {
	var out [][]rune
	var cur []rune
	for _, r := range s {
		if classify(r) == han {
			cur = append(cur, r)
			continue
		}
		if len(cur) > 0 {
			out = append(out, cur)
		}
		cur = nil
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// Terms never carry characters that could break out of an FTS5 phrase or a tsvector literal.
func FuzzTerms(f *testing.F) {
	for _, s := range []string{"门口噪音", "3号楼", "a'b\"c\\d", "ＡＢ１２", "\x00\xff", "水 。 车"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		terms := Terms(s)
		if !utf8.ValidString(terms) {
			t.Fatalf("Terms(%q) = %q is not UTF-8", s, terms)
		}
		if strings.ContainsAny(terms, "'\"\\:&|!()<>*^\t\n\r\x00") {
			t.Fatalf("Terms(%q) = %q holds a query character", s, terms)
		}
		if strings.Contains(terms, "  ") || strings.HasPrefix(terms, " ") {
			t.Fatalf("Terms(%q) = %q has empty terms", s, terms)
		}
		q := Parse(s)
		if strings.Count(q.FTS5(), `"`)%2 != 0 {
			t.Fatalf("unbalanced FTS5 query %q", q.FTS5())
		}
	})
}

func BenchmarkTSVector(b *testing.B) {
	terms := Terms("仙霞西路88弄小区门口共享单车乱停放，影响居民出行，希望尽快清理。", "长宁区新泾镇仙霞西路88弄")
	for b.Loop() {
		TSVector(terms)
	}
}

// A word longer than MaxTermBytes is cut at a rune boundary, in the text and in a query alike,
// so that no term can exceed PostgreSQL's 2,047-byte lexeme limit.
func TestLongWordsAreCut(t *testing.T) {
	for _, word := range []string{strings.Repeat("a", 3000), strings.Repeat("é", 1000), "x" + strings.Repeat("я", 500)} {
		terms := strings.Fields(Terms("门口 " + word + " 噪音"))
		if len(terms) != 3+2*(MaxEdgeRunes-1) || terms[0] != "门口" || terms[2] != "噪音" {
			t.Fatalf("terms around a long word: %q", terms)
		}
		cut := terms[1]
		if len(cut) > MaxTermBytes || len(cut) < MaxTermBytes-utf8.UTFMax || !utf8.ValidString(cut) || !strings.HasPrefix(word, cut) {
			t.Errorf("long word cut to %d bytes (valid %v)", len(cut), utf8.ValidString(cut))
		}
		if q := Parse(word); len(q.Phrases) != 1 || q.Phrases[0][0] != cut {
			t.Errorf("the query of a long word is not cut like the text")
		}
		if v := TSVector(strings.Repeat("b", 4000)); len(v) > MaxTermBytes+8 {
			t.Errorf("TSVector kept a %d-byte lexeme", len(v))
		}
	}
}

// A part the index cannot answer alone (a lone ideograph in it) is scanned, but its anchors —
// runs of ideographs, the letter or digit runs inside it, and where no run of ideographs does, its
// lone ideographs inside it with the runs beside them — still narrow the scan through the index.
// A run at the part's edge (470 may be the end of 1470 in the text) anchors as the run or its
// edge term (·470), and then a one-rune run inside the part is left out (the lone ideograph's
// phrase holds it).
func TestParseAnchorsScannedParts(t *testing.T) {
	for _, c := range []struct {
		in      string
		phrases [][]string
		either  [][]string
		texts   []string
	}{
		{"新渔东路470弄8号", [][]string{{"新渔", "渔东", "东路"}, {"470"}, {"8"}}, nil, []string{"新渔东路", "470", "8"}},
		{"470弄8号", [][]string{{"弄", "8"}}, [][]string{{"470", "·470"}}, []string{"弄8", "470"}},
		{"470-8号", nil, [][]string{{"470", "·470"}}, []string{"470"}},
		{"弄8号", [][]string{{"8"}}, nil, []string{"8"}},
		{"0弄8", [][]string{{"弄"}}, nil, []string{"弄"}},
		{"8弄12", [][]string{{"弄"}}, [][]string{{"12", "12·"}}, []string{"弄", "12"}},
		{"路470弄8号楼", [][]string{{"470"}, {"8"}, {"号楼"}}, nil, []string{"470", "8", "号楼"}},
		{"Ab弄8", [][]string{{"弄"}}, [][]string{{"ab", "·ab"}}, []string{"弄", "Ab"}},
		{"1234567弄", nil, nil, nil}, // longer than MaxEdgeRunes: no anchor
		{"水", nil, nil, nil},
		{"A车B", [][]string{{"车"}}, nil, []string{"车"}},
		{"陸家嘴A座", [][]string{{"陆家", "家嘴"}, {"a"}}, nil, []string{"陸家嘴", "A"}},
	} {
		q := Parse(c.in)
		if !reflect.DeepEqual(q.Scan, []string{c.in}) || !reflect.DeepEqual(q.Phrases, c.phrases) || !reflect.DeepEqual(q.Either, c.either) ||
			!reflect.DeepEqual(q.Texts, c.texts) {
			t.Errorf("Parse(%q) = %#v; want scan of it, phrases %v, either %v, texts %v", c.in, q, c.phrases, c.either, c.texts)
		}
	}
	if got := Parse("470弄8号 噪音").FTS5(); got != `"弄 8" AND "噪音" AND ("470" OR "·470")` {
		t.Errorf("FTS5 = %s", got)
	}
	if got := Parse("470弄8号 噪音").TSQuery(); got != `('弄' <-> '8') & '噪音' & ('470' | '·470')` {
		t.Errorf("TSQuery = %s", got)
	}
	// Every text containing a scanned part has its anchors' terms as phrases.
	for _, text := range []string{"居民反映新渔东路470弄8号楼道堆物", "在新渔东路470弄8号门口", "1470弄8号", "陸家嘴A座大堂", "新渔东路1470-8号", "xA车By", "b1470弄8", "38弄1234号"} {
		for _, part := range []string{"新渔东路470弄8号", "470弄8号", "0弄8", "陸家嘴A座", "陆家嘴A", "470-8号", "路470弄8号楼", "A车B", "弄8号楼道", "470弄8", "8弄12", "弄123"} {
			if strings.Contains(text, part) && !indexFinds(Terms(text), Parse(part)) {
				t.Errorf("text %q contains %q but not its anchors' terms %#v", text, part, Parse(part))
			}
		}
	}
}

// indexFinds reports whether a text with terms has every phrase of q (its terms next to each
// other) and one term of each of q.Either: what the index answers.
func indexFinds(terms string, q Query) bool {
	padded := " " + terms + " "
	for _, p := range q.Phrases {
		if !strings.Contains(padded, " "+strings.Join(p, " ")+" ") {
			return false
		}
	}
	for _, e := range q.Either {
		if !slices.ContainsFunc(e, func(t string) bool { return strings.Contains(padded, " "+t+" ") }) {
			return false
		}
	}
	return true
}

// Random texts of digits, letters, ideographs and punctuation, and random parts cut out of them:
// the index finds every text that contains a part (no hit a substring scan would have is lost),
// whether its runs anchor it as phrases, edge terms or not at all.
func TestAnchorsFindEveryTextContainingThePart(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []rune("0123456789012345678901234567890123456789ab弄号路仙霞-")
	for range 3000 {
		rs := make([]rune, 4+rng.IntN(16))
		for i := range rs {
			rs[i] = alphabet[rng.IntN(len(alphabet))]
		}
		text := string(rs)
		terms := Terms(text)
		for range 10 {
			i := rng.IntN(len(rs))
			j := i + 1 + rng.IntN(len(rs)-i)
			part := string(rs[i:j])
			q := Parse(part)
			if q.Empty() || len(q.Scan) == 0 && strings.ContainsFunc(part, func(r rune) bool { return classify(r) == word }) {
				continue // a run of letters or digits outside a scanned part is a word (505 does not find 7505)
			}
			if !indexFinds(terms, q) {
				t.Fatalf("text %q contains %q (terms %q) but the index would not find it: %#v", text, part, terms, q)
			}
		}
	}
}
