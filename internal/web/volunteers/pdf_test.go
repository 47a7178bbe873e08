package volunteers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/volunteers"
	"github.com/civicgrid/civicgrid/internal/web/webtest"
)

// The certificate as a PDF: one A4 page with the fonts embedded, the number, hours and the masked
// ID (read back with pdftotext when it is installed, as CI installs it); downloaded only by the
// volunteer, the staff user who issued it and administrators, each download one audit row.
func TestCertificatePDF(t *testing.T) {
	if os.Getenv("CI") == "" {
		if _, err := os.Stat("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"); err != nil && os.Getenv("CIVICGRID_PDF_FONT_CJK") == "" {
			t.Skip("no CJK TrueType font (apt-get install fonts-droid-fallback)")
		}
	}
	webtest.Each(t, world, func(t *testing.T, a *webtest.App) {
		ctx := context.Background()
		a.Var("genbao", `SELECT v.id FROM volunteers v JOIN users u ON u.id = v.user_id WHERE u.username = 'volunteer'`)
		a.Var("cert", `SELECT c.number FROM vol_certificates c JOIN volunteers v ON v.id = c.volunteer_id JOIN users u ON u.id = v.user_id WHERE u.username = 'volunteer'`)
		cert, err := volunteers.New(a.DB).Certificate(ctx, []string{"310105102"}, a.Vars["cert"])
		if err != nil {
			t.Fatal(err)
		}
		whole, err := volunteers.New(a.DB).IDNumber(ctx, []string{"310105102"}, mustID(t, a.Vars["genbao"]))
		if err != nil {
			t.Fatal(err)
		}

		status, pdf := a.Get("volunteer", "/volunteers/certificates/{cert}/pdf")
		if status != http.StatusOK {
			t.Fatalf("the volunteer's own PDF: %d %.200s", status, pdf)
		}
		checkPDF(t, []byte(pdf), cert, whole)
		if dir := os.Getenv("CIVICGRID_E2E_SHOTS"); dir != "" {
			_ = os.WriteFile(dir+"/certificate-"+a.DB.Dialect().String()+".pdf", []byte(pdf), 0o644)
		}
		if status, body := a.Get("admin", "/api/v1/volunteer-certificates/{cert}/pdf"); status != http.StatusOK || !strings.HasPrefix(body, "%PDF-") {
			t.Errorf("the administrator's download through the API: %d", status)
		}
		for _, user := range []string{"resident", "dispatcher", "gridworker"} {
			if status, _ := a.Get(user, "/volunteers/certificates/{cert}/pdf"); status != http.StatusNotFound {
				t.Errorf("%s downloaded another's certificate (or the demo's, which they did not issue): %d", user, status)
			}
		}
		if status, _ := a.Get("lujiazui_admin", "/volunteers/certificates/{cert}/pdf"); status != http.StatusNotFound {
			t.Errorf("another town's administrator: %d", status)
		}

		// The page offers the PDF only to who may download it.
		if _, body := a.Get("dispatcher", "/volunteers/certificates/{cert}"); strings.Contains(body, `id="vol-pdf"`) {
			t.Error("the certificate page offers the PDF to a dispatcher who did not issue it")
		}
		if _, body := a.Get("volunteer", "/volunteers/certificates/{cert}"); !strings.Contains(body, `id="vol-pdf"`) {
			t.Error("the certificate page does not offer its volunteer the PDF")
		}
		// The dispatcher issues one and may then download it.
		a.Run(t, []webtest.Scenario{{Name: "issue", User: "dispatcher", Method: "POST", URL: "/api/v1/volunteer-certificates",
			Body: `{"volunteer_id": {genbao}, "from": "2020-01-01", "to": "2030-01-01"}`, Status: http.StatusCreated}})
		var issued string
		if err := a.DB.QueryRow(ctx, `SELECT MAX(number) FROM vol_certificates`).Scan(&issued); err != nil {
			t.Fatal(err)
		}
		if status, _ := a.Get("dispatcher", "/volunteers/certificates/"+issued+"/pdf"); status != http.StatusOK {
			t.Errorf("the issuing dispatcher's download: %d", status)
		}

		var rows int
		if err := a.DB.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'view_personal_data' AND entity = 'vol_certificate'`).Scan(&rows); err != nil || rows != 3 {
			t.Errorf("%d audit rows for 3 downloads, %v", rows, err)
		}

		// Without a font: a page saying so in the reader's language, the API a 503 problem.
		t.Setenv("CIVICGRID_PDF_FONT_CJK", "/nonexistent/font.ttf")
		if status, body := a.Get("volunteer", "/volunteers/certificates/{cert}/pdf"); status != http.StatusServiceUnavailable || !strings.Contains(body, "fonts-droid-fallback") || !strings.Contains(body, "vol-pdf-unavailable") {
			t.Errorf("no font, page: %d", status)
		}
		status, body := a.Get("volunteer", "/api/v1/volunteer-certificates/{cert}/pdf")
		var e struct{ Error struct{ Status int } }
		if status != http.StatusServiceUnavailable || json.Unmarshal([]byte(body), &e) != nil || e.Error.Status != 503 {
			t.Errorf("no font, API: %d %s", status, body)
		}
	})
}

// checkPDF reads the PDF's structure, and its text when pdftotext is there.
func checkPDF(t *testing.T, pdf []byte, c volunteers.Certificate, wholeID string) {
	t.Helper()
	if !bytes.HasPrefix(pdf, []byte("%PDF-1.")) || !bytes.Contains(pdf, []byte("%%EOF")) {
		t.Fatalf("not a PDF: %.40q", pdf)
	}
	if n := len(regexp.MustCompile(`/Type /Page\b[^s]`).FindAll(pdf, -1)); n != 1 {
		t.Errorf("%d pages, want 1", n)
	}
	for _, want := range []string{"/FontFile2", "/ToUnicode", "/CIDFontType2"} {
		if !bytes.Contains(pdf, []byte(want)) {
			t.Errorf("no %s: the fonts are not embedded", want)
		}
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext (poppler-utils) is missing: CI installs it")
		}
		t.Log("pdftotext not installed: text not checked")
		return
	}
	cmd := exec.Command("pdftotext", "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(out)), "")
	for _, want := range []string{c.Number, c.Hours(), c.IDMasked, c.VolunteerNumber, c.Name, "志愿服务证明", strings.ReplaceAll(c.Content, " ", ""), "/volunteers/verify?n=" + c.Number} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, wholeID) {
		t.Error("the PDF shows the whole ID number")
	}
}
