package kit

import (
	"crypto/rand"
	"encoding/base64"
)

func RandomString() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
