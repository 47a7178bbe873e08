package privacy

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/store"
)

// Log collects whose personal data one response shows whole. A handler makes one per response,
// adds every record it shows whole, and calls Record before it writes the response: one audit
// row per response, however many records it showed.
type Log struct {
	class Class
	what  string
	ids   []string
	seen  map[string]bool
	towns []string
	n     int  // records shown whole
	once  bool // each record is added at most once: ids keeps the first MaxListed, seen nothing
}

// MaxListed is how many records an audit row names; the count covers the rest.
const MaxListed = 100

// NewLog starts the log of a response showing records of class c; what says which request it
// answers (method and path with query), shortened to 300 characters.
func NewLog(c Class, what string) *Log {
	if utf8.RuneCountInString(what) > 300 {
		what = string([]rune(what)[:300]) + "…"
	}
	return &Log{class: c, what: what, seen: map[string]bool{}}
}

// NewExportLog starts the log of a response that shows each record at most once, however many
// (an export of a million orders): it counts them and keeps only the first MaxListed ids and the
// towns, so that its memory does not grow with the response.
func NewExportLog(c Class, what string) *Log {
	l := NewLog(c, what)
	l.once, l.seen = true, nil
	return l
}

// Add records that the personal data of record id (an order number, a target id, a user id) of
// town was shown whole. A nil log adds nothing.
func (l *Log) Add(id, town string) {
	if l == nil || l.seen[id] {
		return
	}
	l.n++
	if !l.once {
		l.seen[id] = true
		l.ids = append(l.ids, id)
	} else if len(l.ids) < MaxListed {
		l.ids = append(l.ids, id)
	}
	if town != "" && !slices.Contains(l.towns, town) {
		l.towns = append(l.towns, town)
	}
}

// Len is how many records were shown whole.
func (l *Log) Len() int {
	if l == nil {
		return 0
	}
	return l.n
}

// Record writes the log's one audit row, when anything was shown whole: the viewer, the class,
// the record when there was one (entity_id) and in detail the request, the count and the records
// (at most MaxListed of them, each followed by a space so that audit.Filter.Subject finds it).
// The row belongs to the town of the first record; when the records span towns, detail names them.
func Record(ctx context.Context, q store.Querier, v Viewer, l *Log) error {
	if l.Len() == 0 {
		return nil
	}
	e := audit.Entry{ActorID: v.UserID, Actor: v.Username, Action: audit.ActionViewPII, Entity: string(l.class), IP: v.IP}
	if len(l.towns) > 0 {
		e.TownCode = l.towns[0]
	}
	if l.n == 1 {
		e.EntityID = l.ids[0]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s · %d shown: ", l.what, l.n)
	for i, id := range l.ids {
		if i == MaxListed {
			break
		}
		b.WriteString(id + " ")
	}
	if l.n > MaxListed {
		fmt.Fprintf(&b, "(+%d more) ", l.n-MaxListed)
	}
	if len(l.towns) > 1 {
		b.WriteString("· towns: " + strings.Join(l.towns, " "))
	}
	e.Detail = strings.TrimRight(b.String(), " ") + " "
	if err := audit.Record(ctx, q, e); err != nil {
		return fmt.Errorf("audit the view of personal data: %w", err)
	}
	return nil
}
