package store

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
