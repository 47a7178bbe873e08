package store_test

import (
	"context"
	"testing"

	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

// Migration 0026 (volunteers): one registration per person (keyed ID hash) and town, one
// attendance per volunteer and activity, certificate numbers unique — refused by the database
// itself on both dialects.
func TestVolunteerSchemaConstraints(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		exec := func(q string, args ...any) error { _, err := db.Exec(ctx, q, args...); return err }
		if err := exec(`INSERT INTO regions (code, name, level) VALUES ('999999001', '测试镇', 'town')`); err != nil {
			t.Fatalf("regions fixture: %v", err)
		}
		vol := `INSERT INTO volunteers (town_code, name, id_type, id_sealed, id_masked, id_hash, status, registered_at) VALUES ('999999001', ?, 'resident_id', 's', 'm', ?, 'pending', 1)`
		if err := exec(vol, "甲", "h1"); err != nil {
			t.Fatal(err)
		}
		if err := exec(vol, "乙", "h1"); !store.IsUniqueViolation(err) {
			t.Errorf("same ID hash twice in a town: %v, want a unique violation", err)
		}
		if err := exec(`INSERT INTO vol_projects (town_code, name, created_at) VALUES ('999999001', '泾彩悦读', 1)`); err != nil {
			t.Fatal(err)
		}
		if err := exec(`INSERT INTO vol_activities (town_code, project_id, title, starts_at, ends_at, created_at) VALUES ('999999001', 1, 'a', 1, 2, 1)`); err != nil {
			t.Fatal(err)
		}
		att := `INSERT INTO vol_attendance (activity_id, volunteer_id, check_in_at, check_in_by) VALUES (1, 1, 1, 'code')`
		if err := exec(att); err != nil {
			t.Fatal(err)
		}
		if err := exec(att); !store.IsUniqueViolation(err) {
			t.Errorf("two attendances of one volunteer at one activity: %v", err)
		}
	})
}
