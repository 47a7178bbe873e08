package open311backend

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/open311"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

const (
	xinjing  = world.XinjingCode
	lujiazui = world.LujiazuiCode
)

// fixture is the demo with orders, the backend on it and API tokens of some demo users.
type fixture struct {
	db     *store.DB
	st     *orders.Store
	b      open311.Backend
	tokens map[string]string
}

func load(t *testing.T, db *store.DB) fixture {
	t.Helper()
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	if _, err := demo.Load(ctx, db, quiet, demo.Orders(t.TempDir(), time.Now())); err != nil {
		t.Fatalf("load demo: %v", err)
	}
	st := orders.New(db)
	f := fixture{db: db, st: st, b: New(db, st), tokens: map[string]string{}}
	for _, u := range []string{"resident", "dispatcher", "volunteer", "changning", "lujiazui_admin"} {
		user, err := auth.UserByUsername(ctx, db, u)
		if err != nil {
			t.Fatalf("demo user %s: %v", u, err)
		}
		if f.tokens[u], err = auth.CreateToken(ctx, db, user.ID, "open311 test"); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// g04Address is an address-book entry of grid 310105102-G04 in the demo world.
func g04Address(t *testing.T) world.Address {
	t.Helper()
	w, err := world.Xinjing()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range w.Addresses {
		if a.GridCode == xinjing+"-G04" {
			return a
		}
	}
	t.Fatal("no address of grid G04 in the demo world")
	return world.Address{}
}

func TestBackend(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := load(t, db)
		ctx := context.Background()

		t.Run("jurisdictions", func(t *testing.T) {
			for id, want := range map[string]bool{xinjing: true, lujiazui: true, "310105": false, "": false, "999999999": false} {
				got, err := f.b.Jurisdiction(ctx, id)
				if err != nil || got != want {
					t.Errorf("Jurisdiction(%q) = %v, %v; want %v", id, got, err, want)
				}
			}
		})

		t.Run("services are the leaf categories", func(t *testing.T) {
			cats, err := f.st.Categories(ctx, xinjing)
			if err != nil {
				t.Fatal(err)
			}
			parents := map[string]bool{}
			for _, c := range cats {
				parents[c.Parent] = true
			}
			var leaves []string
			for _, c := range cats {
				if !parents[c.Code] {
					leaves = append(leaves, c.Code)
				}
			}
			svcs, err := f.b.Services(ctx, xinjing)
			if err != nil {
				t.Fatal(err)
			}
			var codes []string
			for _, s := range svcs {
				codes = append(codes, s.Code)
			}
			if len(leaves) < 10 || !slices.Equal(codes, leaves) {
				t.Fatalf("services %v, want the leaves %v", codes, leaves)
			}
			i := slices.IndexFunc(svcs, func(s open311.Service) bool { return s.Code == "0101" })
			want := open311.Service{Code: "0101", Name: "暴露垃圾", Description: "Exposed rubbish", Group: "市容环境", Type: open311.TypeRealtime}
			got := svcs[i]
			if got.Name != want.Name || got.Description != want.Description || got.Group != want.Group || got.Type != want.Type ||
				got.Metadata || !slices.Contains(got.Keywords, "垃圾") {
				t.Errorf("service 0101 = %+v", got)
			}
			if _, err := f.b.ServiceDefinition(ctx, xinjing, "0101"); err != nil {
				t.Errorf("definition of 0101: %v", err)
			}
			for _, code := range []string{"01", "nope"} { // a top class is a group, not a service
				if _, err := f.b.ServiceDefinition(ctx, xinjing, code); !errors.Is(err, open311.ErrNotFound) {
					t.Errorf("definition of %s: %v, want ErrNotFound", code, err)
				}
			}
		})

		t.Run("api keys", func(t *testing.T) {
			for _, c := range []struct {
				user, town string
				ok         bool
			}{
				{"resident", xinjing, true},
				{"dispatcher", xinjing, true},
				{"changning", xinjing, true}, // district account of 长宁区
				{"changning", lujiazui, false},
				{"resident", lujiazui, false},
				{"lujiazui_admin", xinjing, false},
				{"lujiazui_admin", lujiazui, true},
				{"volunteer", xinjing, false}, // may not create orders
			} {
				err := f.b.CheckAPIKey(ctx, c.town, f.tokens[c.user])
				if c.ok && err != nil || !c.ok && !errors.Is(err, open311.ErrForbidden) {
					t.Errorf("CheckAPIKey(%s, %s) = %v", c.town, c.user, err)
				}
			}
			for _, key := range []string{"", "nonsense", f.tokens["resident"] + "x"} {
				if err := f.b.CheckAPIKey(ctx, xinjing, key); !errors.Is(err, open311.ErrForbidden) {
					t.Errorf("CheckAPIKey(%q) = %v, want ErrForbidden", key, err)
				}
			}
		})

		a := g04Address(t)
		var created open311.Created
		t.Run("create locates the grid and keeps contact details private", func(t *testing.T) {
			var err error
			created, err = f.b.Create(ctx, xinjing, open311.NewRequest{
				APIKey: f.tokens["resident"], ServiceCode: "0101", Lat: &a.Lat, Long: &a.Lng, AddressString: a.Text,
				FirstName: "小明", LastName: "王", Phone: "13800001111", Email: "xm@example.com", DeviceID: "dev-1",
				Description: "路边垃圾袋堆积三天了", MediaURL: "https://photos.example.com/1.jpg",
			})
			if err != nil {
				t.Fatal(err)
			}
			o := f.order(t, created.ServiceRequestID)
			resident, _ := auth.UserByUsername(ctx, db, "resident")
			if o.Channel != orders.ChannelOpen311 || o.Grid != xinjing+"-G04" || o.Category != "0101" || o.State != "received" ||
				o.CallerName != "王小明" || o.CallerPhone != "13800001111" || o.RaisedBy != resident.ID || o.Address != a.Text {
				t.Errorf("order = %+v", o)
			}
			if !strings.HasPrefix(o.Content, "路边垃圾袋堆积三天了") || !strings.Contains(o.Content, "xm@example.com") ||
				strings.Contains(o.Content, "dev-1") {
				t.Errorf("content = %q", o.Content)
			}
			if created.Token == "" || created.Token == o.ShortCode || !strings.Contains(created.ServiceNotice, o.ShortCode) {
				t.Errorf("created = %+v, short code %s", created, o.ShortCode)
			}
			id, err := f.b.Token(ctx, xinjing, created.Token)
			if err != nil || id != created.ServiceRequestID {
				t.Errorf("Token = %q, %v; want %s", id, err, created.ServiceRequestID)
			}
			for _, c := range [][2]string{{xinjing, "o311-nothing"}, {lujiazui, created.Token}} {
				if _, err := f.b.Token(ctx, c[0], c[1]); !errors.Is(err, open311.ErrNotFound) {
					t.Errorf("Token(%s, %s) = %v, want ErrNotFound", c[0], c[1], err)
				}
			}

			r, err := f.b.Request(ctx, xinjing, created.ServiceRequestID)
			if err != nil {
				t.Fatal(err)
			}
			// The town publishes no photos (the default), and the position is rounded to 3 decimals.
			if r.Status != open311.StatusOpen || r.ServiceCode != "0101" || r.ServiceName != "暴露垃圾" || r.Description != "路边垃圾袋堆积三天了" ||
				r.MediaURL != "" || r.Address != a.Text || r.Lat == nil || *r.Lat != math.Round(a.Lat*1000)/1000 {
				t.Errorf("request = %+v", r)
			}
			noPII(t, r, "王小明", "小明", "13800001111", "xm@example.com")
		})

		t.Run("create fills in what is missing", func(t *testing.T) {
			addrs, err := places.Addresses(ctx, db, []string{xinjing})
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(addrs, func(x places.Address) bool { return x.Text == a.Text })
			c, err := f.b.Create(ctx, xinjing, open311.NewRequest{APIKey: f.tokens["dispatcher"], ServiceCode: "0201",
				AddressID: itoa(addrs[i].ID)})
			if err != nil {
				t.Fatal(err)
			}
			o := f.order(t, c.ServiceRequestID)
			// No description: the service name. Address and grid come from the address book.
			if !strings.HasPrefix(o.Content, "违法张贴小广告") || o.Address != a.Text || o.Grid != xinjing+"-G04" || o.RaisedBy != 0 || o.CallerName != "" {
				t.Errorf("order = %+v", o)
			}
			r, err := f.b.Request(ctx, xinjing, c.ServiceRequestID)
			if err != nil || r.Description != "违法张贴小广告" || r.AddressID != itoa(addrs[i].ID) {
				t.Errorf("request = %+v, %v", r, err)
			}
		})

		t.Run("create rejects what it cannot file", func(t *testing.T) {
			zero := 0.0
			for _, c := range []struct {
				name string
				r    open311.NewRequest
				want string
			}{
				{"unknown service", open311.NewRequest{ServiceCode: "9999", AddressString: "x"}, "service_code"},
				{"top class", open311.NewRequest{ServiceCode: "01", AddressString: "x"}, "service_code"},
				{"unknown address", open311.NewRequest{ServiceCode: "0101", AddressID: "99999999"}, "address_id"},
				{"bad address id", open311.NewRequest{ServiceCode: "0101", AddressID: "abc"}, "address_id"},
				{"null island", open311.NewRequest{ServiceCode: "0101", Lat: &zero, Long: &zero}, "lat"},
			} {
				c.r.APIKey = f.tokens["resident"]
				_, err := f.b.Create(ctx, xinjing, c.r)
				var ve *open311.ValidationError
				if !errors.As(err, &ve) || ve.Code != 400 || !strings.HasPrefix(ve.Description, c.want) && !strings.Contains(ve.Description, c.want+" ") {
					t.Errorf("%s: %v, want a 400 naming %s", c.name, err, c.want)
				}
			}
			if _, err := f.b.Create(ctx, lujiazui, open311.NewRequest{APIKey: f.tokens["resident"], ServiceCode: "0101", AddressString: "x"}); !errors.Is(err, open311.ErrForbidden) {
				t.Errorf("resident of 新泾镇 into 陆家嘴: %v, want ErrForbidden", err)
			}
		})

		t.Run("requests filter by status, service and id", func(t *testing.T) {
			all := f.requests(t, open311.Filter{})
			if len(all) < 300 {
				t.Fatalf("only %d requests in the last 90 days", len(all))
			}
			for _, st := range []string{open311.StatusOpen, open311.StatusClosed} {
				got := f.requests(t, open311.Filter{Status: st})
				if len(got) == 0 || len(got) == len(all) {
					t.Errorf("status %s: %d of %d", st, len(got), len(all))
				}
				for _, r := range got {
					if r.Status != st {
						t.Errorf("status %s filter returned %s (%s)", st, r.ServiceRequestID, r.Status)
					}
				}
			}
			got := f.requests(t, open311.Filter{ServiceCodes: []string{"0101", "0201"}})
			if len(got) == 0 {
				t.Fatal("no requests of 0101 or 0201")
			}
			for i, r := range got {
				if r.ServiceCode != "0101" && r.ServiceCode != "0201" {
					t.Errorf("service filter returned %s of %s", r.ServiceRequestID, r.ServiceCode)
				}
				if i > 0 && r.RequestedDatetime.After(got[i-1].RequestedDatetime) {
					t.Errorf("not newest first at %d", i)
				}
			}
			if got := f.requests(t, open311.Filter{Limit: 7}); len(got) != 7 {
				t.Errorf("limit 7 gave %d", len(got))
			}
			lj, err := f.b.Requests(ctx, lujiazui, open311.Filter{Limit: 1})
			if err != nil || len(lj) != 1 {
				t.Fatalf("陆家嘴 requests: %v, %v", lj, err)
			}
			got = f.requests(t, open311.Filter{IDs: []string{created.ServiceRequestID, "bogus", lj[0].ServiceRequestID, xinjing + "-20200101-000001"}})
			if len(got) != 1 || got[0].ServiceRequestID != created.ServiceRequestID {
				t.Errorf("by ids: %+v", got)
			}
			if _, err := f.b.Request(ctx, xinjing, lj[0].ServiceRequestID); !errors.Is(err, open311.ErrNotFound) {
				t.Errorf("another town's request: %v, want ErrNotFound", err)
			}
		})

		t.Run("states map to statuses with public notes", func(t *testing.T) {
			rejected := f.first(t, workorder.Rejected)
			r, err := f.b.Request(ctx, xinjing, rejected.Number)
			if err != nil || r.Status != open311.StatusClosed || r.StatusNotes == "" {
				t.Errorf("rejected order: %+v, %v", r, err)
			}
			rated := f.first(t, workorder.Rated)
			r, err = f.b.Request(ctx, xinjing, rated.Number)
			if err != nil || r.Status != open311.StatusClosed || r.StatusNotes == "" || r.MediaURL != "" ||
				r.AgencyResponsible == "" || r.AgencyResponsible == rated.Department || r.ExpectedDatetime == nil {
				t.Errorf("rated order: %+v, %v", r, err)
			}
			dispatched := f.first(t, workorder.Dispatched)
			r, err = f.b.Request(ctx, xinjing, dispatched.Number)
			if err != nil || r.Status != open311.StatusOpen || r.AgencyResponsible == "" || r.StatusNotes != "" {
				t.Errorf("dispatched order: %+v, %v", r, err)
			}
		})

		t.Run("no personal data leaves", func(t *testing.T) {
			// A hotline operator typed the caller's details into the text.
			o, err := f.st.Create(ctx, orders.NewOrder{TownCode: xinjing, Channel: orders.ChannelHotline, Category: "0101",
				Content: "李四海来电：楼道堆物，联系电话 139-1234-5678，邮箱 lisi@example.com，参见工单 310105102-20251001-000123",
				Address: a.Text, CallerName: "李四海", CallerPhone: "13912345678", ActorName: "接线员", ActorRole: "dispatcher"})
			if err != nil {
				t.Fatal(err)
			}
			r, err := f.b.Request(ctx, xinjing, o.Number)
			if err != nil {
				t.Fatal(err)
			}
			noPII(t, r, "李四海", "13912345678", "1234-5678", "lisi@")
			if !strings.Contains(r.Description, "310105102-20251001-000123") || !strings.Contains(r.Description, "楼道堆物") {
				t.Errorf("scrubbing went too far: %q", r.Description)
			}
			// And no order's own caller shows up in its request.
			_, list, err := f.st.List(ctx, orders.Filter{Towns: []string{xinjing}, Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			byNumber := map[string]open311.Request{}
			for _, r := range f.requests(t, open311.Filter{}) {
				byNumber[r.ServiceRequestID] = r
			}
			for _, o := range list {
				r, ok := byNumber[o.Number]
				if !ok {
					continue
				}
				secrets := []string{o.CallerPhone}
				if len([]rune(o.CallerName)) >= 2 {
					secrets = append(secrets, o.CallerName)
				}
				noPII(t, r, secrets...)
			}
		})
	})
}

func (f fixture) order(t *testing.T, number string) orders.Order {
	t.Helper()
	r, err := f.b.(*backend).byNumber(context.Background(), xinjing, number)
	if err != nil {
		t.Fatalf("order %s: %v", number, err)
	}
	return r
}

func (f fixture) first(t *testing.T, state workorder.State) orders.Order {
	t.Helper()
	_, list, err := f.st.List(context.Background(), orders.Filter{Towns: []string{xinjing}, States: []string{string(state)}, Limit: 1})
	if err != nil || len(list) == 0 {
		t.Fatalf("no %s demo order: %v", state, err)
	}
	return list[0]
}

func (f fixture) requests(t *testing.T, flt open311.Filter) []open311.Request {
	t.Helper()
	if flt.Limit == 0 {
		flt.Limit = 1000
	}
	got, err := f.b.Requests(context.Background(), xinjing, flt)
	if err != nil {
		t.Fatalf("requests %+v: %v", flt, err)
	}
	return got
}

// noPII fails when any secret appears anywhere in r.
func noPII(t *testing.T, r open311.Request, secrets ...string) {
	t.Helper()
	b, _ := json.Marshal(r)
	for _, s := range secrets {
		if s != "" && strings.Contains(string(b), s) {
			t.Errorf("request %s exposes %q: %s", r.ServiceRequestID, s, b)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
