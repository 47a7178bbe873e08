package orders

// BackfillStages is the migration's back-fill, for the tests.
var BackfillStages = backfillStages
