package web

import (
	"net/http"

	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// ClientIPForTest exposes the proxy-aware client address to the external tests.
func ClientIPForTest(r *http.Request, trustProxy bool) string {
	if trustProxy {
		r = kit.WithForwardedFor(r)
	}
	return kit.ClientIP(r)
}

// PublicBurst is the public routes' anonymous burst per client address.
var PublicBurst = int(publicPerClient.Burst)
