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
	cr, header, err := readHeader(r)
	if err != nil {
		return nil, err
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
	var out []Example
	err = eachRow(cr, func(line int, field func(int) string) error {
		e := Example{Title: field(hi), Text: field(ti), Label: field(li)}
		for _, s := range []string{e.Title, e.Text, e.Label} {
			if len(s) > MaxTextBytes {
				return fmt.Errorf("row %d: a field of %d bytes (at most %d)", line, len(s), MaxTextBytes)
			}
			if !utf8.ValidString(s) {
				return fmt.Errorf("row %d: not UTF-8 (save the file as UTF-8)", line)
			}
		}
		if e.Label == "" || e.Title+e.Text == "" {
			return nil
		}
		if len(out) == MaxExamples {
			return fmt.Errorf("more than %d rows", MaxExamples)
		}
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errors.New("no labelled rows")
	}
	return out, nil
}

// ReadTaxonomy reads a category tree as CSV with a header level1,level2,level3 (level3 may be
// missing).
func ReadTaxonomy(r io.Reader) ([]TaxonomyRow, error) {
	cr, header, err := readHeader(r)
	if err != nil {
		return nil, err
	}
	i1, i2, i3 := slices.Index(header, "level1"), slices.Index(header, "level2"), slices.Index(header, "level3")
	if i1 < 0 || i2 < 0 {
		return nil, fmt.Errorf("a taxonomy needs the columns level1, level2 (and level3); header: %s", strings.Join(header, ", "))
	}
	var out []TaxonomyRow
	err = eachRow(cr, func(_ int, get func(int) string) error {
		t := TaxonomyRow{get(i1), get(i2), get(i3)}
		if t.Level1 == "" || t.Level2 == "" {
			return nil
		}
		if len(out) == 100_000 {
			return errors.New("more than 100,000 taxonomy rows")
		}
		out = append(out, t)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// readHeader starts reading a CSV file with a header row: the column names folded (no BOM, no
// surrounding spaces, lower case). Rows may have any number of fields.
func readHeader(r io.Reader) (*csv.Reader, []string, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("header: %w", err)
	}
	for i, h := range header {
		header[i] = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
	}
	return cr, header, nil
}

// eachRow calls f with every further row: its line number (the header is line 1) and its cells by
// column index, trimmed ("" for a missing cell or a column index below 0). It stops at f's error.
func eachRow(cr *csv.Reader, f func(line int, cell func(int) string) error) error {
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("row %d: %w", line, err)
		}
		cell := func(i int) string {
			if i < 0 || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		if err := f(line, cell); err != nil {
			return err
		}
	}
}
