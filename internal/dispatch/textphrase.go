package dispatch

import (
	"slices"
	"strings"
)

// Taxonomy phrases: every level-2 and level-3 name of the category tree (安全隐患, 违章建筑,
// 回迁房, 公共汽车…) is one more feature of a text that contains it whole. The names are already
// training examples of their label, but as n-grams only: a four- or five-character name is no
// n-gram of 1–3 characters, and its 2- and 3-grams also occur in texts about other things. A
// whole-name feature says "this text names a category of the tree" — on the development texts it
// was worth about +0.01 top-1 (docs/DISPATCH.md, third round). The model learns each phrase's
// weights like any n-gram's, from the taxonomy examples (which contain their own name) and from the
// real texts that contain it.

// phraseSet finds the taxonomy's names in a text's folded characters.
type phraseSet struct {
	list  []string // as given (folded), in file order: phrase i's slot depends on i
	runes [][]rune // foldRune of each
	val   float32  // the feature value of a phrase found
	// by the first two characters: the phrases starting with them. seen is a bitmap of those
	// pairs' hashes, so most positions of a text cost one bit test.
	first map[uint64][]int32
	seen  []uint64
}

// maxPhrases and maxPhraseRunes bound a model file's phrase list (a category tree has at most
// 5,000 nodes, two names each).
const (
	maxPhrases     = 10_000
	maxPhraseRunes = 300
	phraseSeenBits = 14
)

func pairKey(a, b rune) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }

func pairBit(k uint64) uint32 {
	return fmix32(uint32(k)^uint32(k>>32)*0x9E3779B1) >> (32 - phraseSeenBits)
}

// newPhraseSet indexes the names (already folded, at least two characters each).
func newPhraseSet(list []string, val float32) *phraseSet {
	p := &phraseSet{list: list, val: val, first: map[uint64][]int32{}, seen: make([]uint64, 1<<phraseSeenBits/64)}
	for i, s := range list {
		var rs []rune
		for _, r := range s {
			rs = append(rs, foldRune(r))
		}
		p.runes = append(p.runes, rs)
		if len(rs) < 2 {
			continue
		}
		k := pairKey(rs[0], rs[1])
		p.first[k] = append(p.first[k], int32(i))
		b := pairBit(k)
		p.seen[b/64] |= 1 << (b % 64)
	}
	return p
}

// taxonomyPhrases lists the distinct level-2 and level-3 names of the rows (folded, two or more
// characters, not 其他), in the order of the rows.
func taxonomyPhrases(rows []TaxonomyRow) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range rows {
		for _, n := range []string{t.Level2, t.Level3} {
			n = foldText(strings.TrimSpace(n))
			if runeLen(n) >= 2 && runeLen(n) <= maxPhraseRunes && n != "其他" && !seen[n] && len(out) < maxPhrases {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	return out
}

// slot is phrase i's hash slot.
func (p *phraseSet) slot(i int, mask uint32) uint32 {
	return fmix32(uint32(i)*0x9E3779B1+0x51ed27) & mask
}

// find appends to hits the phrases found in rs (foldRune'd characters) that are not in hits yet.
func (p *phraseSet) find(rs []rune, hits []int32) []int32 {
	for i := 0; i+1 < len(rs); i++ {
		k := pairKey(rs[i], rs[i+1])
		if b := pairBit(k); p.seen[b/64]&(1<<(b%64)) == 0 {
			continue
		}
		for _, c := range p.first[k] {
			ph := p.runes[c]
			if i+len(ph) <= len(rs) && slices.Equal(rs[i:i+len(ph)], ph) && !slices.Contains(hits, c) {
				hits = append(hits, c)
			}
		}
	}
	return hits
}
