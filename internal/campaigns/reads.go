package campaigns

import (
	"context"
	"fmt"
	"time"

	"github.com/civicgrid/civicgrid/internal/store"
)

// TargetVisit is a visit logged to a non-household target of a town's campaigns, as another
// capability reads it: the new-sector coverage (internal/party) counts the visits of the "鑫"能量
// 全覆盖走访 and 两个覆盖 campaigns as services that reached an office building, an enterprise,
// a street-merchant group or a new-employment group. Households are left out: their visits
// carry personal data that only this package shows.
type TargetVisit struct {
	Campaign    string    `json:"campaign"`
	TargetKind  string    `json:"target_kind"`
	TargetName  string    `json:"target_name"`
	Grid        string    `json:"grid,omitempty"`
	VisitorName string    `json:"visitor"`
	VisitedAt   time.Time `json:"visited_at"`
	Status      string    `json:"status"`
	Needs       string    `json:"needs,omitempty"`
}

// VisitsOfTown lists the visits to the non-household targets of town's campaigns, oldest first
// (at most limit, newest kept).
func VisitsOfTown(ctx context.Context, q store.Querier, town string, limit int) ([]TargetVisit, error) {
	rows, err := q.Query(ctx, `SELECT c.name, t.kind, t.name, COALESCE(t.grid_code, ''), v.visitor_name, v.visited_at, v.status, v.needs
		FROM campaign_visits v JOIN campaign_targets t ON t.id = v.target_id JOIN campaigns c ON c.id = v.campaign_id
		WHERE c.town_code = ? AND t.kind <> ? ORDER BY v.visited_at DESC, v.id DESC LIMIT ?`, town, TargetHousehold, limit)
	if err != nil {
		return nil, fmt.Errorf("visits of town %s: %w", town, err)
	}
	defer rows.Close()
	var out []TargetVisit
	for rows.Next() {
		var v TargetVisit
		var at int64
		if err := rows.Scan(&v.Campaign, &v.TargetKind, &v.TargetName, &v.Grid, &v.VisitorName, &at, &v.Status, &v.Needs); err != nil {
			return nil, err
		}
		v.VisitedAt = store.FromMillis(at)
		out = append(out, v)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, rows.Err()
}
