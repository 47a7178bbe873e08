package orders

import "context"

// BackfillStages is the migration's back-fill, for the tests.
var BackfillStages = backfillStages

// ListSQL is the count and page statements List runs for f, with their arguments, for the plan
// tests.
func (s *Store) ListSQL(f Filter) (count string, countArgs []any, page string, args []any, err error) {
	q, err := s.query(f)
	if err != nil {
		return "", nil, "", nil, err
	}
	if err := q.scanRange(context.Background(), s); err != nil {
		return "", nil, "", nil, err
	}
	count, countArgs = q.countSQL(CountBoundOf(f))
	where, args, order, _, err := q.keyset(f, s.DB.Dialect())
	if err != nil {
		return "", nil, "", nil, err
	}
	return count, countArgs,
		`SELECT ` + orderCols + ` FROM ` + q.from + ` WHERE ` + where + ` ORDER BY ` + order + ` LIMIT 50`, args, nil
}

// PageSQL is the statement of a page at offset, for the plan tests.
func (s *Store) PageSQL(f Filter) (string, []any, error) {
	q, err := s.query(f)
	if err != nil {
		return "", nil, err
	}
	return pageSQL(q.from, q.where, q.order, f.Offset), append(q.args, 50, f.Offset), nil
}

// OpenStates is the SQL list of open states, which migration 0018's partial index repeats.
var OpenStates = openStates

// IntakeSQL is the statement of the homes' intake chart, for the plan tests.
var IntakeSQL = intakeSQL

// SetSearchWalk has List treat more than many hits as many (SQLite: walk the sort's index;
// PostgreSQL: walk at most rows of the filters' orders first), so that tests reach the plans
// of a million orders with a few hundred.
func (s *Store) SetSearchWalk(many, rows int) { s.searchWalk = &[2]int{many, rows} }

// SearchWalkSQL is the statement of a search's bounded walk (walkSearch) of walkRows orders for
// f's first page, for the plan tests; ok is false where List would not walk (other sorts).
func (s *Store) SearchWalkSQL(f Filter, walkRows int) (query string, args []any, ok bool, err error) {
	q, err := s.query(f)
	if err != nil || q.search == "" {
		return "", nil, false, err
	}
	query, args = walkSQL(q, q.base, q.baseArgs, q.order, walkRows, 50, 0)
	return query, args, true, nil
}

// SetKPIUpkeep turns the upkeep of kpi_daily off and on, for the benchmark that measures its
// cost.
func SetKPIUpkeep(on bool) { kpiUpkeep = on }
