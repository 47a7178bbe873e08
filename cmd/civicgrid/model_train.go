package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/civicgrid/civicgrid/internal/dispatch"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/store"
)

// modelsDir is where the server and `model train` keep each town's model store.
func modelsDir(dataDir string) string { return filepath.Join(dataDir, "models") }

func runModelTrain(ctx context.Context, args []string, out io.Writer) error {
	var town string
	var seed uint64
	c := newDBCommand("model train", "train a town's category model from its closed orders",
		"model train --town CODE [--data DIR | --db URL] [--seed N]", out)
	c.StringVar(&town, "town", "", "town code")
	c.Uint64Var(&seed, "seed", 1, "training seed (the same orders and seed give the same model)")
	return c.run(ctx, args, func(db *store.DB) error {
		if town == "" {
			return errors.New("--town CODE is needed")
		}
		cats, err := orders.New(db).Categories(ctx, town)
		if err != nil {
			return err
		}
		if len(cats) == 0 {
			return fmt.Errorf("town %s has no categories (civicgrid categories load --town %s)", town, town)
		}
		start := time.Now()
		a := &dispatch.Advisor{DB: db, Dir: modelsDir(c.d.data)}
		v, learnt, err := a.Train(ctx, town, cats, seed)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "town %s: trained on %d closed orders and %d category names in %s: %s version %d\n",
			town, learnt, len(cats), time.Since(start).Round(time.Millisecond), a.Store(town).Dir, v)
		return nil
	})
}
