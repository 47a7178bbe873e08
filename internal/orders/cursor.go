package orders

import (
	"strconv"
	"strings"

	"github.com/civicgrid/civicgrid/internal/problem"
)

// Cursor names an order's place in a sort for keyset paging (Filter.After, Filter.Before): the
// value of the sort column (milliseconds; 0 for the id sorts) and the id that breaks ties.
type Cursor struct {
	Key, ID int64
}

// String is the cursor as pages and API clients carry it: "key.id".
func (c Cursor) String() string {
	return strconv.FormatInt(c.Key, 10) + "." + strconv.FormatInt(c.ID, 10)
}

// CursorOf is o's cursor in sort ("" for the deadline sorts, which page by offset).
func CursorOf(o Order, sort string) string {
	if sort == "" {
		sort = "-received_at"
	}
	seg := keysetSegments(sort, 0)
	if len(seg) != 1 {
		return ""
	}
	return Cursor{Key: seg[0].key(o), ID: o.ID}.String()
}

// ParseCursor reads a cursor written by Cursor.String.
func ParseCursor(s string) (Cursor, error) {
	k, id, ok := strings.Cut(s, ".")
	key, err1 := strconv.ParseInt(k, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if !ok || err1 != nil || err2 != nil || len(s) > 40 {
		return Cursor{}, problem.Field("after", "cursor %.40q: want key.id as the list gave it", s)
	}
	return Cursor{Key: key, ID: n}, nil
}

// after is the condition that selects the orders after (key, id) in the segment's order, or in the
// opposite order when desc says so.
func (k keySegment) after(key, id int64, desc bool) (string, []any) {
	cmp := ">"
	if desc {
		cmp = "<"
	}
	if k.col == "" {
		return "id " + cmp + " ?", []any{id}
	}
	// The first term is a range the sort's index seeks to; "col < ? OR (col = ? AND id < ?)"
	// alone would have SQLite walk the index from its start.
	return k.col + " " + cmp + "= ? AND (" + k.col + " " + cmp + " ? OR id " + cmp + " ?)", []any{key, key, id}
}

// reverseOrder turns an ORDER BY of Sorts around.
func reverseOrder(order string) string {
	parts := strings.Split(order, ", ")
	for i, p := range parts {
		if c, ok := strings.CutSuffix(p, " DESC"); ok {
			parts[i] = c
		} else {
			parts[i] = p + " DESC"
		}
	}
	return strings.Join(parts, ", ")
}
