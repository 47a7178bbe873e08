package orders

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/civicgrid/civicgrid/internal/media"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

func (s *handlers) apiUpload(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	r.Body = http.MaxBytesReader(w, r.Body, media.MaxBytes+1<<20)
	file, _, err := r.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &kit.HTTPError{Status: http.StatusRequestEntityTooLarge, Msg: "file: larger than 10 MiB", Field: "file"}
		}
		return kit.BadRequest("file", "file: send the photo as multipart form field \"file\"")
	}
	defer file.Close()
	town := r.FormValue("town")
	if town == "" && len(c.Towns) > 0 {
		town = c.Towns[0]
	}
	if !slices.Contains(c.Towns, town) {
		return problem.Field("town", "unknown town code %q", town)
	}
	u, err := s.StorePhoto(r, town, c.User.ID, file)
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusCreated, map[string]any{"id": u.ID, "url": "/uploads/" + u.ID, "thumbnail": "/uploads/" + u.ID + "/thumb",
		"width": u.Width, "height": u.Height})
	return nil
}

// servePhoto serves a stored photo: to a signed-in user whose towns hold it, and to anyone with a
// reference that a page allowed to show it signed (privacy.PhotoLinks: the tracking page, Open311
// when the town publishes photos). Knowing a photo's hash is not enough.
func (s *handlers) servePhoto(w http.ResponseWriter, r *http.Request) {
	id, sig := privacy.Split(r.PathValue("id"))
	path, err := s.Photos.Path(id, strings.HasSuffix(r.URL.Path, "/thumb"))
	if err != nil || !s.mayOpenPhoto(r, id, sig) {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "private, max-age=86400, immutable")
	w.Header().Set("Content-Type", "image/jpeg")
	http.ServeFile(w, r, path)
}

// mayOpenPhoto applies servePhoto's rule; any failure refuses.
func (s *handlers) mayOpenPhoto(r *http.Request, id, sig string) bool {
	if sig != "" {
		links, err := privacy.PhotoLinksFor(r.Context(), s.DB)
		return err == nil && links.Valid(id, sig)
	}
	c, err := s.Authenticate(r)
	if err != nil || c == nil || len(c.Towns) == 0 {
		return false
	}
	_, err = s.Orders.UploadByID(r.Context(), c.Towns, id)
	return err == nil
}
