package dispatch

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// Columns names the columns of a labelled CSV file. Empty names are detected from the header:
// the text is "text", else "detail", else "content"; the title "title" when there is one; the
// label "label", else "label_level1", else "category".
type Columns struct {
	Text, Title, Label string
}

// MaxTextBytes bounds one field read from a labelled file.
const MaxTextBytes = 64 << 10

func pickColumn(header []string, name string, candidates ...string) (int, error) {
	if name != "" {
		if i := slices.Index(header, name); i >= 0 {
			return i, nil
		}
		return -1, fmt.Errorf("no column %q in the header (%s)", name, strings.Join(header, ", "))
	}
	for _, c := range candidates {
		if i := slices.Index(header, c); i >= 0 {
			return i, nil
		}
	}
	return -1, nil
}

// ReadExamples reads a labelled CSV file (UTF-8, header row).
func ReadExamples(r io.Reader, cols Columns) ([]Example, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	for i, h := range header {
		header[i] = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
	}
	ti, err := pickColumn(header, strings.ToLower(cols.Text), "text", "detail", "content")
	if err != nil {
		return nil, err
	}
	hi, err := pickColumn(header, strings.ToLower(cols.Title), "title")
	if err != nil {
		return nil, err
	}
	li, err := pickColumn(header, strings.ToLower(cols.Label), "label", "label_level1", "category")
	if err != nil {
		return nil, err
	}
	if ti < 0 && hi < 0 {
		return nil, fmt.Errorf("no text column: name it text (or detail, title), or pass its name (header: %s)", strings.Join(header, ", "))
	}
	if li < 0 {
		return nil, fmt.Errorf("no label column: name it label (or label_level1), or pass its name (header: %s)", strings.Join(header, ", "))
	}
	field := func(rec []string, i int) string {
		if i < 0 || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	var out []Example
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("row %d: %w", line, err)
		}
		e := Example{Title: field(rec, hi), Text: field(rec, ti), Label: field(rec, li)}
		for _, s := range []string{e.Title, e.Text, e.Label} {
			if len(s) > MaxTextBytes {
				return nil, fmt.Errorf("row %d: a field of %d bytes (at most %d)", line, len(s), MaxTextBytes)
			}
			if !utf8.ValidString(s) {
				return nil, fmt.Errorf("row %d: not UTF-8 (save the file as UTF-8)", line)
			}
		}
		if e.Label == "" || e.Title+e.Text == "" {
			continue
		}
		if len(out) == MaxExamples {
			return nil, fmt.Errorf("more than %d rows", MaxExamples)
		}
		out = append(out, e)
	}
	if len(out) == 0 {
		return nil, errors.New("no labelled rows")
	}
	return out, nil
}

// ReadTaxonomy reads a category tree as CSV with a header level1,level2,level3 (level3 may be
// missing).
func ReadTaxonomy(r io.Reader) ([]TaxonomyRow, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	for i, h := range header {
		header[i] = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
	}
	i1, i2, i3 := slices.Index(header, "level1"), slices.Index(header, "level2"), slices.Index(header, "level3")
	if i1 < 0 || i2 < 0 {
		return nil, fmt.Errorf("a taxonomy needs the columns level1, level2 (and level3); header: %s", strings.Join(header, ", "))
	}
	var out []TaxonomyRow
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("row %d: %w", line, err)
		}
		get := func(i int) string {
			if i < 0 || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		t := TaxonomyRow{get(i1), get(i2), get(i3)}
		if t.Level1 == "" || t.Level2 == "" {
			continue
		}
		if len(out) == 100_000 {
			return nil, errors.New("more than 100,000 taxonomy rows")
		}
		out = append(out, t)
	}
	return out, nil
}
