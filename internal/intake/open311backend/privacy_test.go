package open311backend

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/open311"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// TestPublicAddressIsCoarse: Open311 is anonymous, so an address leaves no finer than its road
// number, whatever was typed into it, in one request and in the list.
func TestPublicAddressIsCoarse(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := load(t, db)
		ctx := context.Background()
		for typed, want := range map[string]string{
			"协和路191弄36号404室":             "协和路191弄",
			"新泾六村10号楼3单元502室":            "新泾六村",
			"王阿姨 13812345678 天山西路799号3楼": "天山西路799号",
		} {
			o, err := f.st.Create(ctx, orders.NewOrder{TownCode: xinjing, Channel: orders.ChannelHotline, Category: "0101",
				Content: "楼道堆物", Address: typed, ActorName: "接线员", ActorRole: "dispatcher"})
			if err != nil {
				t.Fatal(err)
			}
			r, err := f.b.Request(ctx, xinjing, o.Number)
			if err != nil || r.Address != want {
				t.Errorf("address %q published as %q (%v), want %q", typed, r.Address, err, want)
			}
			byID := f.requests(t, open311.Filter{IDs: []string{o.Number}})
			if len(byID) != 1 || byID[0].Address != want {
				t.Errorf("address %q listed as %+v, want %q", typed, byID, want)
			}
		}
		for _, r := range f.requests(t, open311.Filter{}) {
			if strings.ContainsAny(r.Address, "室") || strings.Contains(r.Address, "单元") {
				t.Errorf("request %s publishes %q", r.ServiceRequestID, r.Address)
			}
		}
	})
}

// TestPhotosArePublicOnlyWhenTheTownSaysSo: by default no photo link leaves through Open311; a town
// that sets open311_public_photos publishes signed links, which the photo route accepts without
// a session, and only that town.
func TestPhotosArePublicOnlyWhenTheTownSaysSo(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := load(t, db)
		ctx := context.Background()
		// The handled demo orders carry the handler's photos.
		var withPhoto orders.Order
		_, list, err := f.st.List(ctx, orders.Filter{Towns: []string{xinjing}, States: []string{string(workorder.Rated)}, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range list {
			full, err := f.st.Get(ctx, []string{xinjing}, o.ID, true)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range full.Events {
				if len(e.Photos) > 0 && withPhoto.ID == 0 {
					withPhoto = full
				}
			}
		}
		if withPhoto.ID == 0 {
			t.Fatal("no rated demo order with a photo")
		}
		listed := func() open311.Request {
			t.Helper()
			for _, r := range f.requests(t, open311.Filter{IDs: []string{withPhoto.Number}}) {
				return r
			}
			t.Fatalf("order %s not listed", withPhoto.Number)
			return open311.Request{}
		}
		r, err := f.b.Request(ctx, xinjing, withPhoto.Number)
		if err != nil || r.MediaURL != "" || listed().MediaURL != "" {
			t.Fatalf("photos published by default: %q / %q (%v)", r.MediaURL, listed().MediaURL, err)
		}
		if _, err := db.Exec(ctx, `INSERT INTO settings (town_code, key, value) VALUES (?, ?, 'true')`, xinjing, privacy.SettingOpen311Photos); err != nil {
			t.Fatal(err)
		}
		r, err = f.b.Request(ctx, xinjing, withPhoto.Number)
		if err != nil {
			t.Fatal(err)
		}
		ref, ok := strings.CutPrefix(r.MediaURL, "/uploads/")
		id, sig := privacy.Split(ref)
		links, err := privacy.PhotoLinksFor(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if !ok || sig == "" || !links.Valid(id, sig) || listed().MediaURL != r.MediaURL {
			t.Errorf("published photo %q (listed %q): want /uploads/<id>.<valid signature>", r.MediaURL, listed().MediaURL)
		}
		if public, err := privacy.Open311PhotosPublic(ctx, db, lujiazui); err != nil || public {
			t.Errorf("陆家嘴 publishes photos: %v %v", public, err)
		}
	})
}

// TestManyServiceCodesOneList: a list of service codes gives what asking for each code gives, merged
// newest first — from one list query (orders.Filter.Categories), not one per code.
func TestManyServiceCodesOneList(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := load(t, db)
		svcs, err := f.b.Services(context.Background(), xinjing)
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, s := range svcs {
			codes = append(codes, s.Code)
		}
		codes = append(codes[:min(len(codes), 19)], "01") // a top class stands for its leaves
		want := map[string]bool{}
		for _, c := range codes {
			for _, r := range f.requests(t, open311.Filter{ServiceCodes: []string{c}}) {
				want[r.ServiceRequestID] = true
			}
		}
		got := f.requests(t, open311.Filter{ServiceCodes: codes})
		if len(got) != len(want) || len(got) == 0 {
			t.Errorf("%d codes: %d requests, asking one by one gave %d", len(codes), len(got), len(want))
		}
		for i, r := range got {
			if !want[r.ServiceRequestID] {
				t.Errorf("%s (%s) is not of any asked code", r.ServiceRequestID, r.ServiceCode)
			}
			if i > 0 && r.RequestedDatetime.After(got[i-1].RequestedDatetime) {
				t.Errorf("not newest first at %d", i)
			}
		}
		// Ids come back in the order asked, whatever the query returned them in.
		var ids []string
		for _, r := range got[:min(5, len(got))] {
			ids = append([]string{r.ServiceRequestID}, ids...)
		}
		var back []string
		for _, r := range f.requests(t, open311.Filter{IDs: append(ids, fmt.Sprint(xinjing, "-20200101-999999"))}) {
			back = append(back, r.ServiceRequestID)
		}
		if !slices.Equal(back, ids) {
			t.Errorf("ids %v came back as %v", ids, back)
		}
	})
}
