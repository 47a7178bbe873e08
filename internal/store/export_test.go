package store

// PreparedCount is how many statements db keeps prepared (tests).
func PreparedCount(db *DB) int {
	db.stmts.mu.Lock()
	defer db.stmts.mu.Unlock()
	return len(db.stmts.m)
}

const MaxPrepared = maxPrepared
