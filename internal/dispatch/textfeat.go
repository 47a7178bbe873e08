package dispatch

import (
	"math"
	"slices"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// Text features: hashed character 1–3-grams, no word segmenter. A text is folded (全角 → 半角,
// upper → lower case) and cut at every character that is neither a letter nor a digit, so an
// n-gram never spans punctuation or spaces. Each n-gram is hashed with its block (title or body)
// into one of 2^bits slots; a block's counts are damped (1 + ln tf) and the block is scaled to
// unit length, so a long text and a short one weigh alike.

// Feature blocks: the title gets its own n-grams, so 停车 in a title counts apart from 停车 in
// the body.
const (
	blockBody  = 1
	blockTitle = 2
)

// feature is one non-zero entry of a text's sparse vector.
type feature struct {
	idx uint32
	val float32
}

// gram is one n-gram occurrence, kept for explanations.
type gram struct {
	idx        uint32
	start, end int // rune positions in the folded text, end exclusive
}

// foldText folds full-width letters and digits to half-width and upper to lower case.
func foldText(s string) string {
	s = width.Fold.String(s)
	// Fast path: most texts have no upper-case ASCII.
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// foldRune folds a character as foldText does and returns 0 for a character that is neither a
// letter nor a digit (a cut: n-grams do not span it). Fast on the common cases: ASCII, CJK
// unified ideographs, full-width forms.
func foldRune(r rune) rune {
	switch {
	case r < 0x80:
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return 0
	case r >= 0x4E00 && r <= 0x9FFF:
		return r
	case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
		return foldRune(r - 0xFEE0)
	case wordRune(r):
		return r
	}
	return 0
}

// wordRune says whether r is part of a text's content (n-grams run over these only).
func wordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// fmix32 is MurmurHash3's finaliser: it spreads the bits of a mixed n-gram key.
func fmix32(h uint32) uint32 {
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return h
}

// gramHash is the slot of the n-gram r[0..n) in block b (n = len(r), 1–3).
func gramHash(b uint32, r0, r1, r2 rune, n int) uint32 {
	h := b*0x9E3779B1 + uint32(n)*0x85ebca77
	h = (h ^ uint32(r0)) * 16777619
	if n > 1 {
		h = (h ^ uint32(r1)) * 16777619
	}
	if n > 2 {
		h = (h ^ uint32(r2)) * 16777619
	}
	return fmix32(h)
}

// scratch holds a featuriser's buffers; pooled so classifying allocates little.
type scratch struct {
	runes []rune
	tab   []slotCount
	out   []feature
	hits  []int32 // taxonomy phrases found (phraseSet)
}

// slotCount is an entry of the open-addressing table that counts a block's n-grams by slot.
type slotCount struct {
	key uint32 // slot + 1; 0 = empty
	n   uint32
}

var scratchPool = sync.Pool{New: func() any { return &scratch{} }}

// maxTextRunes bounds the text one classification reads: the first 2,000 characters decide.
const maxTextRunes = 2000

// damped[n] is 1 + ln n, the weight of an n-gram met n times.
var damped = func() (t [64]float32) {
	for n := 1; n < len(t); n++ {
		t[n] = float32(1 + math.Log(float64(n)))
	}
	return t
}()

// appendBlock appends the features of one block of text to s.out.
// idf, when not nil, weighs each slot by its inverse document frequency.
func (s *scratch) appendBlock(text string, block uint32, mask uint32, maxN int, idf []float32) {
	s.runes = s.runes[:0]
	for _, r := range text {
		if len(s.runes) >= maxTextRunes {
			break
		}
		s.runes = append(s.runes, foldRune(r))
	}
	size, bits := 64, 6
	for size < 2*maxN*len(s.runes) {
		size, bits = size*2, bits+1
	}
	if cap(s.tab) < size {
		s.tab = make([]slotCount, size)
	} else {
		s.tab = s.tab[:size]
		clear(s.tab)
	}
	tmask := uint32(size - 1)
	add := func(h uint32) {
		key := h&mask + 1
		for i := (h * 0x9E3779B1) >> (32 - bits); ; i = (i + 1) & tmask {
			switch s.tab[i].key {
			case key:
				s.tab[i].n++
				return
			case 0:
				s.tab[i] = slotCount{key, 1}
				return
			}
		}
	}
	rs := s.runes
	for i, r := range rs {
		if r == 0 {
			continue
		}
		add(gramHash(block, r, 0, 0, 1))
		if maxN >= 2 && i >= 1 && rs[i-1] != 0 {
			add(gramHash(block, rs[i-1], r, 0, 2))
			if maxN >= 3 && i >= 2 && rs[i-2] != 0 {
				add(gramHash(block, rs[i-2], rs[i-1], r, 3))
			}
		}
	}
	start := len(s.out)
	var norm float32
	for _, e := range s.tab {
		if e.key == 0 {
			continue
		}
		var v float32
		if e.n < uint32(len(damped)) {
			v = damped[e.n]
		} else {
			v = float32(1 + math.Log(float64(e.n)))
		}
		if idf != nil {
			v *= idf[e.key-1]
		}
		norm += v * v
		s.out = append(s.out, feature{e.key - 1, v})
	}
	if norm == 0 {
		return
	}
	inv := float32(1 / math.Sqrt(float64(norm)))
	for k := start; k < len(s.out); k++ {
		s.out[k].val *= inv
	}
}

// grams lists the n-grams of one block with their slots and positions in the folded text (returned
// too, cuts as 0), for explanations.
func grams(text string, block uint32, mask uint32, maxN int) ([]gram, []rune) {
	var rs []rune
	for _, r := range text {
		if len(rs) >= maxTextRunes {
			break
		}
		rs = append(rs, foldRune(r))
	}
	var out []gram
	for i := range rs {
		for n := 1; n <= maxN && n <= i+1; n++ {
			seg := rs[i+1-n : i+1]
			if slices.Contains(seg, 0) {
				break
			}
			var r1, r2 rune
			if n > 1 {
				r1 = seg[1]
			}
			if n > 2 {
				r2 = seg[2]
			}
			out = append(out, gram{gramHash(block, seg[0], r1, r2, n) & mask, i + 1 - n, i + 1})
		}
	}
	return out, rs
}

// runeLen is the number of characters of s.
func runeLen(s string) int { return utf8.RuneCountInString(s) }
