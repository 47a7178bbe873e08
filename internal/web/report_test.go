package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/paulmach/orb/planar"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/web"
)

const (
	reportTown = "310105102"
	workerGrid = "310105102-G04"
)

// testPNG is a small photo with a colour of its own, so two calls give two uploads.
func testPNG(t *testing.T, shade uint8) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for x := 0; x < 40; x++ {
		for y := 0; y < 30; y++ {
			img.Set(x, y, color.RGBA{shade, uint8(x * 6), uint8(y * 8), 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type photoPart struct {
	name string
	data []byte
}

// postMultipart submits a multipart form like a browser; accept "" is a plain form post.
func (b *browser) postMultipart(path string, fields url.Values, photos []photoPart, accept string) (int, string, http.Header) {
	b.t.Helper()
	body, ctype := multipartBody(fields, photos)
	req, _ := http.NewRequest("POST", b.base+path, body)
	req.Header.Set("Content-Type", ctype)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw), resp.Header
}

// pointIn returns a point (lat, lng) inside the grid.
func pointIn(t *testing.T, db *store.DB, code string) (string, string) {
	t.Helper()
	g, err := places.GridByCode(context.Background(), db, []string{reportTown}, code)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := planar.CentroidArea(g.Polygon)
	if !planar.PolygonContains(g.Polygon, c) {
		t.Fatalf("centroid of %s lies outside it", code)
	}
	return fmt.Sprintf("%.6f", c[1]), fmt.Sprintf("%.6f", c[0])
}

type patrolAnswer struct {
	ID          int64  `json:"id"`
	Number      string `json:"number"`
	State       string `json:"state"`
	Grid        string `json:"grid"`
	SelfHandled bool   `json:"self_handled"`
	Existing    bool   `json:"existing"`
	URL         string `json:"url"`
}

type orderJSON struct {
	ID       int64  `json:"id"`
	State    string `json:"state"`
	Channel  string `json:"channel"`
	Grid     string `json:"grid"`
	RaisedBy int64  `json:"raised_by"`
	Result   string `json:"result"`
	ClosedAt any    `json:"closed_at"`
	Events   []struct {
		Action string   `json:"action"`
		Result string   `json:"result"`
		Photos []string `json:"photos"`
	} `json:"events"`
	AllowedActions []string `json:"allowed_actions"`
	Version        int      `json:"version"`
}

func signedIn(t *testing.T, a *app, user string) *browser {
	t.Helper()
	b := newBrowser(t, a.srv.URL)
	if code := b.login(user, demo.Password(user)); code != http.StatusSeeOther {
		t.Fatalf("%s sign-in = %d", user, code)
	}
	return b
}

func TestPatrolReportAndSelfHandle(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		ctx := context.Background()
		// A worker of another grid, for the ownership checks.
		if _, err := auth.CreateUser(ctx, a.db, auth.NewUser{Username: "gridworker_g01", DisplayName: "网格员乙", Role: auth.RoleGridWorker,
			TownCode: reportTown, GridCode: "310105102-G01", Password: "demo-gridworker_g01"}, "test"); err != nil {
			t.Fatal(err)
		}
		w := signedIn(t, a, "gridworker")
		code, page := w.get("/patrol")
		if code != 200 || !strings.Contains(page, `id="patrol-form"`) || !strings.Contains(page, `capture="environment"`) || !strings.Contains(page, "自行处置") {
			t.Fatalf("GET /patrol = %d", code)
		}
		csrf := csrfRe.FindStringSubmatch(page)[1]
		lat, lng := pointIn(t, a.db, workerGrid)
		form := url.Values{"csrf": {csrf}, "content": {"新泾一村12号门口共享单车乱停放"}, "lat": {lat}, "lng": {lng},
			"self_handle": {"1"}, "result": {"已联系运维清理，恢复通行"}, "client_id": {"0f8e9a6c-1111-4a2b-9c3d-aaaaaaaaaaaa"}}

		// Self-handling needs a result.
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set("result", " ")
		bad.Set("client_id", "0f8e9a6c-2222-4a2b-9c3d-aaaaaaaaaaaa")
		if code, body, _ := w.postMultipart("/patrol", bad, []photoPart{{"a.png", testPNG(t, 1)}}, "application/json"); code != 422 || !strings.Contains(body, `"field":"result"`) {
			t.Errorf("self_handle without result = %d %s", code, body)
		}

		code, body, _ := w.postMultipart("/patrol", form, []photoPart{{"scene.png", testPNG(t, 2)}}, "application/json")
		var got patrolAnswer
		if code != http.StatusCreated || json.Unmarshal([]byte(body), &got) != nil {
			t.Fatalf("POST /patrol = %d %s", code, body)
		}
		if got.State != "closed" || !got.SelfHandled || got.Grid != workerGrid || got.Number == "" {
			t.Errorf("patrol answer = %+v", got)
		}
		var o orderJSON
		if c := a.call("dispatcher", "GET", "/api/v1/orders/"+itoa(got.ID), "", &o); c != 200 {
			t.Fatalf("GET order = %d", c)
		}
		last := o.Events[len(o.Events)-1]
		if o.State != "closed" || o.Channel != "patrol" || o.ClosedAt == nil || o.Result != "已联系运维清理，恢复通行" ||
			last.Action != "self_handle" || len(last.Photos) != 1 || last.Result != o.Result {
			t.Errorf("self-handled order = %+v", o)
		}
		if code, page := w.get(got.URL); code != 200 || !strings.Contains(page, got.Number) || !strings.Contains(page, "自行处置结案") {
			t.Errorf("confirmation %s = %d", got.URL, code)
		}

		// The retried submission (same client_id) answers with the same order and makes no other.
		code, body, _ = w.postMultipart("/patrol", form, []photoPart{{"scene.png", testPNG(t, 2)}}, "application/json")
		var again patrolAnswer
		if code != http.StatusOK || json.Unmarshal([]byte(body), &again) != nil || again.ID != got.ID || !again.Existing {
			t.Errorf("retry = %d %s, want 200 with order %d", code, body, got.ID)
		}
		var n int
		if err := a.db.QueryRow(ctx, `SELECT COUNT(*) FROM orders WHERE channel = 'patrol' AND external_id = ?`, form.Get("client_id")).Scan(&n); err != nil || n != 1 {
			t.Errorf("orders with the client_id: %d (%v), want 1", n, err)
		}

		// A plain report (no self-handling) without JavaScript: redirect to the confirmation; the
		// photo goes with the report's first event and the order waits for the dispatcher.
		plain := url.Values{"csrf": {csrf}, "content": {"绿化带内垃圾堆积"}, "client_id": {"0f8e9a6c-3333-4a2b-9c3d-aaaaaaaaaaaa"}}
		code, _, hdr := w.postMultipart("/patrol", plain, []photoPart{{"b.png", testPNG(t, 3)}}, "")
		if code != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/patrol/done/") {
			t.Fatalf("plain patrol post = %d → %s", code, hdr.Get("Location"))
		}
		id := strings.TrimPrefix(hdr.Get("Location"), "/patrol/done/")
		var p orderJSON
		a.call("gridworker", "GET", "/api/v1/orders/"+id, "", &p)
		if p.State != "received" || p.Grid != workerGrid || len(p.Events) != 1 || len(p.Events[0].Photos) != 1 || p.RaisedBy == 0 {
			t.Errorf("plain patrol order = %+v", p)
		}
		if !hasAction(p.AllowedActions, "self_handle") {
			t.Errorf("the reporting worker's allowed actions %v lack self_handle", p.AllowedActions)
		}

		// Another grid's worker may not close it (API), nor self-handle at a point of grid G04.
		other := signedIn(t, a, "gridworker_g01")
		tok, err := auth.CreateToken(ctx, a.db, mustUserID(t, a.db, "gridworker_g01"), "test")
		if err != nil {
			t.Fatal(err)
		}
		a.tokens["gridworker_g01"] = tok
		var e apiErr
		if c := a.call("gridworker_g01", "POST", "/api/v1/orders/"+id+"/actions",
			fmt.Sprintf(`{"action":"self_handle","version":%d,"result":"已处置","photos":["%s"]}`, p.Version, p.Events[0].Photos[0]), &e); c != 403 {
			t.Errorf("self_handle by another grid's worker = %d %+v, want 403", c, e)
		}
		_, opage := other.get("/patrol")
		oform := url.Values{"csrf": {csrfRe.FindStringSubmatch(opage)[1]}, "content": {"井盖缺失"}, "lat": {lat}, "lng": {lng},
			"self_handle": {"1"}, "result": {"已处置"}, "client_id": {"0f8e9a6c-4444-4a2b-9c3d-aaaaaaaaaaaa"}}
		if code, body, _ := other.postMultipart("/patrol", oform, []photoPart{{"c.png", testPNG(t, 4)}}, "application/json"); code != 422 || !strings.Contains(body, `"field":"self_handle"`) {
			t.Errorf("self-handling in another grid = %d %s, want 422 on self_handle", code, body)
		}
		var cnt int
		_ = a.db.QueryRow(ctx, `SELECT COUNT(*) FROM orders WHERE external_id = ?`, oform.Get("client_id")).Scan(&cnt)
		if cnt != 0 {
			t.Error("a refused self-handling left an order behind")
		}

		// Residents and dispatchers do not patrol; a non-image is refused naming photos.
		if code, _ := signedIn(t, a, "resident").get("/patrol"); code != 403 {
			t.Errorf("resident GET /patrol = %d, want 403", code)
		}
		plain.Set("client_id", "0f8e9a6c-5555-4a2b-9c3d-aaaaaaaaaaaa")
		if code, body, _ := w.postMultipart("/patrol", plain, []photoPart{{"notes.txt", []byte("not a photo at all")}}, "application/json"); code != 422 || !strings.Contains(body, `"field":"photos"`) {
			t.Errorf("patrol with a text file = %d %s", code, body)
		}
	})
}

func mustUserID(t *testing.T, db *store.DB, username string) int64 {
	t.Helper()
	u, err := auth.UserByUsername(context.Background(), db, username)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func hasAction(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var doneRe = regexp.MustCompile(`id="order-number">([^<]+)<.*?id="order-code">([^<]+)<`)

func TestResidentReport(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		b := newBrowser(t, a.srv.URL)
		code, page := b.get("/report")
		if code != 200 || !strings.Contains(page, `id="report-form"`) || !strings.Contains(page, `name="website"`) {
			t.Fatalf("GET /report = %d", code)
		}
		csrf := csrfRe.FindStringSubmatch(page)[1]
		lat, lng := pointIn(t, a.db, workerGrid)
		form := url.Values{"csrf": {csrf}, "content": {"小区门口路灯不亮已经三天"}, "lat": {lat}, "lng": {lng},
			"caller_name": {"李女士"}, "caller_phone": {"13800000000"}}
		code, _, hdr := b.postMultipart("/report", form, []photoPart{{"lamp.png", testPNG(t, 9)}}, "")
		loc := hdr.Get("Location")
		if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/report/done?") {
			t.Fatalf("POST /report = %d → %q", code, loc)
		}
		code, done := b.get(loc)
		m := doneRe.FindStringSubmatch(strings.ReplaceAll(done, "\n", " "))
		if code != 200 || m == nil {
			t.Fatalf("confirmation = %d:\n%s", code, done)
		}
		number, short := m[1], m[2]
		code, track := b.get("/track?" + url.Values{"number": {number}, "code": {short}}.Encode())
		if code != 200 || !strings.Contains(track, number) || !strings.Contains(track, "小区门口路灯不亮") || !strings.Contains(track, "受理") {
			t.Errorf("track = %d", code)
		}
		// Routed by the position, with the photo on the first event and no staff to thank.
		var o orderJSON
		var list struct {
			Orders []orderJSON `json:"orders"`
		}
		a.call("dispatcher", "GET", "/api/v1/orders?channel=resident", "", &list)
		for _, x := range list.Orders {
			a.call("dispatcher", "GET", "/api/v1/orders/"+itoa(x.ID), "", &o)
			break
		}
		if o.Channel != "resident" || o.Grid != workerGrid || len(o.Events) == 0 || len(o.Events[0].Photos) != 1 || o.RaisedBy != 0 {
			t.Errorf("resident order = %+v (of %d)", o, len(list.Orders))
		}

		// Without a position the town select decides; a signed-in resident raises it.
		r := signedIn(t, a, "resident")
		_, rp := r.get("/report")
		code, _, hdr = r.postMultipart("/report", url.Values{"csrf": {csrfRe.FindStringSubmatch(rp)[1]}, "content": {"楼道里堆放杂物影响通行"}, "town": {reportTown}}, nil, "")
		if code != http.StatusSeeOther {
			t.Fatalf("signed-in report = %d", code)
		}
		var mine struct {
			Orders []orderJSON `json:"orders"`
		}
		a.call("resident", "GET", "/api/v1/orders", "", &mine)
		found := false
		for _, x := range mine.Orders {
			found = found || x.Channel == "resident"
		}
		if !found {
			t.Error("the signed-in resident does not see the report among their orders")
		}
	})
}

func TestResidentReportRefusals(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		b := newBrowser(t, a.srv.URL)
		_, page := b.get("/report")
		csrf := csrfRe.FindStringSubmatch(page)[1]
		count := func() int {
			var n int
			if err := a.db.QueryRow(context.Background(), `SELECT COUNT(*) FROM orders WHERE channel = 'resident'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		base := func() url.Values {
			return url.Values{"csrf": {csrf}, "content": {"人行道上井盖松动有响声"}, "town": {reportTown}}
		}

		// CSRF: the anonymous double-submit token is required and must match the cookie.
		noToken := base()
		noToken.Del("csrf")
		if code, _, _ := b.postMultipart("/report", noToken, nil, ""); code != 403 {
			t.Errorf("without CSRF token = %d, want 403", code)
		}
		wrong := base()
		wrong.Set("csrf", "not-the-token-not-the-token")
		if code, _, _ := b.postMultipart("/report", wrong, nil, ""); code != 403 {
			t.Errorf("wrong CSRF token = %d, want 403", code)
		}
		// Honeypot.
		hp := base()
		hp.Set("website", "http://spam.example")
		if code, _, _ := b.postMultipart("/report", hp, nil, ""); code != 400 {
			t.Errorf("honeypot filled = %d, want 400", code)
		}
		// A text file as a photo: refused, naming photos.
		if code, body, _ := b.postMultipart("/report", base(), []photoPart{{"virus.exe", []byte("MZ this is not an image")}}, ""); code != 422 ||
			!strings.Contains(body, `data-field="photos"`) || !strings.Contains(body, "photos") || !strings.Contains(body, "不是照片") {
			t.Errorf("non-image photo = %d", code)
		}
		// Too long, too short.
		long := base()
		long.Set("content", strings.Repeat("长", 501))
		if code, body, _ := b.postMultipart("/report", long, nil, ""); code != 422 || !strings.Contains(body, `data-field="content"`) {
			t.Errorf("501 characters = %d", code)
		}
		if n := count(); n != 0 {
			t.Fatalf("refused reports created %d orders", n)
		}

		// Flood limit: five in ten minutes, then 429 with a clear message. The honeypot and the
		// text file above were refused attempts, and count: three more reports are accepted.
		for i := 0; i < 3; i++ {
			if code, body, _ := b.postMultipart("/report", base(), nil, ""); code != http.StatusSeeOther {
				t.Fatalf("report %d = %d: %.300s", i+1, code, body)
			}
		}
		code, body, hdr := b.postMultipart("/report", base(), nil, "")
		if code != http.StatusTooManyRequests || !strings.Contains(body, "提交过于频繁") || hdr.Get("Retry-After") == "" {
			t.Errorf("6th report = %d (Retry-After %q)", code, hdr.Get("Retry-After"))
		}
		// A fresh device from the same address is still held back, and so is a restarted server
		// (another instance) on the same database: the limit lives in the database.
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		s2, err := web.New(web.Config{DB: a.db, Log: quiet})
		if err != nil {
			t.Fatal(err)
		}
		srv2 := httptest.NewServer(s2.Handler())
		defer srv2.Close()
		fresh := newBrowser(t, srv2.URL)
		_, p2 := fresh.get("/report")
		f2 := base()
		f2.Set("csrf", csrfRe.FindStringSubmatch(p2)[1])
		if code, _, _ := fresh.postMultipart("/report", f2, nil, ""); code != http.StatusTooManyRequests {
			t.Errorf("new device on another instance = %d, want 429", code)
		}
		if n := count(); n != 3 {
			t.Errorf("%d orders, want 3", n)
		}
	})
}
