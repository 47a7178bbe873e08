package volunteers

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/sheet"
	"github.com/civicgrid/civicgrid/internal/volunteers"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

type certData struct {
	C         volunteers.Certificate
	MayPDF    bool // the volunteer, the issuing staff user or an administrator
	VerifyURL string
	QR        string
	IDType    string
	Issued    string
}

// certificatePage is the printable certificate: its volunteer's own, or any of the town for
// volunteer staff.
func (s *handlers) certificatePage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	number := r.PathValue("number")
	cert, err := s.svc().Certificate(r.Context(), c.Towns, number)
	if err != nil {
		return err
	}
	own := false
	if v, err := s.me(r, c); err == nil && v.ID == cert.VolunteerID {
		own = true
	}
	if !own && !volunteers.MayManage(c.User) {
		return problem.NotFound("certificate %s", number)
	}
	lang := kit.Language(w, r)
	path := verifyPath(cert.Number, cert.Code)
	d := certData{C: cert, MayPDF: own || cert.IssuedBy == c.User.ID || c.User.Role == auth.RoleAdmin, VerifyURL: absolute(r, path), QR: "/volunteers/verify/qr.svg?" + path[len("/volunteers/verify?"):],
		IDType: volunteers.LabelOf(volunteers.IDTypes, cert.IDType, lang), Issued: cert.IssuedAt.In(workcal.Location()).Format("2006年1月2日")}
	if lang == "en" {
		d.Issued = cert.IssuedAt.In(workcal.Location()).Format("2 January 2006")
	}
	return s.Render(w, r, http.StatusOK, "vol_certificate", kit.PageData{Title: "vol.certificate", Data: d})
}

// certificatePDF downloads a certificate as a PDF (page and API): for the volunteer it certifies,
// the staff user who issued it and the town's administrators, with one audit row per download.
// A server without the fonts answers 503 with a page (or JSON) saying which font to install.
func (s *handlers) certificatePDF(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	if _, _, err := loadFont("CIVICGRID_PDF_FONT_CJK", cjkFontPaths); err != nil {
		return s.noPDFFont(w, r, err)
	}
	if _, _, err := loadFont("CIVICGRID_PDF_FONT_LATIN", latinFontPaths); err != nil {
		return s.noPDFFont(w, r, err)
	}
	var own int64
	if v, err := s.me(r, c); err == nil {
		own = v.ID
	}
	cert, err := s.svc().CertificateForDownload(r.Context(), c.Towns, r.PathValue("number"), c.User, own, kit.AuditActor(r, c))
	if err != nil {
		return err
	}
	lang := kit.Language(w, r)
	T := kit.Translator(lang)
	idType := volunteers.LabelOf(volunteers.IDTypes, cert.IDType, lang)
	issued := cert.IssuedAt.In(workcal.Location()).Format("2006年1月2日")
	body := fmt.Sprintf("%s %s（%s %s，%s %s）%s %s %s %s %s %s %s%s", T("vol.cert body 1"), cert.Name, idType, cert.IDMasked, T("vol.number"), cert.VolunteerNumber,
		T("vol.cert body 2"), cert.From, T("vol.cert to"), cert.To, T("vol.cert body 3"), cert.Hours(), T("vol.hours unit"), T("vol.cert body 4"))
	if lang == "en" {
		issued = cert.IssuedAt.In(workcal.Location()).Format("2 January 2006")
		body = fmt.Sprintf("%s %s (%s %s, %s %s) %s %s %s %s %s %s %s%s", T("vol.cert body 1"), cert.Name, idType, cert.IDMasked, T("vol.number"), cert.VolunteerNumber,
			T("vol.cert body 2"), cert.From, T("vol.cert to"), cert.To, T("vol.cert body 3"), cert.Hours(), T("vol.hours unit"), T("vol.cert body 4"))
	}
	d := certPDF{Title: T("vol.cert heading"), NumberLabel: T("vol.certificate number"), Number: cert.Number, Body: body,
		Rows: [][2]string{{T("vol.name"), cert.Name}, {idType, cert.IDMasked}, {T("vol.number"), cert.VolunteerNumber},
			{T("vol.hours"), cert.Hours()}, {T("vol.content"), cert.Content}, {T("vol.issuer"), cert.Issuer},
			{T("vol.person in charge"), cert.PersonInCharge}, {T("vol.contact"), cert.Contact}},
		VerifyLabel: T("vol.verify at"), VerifyURL: absolute(r, verifyPath(cert.Number, cert.Code)),
		Issuer: cert.Issuer, Seal: T("vol.seal"), Issued: issued}
	var buf bytes.Buffer
	if err := writeCertificatePDF(&buf, d); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="certificate-%s.pdf"`, cert.Number))
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}

// noPDFFont tells the reader the server cannot set the PDF: an API caller gets a 503 problem, a
// page reader a page in their language naming the font package.
func (s *handlers) noPDFFont(w http.ResponseWriter, r *http.Request, cause error) error {
	s.Log.Error("certificate PDF", "err", cause)
	if strings.HasPrefix(r.URL.Path, "/api/") {
		return problem.New(problem.ErrUnavailable, "", "the server has no font to set a certificate PDF: install fonts-droid-fallback and fonts-dejavu-core, or set CIVICGRID_PDF_FONT_CJK and CIVICGRID_PDF_FONT_LATIN")
	}
	return s.Render(w, r, http.StatusServiceUnavailable, "vol_pdf_unavailable", kit.PageData{Title: "vol.pdf unavailable",
		Data: map[string]any{"Number": r.PathValue("number")}})
}

func absolute(r *http.Request, path string) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}

// verifyPage is the public verification of a certificate (under the shell's public rate limit):
// genuine, with the certificate's masked fields, or refused.
func (s *handlers) verifyPage(w http.ResponseWriter, r *http.Request, _ *kit.Caller) error {
	q := r.URL.Query()
	p, err := s.svc().Verify(r.Context(), q.Get("n"), q.Get("c"))
	status := http.StatusOK
	d := map[string]any{"Number": q.Get("n")}
	if err != nil {
		if !volunteers.Forged(err) {
			return err
		}
		status = http.StatusNotFound
		d["Forged"] = true
	} else {
		d["P"] = p
		d["IDType"] = volunteers.LabelOf(volunteers.IDTypes, p.IDType, kit.Language(w, r))
	}
	return s.Render(w, r, status, "vol_verify", kit.PageData{Title: "vol.verify", Data: d})
}

// verifyQR draws the verification link of a genuine certificate as a QR code.
func (s *handlers) verifyQR(w http.ResponseWriter, r *http.Request, _ *kit.Caller) error {
	q := r.URL.Query()
	if _, err := s.svc().Verify(r.Context(), q.Get("n"), q.Get("c")); err != nil {
		return err
	}
	return writeQR(w, absolute(r, verifyPath(q.Get("n"), q.Get("c"))))
}

type statsData struct {
	S      volunteers.Stats
	Years  []int
	Town   string
	Hours  string
	Chart  map[string]any
	Format string
}

func (s *handlers) statsPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	year, err := statsYear(r)
	if err != nil {
		return err
	}
	st, err := s.svc().YearStats(r.Context(), c.Towns, townOf(r, c), year)
	if err != nil {
		return err
	}
	T := kit.Translator(kit.Language(w, r))
	now := time.Now().In(workcal.Location()).Year()
	d := statsData{S: st, Town: st.Town, Hours: volunteers.FormatHours(st.Minutes), Years: []int{now, now - 1, now - 2}}
	var names []string
	var hours []float64
	var people []int
	for _, p := range st.Projects {
		names = append(names, p.Project)
		hours = append(hours, hoursOf(p.Minutes))
		people = append(people, p.Volunteers)
	}
	var months []float64
	for _, m := range st.Months {
		months = append(months, hoursOf(m))
	}
	d.Chart = map[string]any{"projects": names, "hours": hours, "people": people, "months": months,
		"l_hours": T("vol.hours"), "l_people": T("vol.volunteers"), "l_month": T("vol.by month")}
	return s.Render(w, r, http.StatusOK, "vol_stats", kit.PageData{Title: "vol.stats", Data: d})
}

// statsExport downloads the year's workbook (service records with whole ID numbers for the
// national system, projects, volunteers); only roles that see volunteers' data whole may.
func (s *handlers) statsExport(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	year, err := statsYear(r)
	if err != nil {
		return err
	}
	town := townOf(r, c)
	if _, err := s.svc().YearStats(r.Context(), c.Towns, town, year); err != nil {
		return err
	}
	if !mayExportWhole(r, c, town) {
		return problem.Forbidden("the export holds whole ID numbers: only administrators and dispatchers may download it")
	}
	w.Header().Set("Content-Type", sheet.XLSX.ContentType())
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="volunteers-%s-%d.xlsx"`, town, year))
	_, err = s.svc().ExportYear(r.Context(), c.Towns, town, year, w, kit.AuditActor(r, c))
	return err
}
