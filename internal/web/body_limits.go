package web

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"

	webdispatch "github.com/civicgrid/civicgrid/internal/web/dispatch"
	webintake "github.com/civicgrid/civicgrid/internal/web/intake"
	webparty "github.com/civicgrid/civicgrid/internal/web/party"
	webprojects "github.com/civicgrid/civicgrid/internal/web/projects"

	"github.com/civicgrid/civicgrid/internal/media"
	"github.com/civicgrid/civicgrid/internal/results"
	"github.com/civicgrid/civicgrid/internal/services"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// bodyRule bounds the request body of one route.
type bodyRule struct {
	max int64
	// form: parse the multipart form here, before the route's wrapper: its CSRF check reads the
	// form, and would otherwise parse it with net/http's default of 32 MB held in memory. Files
	// beyond formMemory go to temporary files, which are removed when the request ends.
	form bool
	// field is the form's photo field that a 413 names: "photos" (several) or "file"/"photo" (one).
	field string
	// report: an over-limit body is a refused anonymous report and counts against the flood limit.
	report bool
}

// defaultBodyLimit bounds the body of every route not listed in bodyLimits: above what any JSON
// API accepts (decodeJSON: 4 MB, the hotline push: 8 MB).
const defaultBodyLimit = 16 << 20

// bodyLimits are the routes that take more than defaultBodyLimit, or whose forms carry photos.
// A route that accepts uploads must be listed here; its own limits inside the handler come
// after the CSRF check has read the body, too late to bound it.
var bodyLimits = map[string]bodyRule{
	"POST /report":          {max: kit.ReportBodyLimit(webintake.MaxResidentPhotos), form: true, field: "photos", report: true},
	"POST /patrol":          {max: kit.ReportBodyLimit(webintake.MaxReportPhotos), form: true, field: "photos"},
	"POST /orders/{id}/act": {max: 6*media.MaxBytes + kit.FormSlack, form: true, field: "photos"},
	"POST /orders":          {max: 6*media.MaxBytes + kit.FormSlack},
	"POST /api/v1/uploads":  {max: media.MaxBytes + kit.FormSlack, form: true, field: "file"},
	"POST /campaigns/{id}/targets/{tid}/visits": {max: media.MaxBytes + kit.FormSlack, form: true, field: "photo"},
	"POST /intake/hotline":                      {max: webintake.MaxUpload + kit.FormSlack},
	"POST /results/{id}/progress":               {max: results.MaxPhotos*media.MaxBytes + kit.FormSlack, form: true, field: "photos"},
	"POST /results/bulk":                        {max: results.MaxBulkBytes + kit.FormSlack, form: true, field: "file"},
	"POST /api/v1/results/import":               {max: results.MaxBulkBytes + kit.FormSlack, form: true, field: "file"},
	"POST /admin/categories":                    {max: webdispatch.MaxTreeUpload + kit.FormSlack},
	"POST /services/admin/import":               {max: services.MaxSheetBytes + kit.FormSlack, form: true, field: "file"},
	"POST /api/v1/services/import":              {max: services.MaxSheetBytes + kit.FormSlack, form: true, field: "file"},
	"POST /admin/addresses":                     {max: webdispatch.MaxBookUpload + kit.FormSlack},
	"POST /portal/projects/propose":             {max: kit.ReportBodyLimit(webprojects.MaxPhotos), form: true, field: "photos", report: true},
	"POST /projects/proposals/{id}/appraisal":   {max: media.MaxBytes + kit.FormSlack, form: true, field: "file"},
	"POST /party/roster":                        {max: webparty.MaxRosterUpload + kit.FormSlack, form: true, field: "file"},
}

// limitBodies bounds every request body before anything reads it, by the route's rule.
func (s *Server) limitBodies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rule := bodyRule{max: defaultBodyLimit}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if _, pattern := s.mux.Handler(r); pattern != "" {
				if rl, ok := bodyLimits[pattern]; ok {
					rule = rl
				}
			}
		}
		if r.ContentLength > rule.max {
			s.bodyTooLarge(w, r, rule)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, rule.max)
		if rule.form && isMultipart(r) {
			err := r.ParseMultipartForm(kit.FormMemory)
			if r.MultipartForm != nil {
				// net/http removes the files of the request it made, but r may be a copy (a proxied
				// client address); remove them here so no temporary file outlives the request.
				defer func() { _ = r.MultipartForm.RemoveAll() }()
			}
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				s.bodyTooLarge(w, r, rule)
				return
			}
			// Any other error is left to the route, which parses again and names what is wrong.
		}
		next.ServeHTTP(w, r)
	})
}

func isMultipart(r *http.Request) bool {
	ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && ct == "multipart/form-data"
}

// bodyTooLarge answers 413 naming the limit, as JSON on the API and as a page elsewhere.
func (s *Server) bodyTooLarge(w http.ResponseWriter, r *http.Request, rule bodyRule) {
	if rule.report {
		// Failed attempts are not free: an oversized report counts against the flood limit.
		if err := webintake.RecordReportAttempt(s.Kit, w, r); err != nil {
			s.Log.Error("record report attempt", "err", err)
		}
	}
	lang := kit.Language(w, r)
	if strings.HasPrefix(r.URL.Path, "/api/") {
		lang = "en" // the API answers in English, like its other errors
	}
	T, mb := kit.Translator(lang), (rule.max+(1<<20)-1)>>20
	err := &kit.HTTPError{Status: http.StatusRequestEntityTooLarge, Field: rule.field, Msg: fmt.Sprintf(T("sec.body too large"), mb)}
	switch rule.field {
	case "photos":
		err.Msg = fmt.Sprintf(T("sec.photos too large"), mb, media.MaxBytes>>20)
	case "file", "photo":
		err.Msg = rule.field + ": " + fmt.Sprintf(T("sec.file too large"), media.MaxBytes>>20, mb)
	}
	if strings.HasPrefix(r.URL.Path, "/api/") || kit.WantsJSON(r) {
		s.WriteAPIError(w, r, err)
		return
	}
	s.PageError(w, r, err)
}
