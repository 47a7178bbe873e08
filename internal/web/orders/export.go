package orders

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/sheet"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// MaxExports is how many order exports the server builds at a time; each user builds one at a
// time (docs/API.md). A big export reads the database in short batches and spools to disk, so
// it costs a core and I/O rather than memory; the limit keeps a few of them from taking the
// server's cores from everyone else.
const MaxExports = 3

// exportCap is orders.MaxExportRows; tests lower it.
var exportCap = func() *atomic.Int64 { var n atomic.Int64; n.Store(orders.MaxExportRows); return &n }()

// exportStall is how long an export's client may take to accept the next bytes of the file.
const exportStall = 2 * time.Minute

// exportSlots hands out the right to build an export.
type exportSlots struct {
	mu   sync.Mutex
	busy map[int64]bool
}

// take claims a slot for user: an error when the user already builds one or the server is full.
func (e *exportSlots) take(user int64) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.busy[user] {
		return problem.New(problem.ErrThrottled, "", "an export of yours is still being built; wait for it to finish")
	}
	if len(e.busy) >= MaxExports {
		return problem.New(problem.ErrThrottled, "", fmt.Sprintf("%d exports are being built; try again in a minute", len(e.busy)))
	}
	e.busy[user] = true
	return nil
}

func (e *exportSlots) give(user int64) {
	e.mu.Lock()
	delete(e.busy, user)
	e.mu.Unlock()
}

// exportColumns are the columns of an export, as message keys; the town column only for callers
// who see several towns.
var exportColumns = []string{"ox.number", "ox.received", "ox.channel", "ox.state", "ox.category", "ox.grid", "ox.town",
	"ox.department", "ox.co", "ox.deadline", "ox.closed", "ox.address", "ox.content", "ox.caller"}

// exportOrders answers with every order the list's filter and sort select — all pages, at most
// orders.MaxExportRows — as xlsx or CSV (?format=xlsx|csv|csv-gb18030), personal data masked as
// the caller's role requires, with one audit row when any of it was shown whole.
func (s *handlers) exportOrders(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	if c.User.Role == auth.RoleResident {
		return problem.Forbidden("residents cannot export orders")
	}
	// The file speaks the caller's language (zh unless asked); the API's errors stay English.
	lang := kit.Language(w, r)
	T := kit.Translator(lang)
	errT := T
	if strings.HasPrefix(r.URL.Path, "/api/") {
		errT = kit.Translator("en")
	}
	q := r.URL.Query()
	format, ok := sheet.ParseFormat(q.Get("format"))
	if !ok {
		return kit.BadRequest("format", fmt.Sprintf("format: xlsx, csv or csv-gb18030, not %.20q", q.Get("format")))
	}
	q.Del("format")
	f, err := listFilter(q, c)
	if err != nil {
		return err
	}
	if err := s.exports.take(c.User.ID); err != nil {
		return err
	}
	defer s.exports.give(c.User.ID)

	ctx := r.Context()
	limit := int(exportCap.Load())
	total, err := s.Orders.Count(ctx, f, limit)
	if err != nil {
		return err
	}
	if total > limit {
		// Counting stopped at limit+1: the filter selects more than the limit, however many more.
		return problem.Field("filter", errT("ox.too many"), groupDigits(limit))
	}
	l, err := s.lookups(r, c, lang)
	if err != nil {
		return err
	}
	towns, err := places.TenantTowns(ctx, s.DB, c.Towns)
	if err != nil {
		return err
	}
	townName := map[string]string{}
	for _, t := range towns {
		townName[t.Code] = t.Name
	}
	showTown := c.User.TownCode == "" || len(c.Towns) > 1

	rc := http.NewResponseController(w)
	out, err := sheet.New(paced{w, rc}, format, sheet.Options{Sheet: T("ox.sheet"), Widths: exportWidths(showTown)})
	if err != nil {
		return err
	}
	defer out.Abort()
	var head []string
	for _, k := range exportColumns {
		if k != "ox.town" || showTown {
			head = append(head, T(k))
		}
	}
	if err := out.Row(head...); err != nil {
		return err
	}
	viewer := kit.Viewer(r, c)
	shown := privacy.NewExportLog(privacy.Orders, r.Method+" "+r.URL.RequestURI())
	sep := listSep(lang)
	row := make([]string, 0, len(exportColumns))
	err = s.Orders.Each(ctx, f, orders.ExportBatch, func(batch []orders.Order) error {
		// Reading and spooling a batch is the work; the client waits for the file meanwhile.
		_ = rc.SetWriteDeadline(time.Now().Add(exportStall))
		for _, o := range batch {
			v, _, whole := viewer.Order(o)
			if whole {
				shown.Add(o.Number, o.TownCode)
			}
			co := make([]string, len(v.CoDepartments))
			for i, d := range v.CoDepartments {
				co[i] = nameOr(l.DeptName, d)
			}
			row = append(row[:0], v.Number, fmtTime(v.ReceivedAt), nameOr(l.Channels, v.Channel), StateLabel(v.State, lang),
				nameOr(l.CatName, v.Category), nameOr(l.GridName, v.Grid))
			if showTown {
				row = append(row, nameOr(townName, v.TownCode))
			}
			row = append(row, nameOr(l.DeptName, v.Department), strings.Join(co, sep), fmtTimePtr(v.Deadline), fmtTimePtr(v.ClosedAt),
				v.Address, v.Content, strings.TrimSpace(v.CallerName+" "+v.CallerPhone))
			if err := out.Row(row...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// The audit row before a byte of the file leaves: data that cannot be audited is not shown.
	if err := s.RecordShown(r, c, shown); err != nil {
		return err
	}
	name, ascii := exportName(towns, c.Towns, format, time.Now())
	w.Header().Set("Content-Type", format.ContentType())
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, url.PathEscape(name)))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Export-Rows", fmt.Sprint(out.Rows()-1))
	return out.Close()
}

// paced moves the response's write deadline along as the client takes the file: a client that
// keeps reading gets all of it however long it is, one that stalls for exportStall is cut off.
type paced struct {
	w  io.Writer
	rc *http.ResponseController
}

func (p paced) Write(b []byte) (int, error) {
	_ = p.rc.SetWriteDeadline(time.Now().Add(exportStall))
	return p.w.Write(b)
}

// exportName is the file's name — 工单-新泾镇-20261130.xlsx — and its ASCII form for old
// clients (orders-310105003-20261130.xlsx); several towns are named by their count.
func exportName(towns []places.Region, codes []string, f sheet.Format, now time.Time) (name, ascii string) {
	day := now.In(shanghai).Format("20060102")
	town, code := fmt.Sprintf("%d镇", len(codes)), fmt.Sprintf("%dtowns", len(codes))
	if len(codes) == 1 {
		town, code = codes[0], codes[0]
		for _, t := range towns {
			if t.Code == codes[0] {
				town = t.Name
			}
		}
	}
	return fmt.Sprintf("工单-%s-%s.%s", town, day, f.Ext()), fmt.Sprintf("orders-%s-%s.%s", code, day, f.Ext())
}

// groupDigits writes n with thousands separators: 1,000,000.
func groupDigits(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func fmtTimePtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return fmtTime(*t)
}

// exportWidths are the xlsx columns' widths, in characters.
func exportWidths(showTown bool) []float64 {
	w := []float64{22, 17, 10, 10, 16, 16}
	if showTown {
		w = append(w, 12)
	}
	return append(w, 18, 18, 17, 17, 30, 60, 20)
}
