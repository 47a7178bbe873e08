package search

import (
	"strings"

	"github.com/jackc/pgx/v5/pgtype"
)

// BinaryTSVector is TSVector(terms) as pgx sends it in binary form (COPY, binary parameters):
// the same lexemes and positions, without the server parsing a literal. The import's COPY and
// the bench generator both send it.
func BinaryTSVector(terms string) *pgtype.TSVector {
	// Two allocations per text, sized to the number of terms.
	n := 0
	if terms != "" {
		n = strings.Count(terms, " ") + 1
	}
	v := &pgtype.TSVector{Valid: true, Lexemes: make([]pgtype.TSVectorLexeme, 0, n)}
	all := make([]pgtype.TSVectorPosition, 0, n)
	Lexemes(terms, func(term string, positions []int) {
		start := len(all)
		for _, p := range positions {
			// Positions past a tsvector's last are capped to it; the binary form, unlike the
			// literal, refuses a repeat.
			if len(all) == start || uint16(p) > all[len(all)-1].Position {
				all = append(all, pgtype.TSVectorPosition{Position: uint16(p)})
			}
		}
		v.Lexemes = append(v.Lexemes, pgtype.TSVectorLexeme{Word: term, Positions: all[start:len(all):len(all)]})
	})
	return v
}
