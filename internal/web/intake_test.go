package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

type pushAnswer struct {
	ID     string `json:"工单编号"`
	Number string `json:"order_number"`
	Status string `json:"status"`
	Errors []struct {
		Field  string `json:"field"`
		Reason string `json:"reason"`
	} `json:"errors"`
}

func TestHotlinePush(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		body := `[{"工单编号": "PUSH-1", "来电时间": "2025-09-30 10:03", "诉求内容": "天山西路有暴露垃圾", "经度": 121.3705, "纬度": 31.2130},
			{"hotline_id": "PUSH-2", "received_at": "2025-09-30 10:05", "content": "噪音扰民", "address": "剑河路176弄", "kind": "投诉", "limit_days": "3"},
			{"hotline_id": "PUSH-3", "received_at": "yesterday", "content": ""}]`
		var out []pushAnswer
		if code := a.call("dispatcher", "POST", "/api/v1/intake/hotline", body, &out); code != http.StatusOK {
			t.Fatalf("push: %d %+v", code, out)
		}
		if len(out) != 3 || out[0].Status != "created" || out[1].Status != "created" || out[0].Number == "" ||
			out[2].Status != "rejected" || out[2].ID != "PUSH-3" || len(out[2].Errors) != 2 || out[2].Errors[0].Field != "received_at" {
			t.Fatalf("answers %+v", out)
		}
		// The second push of the same orders changes nothing; a single object works too.
		out = nil
		if code := a.call("dispatcher", "POST", "/api/v1/intake/hotline", `{"工单编号": "PUSH-1", "来电时间": "2025-09-30 10:03", "诉求内容": "天山西路有暴露垃圾", "经度": 121.3705, "纬度": 31.2130}`, &out); code != http.StatusOK || out[0].Status != "unchanged" {
			t.Fatalf("re-push: %d %+v", code, out)
		}
		out = nil
		if code := a.call("dispatcher", "POST", "/api/v1/intake/hotline", `{"工单编号": "PUSH-2", "来电时间": "2025-09-30 10:05", "诉求内容": "噪音扰民，晚上十点后", "address": "剑河路176弄", "kind": "投诉", "limit_days": "3"}`, &out); code != http.StatusOK || out[0].Status != "updated" {
			t.Fatalf("update push: %d %+v", code, out)
		}
		out = nil
		if code := a.call("dispatcher", "POST", "/api/v1/intake/hotline", `[{"content": "没有编号"}]`, &out); code != http.StatusUnprocessableEntity || out[0].Status != "rejected" {
			t.Fatalf("all rejected: %d %+v", code, out)
		}
		if code := a.call("resident", "POST", "/api/v1/intake/hotline", body, nil); code != http.StatusForbidden {
			t.Errorf("resident push: %d", code)
		}
		if code := a.call("dispatcher", "POST", "/api/v1/intake/hotline", `"text"`, nil); code != http.StatusBadRequest {
			t.Errorf("bad body: %d", code)
		}
		var grid string
		if err := a.db.QueryRow(context.Background(), `SELECT COALESCE(grid_code, '') FROM orders WHERE external_id = 'PUSH-2'`).Scan(&grid); err != nil || grid == "" {
			t.Errorf("PUSH-2 routed by its address to %q (%v)", grid, err)
		}
	})
}

func TestHotlineUploadPage(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		b := newBrowser(t, a.srv.URL)
		if code := b.login("dispatcher", "demo-dispatcher"); code != http.StatusSeeOther {
			t.Fatalf("login: %d", code)
		}
		code, page := b.get("/intake/hotline")
		if code != http.StatusOK || !strings.Contains(page, "12345热线工单导入") || !strings.Contains(page, `enctype="multipart/form-data"`) {
			t.Fatalf("page: %d", code)
		}
		code, tpl := b.get("/intake/hotline/template.xlsx")
		if code != http.StatusOK || !strings.HasPrefix(tpl, "PK") {
			t.Fatalf("template: %d", code)
		}
		csrf := b.csrf("/intake/hotline")
		csv := "工单编号,来电时间,诉求地址,诉求内容\n" +
			"UP-1,2025-09-30 10:00,长宁区新泾镇剑河路176弄,楼道堆物\n" +
			"UP-2,2025-13-30 10:00,,日期错\n" +
			"UP-3,2025-09-30 11:00,某某路1号,无法定位\n"
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		_ = mw.WriteField("csrf", csrf)
		_ = mw.WriteField("encoding", "auto")
		fw, _ := mw.CreateFormFile("file", "热线.csv")
		_, _ = io.WriteString(fw, csv)
		mw.Close()
		req, _ := http.NewRequest("POST", a.srv.URL+"/intake/hotline", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		resp, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/intake/hotline?job=") {
			t.Fatalf("upload: %d %q", resp.StatusCode, loc)
		}
		job := strings.TrimPrefix(loc, "/intake/hotline?job=")
		if code, view := b.get(loc); code != http.StatusOK || !strings.Contains(view, `data-job="`+job+`"`) {
			t.Fatalf("progress view: %d", code)
		}
		var st struct {
			Status                             string
			Created, Rejected, Unlocated, Rows int
			ErrorsURL                          string `json:"errors_url"`
		}
		deadline := time.Now().Add(20 * time.Second)
		for {
			code, raw := b.get("/intake/hotline/jobs/" + job)
			if code != http.StatusOK {
				t.Fatalf("status: %d %s", code, raw)
			}
			if err := json.Unmarshal([]byte(raw), &st); err != nil {
				t.Fatal(err)
			}
			if st.Status != "running" || time.Now().After(deadline) {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if st.Status != "done" || st.Created != 2 || st.Rejected != 1 || st.Unlocated != 1 || st.Rows != 3 || st.ErrorsURL == "" {
			t.Fatalf("job %+v", st)
		}
		code, report := b.get(st.ErrorsURL)
		if code != http.StatusOK {
			t.Fatalf("errors.xlsx: %d", code)
		}
		x, err := excelize.OpenReader(strings.NewReader(report))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := x.GetRows(x.GetSheetList()[0])
		if len(rows) != 2 || rows[1][0] != "3" || rows[1][1] != "来电时间" {
			t.Errorf("error report %v", rows)
		}
		// Another town's user, or an unknown job, sees nothing.
		if code, _ := b.get("/intake/hotline/jobs/nope"); code != http.StatusNotFound {
			t.Errorf("unknown job: %d", code)
		}
		other := newBrowser(t, a.srv.URL)
		other.login("resident", "demo-resident")
		if code, _ := other.get("/intake/hotline"); code != http.StatusForbidden {
			t.Errorf("resident page: %d", code)
		}
	})
}
