package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/civicgrid/civicgrid/internal/results"
)

type e2eResult struct {
	ID       int64   `json:"id"`
	Title    string  `json:"title"`
	Progress float64 `json:"progress"`
	Status   string  `json:"status"`
	ParentID int64   `json:"parent_id"`
}

// demoResults are the demo's 2025 results by title, read through the API as user.
func demoResults(t *testing.T, srv *Server, user string) map[string]e2eResult {
	t.Helper()
	ctx := NewBrowser(t, 800, 600)
	signIn(t, ctx, srv, user)
	var list struct {
		Results []e2eResult `json:"results"`
	}
	if code := apiFetch(t, ctx, "GET", "/api/v1/results?year=2025", "", &list); code != 200 {
		t.Fatalf("GET /api/v1/results = %d", code)
	}
	out := map[string]e2eResult{}
	for _, r := range list.Results {
		out[r.Title] = r
	}
	if len(out) == 0 {
		t.Fatal("the demo has no results: is demo.Results wired into serve --demo?")
	}
	return out
}

// A department (林泉路居委会's handler) records progress with a photo on a phone; the parent's
// weighted progress follows. A resident rates a project on the public page, on a phone, once.
// The half-year report to the congress on a desktop, in Chinese and English; the year page with
// its chart and map.
func TestResultsInBrowser(t *testing.T) {
	srv := StartServer(t)
	rs := demoResults(t, srv, "admin")
	garden, parent, fit := rs["林泉居民区生境花园"], rs["社区生境花园建设"], rs["健身点设施更新"]
	if garden.ID == 0 || parent.ID == 0 || fit.ID == 0 || garden.ParentID != parent.ID {
		t.Fatalf("demo results: %+v %+v %+v", garden, parent, fit)
	}

	t.Run("handler updates progress on a phone", func(t *testing.T) {
		phone := NewBrowser(t, 390, 844)
		signIn(t, phone, srv, "handler_committee")
		visit(t, phone, srv.URL+"/?lang=zh", "home")
		must(t, chromedp.Do(phone, chromedp.WaitVisible(chromedp.CSS(`#results-home`))), "results panel on the handler's home")
		if txt := evaluate[string](t, phone, `document.querySelector('#results-home').textContent`); !strings.Contains(txt, "林泉居民区生境花园") {
			t.Errorf("handler's home lacks their result: %s", txt)
		}
		Screenshot(t, phone, "results-handler-home-phone-zh")
		visit(t, phone, fmt.Sprintf("%s/results/%d", srv.URL, garden.ID), "result page")
		must(t, chromedp.Do(phone, chromedp.WaitVisible(chromedp.CSS(`#progress-form`))), "progress form")
		if w := evaluate[int](t, phone, `document.documentElement.scrollWidth`); w > 392 {
			t.Errorf("result page is %d px wide on a 390 px phone", w)
		}
		photo := filepath.Join(t.TempDir(), "garden.jpg")
		writeJPEG(t, photo)
		must(t, chromedp.Do(phone,
			chromedp.SetValue(chromedp.CSS(`#rs-progress-range`), "80"),
			chromedp.SendKeys(chromedp.CSS(`#progress-form textarea[name=note]`), "本土植物种植完成，居民志愿者认领养护"),
			chromedp.SetUploadFiles(chromedp.CSS(`#progress-form input[name=photos]`), []string{photo}),
		), "fill the progress form")
		Screenshot(t, phone, "results-handler-form-phone-zh")
		if _, err := chromedp.RunResponse(phone, chromedp.Click(chromedp.CSS(`#progress-form button`))); err != nil {
			t.Fatalf("submit progress: %v", err)
		}
		must(t, chromedp.Do(phone, chromedp.WaitVisible(chromedp.CSS(`.flash`))), "flash after recording")
		if p := evaluate[string](t, phone, `document.querySelector('#rs-progress').textContent`); p != "80.0%" {
			t.Errorf("progress shown %q, want 80.0%%", p)
		}
		if n := evaluate[int](t, phone, `document.querySelectorAll('.rs-timeline .rs-photos img').length`); n < 1 {
			t.Error("the photo is not on the timeline")
		}
		Screenshot(t, phone, "results-handler-recorded-phone-zh")
		// The parent: (80 + 100 + 100) / 3 = 93.3
		var got e2eResult
		if code := apiFetch(t, phone, "GET", fmt.Sprintf("/api/v1/results/%d", parent.ID), "", &got); code != 200 || got.Progress != 93.3 {
			t.Errorf("parent %d %+v, want progress 93.3", code, got)
		}
		// Another department's result: no form.
		visit(t, phone, fmt.Sprintf("%s/results/%d?lang=en", srv.URL, fit.ID), "another department's result")
		if n := evaluate[int](t, phone, `document.querySelectorAll('#progress-form').length`); n != 0 {
			t.Error("the handler sees the progress form of another department's result")
		}
		Screenshot(t, phone, "results-other-department-phone-en")
	})

	t.Run("resident rates on the public page", func(t *testing.T) {
		admin := NewBrowser(t, 800, 600)
		signIn(t, admin, srv, "admin")
		today := time.Now().Format("2006-01-02")
		later := time.Now().AddDate(0, 0, 14).Format("2006-01-02")
		body := fmt.Sprintf(`{"title":"健身点设施更新","department":"xj-culture","budget_fen":95000000,"place":"全镇12处健身点","rating_opens":%q,"rating_closes":%q}`, today, later)
		if code := apiFetch(t, admin, "PUT", fmt.Sprintf("/api/v1/results/%d", fit.ID), body, nil); code != 200 {
			t.Fatalf("open the rating window = %d", code)
		}
		phone := NewBrowser(t, 390, 844)
		visit(t, phone, srv.URL+"/portal/results?year=2025&lang=zh", "the portal, signed out")
		waitReady(t, phone, "chartReady")
		waitReady(t, phone, "mapReady")
		if n := evaluate[int](t, phone, `document.querySelectorAll('#portal-list .rs-pcard').length`); n != 10 {
			t.Errorf("portal shows %d projects, want 10", n)
		}
		Screenshot(t, phone, "results-portal-phone-zh")
		visit(t, phone, fmt.Sprintf("%s/portal/results/%d", srv.URL, fit.ID), "a project, signed out")
		must(t, chromedp.Do(phone, chromedp.WaitVisible(chromedp.CSS(`#rate a.button`))), "sign-in link to rate")
		signIn(t, phone, srv, "resident")
		visit(t, phone, fmt.Sprintf("%s/portal/results/%d", srv.URL, fit.ID), "a project, signed in")
		must(t, chromedp.Do(phone, chromedp.WaitVisible(chromedp.CSS(`#rate-form`))), "rating form")
		Screenshot(t, phone, "results-rate-phone-zh")
		if _, err := chromedp.RunResponse(phone, chromedp.Click(chromedp.CSS(`#rate-form button[value=basic]`))); err != nil {
			t.Fatalf("rate: %v", err)
		}
		must(t, chromedp.Do(phone, chromedp.WaitVisible(chromedp.CSS(`#rated`))), "rated once")
		if n := evaluate[int](t, phone, `document.querySelectorAll('#rate-form').length`); n != 0 {
			t.Error("the rating form is still offered after rating")
		}
		Screenshot(t, phone, "results-rated-phone-zh")
		// A second rating through the API is refused.
		if code := apiFetch(t, phone, "POST", fmt.Sprintf("/api/v1/results/%d/rating", fit.ID), `{"grade":"satisfied"}`, nil); code != 409 {
			t.Errorf("second rating = %d, want 409", code)
		}
		visit(t, phone, srv.URL+"/portal/results?year=2025&lang=en", "the portal in English")
		waitReady(t, phone, "chartReady")
		Screenshot(t, phone, "results-portal-phone-en")
		visit(t, phone, srv.URL+"/?lang=zh", "back to Chinese")
	})

	t.Run("report on a desktop", func(t *testing.T) {
		desk := NewBrowser(t, 1280, 900)
		signIn(t, desk, srv, "deputy")
		visit(t, desk, srv.URL+"/?lang=zh", "the deputy's home")
		must(t, chromedp.Do(desk, chromedp.WaitVisible(chromedp.CSS(`#results-home`))), "results panel on the deputy's home")
		if n := evaluate[int](t, desk, `document.querySelectorAll('#results-home .rs-home-list li').length`); n != 10 {
			t.Errorf("the deputy's home lists %d projects, want 10", n)
		}
		Screenshot(t, desk, "results-deputy-home-desktop-zh")
		visit(t, desk, srv.URL+"/results/report?period=2025H1&lang=zh", "the half-year report")
		must(t, chromedp.Do(desk, chromedp.WaitVisible(chromedp.CSS(`#report`))), "report")
		txt := evaluate[string](t, desk, `document.querySelector('#report').textContent`)
		for _, want := range []string{"上半年推进情况报告", "2025-06-30", "精品小区建设", "30.6%", "重度残疾人家庭无障碍设施改造", "“江南文化”进社区"} {
			if !strings.Contains(txt, want) {
				t.Errorf("report lacks %q", want)
			}
		}
		if n := evaluate[int](t, desk, `document.querySelectorAll('#report tbody tr').length`); n < 10 {
			t.Errorf("report has %d rows", n)
		}
		Screenshot(t, desk, "results-report-desktop-zh")
		visit(t, desk, srv.URL+"/results/report?period=2025&lang=en", "the year-end report in English")
		must(t, chromedp.Do(desk, chromedp.WaitVisible(chromedp.CSS(`#report`))), "report en")
		if txt := evaluate[string](t, desk, `document.querySelector('#report').textContent`); !strings.Contains(txt, "year-end report") || !strings.Contains(txt, "Satisfaction") {
			t.Errorf("English report: %.200s", txt)
		}
		Screenshot(t, desk, "results-report-desktop-en")
		visit(t, desk, srv.URL+"/results?year=2025&lang=zh", "the year page")
		waitReady(t, desk, "chartReady")
		waitReady(t, desk, "mapReady")
		if n := evaluate[string](t, desk, `document.getElementById('rs-chart').dataset.bars`); n != "10" {
			t.Errorf("chart bars %s, want 10", n)
		}
		Screenshot(t, desk, "results-year-desktop-zh")
		visit(t, desk, fmt.Sprintf("%s/results/%d", srv.URL, rs["精品小区建设"].ID), "a project with parts")
		must(t, chromedp.Do(desk, chromedp.WaitVisible(chromedp.CSS(`#inspect-form`))), "the deputy's inspection form")
		Screenshot(t, desk, "results-project-desktop-zh")
	})
}

// An administrator updates progress from a spreadsheet: a file with a bad cell is refused whole
// with the cell named; a good one is previewed, then applied.
func TestResultsBulkInBrowser(t *testing.T) {
	srv := StartServer(t)
	rs := demoResults(t, srv, "admin")
	lift := rs["既有多层住宅加装电梯"]
	desk := NewBrowser(t, 1280, 900)
	signIn(t, desk, srv, "admin")
	dir := t.TempDir()
	bad, good := filepath.Join(dir, "bad.xlsx"), filepath.Join(dir, "good.xlsx")
	writeBulk(t, bad, [][]string{{fmt.Sprint(lift.ID), "", "", "八十", "", "", ""}})
	writeBulk(t, good, [][]string{{fmt.Sprint(lift.ID), "", "", "88", "推进中", "签约41台，开工25台，竣工14台", "2025-12-20"}})
	visit(t, desk, srv.URL+"/results/bulk?year=2025&lang=zh", "the bulk page")
	must(t, chromedp.Do(desk, chromedp.SetUploadFiles(chromedp.CSS(`#bulk-form input[name=file]`), []string{bad})), "choose the bad file")
	if _, err := chromedp.RunResponse(desk, chromedp.Click(chromedp.CSS(`#bulk-form button`))); err != nil {
		t.Fatalf("upload: %v", err)
	}
	must(t, chromedp.Do(desk, chromedp.WaitVisible(chromedp.CSS(`#bulk-problems`))), "problems listed")
	if txt := evaluate[string](t, desk, `document.querySelector('#bulk-problems').textContent`); !strings.Contains(txt, "第 2 行 D 列") {
		t.Errorf("problems: %s", txt)
	}
	Screenshot(t, desk, "results-bulk-problems-desktop-zh")
	must(t, chromedp.Do(desk, chromedp.SetUploadFiles(chromedp.CSS(`#bulk-form input[name=file]`), []string{good})), "choose the good file")
	if _, err := chromedp.RunResponse(desk, chromedp.Click(chromedp.CSS(`#bulk-form button`))); err != nil {
		t.Fatalf("upload: %v", err)
	}
	must(t, chromedp.Do(desk, chromedp.WaitVisible(chromedp.CSS(`#bulk-apply`))), "preview")
	Screenshot(t, desk, "results-bulk-preview-desktop-zh")
	if _, err := chromedp.RunResponse(desk, chromedp.Click(chromedp.CSS(`#bulk-apply button`))); err != nil {
		t.Fatalf("apply: %v", err)
	}
	must(t, chromedp.Do(desk, chromedp.WaitVisible(chromedp.CSS(`.flash`))), "applied")
	var got e2eResult
	if code := apiFetch(t, desk, "GET", fmt.Sprintf("/api/v1/results/%d", lift.ID), "", &got); code != 200 || got.Progress != 88 {
		t.Errorf("after the bulk update: %d %+v", code, got)
	}
}

func writeBulk(t *testing.T, path string, rows [][]string) {
	t.Helper()
	var b bytes.Buffer
	if err := results.WriteBulk(&b, "2025", rows); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// waitReady waits until document.body.dataset[key] is set.
func waitReady(t *testing.T, ctx context.Context, key string) {
	t.Helper()
	state, err := chromedp.Run(ctx, chromedp.Poll[string](`document.body.dataset.`+key, chromedp.WithPollingInterval(50*time.Millisecond),
		chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil || state != "1" {
		t.Fatalf("%s: %q %v", key, state, err)
	}
}

func writeJPEG(t *testing.T, path string) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	for y := 0; y < 240; y++ {
		for x := 0; x < 320; x++ {
			img.Set(x, y, color.RGBA{uint8(60 + x/4), uint8(140 + y/4), 70, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
