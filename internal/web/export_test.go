package web

import "net/http"

// ClientIPForTest exposes the proxy-aware client address to the external tests.
func ClientIPForTest(r *http.Request, trustProxy bool) string {
	if trustProxy {
		r = withForwardedFor(r)
	}
	return clientIP(r)
}

// PublicBurst is the public routes' anonymous burst per client address.
var PublicBurst = int(publicPerClient.burst)
