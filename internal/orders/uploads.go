package orders

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
)

// Upload is the record of a stored file (a photo as evidence); the bytes live under the data
// directory, named by ID, the SHA-256 of the content.
type Upload struct {
	ID        string    `json:"id"`
	TownCode  string    `json:"town"`
	MIME      string    `json:"mime"`
	Size      int64     `json:"size"`
	Width     int       `json:"width"`
	Height    int       `json:"height"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy int64     `json:"created_by"`
}

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// SaveUpload records an upload for a town. The same content uploaded again in the same town is
// the same record, so saving it twice is not an error.
func (s *Store) SaveUpload(ctx context.Context, u Upload) error {
	switch {
	case !sha256Hex.MatchString(u.ID):
		return problem.Field("id", "must be the lowercase hex SHA-256 of the content")
	case u.TownCode == "":
		return problem.Field("town", "is required")
	case u.MIME == "":
		return problem.Field("mime", "is required")
	case u.Size <= 0:
		return problem.Field("size", "must be positive")
	}
	if u.CreatedAt.IsZero() {
		u.CreatedAt = s.now()
	}
	_, err := s.DB.Exec(ctx, `INSERT INTO uploads (id, town_code, mime, size, width, height, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (town_code, id) DO NOTHING`,
		u.ID, u.TownCode, u.MIME, u.Size, u.Width, u.Height, u.CreatedAt.UnixMilli(), store.NullIfZero(u.CreatedBy))
	if err != nil {
		return fmt.Errorf("upload %s: %w", u.ID, err)
	}
	return nil
}

// UploadByID returns an upload of the given towns.
func (s *Store) UploadByID(ctx context.Context, towns []string, id string) (Upload, error) {
	where, args := store.In("town_code", towns)
	var u Upload
	var created int64
	var by sql.NullInt64
	err := s.DB.QueryRow(ctx, `SELECT id, town_code, mime, size, width, height, created_at, created_by FROM uploads WHERE id = ? AND `+where,
		append([]any{id}, args...)...).Scan(&u.ID, &u.TownCode, &u.MIME, &u.Size, &u.Width, &u.Height, &created, &by)
	if errors.Is(err, sql.ErrNoRows) {
		return u, problem.NotFound("upload %s", id)
	}
	u.CreatedAt, u.CreatedBy = time.UnixMilli(created), by.Int64
	return u, err
}
