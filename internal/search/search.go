// Package search turns order texts into index terms and user queries into index queries for the
// full-text search of orders (工单检索), the same way on SQLite (FTS5) and PostgreSQL (tsvector).
//
// Chinese has no spaces between words and most searches are two characters long (噪音, 停车,
// 漏水), so the index holds overlapping character bigrams, as Lucene's CJK analyser does: 门口噪音
// becomes 门口 口噪 噪音. A query is matched as a phrase of its bigrams, which finds exactly the
// texts that contain it. Runs of Latin letters and digits are words of their own (lower-cased),
// full-width forms are folded to half-width first (１２３ → 123, ＡＢ → ab) and traditional
// characters to simplified ones (陸家嘴 → 陆家嘴), so either finds the other. Neither database's
// own tokenizer takes part: the terms are space-separated and ASCII-safe for FTS5's ascii tokenizer
// and written as tsvector/tsquery literals for PostgreSQL, so both index exactly the same terms.
package search

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	textfold "github.com/civicgrid/civicgrid/internal/fold"
)

// class is how a rune takes part in terms.
type class uint8

const (
	sep  class = iota // breaks terms
	han               // a CJK ideograph (or kana/hangul): bigrams
	word              // letters and digits of other scripts: runs
)

func classify(r rune) class {
	switch {
	case r < utf8.RuneSelf:
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
			return word
		}
		return sep
	case unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r):
		return han
	case unicode.IsLetter(r) || unicode.IsDigit(r):
		return word
	}
	return sep
}

// fold maps full-width forms to their half-width ones, upper case to lower and traditional
// characters to simplified ones (陸家嘴 and 陆家嘴 are one term), for the text and the query alike.
func fold(r rune) rune {
	if r >= 0xFF01 && r <= 0xFF5E { // the full-width block mirrors ASCII 0x21…0x7E
		r -= 0xFF01 - 0x21
	}
	r = textfold.Rune(r)
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	}
	return unicode.ToLower(r)
}

// MaxTermBytes bounds one term. A run of letters or digits longer than this (a pasted hash, a
// line of "aaaa…") is indexed by its first MaxTermBytes bytes, cut at a rune boundary; queries
// are cut the same way, so such a word still finds itself. PostgreSQL refuses a tsvector lexeme
// over 2,047 bytes, and with it the whole statement; Lucene stops at 255 characters too.
const MaxTermBytes = 255

// AppendTerms appends the index terms of text to dst, separated by single spaces (with a
// trailing space when any were written), and returns the extended buffer. Bigrams overlap; an
// ideograph standing alone is a term of one character. After the text's terms come the edge
// terms of its runs of letters and digits (EdgeMark), in no phrase with the others.
func AppendTerms(dst []byte, text string) []byte { return appendTerms(dst, text, true) }

// appendTerms is AppendTerms, with the edge terms only if edges: a query's phrase holds the
// text's own terms alone.
func appendTerms(dst []byte, text string, edges bool) []byte {
	var prev rune
	prevClass := sep
	wordStart := -1 // in dst, while a word run is open
	runStart, runRunes := 0, 0
	hanRun := 0 // length of the current run of ideographs
	var edgeTerms []byte
	for i, r := range text {
		r = fold(r)
		c := classify(r)
		if c != word && wordStart >= 0 {
			dst = append(dst, ' ')
			wordStart = -1
			if edges {
				edgeTerms = appendEdgeTerms(edgeTerms, text[runStart:i], runRunes)
			}
		}
		if c != han && prevClass == han && hanRun == 1 {
			dst = utf8.AppendRune(dst, prev)
			dst = append(dst, ' ')
		}
		switch c {
		case han:
			if prevClass == han {
				dst = utf8.AppendRune(dst, prev)
				dst = utf8.AppendRune(dst, r)
				dst = append(dst, ' ')
				hanRun++
			} else {
				hanRun = 1
			}
		case word:
			if wordStart < 0 {
				wordStart = len(dst)
				runStart, runRunes = i, 0
			}
			runRunes++
			if len(dst)-wordStart+utf8.RuneLen(r) <= MaxTermBytes {
				dst = utf8.AppendRune(dst, r)
			}
			hanRun = 0
		default:
			hanRun = 0
		}
		prev, prevClass = r, c
	}
	if wordStart >= 0 {
		dst = append(dst, ' ')
		if edges {
			edgeTerms = appendEdgeTerms(edgeTerms, text[runStart:], runRunes)
		}
	}
	if prevClass == han && hanRun == 1 {
		dst = utf8.AppendRune(dst, prev)
		dst = append(dst, ' ')
	}
	return append(dst, edgeTerms...)
}

// EdgeMark marks an edge term: the last k letters or digits of a longer run as EdgeMark+tail
// ("1470" gives ·470 and ·70), its first k as head+EdgeMark (14· and 147·), for 2 ≤ k ≤
// MaxEdgeRunes. A scanned part that begins with a run (470弄8号) finds a text whose run only
// ends with it (新渔东路1470弄8号) through the run or its tail's term, and one that ends with a
// run through the head's; without them such a run anchored nothing and the scan tested every
// order a weaker anchor found (弄 <-> 8: 8,525 of the bench's million orders, whose addresses
// happen to hold 470 as often: 8,830; on more varied numbers the run is the rarer). The mark
// is no letter, digit or ideograph, so no text's own term holds it, and it is a token character
// for FTS5's ascii tokenizer (every non-ASCII character is).
const EdgeMark = "·"

// MaxEdgeRunes is the longest head or tail of a run that is indexed as an edge term: a query's
// run at a part's edge longer than this anchors nothing (it is scanned, as every part with a
// lone ideograph is). A phone number (11 digits) gets 2 × 5 edge terms.
const MaxEdgeRunes = 6

// appendEdgeTerms appends the edge terms of run (n runes, not yet folded), each followed by a
// space.
func appendEdgeTerms(dst []byte, run string, n int) []byte {
	if n < 3 {
		return dst
	}
	k := min(n-1, MaxEdgeRunes)
	var headBuf, tailBuf [MaxEdgeRunes]rune
	head, tail := headBuf[:0], tailBuf[:0]
	i := 0
	for _, r := range run { // the first k runes and the last k, folded
		if i < k {
			head = append(head, fold(r))
		}
		if i >= n-k {
			tail = append(tail, fold(r))
		}
		i++
	}
	for j := 2; j <= k; j++ {
		dst = append(dst, string(head[:j])...)
		dst = append(dst, EdgeMark...)
		dst = append(dst, ' ')
	}
	for j := 2; j <= k; j++ {
		dst = append(dst, EdgeMark...)
		dst = append(dst, string(tail[len(tail)-j:])...)
		dst = append(dst, ' ')
	}
	return dst
}

// Terms is AppendTerms of several texts into one string, without the trailing space.
func Terms(texts ...string) string {
	var b []byte
	for _, t := range texts {
		b = AppendTerms(b, t)
	}
	return strings.TrimSuffix(string(b), " ")
}

// Query is a parsed search: every phrase must occur (AND), and one term of each of Either. A
// phrase is the terms of one space-separated part of what the user typed, which must occur next
// to each other. Scan lists the parts the index cannot answer — a single ideograph is not a term
// of a longer run — which the caller matches with a substring scan instead.
type Query struct {
	Phrases [][]string
	// Either are alternatives of which one must occur, each from a run of letters or digits at
	// the edge of a scanned part: the run as a term, or the edge term of a longer run (EdgeMark).
	Either [][]string
	Texts  []string // the phrases and Either's runs as typed, for matching text the index does not cover yet
	Scan   []string
}

// Empty reports whether the query asks for nothing.
func (q Query) Empty() bool { return len(q.Phrases) == 0 && len(q.Either) == 0 && len(q.Scan) == 0 }

// Indexed reports whether the index takes part in the query (it has a phrase or an Either).
func (q Query) Indexed() bool { return len(q.Phrases) > 0 || len(q.Either) > 0 }

// queryTerms is the terms of a query's text: the text's own, without edge terms.
func queryTerms(text string) []string {
	return strings.Fields(string(appendTerms(nil, text, false)))
}

// Parse splits what the user typed into phrases and scan parts. At most 16 parts are kept: a
// longer query is a paste, and its first parts already narrow it down.
func Parse(input string) Query {
	var q Query
	for i, part := range strings.Fields(input) {
		if i == 16 {
			break
		}
		terms := queryTerms(part)
		if len(terms) == 0 {
			continue
		}
		if single(part) {
			q.Scan = append(q.Scan, part)
			// The index still narrows the scan down: every text containing the part contains
			// the terms of its anchors, each a phrase, so those are required too and the scan
			// only tests the orders they find (新渔东路470弄8号: the phrase 新渔东路470弄8, then
			// the scan).
			phrases, edges := anchors(part)
			for _, a := range phrases {
				q.Phrases = append(q.Phrases, queryTerms(a))
				q.Texts = append(q.Texts, a)
			}
			for _, e := range edges {
				q.Either = append(q.Either, e.terms)
				q.Texts = append(q.Texts, e.run)
			}
			continue
		}
		q.Phrases = append(q.Phrases, terms)
		q.Texts = append(q.Texts, part)
	}
	return q
}

// edgeAnchor is a run of letters or digits at a scanned part's edge and the terms of which a
// text containing the part has one: the run itself, or the edge term of a longer run that
// begins or ends with it.
type edgeAnchor struct {
	run   string
	terms []string
}

// anchors are the pieces of part whose terms every text containing part has as they are: runs of
// two or more ideographs (their bigrams lie inside the run, whatever stands beside it in the
// text), and runs of letters or digits with something else on both sides within part. A run at
// part's edge may continue in the text (470 at the start of a part can be the end of 1470): if it
// has 2 to MaxEdgeRunes runes it is an edge anchor, the run or its edge term (·470).
//
// A lone ideograph with something else on both sides within part is a term of its own in the
// text too (弄 in 470弄8号), and with the runs beside it a phrase. Such a phrase is added only
// when no run of ideographs anchors part: the lone ideograph's term is in nearly every address
// (弄: 388,019 of a million orders), which makes FTS5 read its whole posting list — 20–35 ms
// where the runs of 新渔东路470弄8号 alone take 12–16 ms. With an edge run it is still added:
// each alone leaves thousands to scan at a million orders (470: 8,830; 弄 <-> 8: 8,525), both
// together the 192 that hold the part. A run of one letter or digit inside part (8 in 470弄8号)
// is no anchor where an edge run is one: 8 is in about a third of the orders, and the phrase
// holds it anyway.
func anchors(part string) ([]string, []edgeAnchor) {
	rs := []rune(part)
	var out, stretches []string
	var short []bool // out[i] is a run of one letter or digit
	var edges []edgeAnchor
	hanRun := false
	start, end, lone := -1, -1, false // the open stretch, rs[start:end], and whether it has a lone ideograph
	flush := func() {
		if start >= 0 && lone {
			stretches = append(stretches, string(rs[start:end]))
		}
		start, lone = -1, false
	}
	for i := 0; i < len(rs); {
		c := classify(fold(rs[i]))
		j := i + 1
		for j < len(rs) && classify(fold(rs[j])) == c {
			j++
		}
		inner := i > 0 && j < len(rs)
		if c == word && !inner && j-i >= 2 && j-i <= MaxEdgeRunes {
			run := string(rs[i:j])
			t := queryTerms(run)[0]
			if i == 0 {
				edges = append(edges, edgeAnchor{run, []string{t, EdgeMark + t}})
			} else {
				edges = append(edges, edgeAnchor{run, []string{t, t + EdgeMark}})
			}
		}
		switch {
		case c == sep: // no term; a stretch goes on across it
			i = j
			continue
		case c == han && j-i >= 2, c == word && inner:
			out = append(out, string(rs[i:j]))
			short = append(short, c == word && j-i == 1)
			hanRun = hanRun || c == han
		case c == han && inner:
			lone = true
		default:
			flush()
			i = j
			continue
		}
		if start < 0 {
			start = i
		}
		end = j
		i = j
	}
	flush()
	if len(edges) > 0 {
		kept := out[:0]
		for i, a := range out {
			if !short[i] {
				kept = append(kept, a)
			}
		}
		out = kept
	}
	if !hanRun {
		out = append(out, stretches...)
	}
	return out, edges
}

// single reports whether part contains an ideograph with no ideograph beside it: its term is the
// character alone, which the index holds only where the text has it alone too.
func single(part string) bool {
	rs := []rune(part)
	for i, r := range rs {
		if classify(fold(r)) != han {
			continue
		}
		left := i > 0 && classify(fold(rs[i-1])) == han
		right := i+1 < len(rs) && classify(fold(rs[i+1])) == han
		if !left && !right {
			return true
		}
	}
	return false
}

// FTS5 is the query as an FTS5 MATCH expression: quoted phrases joined by AND. Terms hold no
// double quotes (they are letters, digits and ideographs), so quoting cannot be broken out of.
func (q Query) FTS5() string {
	var b strings.Builder
	for i, p := range q.Phrases {
		if i > 0 {
			b.WriteString(" AND ")
		}
		b.WriteByte('"')
		b.WriteString(strings.Join(p, " "))
		b.WriteByte('"')
	}
	for i, e := range q.Either {
		if i > 0 || len(q.Phrases) > 0 {
			b.WriteString(" AND ")
		}
		b.WriteByte('(')
		for j, t := range e {
			if j > 0 {
				b.WriteString(" OR ")
			}
			b.WriteByte('"')
			b.WriteString(t)
			b.WriteByte('"')
		}
		b.WriteByte(')')
	}
	return b.String()
}

// TSQuery is the query as a PostgreSQL tsquery literal: each phrase's terms joined by <->, each
// Either's by |, and those by &, every lexeme quoted so that the input function takes it as it
// is.
func (q Query) TSQuery() string {
	var b strings.Builder
	group := func(i int, terms []string, op string) {
		if i > 0 {
			b.WriteString(" & ")
		}
		if len(terms) > 1 {
			b.WriteByte('(')
		}
		for j, t := range terms {
			if j > 0 {
				b.WriteString(op)
			}
			b.WriteByte('\'')
			b.WriteString(t)
			b.WriteByte('\'')
		}
		if len(terms) > 1 {
			b.WriteByte(')')
		}
	}
	for i, p := range q.Phrases {
		group(i, p, " <-> ")
	}
	for i, e := range q.Either {
		group(len(q.Phrases)+i, e, " | ")
	}
	return b.String()
}

// TownMark begins a town term (TownTerm). It is no letter, digit or ideograph, so no text's own
// term holds it, and a token character for FTS5's ascii tokenizer (every non-ASCII one is).
const TownMark = "§"

// TownTerm is the term SQLite's search index holds for an order of town, after its text's
// terms, so that a town's search asks the index for the town's hits alone (FTS5 intersects the
// term's list with the query's, seeking through the longer one) — PostgreSQL's index is keyed by
// the town column instead.
func TownTerm(town string) string { return TownMark + town }

// maxPosition is the largest position a tsvector keeps; later occurrences share it.
const maxPosition = 16383

// TSVector turns terms (as Terms returns them) into a PostgreSQL tsvector literal with positions,
// so that phrase queries work and PostgreSQL's own parser, which depends on the server's locale,
// is never asked to split Chinese.
func TSVector(terms string) string {
	if terms == "" {
		return ""
	}
	b := make([]byte, 0, len(terms)+len(terms)/2)
	Lexemes(terms, func(term string, positions []int) {
		if len(b) > 0 {
			b = append(b, ' ')
		}
		b = append(b, '\'')
		b = append(b, term...)
		b = append(b, '\'', ':')
		for i, p := range positions {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(p), 10)
		}
	})
	return string(b)
}

// Lexemes calls visit with each distinct term of terms (as Terms returns them), in order of first
// occurrence, and its positions (from 1, ascending, capped at the largest a tsvector keeps): the
// entries of TSVector's literal, for a writer that sends tsvectors in binary form. positions is
// reused by the next call.
func Lexemes(terms string, visit func(term string, positions []int)) {
	// One entry per distinct term in order of first occurrence; repeats are rare in a short
	// text, so their positions live in a slice allocated only when there are any.
	type entry struct {
		term  string
		first int
		more  []int
	}
	seen := make(map[string]int, 64)
	entries := make([]entry, 0, 64)
	pos := 0
	for t := range strings.FieldsSeq(terms) {
		t = cutTerm(t) // Terms already did; a caller with its own terms must not fail the statement
		pos++
		p := min(pos, maxPosition)
		if i, ok := seen[t]; ok {
			entries[i].more = append(entries[i].more, p)
			continue
		}
		seen[t] = len(entries)
		entries = append(entries, entry{term: t, first: p})
	}
	positions := make([]int, 0, 8)
	for _, e := range entries {
		positions = append(append(positions[:0], e.first), e.more...)
		visit(e.term, positions)
	}
}

// cutTerm shortens t to at most MaxTermBytes bytes without splitting a rune.
func cutTerm(t string) string {
	if len(t) <= MaxTermBytes {
		return t
	}
	n := MaxTermBytes
	for n > 0 && !utf8.RuneStart(t[n]) {
		n--
	}
	return t[:n]
}
