package demo

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/dispatch"
	"github.com/civicgrid/civicgrid/internal/store"
)

const rulesMarker = "demo_dispatch_rules_loaded"

// DispatchRules returns the demo extra that gives each town a few dispatch rules of the kinds a
// town writes (illustrative, like the grids): public-security and market demands in the grids of
// the second police station's and market office's area go to those; noise at night goes to the
// police; what no category's department owns falls to the town's office (属地兜底). It needs the
// categories, so it runs after Orders.
func DispatchRules() Extra {
	return func(ctx context.Context, db *store.DB, w *world.World, log *slog.Logger) error {
		town := w.Town.Code
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM settings WHERE town_code = ? AND key = ?`, town, rulesMarker).Scan(&n); err != nil || n > 0 {
			return err
		}
		byKind := func(kind, suffix string) string {
			for _, d := range w.Departments {
				if d.Kind == kind && strings.HasSuffix(d.Code, suffix) {
					return d.Code
				}
			}
			return ""
		}
		var rules []dispatch.Rule
		add := func(r dispatch.Rule) {
			if r.Lead != "" {
				r.TownCode, r.Enabled = town, true
				rules = append(rules, r)
			}
		}
		police, market := byKind("police", "-police"), byKind("market", "-market")
		police2, market2 := byKind("police", "-lk"), byKind("market", "-lk")
		add(dispatch.Rule{Category: "14", Lead: police, Note: "社会治安由辖区派出所牵头"})
		add(dispatch.Rule{Category: "15", Lead: market, Note: "市场监管由辖区市场监管所牵头"})
		// The western grids are the second station's and office's area (示意).
		for i, g := range w.Grids {
			if i < len(w.Grids)/2 {
				continue
			}
			add(dispatch.Rule{Category: "14", Grid: g.Code, Lead: police2, Note: "临空地区派出所辖区（示意）"})
			add(dispatch.Rule{Category: "15", Grid: g.Code, Lead: market2, Note: "临空地区市场监管所辖区（示意）"})
		}
		add(dispatch.Rule{Category: "1101", FromMinute: 22 * 60, ToMinute: 6 * 60, Lead: police, Note: "夜间噪声由派出所处置"})
		fallback := byKind("office", "-office")
		if fallback == "" {
			fallback = byKind("opscentre", "-opscentre")
		}
		add(dispatch.Rule{Lead: fallback, Note: "属地兜底：无主责部门的诉求由镇（街道）承接"})
		by := audit.Actor{Name: "demo"}
		for _, r := range rules {
			if _, err := dispatch.SaveRule(ctx, db, r, by); err != nil {
				return fmt.Errorf("demo dispatch rule %s: %w", r.Note, err)
			}
		}
		_, err := db.Exec(ctx, `INSERT INTO settings (town_code, key, value) VALUES (?, ?, ?)`, town, rulesMarker, fmt.Sprint(len(rules)))
		return err
	}
}
