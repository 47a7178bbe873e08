// Package label is a code with its Chinese and English names — the kinds, statuses and types a
// capability keeps as a table (campaign kinds, consultation statuses, question types) — and the
// lookups every such table needs.
package label

import (
	"slices"
	"strings"
)

// Label is a code with its Chinese and English names.
type Label struct{ Code, ZH, EN string }

// Name returns the label in the language ("zh" or "en").
func (l Label) Name(lang string) string {
	if lang == "en" {
		return l.EN
	}
	return l.ZH
}

// Valid reports whether code is one of ls.
func Valid(ls []Label, code string) bool {
	return slices.ContainsFunc(ls, func(l Label) bool { return l.Code == code })
}

// Codes lists the codes of ls, for an error message ("one of a, b, c").
func Codes(ls []Label) string {
	cs := make([]string, len(ls))
	for i, l := range ls {
		cs[i] = l.Code
	}
	return strings.Join(cs, ", ")
}

// Of returns the name of code among ls in lang, or the code itself.
func Of(ls []Label, code, lang string) string {
	for _, l := range ls {
		if l.Code == code {
			return l.Name(lang)
		}
	}
	return code
}

// Names maps the codes of ls to their names in lang, for templates.
func Names(ls []Label, lang string) map[string]string {
	m := make(map[string]string, len(ls))
	for _, l := range ls {
		m[l.Code] = l.Name(lang)
	}
	return m
}
