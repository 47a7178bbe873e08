package web

import (
	"crypto/rand"
	"encoding/base64"
)

func randomString() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
