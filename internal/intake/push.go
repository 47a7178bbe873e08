package intake

import (
	"context"

	"github.com/civicgrid/civicgrid/internal/intake/hotline"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/store"
)

// Push takes hotline orders pushed one by one or a few at a time (the JSON endpoint), each given
// as field name → value with the same names and synonyms as a file's header (工单编号, hotline_id
// …). They are validated by hotline.FromFields, routed and written like imported rows, in one
// transaction; results come back in input order, Line being the item's 1-based position.
func Push(ctx context.Context, db *store.DB, st *orders.Store, town string, actor orders.ActorInfo, items []map[string]string) ([]Result, error) {
	if err := places.RequireTown(ctx, db, "town", town); err != nil {
		return nil, err
	}
	router, err := NewRouter(ctx, db, st, town)
	if err != nil {
		return nil, err
	}
	s := *st
	s.Locator = func(context.Context, string) (*places.Locator, error) { return router.Locator(), nil }
	ap := &applier{orders: &s, router: router, actor: actor, dialect: db.Dialect()}

	out := make([]Result, len(items))
	var valid []prepared
	var at []int
	for i, item := range items {
		row, errs := hotline.FromFields(i+1, item)
		var p prepared
		if len(errs) == 0 {
			p, errs = ap.prepare(row, "town")
		}
		if len(errs) > 0 {
			out[i] = Result{Line: i + 1, HotlineID: row.HotlineID, Status: Rejected, Errors: errs}
			continue
		}
		valid, at = append(valid, p), append(at, i)
	}
	if len(valid) == 0 {
		return out, nil
	}
	write := func(apply func(context.Context, *store.Tx, []prepared, string) ([]Result, error)) error {
		return db.InCopyTx(ctx, func(tx *store.Tx) error {
			res, err := apply(ctx, tx, valid, "hotline_id")
			if err != nil {
				return err
			}
			for k, r := range res {
				out[at[k]] = r
			}
			return nil
		})
	}
	err = write(ap.apply)
	if err != nil && ctx.Err() == nil && refusedValue(err) {
		// One order's value was refused by the database: the others still go in.
		err = write(ap.applyEach)
	}
	if err != nil {
		return nil, err
	}
	changed := 0
	for _, r := range out {
		if r.Status == Created || r.Status == Updated {
			changed++
		}
	}
	st.AnnounceMany(ctx, town, changed, orders.ManyImport)
	return out, nil
}
