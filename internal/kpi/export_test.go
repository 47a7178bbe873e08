package kpi

// The statements of the leader's "late now", for the plan test.
var (
	LateSQL       = lateSQL
	LateOrdersSQL = lateOrdersSQL
)
