package store

import (
	"context"
	"database/sql"
	"unicode/utf8"
)

// NullIfEmpty stores an empty optional code or reference as NULL, so foreign keys and partial
// indexes see "none" rather than an empty string.
func NullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// NullIfZero stores an absent id (0) as NULL.
func NullIfZero(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// In returns "col IN (?, …)" with its arguments. No values means no rows — "1 = 0" — never all
// of them: a caller whose scope is empty must see nothing.
func In(col string, values []string) (string, []any) {
	if len(values) == 0 {
		return "1 = 0", nil
	}
	args := make([]any, len(values))
	for i, v := range values {
		args[i] = v
	}
	return col + " IN (" + Placeholders(len(values)) + ")", args
}

// AppendJSONString appends s as a JSON string. It escapes what JSON requires and leaves the
// rest (Chinese above all) as UTF-8; bulk writers use it where encoding/json's reflection would
// cost more than the write.
func AppendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	plain := utf8.ValidString(s)
	for i := 0; plain && i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' {
			plain = false
		}
	}
	if plain {
		b = append(b, s...)
		return append(b, '"')
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
		case c < utf8.RuneSelf:
			b = append(b, c)
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, s[i:i+size]...)
			}
			i += size
			continue
		}
		i++
	}
	return append(b, '"')
}

// Collect runs query and returns every row as scan reads it (nil when there is none): the loop
// every list function would otherwise write again.
func Collect[T any](ctx context.Context, q Querier, scan func(*sql.Rows) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
