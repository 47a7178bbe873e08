package orders

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/fold"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/search"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// Filter narrows a listing. Empty fields do not filter; Towns empty means no orders at all.
type Filter struct {
	Towns      []string
	States     []string
	Grid       string
	Category   string // the category or, for a top class (大类), any of its children
	Channel    string
	Department string // lead or co-handling department
	RaisedBy   int64  // orders a resident raised ("my reports"); 0 does not filter
	Overdue    bool   // open, running and past the deadline
	Warning    bool   // open, running, not yet overdue, past the warning fraction
	Unlocated  bool   // open orders no grid could be found for: the 待定位 queue
	From, To   *time.Time
	Query      string // words of the content or address (search index), an order number or id, a channel's id
	Limit      int    // default 50, at most 500
	Offset     int
	Sort       string // one of Sorts; default "-received_at"
	// After and Before page by keyset instead of Offset (which then only numbers the page): the
	// orders after (or before) the one a Cursor names, in Sort's order. Deadline sorts page by
	// Offset only.
	After, Before string

	// Categories selects orders of any of these, each as Category, in one IN list (at most
	// MaxListValues).
	Categories []string

	// Conditions are further conditions over the orders table that another capability computes
	// (kpi.Condition: exactly the orders a KPI figure counts); they are ANDed with the rest.
	Conditions []Condition
}

// Condition is a SQL condition over the orders table and its arguments.
type Condition struct {
	SQL  string
	Args []any
}

// MaxQueryRunes bounds a search: longer text is a paste, not a search.
const MaxQueryRunes = 200

// Sorts maps the accepted Filter.Sort values to ORDER BY clauses; id breaks ties so that paging
// is stable.
var Sorts = map[string]string{
	"received_at":  "received_at, id",
	"-received_at": "received_at DESC, id DESC",
	"deadline":     "deadline_at, id",
	"-deadline":    "deadline_at DESC, id DESC",
	"updated_at":   "updated_at, id",
	"-updated_at":  "updated_at DESC, id DESC",
	"id":           "id",
	"-id":          "id DESC",
}

// openStates is the SQL list of the states whose clock can run.
var openStates = func() string {
	var qs []string
	for _, si := range workorder.States {
		if si.Open {
			qs = append(qs, "'"+string(si.State)+"'")
		}
	}
	return strings.Join(qs, ", ")
}()

// MaxOffset bounds Filter.Offset without a cursor: an OFFSET reads every order it skips (4–10 s
// at offset 500,000 of a million), so deeper pages go by keyset (After, the next_after of the
// page before), which reads one page at any depth. With a cursor Offset only numbers the page.
const MaxOffset = 10_000

// CountBound is where a list stops counting: a total above it means "more than CountBound"
// (pages show "10,000+"), so that no request counts a city's millions of orders to draw a number.
const CountBound = 10_000

// SearchCountBound is where a search (Filter.Query) stops counting (pages show "1,000+"). A
// search's count cannot be answered from an index alone: every hit's row is read to test the
// town and the other filters (and, on PostgreSQL, to recheck a phrase). Counting a common word to
// 10,001 took 130–750 ms of the search at a million orders on the loaded dev machine, counting it
// to 1,001 about 5 ms (docs/BENCHMARKS.md, "Order search: a search counts to 1,000").
const SearchCountBound = 1_000

// CountBoundOf is where List stops counting the orders f selects: SearchCountBound for a search
// of towns alone (what the search box sends), CountBound otherwise. A total above it means "more
// than" it. A search with other filters keeps counting to CountBound: List walks the time index
// for a page only past manyHits (5,000) hits, and a count stopped at 1,000 would have it walk for
// a search whose hits are too sparse among the filters' newest orders (噪音 in category 1002,
// 4,330 hits: 630 ms instead of 96 on PostgreSQL).
func CountBoundOf(f Filter) int {
	if onlyTownsAndSearch(f) {
		return SearchCountBound
	}
	return CountBound
}

// List returns one page of the orders matching f and how many match in all, counted up to
// CountBoundOf(f): a total of CountBoundOf(f)+1 means more.
func (s *Store) List(ctx context.Context, f Filter) (int, []Order, error) {
	q, err := s.query(f)
	if err != nil {
		return 0, nil, err
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	if f.Limit > 500 {
		f.Limit = 500
	}
	if f.Offset < 0 {
		f.Offset = 0
	}
	if f.Offset > MaxOffset && f.After == "" && f.Before == "" {
		return 0, nil, problem.Field("offset", "%d is past the deepest offset, %d; page on with after= (the list's next_after), as cheap at the millionth order as at the first",
			f.Offset, MaxOffset)
	}
	if err := q.scanRange(ctx, s); err != nil {
		return 0, nil, err
	}
	bound := CountBoundOf(f)
	total, err := q.countUpTo(ctx, s, bound)
	if err != nil {
		return 0, nil, err
	}
	if total == 0 || (f.Offset >= total && total <= bound && f.After == "" && f.Before == "") {
		return total, []Order{}, nil
	}
	many, walkRows := manyHits, searchWalkRows
	if s.searchWalk != nil {
		many, walkRows = s.searchWalk[0], s.searchWalk[1]
	}
	// A search counted past its bound has more hits than that, however many: treated as many.
	many = min(many, bound)
	q.settle(total, many)
	where, args, order, reverse, err := q.keyset(f, s.DB.Dialect())
	if err != nil {
		return 0, nil, err
	}
	offset := f.Offset
	if where != q.where {
		offset = 0
	}
	var out []Order
	if q.search != "" && total > many {
		// Many hits: the page is most likely among the newest orders the other filters select.
		base, baseArgs := q.base, q.baseArgs
		if where != q.where { // a keyset cursor's condition, appended to where above
			base += strings.TrimPrefix(where, q.where)
			baseArgs = append(slices.Clone(baseArgs), args[len(q.args):]...)
		}
		// A short walk first: a search with many hits fills a page within a few thousand of the
		// newest orders, and on SQLite the walk's span (walkSQL) costs as many index entries
		// as it walks rows, filled page or not.
		for _, rows := range walkStages(walkRows, f.Limit+offset) {
			walked, err := s.walkSearch(ctx, q, base, baseArgs, order, rows, f.Limit, offset)
			if err != nil {
				return 0, nil, err
			}
			if len(walked) == f.Limit {
				out = walked
				break
			}
		}
	}
	if out == nil {
		if out, err = s.readPage(ctx, q, pageSQL(q.from, where, order, offset), append(args, f.Limit, offset), min(f.Limit, total)); err != nil {
			return 0, nil, err
		}
	}
	if reverse {
		slices.Reverse(out)
	}
	return total, out, nil
}

// pageSQL is the statement of a page (its arguments: where's, the limit, the offset). Past
// the first page of an offset, the ids are picked first and only the page's rows read: OFFSET
// reads every row it skips, and an id comes from the index the walk reads anyway (a city's
// 5,000th order: 405 ms against 3 ms on SQLite at 10⁵ orders, cold).
func pageSQL(from, where, order string, offset int) string {
	if offset == 0 {
		return `SELECT ` + orderCols + ` FROM ` + from + ` WHERE ` + where + ` ORDER BY ` + order + ` LIMIT ? OFFSET ?`
	}
	return `SELECT ` + orderCols + ` FROM orders WHERE id IN (SELECT id FROM ` + from + ` WHERE ` + where + ` ORDER BY ` + order +
		` LIMIT ? OFFSET ?) ORDER BY ` + order
}

// keyset is the page's condition, arguments and order: q's, with f's cursor (After or Before)
// as a condition on the sort's key and id when f has one — where then differs from q.where — and
// the order reversed for Before (reverse: the page is read backwards and turned round).
func (q listQuery) keyset(f Filter, d store.Dialect) (where string, args []any, order string, reverse bool, err error) {
	where, args, order = q.where, q.args, q.order
	cur := cmp.Or(f.After, f.Before)
	if cur == "" {
		return where, args, order, false, nil
	}
	seg := keysetSegments(q.sort, d)
	if len(seg) != 1 {
		return "", nil, "", false, problem.Field("after", "the deadline sort pages by offset")
	}
	c, err := ParseCursor(cur)
	if err != nil {
		return "", nil, "", false, err
	}
	desc := seg[0].desc
	if reverse = f.Before != ""; reverse {
		desc = !desc
		order = reverseOrder(order)
	}
	cond, a := seg[0].after(c.Key, c.ID, desc)
	return where + " AND " + cond, append(append([]any(nil), args...), a...), order, reverse, nil
}

// manyHits is the number of matches past which a search's page is read by walking the time
// index (walkSearch; SQLite's fallback: settle) rather than gathering and sorting every hit.
const manyHits = 5000

// searchWalkRows bounds walkSearch: the newest orders of the filters it tests the search on
// before it gives up. A search with more than manyHits hits fills a page within this many
// orders unless its hits are older than most of the town's orders; then the index's plan runs.
const searchWalkRows = 20_000

// walkStages are the walks List tries for a page ending need orders in: walkStageRows per order of
// the page, then walkRows.
func walkStages(walkRows, need int) []int {
	if first := walkStageRows * need; first < walkRows/2 {
		return []int{first, walkRows}
	}
	return []int{walkRows}
}

// walkStageRows is the first walk's rows per order of the page: a search whose hits are at
// least 2 % of the filters' orders (a common word: 噪音 is 2.4 % of a town's) fills a page in it.
const walkStageRows = 50

// walkSearch reads a page of a search by walking the newest (or oldest) orders the
// other filters select, at most searchWalkRows of them, and testing the search on each. If
// fewer than limit+offset of them match it returns a short page and the caller runs the plain
// query: the walk is then not the page. When it returns a full page, that page is the plain
// query's: the walked rows are a prefix of the filters' orders in the sort's order, and the
// first limit+offset matches among a prefix are the first overall.
//
// Why: PostgreSQL's estimate for a phrase of bigrams (仙霞西路: 1,182 rows where 86,220 match)
// makes it fetch every hit through the search index and sort them (0.4 s at a million orders),
// where the time index reaches 50 hits within a few hundred orders. SQLite gathers the search
// index's hits once either way (an IN list), but walking a bounded prefix of the time index
// instead of every order of the town against them took 噪音's page from ~140 ms to ~7 ms at a
// million orders.
func (s *Store) walkSearch(ctx context.Context, q listQuery, base string, baseArgs []any, order string, walkRows, limit, offset int) ([]Order, error) {
	query, args := walkSQL(q, base, baseArgs, order, walkRows, limit, offset)
	return s.readPage(ctx, q, query, args, limit)
}

// walkSQL is walkSearch's statement and arguments.
//
// On SQLite the search's condition is an IN list of the index's hits, gathered once before the
// first walked order is tested — every hit in every town (仙霞西路: 127,000 at a million orders,
// most of the walk's time). The walked orders' ids lie between the least and the greatest id of
// the walk's prefix (span: read from the time index alone), so the index is asked only for hits
// in that range of rowids, which FTS5 seeks to: the same test for every walked order, and for
// orders filed in time order a few hundred hits instead of every one.
func walkSQL(q listQuery, base string, baseArgs []any, order string, walkRows, limit, offset int) (string, []any) {
	walk := `SELECT ` + orderCols + ` FROM (SELECT * FROM orders WHERE ` + base + ` ORDER BY ` + order + ` LIMIT ?) AS walked
		WHERE `
	if q.walkSearch == "" {
		return walk + q.search + ` ORDER BY ` + order + ` LIMIT ? OFFSET ?`,
			append(append(append(slices.Clone(baseArgs), walkRows), q.searchArgs...), limit, offset)
	}
	span := `WITH span AS (SELECT MIN(id) AS lo, MAX(id) AS hi FROM (SELECT id FROM orders WHERE ` + base + ` ORDER BY ` + order + ` LIMIT ?)) `
	args := append(slices.Clone(baseArgs), walkRows)
	args = append(append(args, baseArgs...), walkRows)
	return span + walk + q.walkSearch + ` ORDER BY ` + order + ` LIMIT ? OFFSET ?`,
		append(append(args, q.searchArgs...), limit, offset)
}

// readPage runs a page's query and scans its orders.
func (s *Store) readPage(ctx context.Context, q listQuery, query string, args []any, capacity int) ([]Order, error) {
	rows, err := s.DB.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	defer rows.Close()
	out := make([]Order, 0, capacity)
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, err
		}
		o.flags(q.now)
		out = append(out, o)
	}
	return out, rows.Err()
}

// listQuery is a filter as SQL: the table to read (with a planner hint), the condition and its
// arguments, the ORDER BY of its sort, and the time its clock filters were evaluated at.
type listQuery struct {
	from, where, order string
	// countFrom, when set, is the table (with its hint) the count reads instead of from.
	countFrom string
	sort      string
	args      []any
	now       time.Time
	// base and search split where (searches sorted by receiving time only): base
	// selects by town and the other filters, search is the search's condition; List may read a
	// page by walking base's newest rows and testing search on each (walkSearch).
	base, search         string
	baseArgs, searchArgs []any
	// walkSearch, when set (SQLite), is search with the index's hits bounded to the walk's span
	// of ids (walkSQL); same arguments as search.
	walkSearch string
	// count, when set, counts the same orders another way (with countArgs, then the bound):
	// a department's whole list from its rows of order_departments alone.
	count     string
	countArgs []any
	// rangeBase, when set (PostgreSQL: towns, a time range and a search alone), selects the
	// range's orders without the search, with rangeBaseArgs; rangeSearch is the search's
	// condition, with rangeSearchArgs. List reads a small range first (scanRange).
	rangeBase, rangeSearch         string
	rangeBaseArgs, rangeSearchArgs []any
	// streamed, when set, is a search on SQLite whose count streams the index's hits
	// (streamedCount) over the orders streamedBase selects.
	streamed         *searchSQL
	streamedBase     string
	streamedBaseArgs []any
}

// countSQL is the statement and arguments of the count up to bound+1.
func (q listQuery) countSQL(bound int) (string, []any) {
	if q.streamed != nil {
		return streamedCount(*q.streamed, q.streamedBase, q.streamedBaseArgs, bound)
	}
	if q.count != "" {
		return q.count, append(slices.Clone(q.countArgs), bound+1)
	}
	return `SELECT COUNT(*) FROM (SELECT 1 FROM ` + cmp.Or(q.countFrom, q.from) + ` WHERE ` + q.where + ` LIMIT ?) AS hits`, append(slices.Clone(q.args), bound+1)
}

// query turns f into SQL; Limit and Offset are left to the caller.
func (s *Store) query(f Filter) (listQuery, error) {
	if f.Sort == "" {
		f.Sort = "-received_at"
	}
	order, ok := Sorts[f.Sort]
	if !ok {
		return listQuery{}, problem.Field("sort", "unknown sort %q; one of received_at, deadline, updated_at, id (prefix - for descending)", f.Sort)
	}
	if err := checkFilterTexts(f); err != nil {
		return listQuery{}, err
	}
	now := s.now()
	where, args := store.In("town_code", f.Towns)
	conds := []string{where}
	add := func(cond string, a ...any) {
		conds = append(conds, cond)
		args = append(args, a...)
	}
	if len(f.States) > 0 {
		var a []any
		for _, st := range f.States {
			if !workorder.State(st).Valid() {
				return listQuery{}, problem.Field("state", "unknown state %q", st)
			}
			a = append(a, st)
		}
		add(`state IN (`+store.Placeholders(len(a))+`)`, a...)
	}
	if f.Grid != "" {
		add(`grid_code = ?`, f.Grid)
	}
	if f.Category != "" {
		// The first condition is a list of codes the (grid, category) and (town, category) indexes
		// seek to; the second keeps its exact meaning (a child of the class in the order's own
		// town), tested only on the orders the first found.
		inTowns, townArgs := store.In("town_code", f.Towns)
		add(`category_code IN (SELECT ? UNION ALL SELECT code FROM categories WHERE `+inTowns+` AND parent_code = ?)
			AND (category_code = ? OR category_code IN (SELECT code FROM categories c WHERE c.town_code = orders.town_code AND c.parent_code = ?))`,
			append(append([]any{f.Category}, townArgs...), f.Category, f.Category, f.Category)...)
	}
	if len(f.Categories) > 0 {
		if len(f.Categories) > MaxListValues {
			return listQuery{}, problem.Field("category", "%d categories; at most %d", len(f.Categories), MaxListValues)
		}
		cond, a := categoriesCondition(f.Categories)
		add(cond, a...)
	}
	if f.Channel != "" {
		add(`channel = ?`, f.Channel)
	}
	if f.Department != "" {
		cond, a := departmentCondition(s.DB.Dialect(), f.Department)
		add(cond, a...)
	}
	if f.RaisedBy != 0 {
		add(`raised_by = ?`, f.RaisedBy)
	}
	if f.Unlocated {
		add(`state IN (` + openStates + `) AND (grid_code IS NULL OR grid_code = '')`)
	}
	if f.Overdue {
		add(`state IN (`+openStates+`) AND suspended = 0 AND deadline_at < ?`, now.UnixMilli())
	}
	if f.Warning {
		add(`state IN (`+openStates+`) AND suspended = 0 AND warning_at IS NOT NULL AND deadline_at >= ?`, now.UnixMilli())
	}
	if f.From != nil {
		add(`received_at >= ?`, f.From.UnixMilli())
	}
	if f.To != nil {
		add(`received_at < ?`, f.To.UnixMilli())
	}
	for _, c := range f.Conditions {
		add("("+c.SQL+")", c.Args...)
	}
	from, countFrom := "orders", ""
	if s.DB.Dialect() == store.SQLite && len(f.Towns) > 1 && strings.TrimPrefix(f.Sort, "-") == "received_at" && onlyTownsAndTime(f) {
		// Several towns' newest orders: one walk of the time index. With the towns as bound
		// parameters SQLite would rather sort every order of the towns (3 s at a million).
		from = "orders INDEXED BY orders_received_town"
	}
	if s.DB.Dialect() == store.SQLite && len(f.Towns) > 1 && strings.TrimPrefix(f.Sort, "-") == "received_at" && onlyTownsStatesChannel(f) {
		// Several towns' newest orders in a state of the archive (closed, rated…) or of a
		// channel: SQLite reads each town's run of the (town, state) or (town, channel) index and
		// sorts them all — every closed order of a city. The time index's walk stops at the page:
		// about limit / share orders (the state's or channel's share of the towns' orders). The
		// count keeps those town indexes: it reads its 10,001 entries in any order.
		from, countFrom = "orders INDEXED BY orders_received_town", "orders"
	}
	if (f.Overdue || f.Warning || f.Unlocated) && s.DB.Dialect() == store.SQLite {
		// The open orders' own index answers these filters from its columns alone; with bound
		// parameters SQLite would rather read every open order's row through (town, state).
		from = "orders INDEXED BY orders_open"
	}
	// The conditions and arguments without the search's: the rows a walk of the time index tests
	// the search against (walkSearch).
	base, baseArgs := strings.Join(conds, " AND "), slices.Clone(args)
	var searchCond, walkSearch string
	var searchArgs []any
	var streamed *searchSQL
	if q := strings.TrimSpace(f.Query); q != "" {
		var span string
		var spanArgs []any
		if s.DB.Dialect() == store.SQLite && (f.From != nil || f.To != nil) {
			// A time range: the orders it selects lie within a span of ids that the time index
			// gives (read in place: no row), and the index is asked only for hits in that span —
			// what FTS5 seeks to. For orders filed in time order that is a small part of the hits
			// (仙霞西路 in the last 3 months of 新泾镇: the count streamed all 127,000 hits of the
			// town and its neighbour, 0.3 s of CPU at a million orders, where the LIKE scan
			// through the time index took 70 ms).
			inTowns, townArgs := store.In("town_code", f.Towns)
			c, a := inTowns, slices.Clone(townArgs)
			if f.From != nil {
				c, a = c+` AND received_at >= ?`, append(a, f.From.UnixMilli())
			}
			if f.To != nil {
				c, a = c+` AND received_at < ?`, append(a, f.To.UnixMilli())
			}
			span = ` AND orders_search.rowid BETWEEN (SELECT MIN(id) FROM orders WHERE ` + c + `) AND (SELECT MAX(id) FROM orders WHERE ` + c + `)`
			spanArgs = append(a, a...)
		}
		// A resident's search of their own reports (raised_by): a few dozen orders, each tested
		// against the index by its rowid. Driven from the index's hits instead, it read every
		// hit of the town first (仙霞西路: 84,000 at a million orders, 0.5 s) to keep two.
		perRow := s.DB.Dialect() == store.SQLite && f.RaisedBy != 0
		ss := s.searchCondition(q, f.Towns, span, spanArgs, perRow)
		searchCond, searchArgs, walkSearch = ss.cond, ss.args, ss.walkCond
		add(ss.cond, ss.args...)
		if s.DB.Dialect() == store.SQLite && ss.match != "" && !perRow {
			streamed = &ss
		}
		if perRow {
			from = "orders INDEXED BY orders_raised_by"
		} else if s.DB.Dialect() == store.SQLite {
			// Drive the query from the search's hits (rowid look-ups, which NOT INDEXED still
			// allows): without statistics SQLite would rather walk a town index over every order
			// of the town and test each against them — 5× slower at 200,000 orders.
			from = "orders NOT INDEXED"
		}
	}
	q := listQuery{from: from, countFrom: countFrom, where: strings.Join(conds, " AND "), order: order, sort: f.Sort, args: args, now: now}
	// A resident's own reports are too few to walk the time index for (perRow above).
	if searchCond != "" && strings.TrimPrefix(f.Sort, "-") == "received_at" && f.RaisedBy == 0 {
		q.base, q.baseArgs, q.search, q.searchArgs = base, baseArgs, searchCond, searchArgs
		if len(f.Towns) == 1 {
			// Several towns' newest orders come from the (received_at, town_code) index, which
			// the span's statement, reading ids alone, would not take: it would sort the towns'
			// orders (the plan test).
			q.walkSearch = walkSearch
		}
	}
	if streamed != nil {
		q.streamed, q.streamedBase, q.streamedBaseArgs = streamed, base, baseArgs
	}
	if s.DB.Dialect() == store.Postgres && searchCond != "" && (f.From != nil || f.To != nil) && onlyTownsTimeAndSearch(f) {
		q.rangeBase, q.rangeBaseArgs, q.rangeSearch, q.rangeSearchArgs = base, baseArgs, searchCond, searchArgs
	}
	// On PostgreSQL a search's count of a few towns needs no statement of its own: the search
	// index is keyed by town first (migration 0045), so the plain count reads the towns' hits
	// alone (噪音 in one of 50 towns at a million orders: 8 ms, against 233 ms reading every
	// town's hits). For many towns the index is scanned once per town, each scan intersecting the
	// town's list with the words' (a city's 仙霞西路 at 10⁷ orders: 470 ms, against 246 ms): there
	// the words' hits are read once, behind OFFSET 0, and their town tested on each row, stopping
	// at the bound.
	if s.DB.Dialect() == store.Postgres && searchCond != "" && onlyTownsAndSearch(f) && len(f.Towns) > pgTownKeyedTowns {
		inTowns, townArgs := store.In("town_code", f.Towns)
		q.count = `SELECT COUNT(*) FROM (SELECT 1 FROM (SELECT town_code FROM orders WHERE ` + searchCond + ` OFFSET 0) AS found WHERE ` +
			inTowns + ` LIMIT ?) AS hits`
		q.countArgs = append(slices.Clone(searchArgs), townArgs...)
	}
	if onlyTownsAndDepartment(f) {
		// A department's whole list (the handler's 本部门 tab): as many orders as the department
		// has rows in the towns, which its index of order_departments counts alone — no order
		// read, where the orders' side would walk the town until 10,001 matched.
		inTowns, townArgs := store.In("town_code", f.Towns)
		q.count = `SELECT COUNT(*) FROM (SELECT 1 FROM order_departments WHERE department = ? AND ` + inTowns + ` LIMIT ?) AS hits`
		q.countArgs = append([]any{f.Department}, townArgs...)
	}
	return q, nil
}

// onlyTownsAndTime reports whether f selects by town and receiving time alone.
func onlyTownsAndTime(f Filter) bool {
	return len(f.States) == 0 && f.Grid == "" && f.Category == "" && len(f.Categories) == 0 && f.Channel == "" &&
		f.Department == "" && f.RaisedBy == 0 && !f.Overdue && !f.Warning && !f.Unlocated && strings.TrimSpace(f.Query) == ""
}

// onlyTownsStatesChannel reports whether f selects by town, receiving time, channel and states
// alone, with a channel or at least one state whose orders pile up (not open: the open orders
// are a backlog of thousands, which a town index reads and sorts at once).
func onlyTownsStatesChannel(f Filter) bool {
	g := f
	g.States, g.Channel = nil, ""
	if !onlyTownsAndTime(g) || len(g.Conditions) > 0 {
		return false
	}
	if f.Channel != "" {
		return true
	}
	for _, st := range f.States {
		if workorder.State(st).Valid() && !workorder.IsOpen(workorder.State(st)) {
			return true
		}
	}
	return false
}

// onlyTownsAndSearch reports whether f selects by town and search alone.
func onlyTownsAndSearch(f Filter) bool {
	g := f
	g.Query = ""
	return strings.TrimSpace(f.Query) != "" && onlyTownsAndTime(g) && g.From == nil && g.To == nil && len(g.Conditions) == 0
}

// onlyTownsTimeAndSearch reports whether f selects by town, receiving time and search alone.
func onlyTownsTimeAndSearch(f Filter) bool {
	g := f
	g.Query = ""
	return strings.TrimSpace(f.Query) != "" && onlyTownsAndTime(g) && len(g.Conditions) == 0
}

// pgTownKeyedTowns is the most towns whose search PostgreSQL counts through the town-keyed
// index: a district's ten towns gained by it at 10⁷ orders (仙霞西路, whose hits lie outside the
// district: 482 → 116 ms), a city's fifty lost (above).
const pgTownKeyedTowns = 12

// rangeScanRows is how many orders a time range may hold for scanRange to test the search on
// each of them: about as long as the index takes for a town's hits (20,000 rows ≈ 10 ms).
const rangeScanRows = 20_000

// scanRange (PostgreSQL) reads a search within a time range from the range's orders when it
// holds at most rangeScanRows of them: the search is then tested on each order of the range,
// which the time index gives, instead of reading every hit of the town from the search index
// and dropping those outside the range. PostgreSQL cannot choose that itself: it estimates a
// phrase of bigrams as independent words (仙霞西路: 474 hits, where 19,521 are), so the hits look
// few; it read all of them for the 1,720 of the last three months (12,246 heap pages, 30 ms
// each for the count and the page, at a million orders). Behind OFFSET 0 the range is read
// first and the search tested on its rows.
func (q *listQuery) scanRange(ctx context.Context, s *Store) error {
	if q.rangeBase == "" {
		return nil
	}
	var n int
	if err := s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM orders WHERE `+q.rangeBase+` LIMIT ?) AS r`,
		append(slices.Clone(q.rangeBaseArgs), rangeScanRows+1)...).Scan(&n); err != nil {
		return fmt.Errorf("count the range's orders: %w", err)
	}
	if n > rangeScanRows {
		return nil
	}
	q.from = `(SELECT * FROM orders WHERE ` + q.rangeBase + ` OFFSET 0) AS orders`
	q.where, q.args = q.rangeSearch, append(slices.Clone(q.rangeBaseArgs), q.rangeSearchArgs...)
	// The page is the plain query's: the range's hits sorted (at most rangeScanRows of them).
	q.search = ""
	return nil
}

// onlyTownsAndDepartment reports whether f selects a department's orders of towns and nothing
// else.
func onlyTownsAndDepartment(f Filter) bool {
	g := f
	g.Department = ""
	return f.Department != "" && onlyTownsAndTime(g) && g.From == nil && g.To == nil && len(g.Conditions) == 0
}

// countUpTo is how many orders the query selects, counted up to bound+1: the database stops
// reading at the first bound+1 matches.
func (q listQuery) countUpTo(ctx context.Context, s *Store, bound int) (int, error) {
	var total int
	query, args := q.countSQL(bound)
	if err := s.DB.QueryRow(ctx, query, args...).Scan(&total); err != nil {
		return 0, fmt.Errorf("count orders: %w", err)
	}
	return total, nil
}

// settle picks the plan for reading the rows once their number is known.
func (q *listQuery) settle(total, many int) {
	if total > many && q.from == "orders NOT INDEXED" {
		// Many hits: walking the sort order's index and testing each order against the hits finds
		// a page sooner than fetching and sorting them all (仙霞西路 in 200,000 orders: 21,583).
		q.from = "orders"
	}
}

// escapeLike makes user text literal inside a LIKE pattern (ESCAPE '\').
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// orderNumberTail is the id at the end of an order number (<prefix>-<yyyymmdd>-<id>), or a bare id.
var orderNumberTail = regexp.MustCompile(`^(?:\S+-\d{8}-)?0*([1-9]\d{0,17})$`)

// channelList is the SQL list of all channels, so that a look-up by external id alone can use
// the (town_code, channel, external_id) index.
var channelList = func() string {
	var qs []string
	for _, c := range Channels {
		qs = append(qs, "'"+c.Code+"'")
	}
	return strings.Join(qs, ", ")
}()

// searchSQL is a search's condition over the orders table (cond, args) and, on SQLite, its
// arms apart: the index's hits (match), the orders the index does not cover yet matched by their
// text (like), the parts only a scan answers (scan, ANDed to both) and the alternatives (an order
// number, a channel's id). countSQL unions the arms so that the count streams the index's hits
// instead of gathering them all.
type searchSQL struct {
	cond string
	args []any
	// walkCond is cond with the index's hits bounded to a walk's span of ids (walkSQL), with
	// the same arguments; empty where the index takes no part.
	walkCond string

	match      string
	span       string // a bound on the index's hits (searchCondition), with spanArgs
	spanArgs   []any
	like, scan string
	likeArgs   []any
	scanArgs   []any
	alts       []string
	altArgs    [][]any
}

// searchCondition matches q against the search index (every space-separated part must occur in
// the content or address), or as an order's number or id, or as a channel's own id (the
// hotline's 工单编号). Parts the index cannot answer (a lone ideograph) are matched by scanning.
//
// span, when given, bounds the index's hits to a span of ids that holds every order the other
// filters select (a condition on orders_search.rowid, with spanArgs).
//
// perRow (SQLite) tests each order the other filters select against the index by its rowid,
// for filters that select few orders; the hits are not gathered.
func (s *Store) searchCondition(q string, towns []string, span string, spanArgs []any, perRow bool) searchSQL {
	parsed := search.Parse(q)
	var out searchSQL
	var text, walkText []string
	var args []any
	switch {
	case !parsed.Indexed():
	case s.DB.Dialect() == store.Postgres:
		text = append(text, `search @@ ?::tsquery`)
		args = append(args, parsed.TSQuery())
	default:
		// The index answers for the orders it holds as they are; orders past its high-water mark
		// or queued after a text change are matched by their text, so a search is exact
		// however far behind the indexer is.
		// One IN list of ids, so that the planner drives the query from the index's hits (a
		// rowid look-up each) instead of testing every order of the town.
		like, likeArgs := textMatch(parsed.Texts)
		hits := func(span string) string {
			if perRow {
				return `(orders.id NOT IN (SELECT order_id FROM search_queue) AND EXISTS (SELECT 1 FROM search.orders_search
					WHERE orders_search MATCH ? AND rowid = orders.id` + span + `)
				OR orders.id > (SELECT indexed_through FROM search.search_state) AND ` + like + `
				OR orders.id IN (SELECT order_id FROM search_queue) AND ` + like + `)`
			}
			return `id IN (SELECT rowid FROM search.orders_search WHERE orders_search MATCH ?` + span + `
				AND rowid NOT IN (SELECT order_id FROM search_queue)
			UNION ALL SELECT id FROM orders WHERE id > (SELECT indexed_through FROM search.search_state) AND ` + like + `
			UNION ALL SELECT id FROM orders WHERE id IN (SELECT order_id FROM search_queue) AND ` + like + `)`
		}
		text = append(text, hits(span))
		if !perRow { // no walk is run for a per-row search (query), and its text names orders.id
			walkText = append(walkText, hits(span+` AND rowid BETWEEN (SELECT lo FROM span) AND (SELECT hi FROM span)`))
		}
		match := townScoped(parsed.FTS5(), towns)
		args = append(append(append(append(args, match), spanArgs...), likeArgs...), likeArgs...)
		out.match, out.like, out.likeArgs = match, like, likeArgs
		out.span, out.spanArgs = span, spanArgs
	}
	if len(parsed.Scan) > 0 {
		scan, scanArgs := textMatch(parsed.Scan)
		text = append(text, scan)
		if walkText != nil {
			walkText = append(walkText, scan)
		}
		args = append(args, scanArgs...)
		out.scan, out.scanArgs = scan, scanArgs
	}
	alts := []string{}
	if len(text) > 0 {
		alts = append(alts, "("+strings.Join(text, " AND ")+")")
	}
	nText := len(alts)
	alt := func(cond string, a ...any) {
		alts = append(alts, cond)
		args = append(args, a...)
		out.alts, out.altArgs = append(out.alts, cond), append(out.altArgs, a)
	}
	if m := orderNumberTail.FindStringSubmatch(q); m != nil {
		if id, err := strconv.ParseInt(m[1], 10, 64); err == nil {
			if strings.Contains(q, "-") {
				alt(`(id = ? AND number = ?)`, id, q)
			} else {
				alt(`id = ?`, id)
			}
		}
	}
	if !strings.ContainsAny(q, " \t") {
		inTowns, townArgs := store.In("town_code", towns)
		byExternal := `SELECT id FROM orders WHERE ` + inTowns + ` AND channel IN (` + channelList + `) AND external_id = ?`
		a := append(slices.Clone(townArgs), any(q))
		if s.DB.Dialect() == store.Postgres {
			// An array computed once is a list of ids the primary key answers, which PostgreSQL
			// ORs with the search index's bitmap; "id IN (subquery)" would have it scan every
			// order of the towns and test each against a hash.
			alt(`id = ANY(ARRAY(`+byExternal+`))`, a...)
		} else {
			alt(`id IN (`+byExternal+`)`, a...)
		}
	}
	if len(alts) == 0 {
		out.cond = "1 = 0" // nothing searchable was typed (punctuation only)
		return out
	}
	out.cond, out.args = "("+strings.Join(alts, " OR ")+")", args
	if walkText != nil {
		out.walkCond = "(" + strings.Join(append([]string{"(" + strings.Join(walkText, " AND ") + ")"}, alts[nText:]...), " OR ") + ")"
	}
	return out
}

// maxTownTerms is the most towns whose terms a search's MATCH names (townScoped). The index
// gives a town's hits by intersecting the town term's list with the query's; for many towns the
// union of their lists is most of the index, and reading the query's hits of every town and
// testing each order's town (as before the town terms) is the cheaper.
const maxTownTerms = 3

// townScoped is an FTS5 MATCH expression with its hits bounded to the orders of towns (their
// town terms, search.TownTerm) when they are few: 噪音 in one of 12 towns at a million orders —
// the town's 3,545 hits instead of the city's 23,000, each of which the count and the page read
// from the orders table to test its town.
func townScoped(match string, towns []string) string {
	if match == "" || len(towns) == 0 || len(towns) > maxTownTerms {
		return match
	}
	var b strings.Builder
	b.WriteString("(")
	b.WriteString(match)
	b.WriteString(") AND (")
	for i, t := range towns {
		if i > 0 {
			b.WriteString(" OR ")
		}
		// A town code is letters and digits; quoting keeps anything else literal ("" escapes ").
		b.WriteString(`"` + strings.ReplaceAll(search.TownTerm(t), `"`, `""`) + `"`)
	}
	b.WriteString(")")
	return b.String()
}

// streamedCount is SQLite's bounded count of a search whose words the index answers: the union
// of its arms (searchSQL), each an own statement driven by rowids, the index's arm reading its
// hits in rowid order and stopping at bound+1 of them that pass the other filters (base). The
// one statement "id IN (hits…)" gathers every hit of the index first, in every town (仙霞西路:
// 127,000 at a million orders) before the first is counted.
func streamedCount(ss searchSQL, base string, baseArgs []any, bound int) (string, []any) {
	baseArgs = slices.Clone(baseArgs)
	andScan := func(cond string, a []any) (string, []any) {
		if ss.scan == "" {
			return cond, a
		}
		return cond + " AND " + ss.scan, append(a, ss.scanArgs...)
	}
	var arms []string
	var args []any
	arm := func(cond string, a []any) {
		arms = append(arms, `SELECT id FROM orders NOT INDEXED WHERE `+cond+` AND `+base)
		args = append(append(args, a...), baseArgs...)
	}
	// The index's hits: FTS5 yields them in rowid order as the join asks for them (CROSS JOIN
	// keeps the index outermost), so LIMIT stops reading the index.
	hits, hitArgs := andScan(`orders_search MATCH ?`+ss.span+` AND orders_search.rowid NOT IN (SELECT order_id FROM search_queue) AND `+base,
		append(append([]any{ss.match}, ss.spanArgs...), baseArgs...))
	arms = append(arms, `SELECT id FROM (SELECT orders.id FROM search.orders_search CROSS JOIN orders ON orders.id = orders_search.rowid WHERE `+
		hits+` LIMIT `+strconv.Itoa(bound+1)+`)`)
	args = append(args, hitArgs...)
	cond, a := andScan(`id > (SELECT indexed_through FROM search.search_state) AND `+ss.like, slices.Clone(ss.likeArgs))
	arm(cond, a)
	cond, a = andScan(`id IN (SELECT order_id FROM search_queue) AND `+ss.like, slices.Clone(ss.likeArgs))
	arm(cond, a)
	for i, c := range ss.alts {
		arm(c, slices.Clone(ss.altArgs[i]))
	}
	return `SELECT COUNT(*) FROM (` + strings.Join(arms, " UNION ") + ` LIMIT ?) AS hits`, append(args, bound+1)
}

// textMatch is the condition that content or address contains each of parts (ANDed), with its
// arguments. A part written in traditional characters matches its simplified form too (陸 finds
// 陆), as the index does; the other way round only the index knows (a text stored in traditional
// characters is found by a simplified query once it is indexed).
func textMatch(parts []string) (string, []any) {
	conds := make([]string, len(parts))
	args := make([]any, 0, 4*len(parts))
	for i, part := range parts {
		like := "%" + escapeLike(part) + "%"
		conds[i] = `(content LIKE ? ESCAPE '\' OR address LIKE ? ESCAPE '\')`
		args = append(args, like, like)
		if folded := "%" + escapeLike(fold.String(part)) + "%"; folded != like {
			conds[i] = `(content LIKE ? ESCAPE '\' OR address LIKE ? ESCAPE '\' OR content LIKE ? ESCAPE '\' OR address LIKE ? ESCAPE '\')`
			args = append(args, folded, folded)
		}
	}
	return strings.Join(conds, " AND "), args
}
