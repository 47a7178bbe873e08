package intake

import (
	"context"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/civicgrid/civicgrid/internal/media"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// Limits of the phone report forms (patrol and resident).
const (
	MaxReportPhotos   = 6    // a patrol report
	MaxResidentPhotos = 3    // a resident's report
	maxPatrolContent  = 1000 // runes
	maxResidentText   = 500  // runes
	maxReportNameLen  = 20
	maxReportPhoneLen = 20
)

// readReportForm parses a multipart (or urlencoded) report form within the body limit of a form
// with up to photos photos. (limitBodies has usually parsed it already, under the same limit.)
func readReportForm(w http.ResponseWriter, r *http.Request, photos int) error {
	r.Body = http.MaxBytesReader(w, r.Body, kit.ReportBodyLimit(photos))
	err := r.ParseMultipartForm(kit.FormMemory)
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return &kit.HTTPError{Status: http.StatusRequestEntityTooLarge, Field: "photos",
			Msg: fmt.Sprintf(kit.Translator(kit.Language(w, r))("sec.photos too large"), kit.ReportBodyLimit(photos)>>20, media.MaxBytes>>20)}
	case err != nil && !errors.Is(err, http.ErrNotMultipart):
		return kit.BadRequest("", "表单无法读取: "+err.Error())
	}
	return nil
}

// formPhoto is a photo of a report form whose header passed the checks, not decoded yet.
type formPhoto struct {
	name    string
	checked media.Checked
}

// checkPhotos refuses the photos of the form field "photos" before decoding any: first their
// number, then each one's size, type and declared pixel dimensions (headers only). An error
// names the field, the photo and the limit.
func checkPhotos(w http.ResponseWriter, r *http.Request, max int) ([]formPhoto, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	T := kit.Translator(kit.Language(w, r))
	var files []*multipart.FileHeader
	for _, fh := range r.MultipartForm.File["photos"] {
		if fh.Size > 0 || fh.Filename != "" {
			files = append(files, fh)
		}
	}
	if len(files) > max {
		return nil, problem.Field("photos", T("sec.too many photos"), max, len(files))
	}
	out := make([]formPhoto, 0, len(files))
	for i, fh := range files {
		name := shortName(fh.Filename)
		c, err := checkPart(fh)
		if err != nil {
			return nil, photoError(T, i+1, name, err)
		}
		out = append(out, formPhoto{name: name, checked: c})
	}
	return out, nil
}

// decodePhotos decodes checked photos, waiting for the server's decode gate no longer than the
// request lasts.
func decodePhotos(w http.ResponseWriter, r *http.Request, ps []formPhoto) ([]media.Photo, error) {
	out := make([]media.Photo, 0, len(ps))
	for i, p := range ps {
		photo, err := p.checked.Process(r.Context())
		if errors.Is(err, media.ErrBusy) {
			w.Header().Set("Retry-After", "60")
		}
		if err != nil {
			return nil, photoError(kit.Translator(kit.Language(w, r)), i+1, p.name, err)
		}
		out = append(out, photo)
	}
	return out, nil
}

// processPhotos is checkPhotos, then decodePhotos.
func processPhotos(w http.ResponseWriter, r *http.Request, max int) ([]media.Photo, error) {
	ps, err := checkPhotos(w, r, max)
	if err != nil {
		return nil, err
	}
	return decodePhotos(w, r, ps)
}

// photoError turns a refusal by media into an answer naming the field, the photo and the limit.
func photoError(T func(string) string, i int, name string, err error) error {
	var pe *media.PixelError
	switch {
	case errors.As(err, &pe):
		return &kit.HTTPError{Status: http.StatusRequestEntityTooLarge, Field: "photos", Msg: "photos: " +
			fmt.Sprintf(T("sec.photo pixels"), i, name, pe.Width, pe.Height, media.MaxSide, media.MaxPixels/10_000, media.MaxPixels/1_000_000)}
	case errors.Is(err, media.ErrTooLarge):
		return &kit.HTTPError{Status: http.StatusRequestEntityTooLarge, Field: "photos",
			Msg: "photos: " + fmt.Sprintf(T("sec.photo bytes"), i, name, media.MaxBytes>>20)}
	case errors.Is(err, media.ErrNotImage):
		return problem.Field("photos", T("sec.photo not image"), i, name)
	case errors.Is(err, media.ErrBusy):
		return &kit.HTTPError{Status: http.StatusServiceUnavailable, Field: "photos", Msg: T("sec.photo busy")}
	}
	return err
}

// shortName is a file name as the answer quotes it: the client chose it, so it is cut short.
func shortName(name string) string {
	if r := []rune(name); len(r) > 40 {
		return string(r[:39]) + "…"
	}
	return name
}

func checkPart(fh *multipart.FileHeader) (media.Checked, error) {
	f, err := fh.Open()
	if err != nil {
		return media.Checked{}, err
	}
	defer f.Close()
	return media.Check(f)
}

// savePhotos stores processed photos and records them as uploads of the town.
func (s *handlers) savePhotos(ctx context.Context, town string, userID int64, ps []media.Photo) ([]string, error) {
	ids := make([]string, 0, len(ps))
	seen := map[string]bool{}
	for _, p := range ps {
		if seen[p.ID] {
			continue
		}
		seen[p.ID] = true
		if _, err := s.KeepPhoto(ctx, town, userID, p); err != nil {
			return nil, err
		}
		ids = append(ids, p.ID)
	}
	return ids, nil
}

// reportLocation reads lat/lng from the form, falling back to the first photo's EXIF GPS.
func reportLocation(r *http.Request, ps []media.Photo) (lat, lng *float64, err error) {
	if lat, err = kit.FloatField(r, "lat"); err != nil {
		return nil, nil, err
	}
	if lng, err = kit.FloatField(r, "lng"); err != nil {
		return nil, nil, err
	}
	if lat != nil && lng != nil {
		return lat, lng, nil
	}
	if (lat == nil) != (lng == nil) {
		return nil, nil, problem.Field("lat", "位置不完整：需要同时提供纬度和经度")
	}
	for _, p := range ps {
		if p.Lat != nil && p.Lng != nil {
			return p.Lat, p.Lng, nil
		}
	}
	return nil, nil, nil
}

// formText trims a form value and checks its length in characters.
func formText(r *http.Request, name string, max int, label string) (string, error) {
	v := strings.TrimSpace(r.FormValue(name))
	if n := utf8.RuneCountInString(v); n > max {
		return "", problem.Field(name, "%s 最多 %d 字，现在 %d 字", label, max, n)
	}
	return v, nil
}

// leafCategories returns the categories of a town that have no children, the ones a report picks.
func (s *handlers) leafCategories(ctx context.Context, town string) ([]orders.Category, error) {
	cs, err := s.Orders.Categories(ctx, town)
	if err != nil {
		return nil, err
	}
	parents := map[string]bool{}
	for _, c := range cs {
		parents[c.Parent] = true
	}
	var out []orders.Category
	for _, c := range cs {
		if !parents[c.Code] {
			out = append(out, c)
		}
	}
	return out, nil
}

// townAt finds the tenant town, and its grid, whose grids contain the point, trying the town
// prefer first; the zero Region when no town's grids contain it.
func (s *handlers) townAt(ctx context.Context, prefer string, lat, lng float64) (places.Region, string, error) {
	towns, err := places.TenantTowns(ctx, s.DB, nil)
	if err != nil {
		return places.Region{}, "", err
	}
	t, g, _, err := places.TownAt(ctx, s.Locators.Get, towns, prefer, lng, lat)
	return t, g.Code, err
}

// checkPointTown refuses, on the field lat, a point that lies inside another town's grids than
// town: an order stored there would sit in the wrong town and grid, out of sight of the town
// that must handle it. A point inside no town's grids passes (the illustrative polygons leave
// gaps; the dispatcher places such orders). Every path that creates an order with coordinates
// in a town chosen otherwise (the API, the new-order page, Open311) should call it.
func (s *handlers) checkPointTown(ctx context.Context, lang, town string, lat, lng *float64) error {
	if lat == nil || lng == nil {
		return nil
	}
	at, _, err := s.townAt(ctx, town, *lat, *lng)
	if err != nil {
		return err
	}
	if at.Code != "" && at.Code != town {
		return problem.Field("lat", kit.Translator(lang)("sec.other town"), at.Name)
	}
	return nil
}
