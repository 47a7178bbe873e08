package hotline

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Encoding of a CSV file. xlsx files are always UTF-8 inside.
type Encoding int

const (
	Auto    Encoding = iota // UTF-8 if the first 64 KiB are valid UTF-8, else GB18030
	UTF8                    // with or without a BOM
	GB18030                 // also reads GBK and GB2312, of which it is a superset
)

// ParseEncoding reads the CLI spelling: auto, utf8 (utf-8), gb18030 (gbk, gb2312).
func ParseEncoding(s string) (Encoding, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return Auto, nil
	case "utf8", "utf-8":
		return UTF8, nil
	case "gb18030", "gbk", "gb2312":
		return GB18030, nil
	}
	return Auto, fmt.Errorf("未知的编码 %q（可选 auto、utf8、gb18030） (unknown encoding)", s)
}

func (e Encoding) String() string {
	switch e {
	case UTF8:
		return "utf8"
	case GB18030:
		return "gb18030"
	}
	return "auto"
}

// headerScanRows is how far down the header row may sit below title rows.
const headerScanRows = 10

// sniffSize is how much of a CSV file decides its encoding.
const sniffSize = 64 << 10

// HeaderError reports a file whose header row lacks required columns.
type HeaderError struct {
	Missing []string // Chinese names of the missing required columns
	Line    int      // the row taken as header, 0 if none looked like one
}

func (e *HeaderError) Error() string {
	list := strings.Join(e.Missing, "、")
	if e.Line == 0 {
		return fmt.Sprintf("前%d行中找不到表头，缺少必填列：%s (no header row found in the first %d rows; missing required columns: %s)",
			headerScanRows, list, headerScanRows, list)
	}
	return fmt.Sprintf("第%d行的表头缺少必填列：%s (header row %d lacks required columns: %s)", e.Line, list, e.Line, list)
}

// source is a sheet seen as a sequence of raw rows. advance moves to the
// next row and returns its 1-based line; cells returns that row's values.
// Splitting the two lets SkipTo pass over xlsx rows without decoding cells.
type source interface {
	advance() (line int, err error)
	cells() ([]string, error)
	// broken lists the cells of the current row that the file's syntax broke (a CSV quote
	// left open swallows the rows after it into one cell).
	broken() []brokenCell
	close() error
}

// brokenCell is a cell of a row that cannot be trusted: col is its 0-based column.
type brokenCell struct {
	col    int
	reason string
}

type bufferedRow struct {
	line   int
	cells  []string
	broken []brokenCell
}

// Reader streams hotline orders from one file. It is not safe for
// concurrent use.
type Reader struct {
	src    source
	cols   columnMap
	header map[string]string

	buf     []bufferedRow // rows read while looking for the header
	curLine int           // line of a row advanced to but not yet consumed
	hasCur  bool

	// seen maps a hash of each 工单编号 to its line, to flag duplicates.
	// Hashes and 32-bit lines keep it near 20 bytes per row instead of the id strings.
	seen map[uint64]int32
	seed maphash.Seed
	vals [numFields]string
}

// Open reads a file by its extension: .xlsx (or .xlsm) or .csv (or .txt).
// enc applies to CSV only.
func Open(path string, enc Encoding) (*Reader, error) {
	ext := strings.ToLower(filepath.Ext(path))
	switch ext {
	case ".xlsx", ".xlsm", ".csv", ".txt":
	case ".xls":
		return nil, fmt.Errorf("%s: 不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV (legacy .xls is not supported)", path)
	default:
		return nil, fmt.Errorf("%s: 无法识别的文件类型 %q，应为 .xlsx 或 .csv (unsupported file type)", path, ext)
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open hotline file: %w", err)
	}
	var r *Reader
	if ext == ".xlsx" || ext == ".xlsm" {
		// excelize reads the whole archive anyway; close the file early.
		r, err = NewXLSX(fh)
		fh.Close()
	} else {
		r, err = NewCSV(fh, enc)
		if err != nil {
			fh.Close()
		} else {
			r.src.(*csvSource).closer = fh
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// NewCSV reads CSV in the given encoding. With Auto, a file whose first
// 64 KiB are valid UTF-8 is UTF-8, anything else GB18030 (what Excel on a
// Chinese Windows writes by default).
func NewCSV(in io.Reader, enc Encoding) (*Reader, error) {
	br := bufio.NewReaderSize(in, sniffSize)
	head, err := br.Peek(sniffSize)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("read csv: %w", err)
	}
	if bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}) {
		return nil, errors.New("文件是 UTF-16 编码（Excel 的“Unicode 文本”），请另存为“CSV UTF-8”或 .xlsx (UTF-16 is not supported)")
	}
	if enc == Auto {
		enc = GB18030
		if validUTF8Prefix(head, len(head) == sniffSize) {
			enc = UTF8
		}
	}
	var text io.Reader = br
	if enc == GB18030 {
		text = simplifiedchinese.GB18030.NewDecoder().Reader(br)
	} else if bytes.HasPrefix(head, []byte("\xEF\xBB\xBF")) {
		br.Discard(3)
	}
	raw := &recorder{r: text}
	cr := csv.NewReader(raw)
	cr.FieldsPerRecord = -1 // exports pad or truncate rows freely
	cr.LazyQuotes = true    // and put stray quotes in free text
	cr.ReuseRecord = true
	return newReader(&csvSource{r: cr, raw: raw})
}

// recorder keeps the bytes the CSV parser has read and not yet given back as records, so that
// a record that spans lines can be checked against its text as written.
type recorder struct {
	r    io.Reader
	buf  []byte // the input from offset base on
	base int64
}

func (t *recorder) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.buf = append(t.buf, p[:n]...)
	return n, err
}

// take returns the input between offsets from and to, which the parser has passed, and forgets
// what lies before from.
func (t *recorder) take(from, to int64) []byte {
	if k := from - t.base; k > 64<<10 { // compact now and then, not for every record
		t.buf = append(t.buf[:0], t.buf[k:]...)
		t.base = from
	}
	return t.buf[from-t.base : to-t.base]
}

// brokenQuote finds the first field of one CSV record, as written, whose quotes are broken and
// which spans lines: a quoted field with a lone quote inside (neither doubled nor closing it) or
// without a closing quote at all. LazyQuotes keeps the lone quote as text and reads on, so such a
// field swallows the lines after it — whole rows of the file — up to the next quote that happens
// to close it, or to the end of the file. It returns the field's index and the number of line
// breaks inside it, or -1. It follows encoding/csv's rules (comma separator, "" inside quotes).
func brokenQuote(raw []byte) (field, lines int) {
	for i, f := 0, 0; i < len(raw); f++ {
		if raw[i] == '"' {
			broken, closed, nl := false, false, 0
			for i++; i < len(raw); i++ {
				switch c := raw[i]; {
				case c == '\n':
					nl++
				case c != '"':
				case i+1 < len(raw) && raw[i+1] == '"':
					i++ // an escaped quote
				case i+1 == len(raw) || raw[i+1] == ',' || raw[i+1] == '\n' || raw[i+1] == '\r':
					closed = true
				default:
					broken = true // a lone quote, kept as text
				}
				if closed {
					i++
					break
				}
			}
			if (broken || !closed) && nl > 0 {
				return f, nl
			}
		}
		for i < len(raw) && raw[i] != ',' && raw[i] != '\n' {
			i++
		}
		if i >= len(raw) || raw[i] != ',' {
			break
		}
		i++
	}
	return -1, 0
}

// validUTF8Prefix is utf8.Valid that forgives a rune cut off by the sniff
// window.
func validUTF8Prefix(b []byte, truncated bool) bool {
	if truncated {
		for i := 0; i < utf8.UTFMax && i < len(b); i++ {
			if utf8.RuneStart(b[len(b)-1-i]) {
				if !utf8.FullRune(b[len(b)-1-i:]) {
					b = b[:len(b)-1-i]
				}
				break
			}
		}
	}
	return utf8.Valid(b)
}

// NewXLSX reads the first sheet of an xlsx workbook, streaming its rows
// with excelize's Rows iterator so memory stays flat however long the
// sheet. (excelize does hold the compressed archive in memory, and spills
// large sheets to temporary files.)
func NewXLSX(in io.Reader) (*Reader, error) {
	f, err := excelize.OpenReader(in)
	if err != nil {
		return nil, fmt.Errorf("打开 xlsx 失败，文件可能已损坏或不是 xlsx (open xlsx): %w", err)
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, errors.New("xlsx 中没有工作表 (workbook has no sheet)")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read sheet %q: %w", sheets[0], err)
	}
	return newReader(&xlsxSource{f: f, rows: rows})
}

func newReader(src source) (*Reader, error) {
	r := &Reader{src: src, seen: make(map[uint64]int32), seed: maphash.MakeSeed()}
	if err := r.findHeader(); err != nil {
		src.close()
		return nil, err
	}
	return r, nil
}

// findHeader reads up to headerScanRows rows and takes as header the one
// naming the most known columns among those naming all required ones.
// Rows after it are kept for Next.
func (r *Reader) findHeader() error {
	for {
		line, err := r.src.advance()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("read header: %w", err)
		}
		if line > headerScanRows {
			r.curLine, r.hasCur = line, true
			break
		}
		cells, err := r.src.cells()
		if err != nil {
			return fmt.Errorf("row %d: %w", line, err)
		}
		r.buf = append(r.buf, bufferedRow{line, append([]string(nil), cells...), r.src.broken()})
	}
	best, bestAny := -1, -1
	var bestCols, anyCols columnMap
	for i, br := range r.buf {
		c := mapColumns(br.cells)
		if bestAny < 0 || c.found > anyCols.found {
			bestAny, anyCols = i, c
		}
		if len(c.missing()) == 0 && (best < 0 || c.found > bestCols.found) {
			best, bestCols = i, c
		}
	}
	if best < 0 {
		if bestAny < 0 || anyCols.found == 0 {
			none := mapColumns(nil)
			return &HeaderError{Missing: none.missing()}
		}
		return &HeaderError{Missing: anyCols.missing(), Line: r.buf[bestAny].line}
	}
	r.cols = bestCols
	r.buf = r.buf[best+1:]
	r.header = make(map[string]string, numFields)
	for f := field(0); f < numFields; f++ {
		if r.cols.idx[f] >= 0 {
			r.header[fields[f].key] = r.cols.labels[f]
		}
	}
	return nil
}

// Header maps each canonical field found (e.g. "received_at") to the header
// text the file used for it (e.g. "受理时间").
func (r *Reader) Header() map[string]string {
	out := make(map[string]string, len(r.header))
	for k, v := range r.header {
		out[k] = v
	}
	return out
}

// Next returns the next non-blank row. A row with problems comes back with
// its errors and its Line, so the caller can count it as rejected; the
// stream goes on. At the end Next returns io.EOF; any other error means
// the file itself could not be read further.
func (r *Reader) Next() (Row, []RowError, error) {
	for {
		var line int
		var cells []string
		var broken []brokenCell
		if len(r.buf) > 0 {
			line, cells, broken = r.buf[0].line, r.buf[0].cells, r.buf[0].broken
			r.buf = r.buf[1:]
		} else {
			if r.hasCur {
				line, r.hasCur = r.curLine, false
			} else {
				var err error
				if line, err = r.src.advance(); err != nil {
					if err != io.EOF {
						err = fmt.Errorf("after row %d: %w", r.curLine, err)
					}
					return Row{}, nil, err
				}
			}
			r.curLine = line
			var err error
			if cells, err = r.src.cells(); err != nil {
				return Row{}, nil, fmt.Errorf("row %d: %w", line, err)
			}
			broken = r.src.broken()
		}
		if blank(cells) {
			continue
		}
		for f := range r.vals {
			r.vals[f] = ""
			if i := r.cols.idx[f]; i >= 0 && i < len(cells) {
				r.vals[f] = cells[i]
			}
		}
		row, errs := validate(line, &r.vals, &r.cols.labels)
		for _, b := range broken {
			errs = append(errs, r.brokenError(line, b))
		}
		if row.HotlineID != "" {
			h := maphash.String(r.seed, row.HotlineID)
			if first, dup := r.seen[h]; dup {
				errs = append(errs, RowError{Line: line, Column: r.cols.labels[fHotlineID], Field: fields[fHotlineID].key,
					Reason: fmt.Sprintf("工单编号 %q 与第%d行重复", row.HotlineID, first)})
			} else {
				r.seen[h] = int32(line)
			}
		}
		return row, errs, nil
	}
}

// brokenError names a broken cell by its header when the column is one of ours.
func (r *Reader) brokenError(line int, b brokenCell) RowError {
	e := RowError{Line: line, Column: fmt.Sprintf("第%d列", b.col+1), Field: "csv", Reason: b.reason}
	for f := range numFields {
		if r.cols.idx[f] == b.col {
			e.Column, e.Field = r.cols.labels[f], fields[f].key
		}
	}
	return e
}

// SkipTo passes over every raw row whose Line is ≤ line without decoding or
// validating it, so that an importer resuming after a crash can continue
// after the last row it committed. Rows skipped this way take no part in
// duplicate detection; the importer's idempotency by 工单编号 covers them.
func (r *Reader) SkipTo(line int) error {
	for len(r.buf) > 0 && r.buf[0].line <= line {
		r.buf = r.buf[1:]
	}
	if len(r.buf) > 0 {
		return nil
	}
	if r.hasCur && r.curLine > line {
		return nil
	}
	r.hasCur = false
	for {
		l, err := r.src.advance()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("skip to row %d: %w", line, err)
		}
		r.curLine = l
		if l > line {
			r.hasCur = true
			return nil
		}
	}
}

// Close releases the file and any temporary files.
func (r *Reader) Close() error { return r.src.close() }

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// csvSource numbers CSV records the way Excel shows them: a quoted cell
// spanning lines is one row, and blank lines (which encoding/csv drops)
// still count as rows.
type csvSource struct {
	r       *csv.Reader
	raw     *recorder
	rec     []string
	row     int   // Excel row of rec
	lastEnd int   // physical line where the previous record ended
	offset  int64 // input offset where the previous record ended
	bad     []brokenCell
	closer  io.Closer
}

func (s *csvSource) advance() (int, error) {
	rec, err := s.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return 0, fmt.Errorf("CSV 格式错误，第%d行第%d列附近: %v (csv syntax)", pe.Line, pe.Column, pe.Err)
		}
		return 0, err
	}
	start, _ := s.r.FieldPos(0)
	gap := start - s.lastEnd - 1
	if gap < 0 {
		gap = 0
	}
	s.row += 1 + gap
	last := len(rec) - 1
	end, _ := s.r.FieldPos(last)
	s.lastEnd = end + strings.Count(rec[last], "\n")
	s.rec = rec
	from, to := s.offset, s.r.InputOffset()
	s.offset = to
	raw := s.raw.take(from, to)
	s.bad = nil
	// Only a cell holding a line break can have swallowed rows; most rows have none, and cost
	// no more than this scan.
	for _, c := range rec {
		if strings.IndexByte(c, '\n') >= 0 {
			if f, lines := brokenQuote(raw); f >= 0 {
				s.bad = append(s.bad, brokenCell{col: f, reason: fmt.Sprintf(
					"这一格的引号没有配对，其后的 %d 行（到第%d行）都被读进了这一格；请修正引号（格内的引号要写成两个 \"\"）后重新导入这些行", lines, s.lastEnd)})
			}
			break
		}
	}
	return s.row, nil
}

func (s *csvSource) cells() ([]string, error) { return s.rec, nil }

func (s *csvSource) broken() []brokenCell { return s.bad }

func (s *csvSource) close() error {
	if s.closer != nil {
		c := s.closer
		s.closer = nil
		return c.Close()
	}
	return nil
}

type xlsxSource struct {
	f    *excelize.File
	rows *excelize.Rows
	line int
}

// rawCells asks excelize for stored values, not display strings: a date
// cell then reads "45930.4187" whatever its number format, and a long
// number keeps its digits.
var rawCells = excelize.Options{RawCellValue: true}

func (s *xlsxSource) advance() (int, error) {
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			return 0, err
		}
		return 0, io.EOF
	}
	s.line++
	return s.line, nil
}

func (s *xlsxSource) cells() ([]string, error) { return s.rows.Columns(rawCells) }

func (s *xlsxSource) broken() []brokenCell { return nil }

func (s *xlsxSource) close() error {
	err := s.rows.Close()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	return err
}
