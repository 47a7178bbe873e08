package web_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"html"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/media"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/web"
)

// proxiedApp is a demo server behind a (pretend) reverse proxy: each test client sends its own
// X-Forwarded-For, so limits per client address can be tested from one machine.
func proxiedApp(t *testing.T, db *store.DB) string {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	if _, err := demo.Load(context.Background(), db, quiet); err != nil {
		t.Fatalf("load demo: %v", err)
	}
	s, err := web.New(web.Config{DB: db, Log: quiet, TrustProxy: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}

// client is a browser at one address, with its own cookies.
type client struct {
	t    *testing.T
	base string
	ip   string
	c    *http.Client
}

func newClient(t *testing.T, base, ip string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: base, ip: ip, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *client) do(req *http.Request) (int, string, http.Header) {
	c.t.Helper()
	req.Header.Set("X-Forwarded-For", c.ip)
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw), resp.Header
}

func (c *client) get(path string) (int, string, http.Header) {
	req, _ := http.NewRequest("GET", c.base+path, nil)
	return c.do(req)
}

// report posts the resident report form (with the page's CSRF token) and its photos.
func (c *client) report(fields url.Values, photos []photoPart) (int, string, http.Header) {
	c.t.Helper()
	_, page, _ := c.get("/report")
	m := csrfRe.FindStringSubmatch(page)
	if m == nil {
		c.t.Fatal("no CSRF token on /report")
	}
	all := url.Values{"csrf": {m[1]}, "content": {"人行道上井盖松动有响声"}, "town": {reportTown}}
	for k, v := range fields {
		all[k] = v
	}
	body, ctype := multipartBody(all, photos)
	req, _ := http.NewRequest("POST", c.base+"/report", body)
	req.Header.Set("Content-Type", ctype)
	return c.do(req)
}

func multipartBody(fields url.Values, photos []photoPart) (*bytes.Buffer, string) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	for _, p := range photos {
		w, _ := mw.CreateFormFile("photos", p.name)
		_, _ = w.Write(p.data)
	}
	_ = mw.Close()
	return &body, mw.FormDataContentType()
}

// hugePNG is 60 bytes declaring width×height: a valid IHDR and the start of the image data.
func hugePNG(w, h uint32) []byte {
	chunk := func(typ string, data []byte) []byte {
		out := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
		out = append(append(out, typ...), data...)
		return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, w), h)
	out := append([]byte("\x89PNG\r\n\x1a\n"), chunk("IHDR", append(ihdr, 8, 6, 0, 0, 0))...)
	return append(out, chunk("IDAT", []byte{0x78, 0x9c, 0x62, 0x60})...)
}

// hugeJPEG declares width×height in a baseline frame header.
func hugeJPEG(w, h uint16) []byte {
	out := []byte{0xFF, 0xD8, 0xFF, 0xC0, 0, 17, 8}
	out = binary.BigEndian.AppendUint16(out, h)
	out = binary.BigEndian.AppendUint16(out, w)
	out = append(out, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0)
	return append(out, 0xFF, 0xDA, 0, 12, 3, 1, 0, 2, 0x11, 3, 0x11, 0, 63, 0, 0x12, 0x34)
}

// hugeWebP declares a 16383×16383 lossy frame, the largest VP8 allows.
func hugeWebP() []byte {
	d := []byte{0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0xff, 0x3f, 0xff, 0x3f}
	d = append(d, make([]byte, 16)...)
	chunk := append([]byte("VP8 "), binary.LittleEndian.AppendUint32(nil, uint32(len(d)))...)
	body := append([]byte("WEBP"), append(chunk, d...)...)
	return append(append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...), body...)
}

func residentOrders(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), `SELECT COUNT(*) FROM orders WHERE channel = 'resident'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestReportPhotoBombs sends the anonymous report form a photo of a few bytes declaring a huge
// image, in every accepted format (the second photo of the form, after a good one): each is
// refused with 413 naming the field, the photo and the limit, nothing is decoded (not even the
// good photo before it) and no order is made.
func TestReportPhotoBombs(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		base := proxiedApp(t, db)
		for i, c := range []struct {
			name, file string
			data       []byte
			dims       string
		}{
			{"png", "bomb.png", hugePNG(50000, 50000), "50000×50000"},
			{"jpeg", "bomb.jpg", hugeJPEG(50000, 50000), "50000×50000"},
			{"webp", "bomb.webp", hugeWebP(), "16383×16383"},
			{"png over the side limit", "long.png", hugePNG(12001, 100), "12001×100"},
		} {
			t.Run(c.name, func(t *testing.T) {
				cl := newClient(t, base, fmt.Sprintf("198.51.100.%d", i+1))
				decoded, _ := media.Stats()
				code, body, _ := cl.report(nil, []photoPart{{"ok.png", testPNG(t, 1)}, {c.file, c.data}})
				body = html.UnescapeString(body)
				if code != http.StatusRequestEntityTooLarge || !strings.Contains(body, `data-field="photos"`) {
					t.Fatalf("POST /report with %s = %d, want 413 on photos", c.file, code)
				}
				for _, want := range []string{"第 2 张照片", c.file, c.dims, "每边最多 12000 像素", "5200 万像素"} {
					if !strings.Contains(body, want) {
						t.Errorf("the answer does not say %q", want)
					}
				}
				if after, _ := media.Stats(); after != decoded {
					t.Errorf("%d photos decoded for a refused report", after-decoded)
				}
			})
		}
		if n := residentOrders(t, db); n != 0 {
			t.Errorf("%d orders made from refused reports", n)
		}
		// The same refusal in English.
		cl := newClient(t, base, "198.51.100.99")
		cl.get("/report?lang=en")
		code, body, _ := cl.report(nil, []photoPart{{"bomb.png", hugePNG(50000, 50000)}})
		if body = html.UnescapeString(body); code != 413 || !strings.Contains(body, "Photo 1 (bomb.png) is 50000×50000 pixels, over the limit of 12000 pixels a side and 52 megapixels") {
			t.Errorf("English refusal = %d", code)
		}
	})
}

// TestReportPhotoCountBeforeDecoding: a resident's report takes 3 photos and a patrol report 6;
// more are refused by their number before any is decoded (the report form used to decode all
// six a request may carry, then refuse the fourth).
func TestReportPhotoCountBeforeDecoding(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		base := proxiedApp(t, db)
		photos := func(n int) []photoPart {
			var ps []photoPart
			for i := range n {
				ps = append(ps, photoPart{fmt.Sprintf("p%d.png", i+1), testPNG(t, uint8(i))})
			}
			return ps
		}
		for i, n := range []int{7, 4} {
			cl := newClient(t, base, fmt.Sprintf("198.51.100.%d", 10+i))
			decoded, _ := media.Stats()
			code, body, _ := cl.report(nil, photos(n))
			if code != 422 || !strings.Contains(body, `data-field="photos"`) || !strings.Contains(body, fmt.Sprintf("最多 3 张照片，收到 %d 张", n)) {
				t.Errorf("%d photos = %d, want 422 naming the limit", n, code)
			}
			if after, _ := media.Stats(); after != decoded {
				t.Errorf("%d photos: %d decoded before the count was refused", n, after-decoded)
			}
		}
		// Three are fine.
		cl := newClient(t, base, "198.51.100.20")
		if code, body, _ := cl.report(nil, photos(3)); code != http.StatusSeeOther {
			t.Fatalf("3 photos = %d: %.300s", code, body)
		}

		// Patrol: 7 photos refused before decoding, over JSON.
		w := newClient(t, base, "198.51.100.21")
		_, login, _ := w.get("/login")
		form := url.Values{"csrf": {csrfRe.FindStringSubmatch(login)[1]}, "username": {"gridworker"}, "password": {demo.Password("gridworker")}}
		req, _ := http.NewRequest("POST", base+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if code, _, _ := w.do(req); code != http.StatusSeeOther {
			t.Fatalf("sign-in = %d", code)
		}
		_, page, _ := w.get("/patrol")
		body, ctype := multipartBody(url.Values{"csrf": {csrfRe.FindStringSubmatch(page)[1]}, "content": {"井盖缺失"}}, photos(7))
		req, _ = http.NewRequest("POST", base+"/patrol", body)
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("Accept", "application/json")
		decoded, _ := media.Stats()
		code, answer, _ := w.do(req)
		if code != 422 || !strings.Contains(answer, `"field":"photos"`) || !strings.Contains(answer, "最多 6 张照片，收到 7 张") {
			t.Errorf("patrol with 7 photos = %d %s", code, answer)
		}
		if after, _ := media.Stats(); after != decoded {
			t.Errorf("patrol: %d decoded before the count was refused", after-decoded)
		}
	})
}

// TestReportBodyLimit: a report body over the limit (3 photos of 10 MB and the form) is refused
// with 413 before it is read, whether its length is declared or not.
func TestReportBodyLimit(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		base := proxiedApp(t, db)
		cl := newClient(t, base, "198.51.100.30")
		_, page, _ := cl.get("/report")
		csrf := csrfRe.FindStringSubmatch(page)[1]
		big := func(chunked bool) *http.Request {
			head, ctype := multipartBody(url.Values{"csrf": {csrf}, "content": {"人行道上井盖松动有响声"}}, nil)
			// A multipart body whose one file part is 40 MB of zeros, streamed.
			boundary := strings.TrimPrefix(ctype, "multipart/form-data; boundary=")
			prefix := strings.TrimSuffix(head.String(), "--"+boundary+"--\r\n") +
				"--" + boundary + "\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"big.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
			suffix := "\r\n--" + boundary + "--\r\n"
			const size = 40 << 20
			r := io.MultiReader(strings.NewReader(prefix), io.LimitReader(zeros{}, size), strings.NewReader(suffix))
			req, _ := http.NewRequest("POST", base+"/report", r)
			req.Header.Set("Content-Type", ctype)
			req.ContentLength = int64(len(prefix) + size + len(suffix))
			if chunked {
				req.ContentLength = -1
			}
			return req
		}
		for _, chunked := range []bool{false, true} {
			code, body, _ := cl.do(big(chunked))
			if code != http.StatusRequestEntityTooLarge || !strings.Contains(body, "31 MB") {
				t.Errorf("40 MB report (chunked %v) = %d, want 413 naming 31 MB", chunked, code)
			}
		}
	})
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// postFile posts a multipart form with one file under the given field name.
func postFile(t *testing.T, c *http.Client, url, bearer string, fields map[string]string, field, name string, data []byte) (int, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	w, _ := mw.CreateFormFile(field, name)
	_, _ = w.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", url, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, html.UnescapeString(string(raw))
}

// TestEveryPhotoPathRefusesBombs: the other ways a photo enters — the upload API, the photos of
// an order action, a campaign visit's photo — all refuse a small file declaring 50000×50000
// pixels with a 4xx that says so, decoding nothing. (They go through media.Process, like the
// report forms; media's TestOnlyMediaDecodes keeps every decoder call there.)
func TestEveryPhotoPathRefusesBombs(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		bomb := hugePNG(50000, 50000)
		decoded, _ := media.Stats()

		if code, body := postFile(t, http.DefaultClient, a.srv.URL+"/api/v1/uploads", a.tokens["dispatcher"], nil, "file", "bomb.png", bomb); code != 413 || !strings.Contains(body, "50000×50000") {
			t.Errorf("POST /api/v1/uploads = %d %s", code, body)
		}

		var o orderJSON
		if code := a.call("dispatcher", "POST", "/api/v1/orders", `{"content":"路灯不亮","town":"`+reportTown+`"}`, &o); code != 201 {
			t.Fatalf("new order = %d", code)
		}
		d := signedIn(t, a, "dispatcher")
		path := fmt.Sprintf("/orders/%d", o.ID)
		code, body := postFile(t, d.c, a.srv.URL+path+"/act", "", map[string]string{"csrf": d.csrf(path), "action": "file",
			"note": "附照片", "version": fmt.Sprint(o.Version)}, "photos", "bomb.png", bomb)
		if code != 422 || !strings.Contains(body, "50000×50000") {
			t.Errorf("POST %s/act with a bomb = %d", path, code)
		}

		var c struct{ ID int64 }
		if code := a.call("dispatcher", "POST", "/api/v1/campaigns", `{"name":"照片测试走访","kind":"four_hundred","start":"2025-01-01","end":"2026-12-31"}`, &c); code != 201 {
			t.Fatalf("campaign = %d", code)
		}
		var tg struct{ ID int64 }
		a.call("admin", "POST", fmt.Sprintf("/api/v1/campaigns/%d/targets", c.ID), `{"kind":"rider_station","name":"快递小哥驿站","lat":31.209083,"lng":121.362282}`, &tg)
		g := signedIn(t, a, "gridworker")
		target := fmt.Sprintf("/campaigns/%d/targets/%d", c.ID, tg.ID)
		code, body = postFile(t, g.c, a.srv.URL+target+"/visits", "", map[string]string{"csrf": g.csrf(target), "status": "visited"}, "photo", "bomb.png", bomb)
		if code != 422 || !strings.Contains(body, `data-field="photo"`) || !strings.Contains(body, "50000×50000") {
			t.Errorf("POST %s/visits with a bomb = %d", target, code)
		}

		if after, _ := media.Stats(); after != decoded {
			t.Errorf("%d photos decoded", after-decoded)
		}
	})
}
