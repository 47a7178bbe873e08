package privacy

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"

	"github.com/civicgrid/civicgrid/internal/store"
)

// Photos are evidence of orders and visits, and may show faces, doors and house numbers. Signed-in
// users open the photos of their towns; anyone else only through a link that a page allowed to
// show the photo signed (PhotoLinks): the tracking page of an order, for the holder of its code,
// and Open311 when the town publishes its photos (SettingOpen311Photos).

// SettingOpen311Photos is the town setting (table settings, `civicgrid settings set`) that
// publishes the photos of the town's orders through Open311: "true" publishes them; anything
// else, and no setting (the default), does not.
const SettingOpen311Photos = "open311_public_photos"

// Open311PhotosPublic reports whether town publishes its photos through Open311.
func Open311PhotosPublic(ctx context.Context, q store.Querier, town string) (bool, error) {
	var v string
	rows, err := q.Query(ctx, `SELECT value FROM settings WHERE town_code = ? AND key = ?`, town, SettingOpen311Photos)
	if err != nil {
		return false, fmt.Errorf("setting %s of town %s: %w", SettingOpen311Photos, town, err)
	}
	defer rows.Close()
	if rows.Next() {
		if err := rows.Scan(&v); err != nil {
			return false, err
		}
	}
	return v == "true", rows.Err()
}

// SettingPhotoKey is the installation's secret for photo links (settings, the empty town); the CLI's
// settings list leaves it out.
const SettingPhotoKey = "photo_link_key"

// PhotoLinks signs and checks the photo references given to readers who are not signed in: the
// photo's id, a dot and a MAC of the id (<sha256>.<mac>), usable wherever an id is
// (/uploads/<ref>, /uploads/<ref>/thumb).
type PhotoLinks struct{ key []byte }

var photoLinks sync.Map // *store.DB → *PhotoLinks

// PhotoLinksFor returns the signer of the installation behind db: its key is made once, kept in
// the settings table and shared by every server on the same database.
func PhotoLinksFor(ctx context.Context, db *store.DB) (*PhotoLinks, error) {
	if p, ok := photoLinks.Load(db); ok {
		return p.(*PhotoLinks), nil
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	// Two servers starting at once: the first key written wins and both read it back.
	if _, err := db.Exec(ctx, `INSERT INTO settings (town_code, key, value) VALUES ('', ?, ?) ON CONFLICT (town_code, key) DO NOTHING`,
		SettingPhotoKey, hex.EncodeToString(k)); err != nil {
		return nil, fmt.Errorf("photo link key: %w", err)
	}
	var v string
	if err := db.QueryRow(ctx, `SELECT value FROM settings WHERE town_code = '' AND key = ?`, SettingPhotoKey).Scan(&v); err != nil {
		return nil, fmt.Errorf("photo link key: %w", err)
	}
	key, err := hex.DecodeString(v)
	if err != nil || len(key) < 16 {
		return nil, fmt.Errorf("photo link key: the setting %s is not a hex key of 16 bytes or more", SettingPhotoKey)
	}
	p, _ := photoLinks.LoadOrStore(db, &PhotoLinks{key: key})
	return p.(*PhotoLinks), nil
}

func (p *PhotoLinks) mac(id string) string {
	h := hmac.New(sha256.New, p.key)
	h.Write([]byte("photo:" + id))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:16])
}

// Sign returns the public reference of photo id.
func (p *PhotoLinks) Sign(id string) string { return id + "." + p.mac(id) }

// SignAll signs every id of ids.
func (p *PhotoLinks) SignAll(ids []string) []string {
	if ids == nil {
		return nil
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = p.Sign(id)
	}
	return out
}

// Split separates a reference into the photo's id and its signature ("" when unsigned).
func Split(ref string) (id, sig string) {
	id, sig, _ = strings.Cut(ref, ".")
	return id, sig
}

// Valid reports whether sig is the signature of photo id.
func (p *PhotoLinks) Valid(id, sig string) bool {
	return sig != "" && hmac.Equal([]byte(sig), []byte(p.mac(id)))
}
