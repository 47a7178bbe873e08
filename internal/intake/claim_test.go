package intake_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/intake"
	"github.com/civicgrid/civicgrid/internal/intake/hotline"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// An order that holds a hotline number but was raised by a user account (a form once let a
// resident set channel "hotline" and the external id) is never corrected by the importer: the
// row is rejected naming 工单编号, and the caller's name and phone stay out of the resident's
// order. An order of another channel with the same external id is not the importer's either: the
// row becomes a new hotline order beside it.
func TestImportNeverUpdatesAnotherChannelsOrder(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, f fixture) {
		st := newStore(db)
		// Such orders cannot be made any more (the store refuses an external id on a resident's
		// channel, the web layer any channel a user names); they are written as old data would be.
		claim := func(channel, id string) orders.Order {
			o, err := st.Create(ctx, orders.NewOrder{TownCode: f.Town, Channel: orders.ChannelResident, Content: "我先占个号",
				RaisedBy: f.Resident, CallerName: "居民甲", ActorName: "居民甲", ActorRole: workorder.RoleResident})
			if err == nil {
				_, err = db.Exec(ctx, `UPDATE orders SET channel = ?, external_id = ? WHERE id = ?`, channel, id, o.ID)
			}
			if err != nil {
				t.Fatal(err)
			}
			return o
		}
		held := claim(orders.ChannelHotline, "CLAIM-1")
		other := claim(orders.ChannelResident, "CLAIM-2")
		row := func(id string) map[string]string {
			return map[string]string{"工单编号": id, "来电时间": "2025-09-30 10:03", "诉求内容": "真实来电", "诉求人": "王女士", "联系电话": "13800138000"}
		}
		res, err := intake.Push(ctx, db, st, f.Town, f.As(f.Dispatcher), []map[string]string{row("CLAIM-1"), row("CLAIM-2")})
		if err != nil {
			t.Fatal(err)
		}
		if res[0].Status != intake.Rejected || len(res[0].Errors) != 1 || res[0].Errors[0].Field != "hotline_id" ||
			!strings.Contains(res[0].Errors[0].Reason, held.Number) {
			t.Errorf("push of a held number: %+v", res[0])
		}
		if res[1].Status != intake.Created || res[1].OrderID == other.ID {
			t.Errorf("push of a number another channel's order carries: %+v", res[1])
		}
		// The file import refuses it the same way.
		path := filepath.Join(t.TempDir(), "claim.csv")
		csv := "工单编号,来电时间,诉求人,联系电话,诉求内容\nCLAIM-1,2025-09-30 10:03,王女士,13800138000,真实来电\n"
		if err := os.WriteFile(path, []byte(csv), 0o600); err != nil {
			t.Fatal(err)
		}
		sum := importFile(t, db, f, path)
		if sum.Rejected != 1 || sum.Created != 0 || sum.Updated != 0 || len(sum.Errors) != 1 || sum.Errors[0].Field != "hotline_id" {
			t.Errorf("import of a held number: %+v", sum)
		}
		for _, o := range []orders.Order{held, other} {
			got, err := st.Get(ctx, f.Towns(), o.ID, true)
			if err != nil {
				t.Fatal(err)
			}
			if got.CallerName != "居民甲" || got.CallerPhone != "" || got.Content != "我先占个号" || len(got.Events) != 1 {
				t.Errorf("order %s raised by the resident now says caller %q %q, content %q, %d events",
					o.Number, got.CallerName, got.CallerPhone, got.Content, len(got.Events))
			}
		}
	})
}

// The hotline reader rejects a row over the order store's limits itself, naming the column in
// Chinese; it can only do so while its limits are the store's.
func TestLimitsAgree(t *testing.T) {
	for _, c := range []struct {
		name            string
		hotline, orders int
	}{
		{"content", hotline.MaxContentRunes, orders.MaxContentRunes},
		{"hotline id", hotline.MaxIDLen, orders.MaxCodeRunes},
		{"caller", hotline.MaxCallerRunes, orders.MaxNameRunes},
		{"address", hotline.MaxAddressRunes, orders.MaxAddressRunes},
		{"category and town text", hotline.MaxTextRunes, orders.MaxChannelDataRunes},
	} {
		if c.hotline != c.orders {
			t.Errorf("%s: the hotline reader allows %d, the order store %d", c.name, c.hotline, c.orders)
		}
	}
}

// Migration 8 gives back the hotline numbers that user accounts claimed before the fix: such an
// order becomes its raiser's own report (channel of the raiser's role, no external id), so the
// real hotline row becomes an order of its own instead of being refused for good.
func TestMigrationReleasesClaimedNumbers(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, f fixture) {
		st := newStore(db)
		o, err := st.Create(ctx, orders.NewOrder{TownCode: f.Town, Channel: orders.ChannelResident, Content: "我先占个号",
			RaisedBy: f.Resident, CallerName: "居民甲", ActorName: "居民甲", ActorRole: workorder.RoleResident})
		if err != nil {
			t.Fatal(err)
		}
		// Written as data from before the fix would be, then migration 8 run again on it.
		if _, err := db.Exec(ctx, `UPDATE orders SET channel = 'hotline', external_id = 'CLAIM-9' WHERE id = ?`, o.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, `DELETE FROM schema_migrations WHERE version = 8`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx, nil); err != nil {
			t.Fatal(err)
		}
		got, err := st.Get(ctx, f.Towns(), o.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		if got.Channel != orders.ChannelResident || got.ExternalID != "" {
			t.Fatalf("claimed order after migration 8: channel %q, external id %q; want resident, none", got.Channel, got.ExternalID)
		}
		res, err := intake.Push(ctx, db, st, f.Town, f.As(f.Dispatcher), []map[string]string{
			{"工单编号": "CLAIM-9", "来电时间": "2025-09-30 10:03", "诉求内容": "真实来电", "诉求人": "王女士", "联系电话": "13800138000"}})
		if err != nil {
			t.Fatal(err)
		}
		if res[0].Status != intake.Created || res[0].OrderID == o.ID {
			t.Errorf("the real hotline row after the release: %+v, want a new order", res[0])
		}
	})
}
