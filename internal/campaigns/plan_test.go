package campaigns_test

import (
	"context"
	"errors"
	"testing"

	"github.com/civicgrid/civicgrid/internal/campaigns"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

// The service checks campaigns:plan itself: a grid worker (grids:read, no campaigns:plan) may not
// create, edit or delete a campaign or add its targets whatever way they call it; a dispatcher may.
func TestServiceChecksCampaignsPlan(t *testing.T) {
	db := testdb.SQLite(t)
	ctx := context.Background()
	s, u := setup(t, db)
	towns := []string{xj}
	n := campaigns.NewCampaign{Name: "计划检查", Kind: "other", Start: "2025-01-01", End: "2025-02-01"}
	if _, err := s.Create(ctx, towns, n, u["gridworker"]); !errors.Is(err, problem.ErrForbidden) {
		t.Fatalf("grid worker creates: %v, want forbidden", err)
	}
	c, err := s.Create(ctx, towns, n, u["dispatcher"])
	if err != nil {
		t.Fatalf("dispatcher creates: %v", err)
	}
	if _, err := s.Update(ctx, towns, c.ID, n, u["gridworker"]); !errors.Is(err, problem.ErrForbidden) {
		t.Errorf("grid worker edits: %v, want forbidden", err)
	}
	if _, err := s.AddTarget(ctx, towns, c.ID, campaigns.NewTarget{Kind: campaigns.TargetMerchant, Name: "商户"}, u["gridworker"]); !errors.Is(err, problem.ErrForbidden) {
		t.Errorf("grid worker adds a target: %v, want forbidden", err)
	}
	if _, err := s.AddTargets(ctx, towns, c.ID, campaigns.Bulk{FromAddressBook: true}, u["volunteer"]); !errors.Is(err, problem.ErrForbidden) {
		t.Errorf("volunteer adds targets: %v, want forbidden", err)
	}
	if _, err := s.AddTarget(ctx, towns, c.ID, campaigns.NewTarget{Kind: campaigns.TargetMerchant, Name: "商户"}, u["dispatcher"]); err != nil {
		t.Errorf("dispatcher adds a target: %v", err)
	}
	if err := s.Delete(ctx, towns, c.ID, u["gridworker"]); !errors.Is(err, problem.ErrForbidden) {
		t.Errorf("grid worker deletes: %v, want forbidden", err)
	}
	if err := s.Delete(ctx, towns, c.ID, u["admin"]); err != nil {
		t.Errorf("admin deletes: %v", err)
	}
}
