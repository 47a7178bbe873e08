package demo

import (
	"context"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/dispatch"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/store"
)

// Models returns the demo extra that trains each town's category model from its demo orders
// (the closed ones, with the category they were filed under) when the town has none yet, into
// dataDir/models as the server reads it — so the dispatcher's order page suggests categories
// from the first start. It runs after Orders.
func Models(dataDir string) Extra {
	return func(ctx context.Context, db *store.DB, w *world.World, log *slog.Logger) error {
		a := &dispatch.Advisor{DB: db, Dir: filepath.Join(dataDir, "models")}
		if v, err := a.Store(w.Town.Code).Current(); err != nil || v != 0 {
			return err
		}
		cats, err := orders.New(db).Categories(ctx, w.Town.Code)
		if err != nil || len(cats) == 0 {
			return err
		}
		start := time.Now()
		v, learnt, err := a.Train(ctx, w.Town.Code, cats, 1)
		if err != nil {
			return err
		}
		log.Info("demo category model trained", "town", w.Town.Name, "orders", learnt, "version", v, "ms", time.Since(start).Milliseconds())
		return nil
	}
}
