package web

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
	"github.com/civicgrid/civicgrid/internal/problem"
)

// Limits of the phone report forms (patrol and resident).
const (
	maxReportPhotos   = 6
	maxReportBody     = maxReportPhotos*media.MaxBytes + 1<<20
	maxPatrolContent  = 1000 // runes
	maxResidentText   = 500  // runes
	maxReportNameLen  = 20
	maxReportPhoneLen = 20
)

// readReportForm parses a multipart (or urlencoded) report form within the body limit.
func readReportForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxReportBody)
	err := r.ParseMultipartForm(8 << 20)
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return &httpError{status: http.StatusRequestEntityTooLarge, field: "photos",
			msg: fmt.Sprintf("photos: 照片总大小超出上限（每张最多 %d MB，最多 %d 张）", media.MaxBytes>>20, maxReportPhotos)}
	case err != nil && !errors.Is(err, http.ErrNotMultipart):
		return badRequest("", "表单无法读取: "+err.Error())
	}
	return nil
}

// processPhotos sniffs, checks and re-encodes the files of the form field "photos"; an error
// names the field and the photo.
func processPhotos(r *http.Request) ([]media.Photo, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	var files []*multipart.FileHeader
	for _, fh := range r.MultipartForm.File["photos"] {
		if fh.Size > 0 || fh.Filename != "" {
			files = append(files, fh)
		}
	}
	if len(files) > maxReportPhotos {
		return nil, problem.Field("photos", "最多 %d 张照片，收到 %d 张", maxReportPhotos, len(files))
	}
	out := make([]media.Photo, 0, len(files))
	for i, fh := range files {
		p, err := processPart(fh)
		switch {
		case errors.Is(err, media.ErrTooLarge):
			return nil, &httpError{status: http.StatusRequestEntityTooLarge, field: "photos",
				msg: fmt.Sprintf("photos: 第 %d 张照片（%s）超过 %d MB", i+1, fh.Filename, media.MaxBytes>>20)}
		case errors.Is(err, media.ErrNotImage):
			return nil, problem.Field("photos", "第 %d 张（%s）不是照片：请上传 JPEG、PNG 或 WebP 图片", i+1, fh.Filename)
		case err != nil:
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func processPart(fh *multipart.FileHeader) (media.Photo, error) {
	f, err := fh.Open()
	if err != nil {
		return media.Photo{}, err
	}
	defer f.Close()
	return media.Process(f)
}

// savePhotos stores processed photos and records them as uploads of the town.
func (s *Server) savePhotos(ctx context.Context, town string, userID int64, ps []media.Photo) ([]string, error) {
	ids := make([]string, 0, len(ps))
	seen := map[string]bool{}
	for _, p := range ps {
		if seen[p.ID] {
			continue
		}
		seen[p.ID] = true
		if _, err := s.keepPhoto(ctx, town, userID, p); err != nil {
			return nil, err
		}
		ids = append(ids, p.ID)
	}
	return ids, nil
}

// reportLocation reads lat/lng from the form, falling back to the first photo's EXIF GPS.
func reportLocation(r *http.Request, ps []media.Photo) (lat, lng *float64, err error) {
	if lat, err = floatField(r, "lat"); err != nil {
		return nil, nil, err
	}
	if lng, err = floatField(r, "lng"); err != nil {
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

// wantsJSON tells the script's fetch (Accept: application/json) from a plain form post.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// leafCategories returns the categories of a town that have no children, the ones a report picks.
func (s *Server) leafCategories(ctx context.Context, town string) ([]orders.Category, error) {
	cs, err := s.orders.Categories(ctx, town)
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
