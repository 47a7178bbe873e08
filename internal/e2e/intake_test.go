package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/civicgrid/civicgrid/internal/demo"
)

// The hotline export the dispatcher uploads: upGood generated rows of the 新泾镇 demo, numbered
// E2E-UP-00000…, then one bad row of each kind.
const (
	upGood    = 3000
	upFile    = "12345热线工单导出-e2e.csv"
	upNoText  = "E2E-UP-BAD-NOTEXT" // no 诉求内容
	upBadDate = "E2E-UP-BAD-DATE"   // 来电时间 that is no date
	upPrefix  = "E2E-UP-"
)

// upBad are the bad rows, in file order: line (as the importer counts it: header = 1), the
// column the problem is reported under and a piece of the reason.
var upBad = []struct {
	line          int
	column, why   string
	hotlineID     string
	findableAfter bool // whether an order with this 工单编号 exists after the import
}{
	{upGood + 2, "诉求内容", "", upNoText, false},
	{upGood + 3, "来电时间", "2025-13-45 10:00", upBadDate, false},
	{upGood + 4, "工单编号", "与第2行重复", upID(0), true}, // repeats the first good row
}

func upID(i int) string { return fmt.Sprintf("%s%05d", upPrefix, i) }

// hotlineExport writes the upload file into a temporary directory and returns its path and the
// 诉求内容 of each good row by 工单编号.
func hotlineExport(t *testing.T) (string, map[string]string) {
	t.Helper()
	var gen bytes.Buffer
	if err := demo.HotlineCSV(&gen, upGood, 20251122); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&gen).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != upGood+1 || recs[0][0] != "工单编号" || recs[0][9] != "诉求内容" {
		t.Fatalf("generated %d records, header %v", len(recs), recs[0])
	}
	content := map[string]string{}
	for i, r := range recs[1:] {
		r[0] = upID(i)
		content[r[0]] = r[9]
	}
	//             工单编号 来电时间 诉求人 联系电话 诉求地址 经度 纬度 诉求类型 诉求分类 诉求内容 办理时限 街镇
	recs = append(recs,
		[]string{upNoText, "2025-10-08 09:12:00", "王先生", "13900001111", "长宁区新泾镇天山西路288号", "", "", "投诉", "", "", "3", "新泾镇"},
		[]string{upBadDate, "2025-13-45 10:00", "李女士", "13900002222", "长宁区新泾镇仙霞西路", "", "", "求助", "", "仙霞西路人行道上共享单车堆放，行人无法通过", "5", "新泾镇"},
		[]string{upID(0), "2025-10-09 14:30:00", "张先生", "13900003333", "长宁区新泾镇剑河路", "", "", "投诉", "", "剑河路夜间施工噪音扰民", "3", "新泾镇"},
	)
	var out bytes.Buffer
	w := csv.NewWriter(&out)
	if err := w.WriteAll(recs); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), upFile)
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, content
}

// importView is what the progress view on /intake/hotline?job=… shows.
type importView struct {
	Job, File, Status, Error                               string
	Rows, Created, Updated, Unchanged, Rejected, Unlocated int
	BarValue, BarMax                                       float64
	ErrorsHref                                             string
	ErrorsShown                                            bool
	Problems                                               []string
	Percent, Rate                                          string
	CreatedShare                                           float64 // of the stacked bar's width
}

const importViewJS = `(() => {
	const box = document.getElementById('intake-job');
	if (document.readyState !== 'complete' || !box) return null;
	const el = k => box.querySelector('[data-k="' + k + '"]');
	const n = k => Number(el(k).textContent);
	const a = el('errors_url'), bar = el('bar');
	return {Job: box.dataset.job, File: el('file').textContent, Status: el('status').textContent.trim(), Error: el('error').textContent,
		Rows: n('rows'), Created: n('created'), Updated: n('updated'), Unchanged: n('unchanged'), Rejected: n('rejected'), Unlocated: n('unlocated'),
		BarValue: bar.hasAttribute('value') ? bar.value : -1, BarMax: bar.max,
		ErrorsHref: a.hidden ? '' : a.href, ErrorsShown: !a.hidden && a.getBoundingClientRect().height > 0,
		Problems: [...el('errors').querySelectorAll('li')].map(li => li.textContent),
		Percent: el('percent').textContent, Rate: el('rate').textContent,
		CreatedShare: el('split-created').getBoundingClientRect().width / el('split').getBoundingClientRect().width};
})()`

// upload attaches the file to the form on the current /intake/hotline page, submits it, and
// waits for the progress view of a new job and then for that job to end. It returns the view.
func upload(t *testing.T, ctx context.Context, path, prevJob string) importView {
	t.Helper()
	const input = `form[action="/intake/hotline"] input[type="file"][name="file"]`
	must(t, chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS(input), []string{path})), "attach the export")
	if name := evaluate[string](t, ctx, `document.querySelector('`+input+`').files[0].name`); name != upFile {
		t.Fatalf("the file input holds %q, want %q", name, upFile)
	}
	submit(t, ctx, `form[action="/intake/hotline"] button.primary`, "upload the export")

	// The server answers with the progress view of the new job.
	waitFor(t, ctx, `#intake-job[data-job]`, "the progress view")
	loc, err := chromedp.Run(ctx, chromedp.Location())
	must(t, err, "location")
	u, err := url.Parse(loc)
	must(t, err, "parse the location")
	job := u.Query().Get("job")
	if u.Path != "/intake/hotline" || job == "" || job == prevJob {
		t.Fatalf("after the upload the browser is on %s, want /intake/hotline?job=<a new job>", loc)
	}
	if got := evaluate[string](t, ctx, `document.getElementById('intake-job').dataset.job`); got != job {
		t.Fatalf("the progress view follows job %q, the URL names %q", got, job)
	}

	// intake.js polls the job every 500 ms and renders it; wait until it shows the end.
	var v importView
	seenRunning := false
	deadline := time.Now().Add(60 * time.Second)
	for {
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify(`+importViewJS+`)`))
		if err == nil && raw != "null" {
			v = importView{}
			must(t, json.Unmarshal([]byte(raw), &v), "read the progress view")
			if v.Status == "导入中…" {
				seenRunning = true
			} else if v.Status != "" {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s did not end within 60 s: %+v", job, v)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("job %s: %s, %d rows, %d created, %d updated, %d unchanged, %d rejected, %d to locate (saw it running: %v)",
		job, v.Status, v.Rows, v.Created, v.Updated, v.Unchanged, v.Rejected, v.Unlocated, seenRunning)
	if v.Status != "导入完成" {
		t.Fatalf("job %s ended with status %q, want 导入完成: %s", job, v.Status, v.Error)
	}
	if v.Job != job || v.File != upFile {
		t.Errorf("progress view of job %q for file %q, want job %q and file %q", v.Job, v.File, job, upFile)
	}
	if v.BarMax <= 0 || v.BarValue != v.BarMax {
		t.Errorf("the progress bar of the finished job stands at %v of %v, want full", v.BarValue, v.BarMax)
	}
	return v
}

func TestHotlineUploadInBrowser(t *testing.T) {
	srv := StartServer(t)
	ctx := NewBrowser(t, 1280, 900)
	path, content := hotlineExport(t)
	bad := len(upBad)

	// 1. The dispatcher opens the upload page from the nav.
	signIn(t, ctx, srv, "dispatcher")
	if nav := evaluate[string](t, ctx, `(document.querySelector('.nav a[href="/intake/hotline"]') || {}).textContent || ''`); strings.TrimSpace(nav) != "热线导入" {
		t.Errorf("the dispatcher's nav links /intake/hotline as %q, want 热线导入", nav)
	}
	visit(t, ctx, srv.URL+"/intake/hotline", "open /intake/hotline")
	waitFor(t, ctx, `form[action="/intake/hotline"][enctype="multipart/form-data"] input[type="file"][name="file"]`, "the upload form")
	if h1 := evaluate[string](t, ctx, `document.querySelector('h1').textContent`); h1 != "12345热线工单导入" {
		t.Errorf("heading %q, want 12345热线工单导入", h1)
	}
	if csrf := evaluate[string](t, ctx, `(document.querySelector('form[action="/intake/hotline"] input[name="csrf"]') || {}).value || ''`); csrf == "" {
		t.Error("the upload form carries no CSRF token")
	}
	if accept := evaluate[string](t, ctx, `document.querySelector('input[type="file"][name="file"]').accept`); !strings.Contains(accept, ".csv") || !strings.Contains(accept, ".xlsx") {
		t.Errorf("the file input accepts %q, want .xlsx and .csv", accept)
	}
	if enc := evaluate[string](t, ctx, `[...document.querySelectorAll('select[name="encoding"] option')].map(o => o.value).join(',')`); enc != "auto,utf8,gb18030" {
		t.Errorf("encoding choices %q", enc)
	}
	tpl := evaluate[string](t, ctx, `(() => { const a = document.querySelector('a[href="/intake/hotline/template.xlsx"]'); return a && a.hasAttribute('download') ? a.textContent : ''; })()`)
	if !strings.Contains(tpl, "下载导入模板") {
		t.Errorf("template download link %q, want a download link 下载导入模板", tpl)
	}
	if status, body := fetchBytes(t, ctx, "/intake/hotline/template.xlsx"); status != 200 || !bytes.HasPrefix(body, []byte("PK")) {
		t.Errorf("GET /intake/hotline/template.xlsx = %d, %d bytes, want an xlsx", status, len(body))
	}
	if n := evaluate[int](t, ctx, `document.querySelectorAll('#intake-job').length`); n != 0 {
		t.Errorf("the page shows a progress view before any upload")
	}
	top(t, ctx)
	Screenshot(t, ctx, "intake-upload")

	// 2–3. Upload; the summary counts every good row as created and every bad row as rejected.
	first := upload(t, ctx, path, "")
	if first.Rows != upGood+bad || first.Created != upGood || first.Rejected != bad || first.Updated != 0 || first.Unchanged != 0 {
		t.Errorf("first import: %d rows, %d created, %d updated, %d unchanged, %d rejected; want %d rows, %d created, 0, 0, %d rejected",
			first.Rows, first.Created, first.Updated, first.Unchanged, first.Rejected, upGood+bad, upGood, bad)
	}
	// The live figures: a full bar, a rate in rows per second, and the stacked bar of where the
	// rows went in proportion to the counts.
	if first.Percent != "100%" || strings.Trim(first.Rate, "0123456789,") != "" || first.Rate == "" {
		t.Errorf("finished import shows %q done at %q rows/s", first.Percent, first.Rate)
	}
	if want := float64(upGood) / float64(upGood+bad); math.Abs(first.CreatedShare-want) > 0.01 {
		t.Errorf("created part of the stacked bar %.3f, want %.3f", first.CreatedShare, want)
	}
	if first.Unlocated > upGood/10 {
		t.Errorf("%d of %d orders wait to be located: routing by the demo address book failed", first.Unlocated, upGood)
	}
	wantHref := srv.URL + "/intake/hotline/jobs/" + first.Job + "/errors.xlsx"
	if first.ErrorsHref != wantHref || !first.ErrorsShown {
		t.Errorf("error report link %q (shown: %v), want %s", first.ErrorsHref, first.ErrorsShown, wantHref)
	}
	if len(first.Problems) != bad {
		t.Errorf("the page lists %d problems, want %d: %q", len(first.Problems), bad, first.Problems)
	}
	for i, b := range upBad {
		want := fmt.Sprintf("第%d行 “%s”", b.line, b.column)
		if i >= len(first.Problems) || !strings.HasPrefix(first.Problems[i], want) || !strings.Contains(first.Problems[i], b.why) {
			t.Errorf("problem %d: want %s … %s, page lists %q", i+1, want, b.why, first.Problems)
		}
	}
	// The error report behind the link names the same rows and columns.
	status, report := fetchBytes(t, ctx, first.ErrorsHref)
	if status != 200 {
		t.Fatalf("GET %s = %d", first.ErrorsHref, status)
	}
	x, err := excelize.OpenReader(bytes.NewReader(report))
	must(t, err, "open the error report")
	rows, err := x.GetRows(x.GetSheetList()[0])
	must(t, err, "read the error report")
	if len(rows) != bad+1 {
		t.Errorf("the error report has %d rows, want a header and %d problems: %q", len(rows), bad, rows)
	}
	for i, b := range upBad {
		if i+1 >= len(rows) || len(rows[i+1]) < 3 || rows[i+1][0] != strconv.Itoa(b.line) || rows[i+1][1] != b.column {
			t.Errorf("error report row %d: want line %d column %s, report %q", i+1, b.line, b.column, rows)
		}
	}
	// Open the list of problems for the screenshot.
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#intake-job details summary`))), "open the problem list")
	top(t, ctx)
	Screenshot(t, ctx, "intake-done")

	// 4. The server has the orders: found by their 工单编号, none for a rejected row.
	type found struct {
		Total  int `json:"total"`
		Orders []struct {
			Number     string `json:"number"`
			State      string `json:"state"`
			Channel    string `json:"channel"`
			ExternalID string `json:"external_id"`
			Content    string `json:"content"`
			Town       string `json:"town"`
		} `json:"orders"`
	}
	lookUp := func(id string) found {
		t.Helper()
		var f found
		if code := apiFetch(t, ctx, "GET", "/api/v1/orders?q="+url.QueryEscape(id), "", &f); code != 200 {
			t.Fatalf("GET /api/v1/orders?q=%s = %d", id, code)
		}
		return f
	}
	for _, id := range []string{upID(0), upID(upGood / 2), upID(upGood - 1)} {
		f := lookUp(id)
		if f.Total != 1 || len(f.Orders) != 1 {
			t.Errorf("searching %s finds %d orders, want 1", id, f.Total)
			continue
		}
		o := f.Orders[0]
		if o.ExternalID != id || o.Channel != "hotline" || o.Content != content[id] || o.State != "received" || o.Town != "310105102" || !strings.HasPrefix(o.Number, "310105102-") {
			t.Errorf("order for %s: number %q town %q state %q channel %q external_id %q content %q; want a received hotline order of 新泾镇 with content %q",
				id, o.Number, o.Town, o.State, o.Channel, o.ExternalID, o.Content, content[id])
		}
	}
	for _, b := range upBad {
		if f := lookUp(b.hotlineID); (f.Total == 1) != b.findableAfter || f.Total > 1 {
			t.Errorf("searching %s (line %d) finds %d orders, want %v", b.hotlineID, b.line, f.Total, map[bool]int{true: 1, false: 0}[b.findableAfter])
		}
	}
	// The repeated row did not overwrite the first one.
	if f := lookUp(upID(0)); len(f.Orders) == 1 && strings.Contains(f.Orders[0].Content, "施工噪音") {
		t.Errorf("the repeated 工单编号 %s overwrote the order: %q", upID(0), f.Orders[0].Content)
	}

	// 5. The same file again, from the progress page's own form: nothing new, nothing changed.
	again := upload(t, ctx, path, first.Job)
	if again.Rows != upGood+bad || again.Created != 0 || again.Updated != 0 || again.Unchanged != upGood || again.Rejected != bad {
		t.Errorf("re-import: %d rows, %d created, %d updated, %d unchanged, %d rejected; want %d rows, 0, 0, %d unchanged, %d rejected",
			again.Rows, again.Created, again.Updated, again.Unchanged, again.Rejected, upGood+bad, upGood, bad)
	}
	if !again.ErrorsShown || !strings.HasSuffix(again.ErrorsHref, "/intake/hotline/jobs/"+again.Job+"/errors.xlsx") {
		t.Errorf("re-import: error report link %q (shown: %v)", again.ErrorsHref, again.ErrorsShown)
	}
	if f := lookUp(upID(upGood / 2)); f.Total != 1 {
		t.Errorf("after the re-import searching %s finds %d orders, want 1", upID(upGood/2), f.Total)
	}
}

// fetchBytes GETs path with the page's session and returns the status and the body.
func fetchBytes(t *testing.T, ctx context.Context, path string) (int, []byte) {
	t.Helper()
	js := fmt.Sprintf(`(async () => {
		const r = await fetch(%q, {credentials: 'same-origin'});
		const b = new Uint8Array(await r.arrayBuffer());
		let s = '';
		for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode.apply(null, b.subarray(i, i + 0x8000));
		return JSON.stringify({status: r.status, body: btoa(s)});
	})()`, path)
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	var res struct {
		Status int
		Body   string
	}
	must(t, json.Unmarshal([]byte(raw), &res), "GET "+path)
	body, err := base64.StdEncoding.DecodeString(res.Body)
	must(t, err, "GET "+path)
	return res.Status, body
}
