package audit_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

const (
	townA = "310105102"
	townB = "310115005"
)

// seed records a small history: two towns, grids and orders, an installation-wide entry (no town)
// and views of personal data naming the records shown.
func seed(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	admin := audit.Actor{ID: 1, Name: "admin", IP: "192.0.2.1"}
	for i, e := range []audit.Entry{
		{Action: audit.ActionCreate, Entity: "grid", EntityID: "A-G01", TownCode: townA},
		{Action: audit.ActionUpdate, Entity: "grid", EntityID: "A-G01", TownCode: townA, Detail: "member added"},
		{Action: audit.ActionDelete, Entity: "grid", EntityID: "B-G01", TownCode: townB},
		{Action: audit.ActionUpdate, Entity: "department", EntityID: "A-SAN", TownCode: townA},
		{Action: audit.ActionViewPII, Entity: "order", EntityID: "", TownCode: townA, Detail: "list: 12 13 140 "},
		{Action: audit.ActionViewPII, Entity: "order", EntityID: "13", TownCode: townA, Detail: "order 13"},
		{Action: audit.ActionLogin, Entity: "user", EntityID: "1"}, // no town: the installation's
		{Action: audit.ActionViewPII, Entity: "order", EntityID: "", TownCode: townA, Detail: "list: 1_3 "},
	} {
		e.At = at.Add(time.Duration(i) * time.Minute)
		if err := admin.Record(ctx, db, e); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
	}
}

func ids(es []audit.Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, fmt.Sprintf("%s/%s/%s", e.Entity, e.Action, e.EntityID))
	}
	return out
}

// TestList: entries are listed newest first, only of the asked towns (none unless All), narrowed
// by entity, record, action and subject, and bounded.
func TestList(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seed(t, db)
		for _, tt := range []struct {
			name string
			f    audit.Filter
			want []string
		}{
			{"no towns: nothing", audit.Filter{}, nil},
			{"town B", audit.Filter{Towns: []string{townB}}, []string{"grid/delete/B-G01"}},
			{"town A, newest first", audit.Filter{Towns: []string{townA}}, []string{
				"order/view_personal_data/", "order/view_personal_data/13", "order/view_personal_data/", "department/update/A-SAN",
				"grid/update/A-G01", "grid/create/A-G01"}},
			{"all, the installation's entry too", audit.Filter{All: true, Limit: 3}, []string{
				"order/view_personal_data/", "user/login/1", "order/view_personal_data/13"}},
			{"grids of both towns", audit.Filter{Towns: []string{townA, townB}, Entity: "grid"}, []string{
				"grid/delete/B-G01", "grid/update/A-G01", "grid/create/A-G01"}},
			{"one grid", audit.Filter{Towns: []string{townA, townB}, Entity: "grid", EntityID: "A-G01"}, []string{
				"grid/update/A-G01", "grid/create/A-G01"}},
			{"an action", audit.Filter{All: true, Action: audit.ActionUpdate}, []string{"department/update/A-SAN", "grid/update/A-G01"}},
			{"another town's record asked for", audit.Filter{Towns: []string{townB}, EntityID: "A-G01"}, nil},
			// Subject: the entries naming order 13, and the list views that showed it — not 140's.
			{"subject 13", audit.Filter{Towns: []string{townA}, Subject: "13"}, []string{
				"order/view_personal_data/13", "order/view_personal_data/"}},
			// LIKE's wildcards in the subject are plain characters: 1_3 is not 13 or 1x3.
			{"subject with a wildcard", audit.Filter{Towns: []string{townA}, Subject: "1_3"}, []string{"order/view_personal_data/"}},
			{"subject of nothing", audit.Filter{Towns: []string{townA}, Subject: "14"}, nil},
		} {
			t.Run(tt.name, func(t *testing.T) {
				es, err := audit.List(ctx, db, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				if got := ids(es); !slices.Equal(got, tt.want) {
					t.Errorf("got %v, want %v", got, tt.want)
				}
				for i := 1; i < len(es); i++ {
					if es[i].ID >= es[i-1].ID {
						t.Errorf("not newest first: %d after %d", es[i].ID, es[i-1].ID)
					}
				}
			})
		}
	})
}

// TestRecordRoundTrip: every field comes back as written; an entry without actor id, town or time
// gets NULLs and now.
func TestRecordRoundTrip(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		at := time.Date(2025, 11, 30, 8, 15, 0, 123e6, time.UTC)
		full := audit.Entry{At: at, ActorID: 42, Actor: "dispatcher", Action: audit.ActionUpdate, Entity: "grid", EntityID: "A-G01",
			TownCode: townA, Detail: "名称：新泾一村", IP: "2001:db8::1"}
		if err := audit.Record(ctx, db, full); err != nil {
			t.Fatal(err)
		}
		before := time.Now().Add(-time.Second)
		if err := audit.Record(ctx, db, audit.Entry{Actor: "cli", Action: audit.ActionCreate, Entity: "user"}); err != nil {
			t.Fatal(err)
		}
		es, err := audit.List(ctx, db, audit.Filter{All: true})
		if err != nil || len(es) != 2 {
			t.Fatalf("%d entries, %v", len(es), err)
		}
		got := es[1]
		full.ID = got.ID
		if !got.At.Equal(at) {
			t.Errorf("at %v, want %v", got.At, at)
		}
		got.At = full.At
		if got != full {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, full)
		}
		bare := es[0]
		if bare.ActorID != 0 || bare.TownCode != "" || bare.At.Before(before) || bare.At.After(time.Now().Add(time.Second)) {
			t.Errorf("bare entry %+v: want no actor id, no town, now", bare)
		}
		var nulls int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE actor_id IS NULL AND town_code IS NULL`).Scan(&nulls); err != nil || nulls != 1 {
			t.Errorf("%d entries with NULL actor and town (%v), want 1", nulls, err)
		}
	})
}

// TestActorRecord: Actor.Record names the actor, the account and the address whatever the entry
// said, and writes in the transaction it is given: rolled back, the entry is gone.
func TestActorRecord(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := audit.Actor{ID: 7, Name: "gridleader", IP: "198.51.100.9"}
		if err := a.Record(ctx, db, audit.Entry{Actor: "someone else", IP: "10.0.0.1", Action: audit.ActionUpdate, Entity: "grid", TownCode: townA}); err != nil {
			t.Fatal(err)
		}
		rollback := fmt.Errorf("roll back")
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := a.Record(ctx, tx, audit.Entry{Action: audit.ActionDelete, Entity: "grid", TownCode: townA}); err != nil {
				return err
			}
			return rollback
		})
		if err != rollback {
			t.Fatal(err)
		}
		es, err := audit.List(ctx, db, audit.Filter{Towns: []string{townA}})
		if err != nil || len(es) != 1 {
			t.Fatalf("%d entries, %v; want the committed one only", len(es), err)
		}
		if e := es[0]; e.ActorID != 7 || e.Actor != "gridleader" || e.IP != "198.51.100.9" {
			t.Errorf("entry %+v, want the actor's id, name and address", e)
		}
	})
}

// TestAppendOnly: the database refuses to change or remove an entry.
func TestAppendOnly(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seed(t, db)
		for _, q := range []string{
			`UPDATE audit_log SET actor = 'nobody'`,
			`UPDATE audit_log SET detail = '' WHERE action = 'view_personal_data'`,
			`DELETE FROM audit_log`,
			`DELETE FROM audit_log WHERE entity = 'grid'`,
		} {
			if _, err := db.Exec(ctx, q); err == nil {
				t.Errorf("%s was accepted", q)
			}
		}
		es, err := audit.List(ctx, db, audit.Filter{All: true})
		if err != nil || len(es) != 8 {
			t.Fatalf("%d entries after the refused changes (%v), want 8", len(es), err)
		}
		for _, e := range es {
			if e.Actor != "admin" {
				t.Errorf("entry %d changed: %+v", e.ID, e)
			}
		}
	})
}

// TestLimit: the default page is 200 entries, and no listing returns more than 1000.
func TestLimit(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.InTx(ctx, func(tx *store.Tx) error {
			for i := range 1005 {
				if err := audit.Record(ctx, tx, audit.Entry{Actor: "bulk", Action: audit.ActionCreate, Entity: "x", EntityID: fmt.Sprint(i), TownCode: townA}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct{ limit, want int }{{0, 200}, {-1, 200}, {5, 5}, {1000, 1000}, {1001, 200}} {
			es, err := audit.List(ctx, db, audit.Filter{Towns: []string{townA}, Limit: tt.limit})
			if err != nil || len(es) != tt.want {
				t.Errorf("limit %d: %d entries (%v), want %d", tt.limit, len(es), err, tt.want)
			}
			if len(es) > 0 && es[0].EntityID != "1004" {
				t.Errorf("limit %d: first entry %s, want the newest (1004)", tt.limit, es[0].EntityID)
			}
		}
	})
}

// TestFilterByActorTimeAndPage: the log's page narrows by actor and by a time range (from
// inclusive, to exclusive), counts what it matches, pages by offset, and exports every match.
func TestFilterByActorTimeAndPage(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seed(t, db)
		other := audit.Actor{ID: 2, Name: "leader"}
		at := time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)
		for i := range 3 {
			if err := other.Record(ctx, db, audit.Entry{At: at.Add(time.Duration(i) * time.Hour), Action: audit.ActionUpdate, Entity: "grid", EntityID: fmt.Sprint("A-G0", i), TownCode: townA}); err != nil {
				t.Fatal(err)
			}
		}
		towns := []string{townA, townB}
		for _, tt := range []struct {
			name string
			f    audit.Filter
			want []string
		}{
			{"by actor", audit.Filter{Towns: towns, Actor: "leader"}, []string{"grid/update/A-G02", "grid/update/A-G01", "grid/update/A-G00"}},
			{"from inclusive", audit.Filter{Towns: towns, From: at.Add(time.Hour)}, []string{"grid/update/A-G02", "grid/update/A-G01"}},
			{"to exclusive", audit.Filter{Towns: towns, Actor: "leader", To: at.Add(time.Hour)}, []string{"grid/update/A-G00"}},
			{"range and action", audit.Filter{Towns: towns, From: time.Date(2025, 6, 1, 9, 1, 0, 0, time.UTC), To: time.Date(2025, 6, 1, 9, 3, 0, 0, time.UTC), Action: audit.ActionUpdate},
				[]string{"grid/update/A-G01"}},
			{"second page", audit.Filter{Towns: towns, Actor: "leader", Limit: 2, Offset: 2}, []string{"grid/update/A-G00"}},
			{"unknown actor", audit.Filter{Towns: towns, Actor: "nobody"}, nil},
		} {
			t.Run(tt.name, func(t *testing.T) {
				es, err := audit.List(ctx, db, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				if got := ids(es); !slices.Equal(got, tt.want) {
					t.Errorf("got %v, want %v", got, tt.want)
				}
				f := tt.f
				f.Limit, f.Offset = 0, 0
				all, _ := audit.List(ctx, db, f)
				n, err := audit.Count(ctx, db, tt.f)
				if err != nil || n != len(all) {
					t.Errorf("count %d (%v), want %d", n, err, len(all))
				}
				ex, err := audit.Export(ctx, db, tt.f)
				if err != nil || !slices.Equal(ids(ex), ids(all)) {
					t.Errorf("export %v (%v), want %v", ids(ex), err, ids(all))
				}
			})
		}
		if n, _ := audit.Count(ctx, db, audit.Filter{}); n != 0 {
			t.Errorf("count with no towns: %d, want 0", n)
		}
	})
}
