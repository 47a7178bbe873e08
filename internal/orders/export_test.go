package orders

// BackfillStages is the migration's back-fill, for the tests.
var BackfillStages = backfillStages

// ListSQL is the count and page statements List runs for f, with their arguments, for the plan
// tests.
func (s *Store) ListSQL(f Filter) (count, page string, args []any, err error) {
	q, err := s.query(f)
	if err != nil {
		return "", "", nil, err
	}
	return `SELECT COUNT(*) FROM (SELECT 1 FROM ` + q.from + ` WHERE ` + q.where + ` LIMIT 10001) AS hits`,
		`SELECT ` + orderCols + ` FROM ` + q.from + ` WHERE ` + q.where + ` ORDER BY ` + q.order + ` LIMIT 50`, q.args, nil
}

// OpenStates is the SQL list of open states, which migration 0018's partial index repeats.
var OpenStates = openStates
