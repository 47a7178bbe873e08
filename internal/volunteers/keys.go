package volunteers

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/civicgrid/civicgrid/internal/store"
)

// SettingKey is the installation setting holding the volunteer key (32 bytes, hex) when the
// environment does not give one.
const SettingKey = "volunteers_key"

// EnvKey names the environment variable that may hold the key (64 hex characters), so that a
// deployment keeps it out of the database: a copy of the database then holds ID numbers only
// sealed under a key it does not contain.
const EnvKey = "CIVICGRID_VOLUNTEERS_KEY"

// keys are the secrets derived from the installation's volunteer key: one seals ID numbers, one
// hashes them for the once-per-town check, one signs check-in codes and one certificate numbers.
type keys struct {
	aead                cipher.AEAD
	hash, checkin, cert []byte
}

var keyCache sync.Map // *store.DB → *keys

func derive(master []byte, purpose string) []byte {
	h := hmac.New(sha256.New, master)
	h.Write([]byte("civicgrid volunteers " + purpose))
	return h.Sum(nil)
}

// keysFor returns the keys of the installation behind db: from the environment, or made once and
// kept in the settings table, shared by every server on the database.
func keysFor(ctx context.Context, db *store.DB) (*keys, error) {
	if k, ok := keyCache.Load(db); ok {
		return k.(*keys), nil
	}
	v := os.Getenv(EnvKey)
	if v == "" {
		k := make([]byte, 32)
		if _, err := rand.Read(k); err != nil {
			return nil, err
		}
		if _, err := db.Exec(ctx, `INSERT INTO settings (town_code, key, value) VALUES ('', ?, ?) ON CONFLICT (town_code, key) DO NOTHING`,
			SettingKey, hex.EncodeToString(k)); err != nil {
			return nil, fmt.Errorf("volunteer key: %w", err)
		}
		if err := db.QueryRow(ctx, `SELECT value FROM settings WHERE town_code = '' AND key = ?`, SettingKey).Scan(&v); err != nil {
			return nil, fmt.Errorf("volunteer key: %w", err)
		}
	}
	master, err := hex.DecodeString(v)
	if err != nil || len(master) < 16 {
		return nil, errors.New("volunteer key: want 32 bytes as hex (" + EnvKey + " or the setting " + SettingKey + ")")
	}
	block, err := aes.NewCipher(derive(master, "seal"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	k := &keys{aead: aead, hash: derive(master, "hash"), checkin: derive(master, "checkin"), cert: derive(master, "certificate")}
	got, _ := keyCache.LoadOrStore(db, k)
	return got.(*keys), nil
}

// seal encrypts an ID number.
func (k *keys) seal(plain string) (string, error) {
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.RawStdEncoding.EncodeToString(k.aead.Seal(nonce, nonce, []byte(plain), nil)), nil
}

// open decrypts what seal made.
func (k *keys) open(sealed string) (string, error) {
	b, err := base64.RawStdEncoding.DecodeString(sealed)
	if err != nil || len(b) < k.aead.NonceSize() {
		return "", errors.New("sealed ID number: malformed")
	}
	n := k.aead.NonceSize()
	plain, err := k.aead.Open(nil, b[:n], b[n:], nil)
	if err != nil {
		return "", errors.New("sealed ID number: wrong key or altered")
	}
	return string(plain), nil
}

func mac(key []byte, msg string, n int) string {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))[:n]
}

// idHash is the keyed hash of an ID number (type and number), for the once-per-town check.
func (k *keys) idHash(idType, number string) string { return mac(k.hash, idType+":"+number, 43) }
