package kit

import (
	"context"
	"errors"
	"net/http"

	"github.com/civicgrid/civicgrid/internal/media"
	"github.com/civicgrid/civicgrid/internal/orders"
)

// StorePhoto cleans and stores one uploaded photo and records it for the town.
func (k *Kit) StorePhoto(r *http.Request, town string, userID int64, file interface{ Read([]byte) (int, error) }) (orders.Upload, error) {
	p, err := media.ProcessContext(r.Context(), file)
	switch {
	case errors.Is(err, media.ErrTooLarge):
		return orders.Upload{}, &HTTPError{Status: http.StatusRequestEntityTooLarge, Msg: "file: " + err.Error(), Field: "file", Err: err}
	case errors.Is(err, media.ErrNotImage):
		return orders.Upload{}, &HTTPError{Status: http.StatusUnsupportedMediaType, Msg: "file: " + err.Error(), Field: "file", Err: err}
	case err != nil:
		return orders.Upload{}, err
	}
	return k.KeepPhoto(r.Context(), town, userID, p)
}

// KeepPhoto writes a processed photo to the content-addressed store and records it as an
// upload of the town, so orders of that town may name it as evidence.
func (k *Kit) KeepPhoto(ctx context.Context, town string, userID int64, p media.Photo) (orders.Upload, error) {
	if err := k.Photos.Save(p); err != nil {
		return orders.Upload{}, err
	}
	u := orders.Upload{ID: p.ID, TownCode: town, MIME: "image/jpeg", Size: int64(len(p.Full)), Width: p.Width, Height: p.Height, CreatedBy: userID}
	if err := k.Orders.SaveUpload(ctx, u); err != nil {
		return u, err
	}
	return u, nil
}
