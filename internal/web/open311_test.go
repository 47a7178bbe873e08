package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/web"
)

// withCategories adds the 新泾镇 category tree, which newApp's demo leaves out; Open311 services
// are its leaves.
func withCategories(t *testing.T, a *app) *world.World {
	t.Helper()
	w, err := world.Xinjing()
	if err != nil {
		t.Fatal(err)
	}
	st := orders.New(a.db)
	for _, c := range w.Categories {
		if err := st.SaveCategory(context.Background(), a.db, orders.Category{TownCode: w.Town.Code, Code: c.Code, Parent: c.ParentCode,
			Name: c.Name, NameEN: c.NameEn, DeadlineClass: c.Deadline, Department: c.DepartmentCode, Keywords: c.Keywords}); err != nil {
			t.Fatalf("category %s: %v", c.Code, err)
		}
	}
	return w
}

// open311 sends one call and returns the status, the content type and the body.
func (a *app) open311(method, path string, form url.Values) (int, string, string) {
	a.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, a.srv.URL+"/open311/v2/"+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(raw)
}

type open311Error struct {
	Code        int    `json:"code"`
	Description string `json:"description"`
}

func TestOpen311(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		w := withCategories(t, a)
		const j = "jurisdiction_id=" + world.XinjingCode

		var point world.Address
		for _, ad := range w.Addresses {
			if ad.GridCode == world.XinjingCode+"-G04" {
				point = ad
				break
			}
		}
		post := func(key, town string, drop ...string) url.Values {
			f := url.Values{"api_key": {key}, "jurisdiction_id": {town}, "service_code": {"0101"},
				"lat": {strconv.FormatFloat(point.Lat, 'f', -1, 64)}, "long": {strconv.FormatFloat(point.Lng, 'f', -1, 64)},
				"description": {"路边垃圾袋堆积三天了"}, "first_name": {"小明"}, "last_name": {"王"}, "phone": {"13800002222"}}
			for _, d := range drop {
				f.Del(d)
			}
			return f
		}

		t.Run("services", func(t *testing.T) {
			code, ct, body := a.open311("GET", "services.xml?"+j, nil)
			if code != 200 || !strings.HasPrefix(ct, "text/xml") || !strings.Contains(body, "<service_code>0101</service_code>") ||
				!strings.Contains(body, "<group>市容环境</group>") {
				t.Fatalf("services.xml = %d %s\n%.600s", code, ct, body)
			}
			code, ct, body = a.open311("GET", "services.json?"+j, nil)
			var svcs []struct {
				Code  string `json:"service_code"`
				Name  string `json:"service_name"`
				Group string `json:"group"`
				Type  string `json:"type"`
			}
			if code != 200 || !strings.HasPrefix(ct, "application/json") || json.Unmarshal([]byte(body), &svcs) != nil {
				t.Fatalf("services.json = %d %s\n%.600s", code, ct, body)
			}
			leaves := 0
			for _, c := range w.Categories {
				if c.IsLeaf() {
					leaves++
				}
			}
			if len(svcs) != leaves || svcs[0].Type != "realtime" {
				t.Errorf("%d services, want %d leaves; first %+v", len(svcs), leaves, svcs[0])
			}
		})

		t.Run("discovery names this server", func(t *testing.T) {
			code, _, body := a.open311("GET", "discovery.json", nil)
			var d struct {
				Endpoints []struct {
					URL string `json:"url"`
				} `json:"endpoints"`
			}
			if code != 200 || json.Unmarshal([]byte(body), &d) != nil || len(d.Endpoints) != 1 || d.Endpoints[0].URL != a.srv.URL+"/open311/v2" {
				t.Errorf("discovery = %d %s", code, body)
			}
		})

		t.Run("post, read back, token", func(t *testing.T) {
			code, _, body := a.open311("POST", "requests.json", post(a.tokens["resident"], world.XinjingCode))
			var created []struct {
				ID     string `json:"service_request_id"`
				Token  string `json:"token"`
				Notice string `json:"service_notice"`
			}
			if code != 200 || json.Unmarshal([]byte(body), &created) != nil || len(created) != 1 ||
				!strings.HasPrefix(created[0].ID, world.XinjingCode+"-") || created[0].Token == "" {
				t.Fatalf("POST requests.json = %d %s", code, body)
			}
			id := created[0].ID
			code, _, body = a.open311("GET", "requests/"+id+".xml?"+j, nil)
			if code != 200 || !strings.Contains(body, "<service_request_id>"+id+"</service_request_id>") ||
				!strings.Contains(body, "<status>open</status>") || !strings.Contains(body, "<service_code>0101</service_code>") {
				t.Fatalf("GET requests/%s.xml = %d\n%s", id, code, body)
			}
			for _, secret := range []string{"13800002222", "王小明", "小明"} {
				if strings.Contains(body, secret) {
					t.Errorf("request exposes %q:\n%s", secret, body)
				}
			}
			code, _, body = a.open311("GET", "requests.json?status=open&service_code=0101&"+j, nil)
			if code != 200 || !strings.Contains(body, `"service_request_id":"`+id+`"`) {
				t.Errorf("open 0101 requests = %d, lack %s: %.300s", code, id, body)
			}
			code, _, body = a.open311("GET", "tokens/"+created[0].Token+".json?"+j, nil)
			if code != 200 || !strings.Contains(body, `"service_request_id":"`+id+`"`) {
				t.Errorf("token = %d %s", code, body)
			}
		})

		for _, c := range []struct {
			name, method, path string
			form               url.Values
			status             int
			want               string // in the error description
		}{
			{"bad api_key", "POST", "requests.json", post("cg_nonsense", world.XinjingCode), 403, "api_key"},
			{"no api_key", "POST", "requests.json", post("", world.XinjingCode, "api_key"), 403, "api_key"},
			{"陆家嘴 key into 新泾镇", "POST", "requests.json", post(a.tokens["lujiazui_admin"], world.XinjingCode), 403, "api_key"},
			{"unknown jurisdiction on post", "POST", "requests.json", post(a.tokens["resident"], "999999999"), 404, "jurisdiction_id"},
			{"unknown jurisdiction", "GET", "services.json?jurisdiction_id=999999999", nil, 404, "jurisdiction_id"},
			{"two towns need a jurisdiction", "GET", "services.json", nil, 400, "jurisdiction_id"},
			{"missing service_code", "POST", "requests.json", post(a.tokens["resident"], world.XinjingCode, "service_code"), 400, "service_code"},
			{"unknown request", "GET", "requests/" + world.XinjingCode + "-20200101-000001.json?" + j, nil, 404, "not found"},
		} {
			t.Run(c.name, func(t *testing.T) {
				code, _, body := a.open311(c.method, c.path, c.form)
				var errs []open311Error
				if code != c.status || json.Unmarshal([]byte(body), &errs) != nil || len(errs) == 0 ||
					errs[0].Code != c.status || !strings.Contains(errs[0].Description, c.want) {
					t.Errorf("%s %s = %d %s; want %d naming %s", c.method, c.path, code, body, c.status, c.want)
				}
			})
		}
	})
}

// A deployment with one town needs no jurisdiction_id: the town is the default.
func TestOpen311SingleTown(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		if err := places.UpsertRegion(context.Background(), db, places.Region{Code: "310105102", Name: "新泾镇", Level: "town", Tenant: true}); err != nil {
			t.Fatal(err)
		}
		s, err := web.New(web.Config{DB: db})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(s.Handler())
		defer srv.Close()
		resp, err := http.Get(srv.URL + "/open311/v2/services.json")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != "[]" {
			t.Errorf("services.json without jurisdiction_id = %d %s", resp.StatusCode, body)
		}
	})
}
