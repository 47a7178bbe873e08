package intake

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/intake/open311backend"
	"github.com/civicgrid/civicgrid/internal/open311"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// open311Routes mounts the GeoReport v2 API at /open311/v2. It guards itself: reads are public
// like the specification's, and POST requests checks api_key (a CivicGrid API token) in the
// backend, so it does not go through s.api's permission wrapper.
func (s *handlers) open311Routes(m *kit.Mount) {
	opts := open311.Options{
		DefaultJurisdiction: s.open311DefaultTown(),
		Logger:              s.Log,
		Discovery: open311.Discovery{
			Changeset:  s.started,
			KeyService: "An api_key is a CivicGrid API token of a user of the town who may report (civicgrid token create --username NAME); ask the town's administrator. / api_key 为本镇可上报用户的 CivicGrid API 令牌，请向镇管理员申请。",
		},
	}
	backend := open311backend.New(s.DB, s.Orders)
	h := open311.Handler(backend, opts)
	// Discovery must name the endpoint's absolute URL, which only the request knows; the rest
	// is served by the one handler built above.
	mounted := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/discovery.") {
			h.ServeHTTP(w, r)
			return
		}
		o := opts
		o.Discovery.Endpoints = []open311.Endpoint{{Specification: "http://wiki.open311.org/GeoReport_v2",
			URL: s.open311BaseURL(r) + "/open311/v2", Changeset: s.started, Type: "production"}}
		open311.Handler(backend, o).ServeHTTP(w, r)
	})
	m.Handle("/open311/v2/", "public reads; api_key for POST", s.Kit.LimitedAnonymous(http.StripPrefix("/open311/v2", mounted)))
}

// open311DefaultTown is the default jurisdiction: the tenant town when there is exactly one, so that
// single-town clients may leave jurisdiction_id out; with several, guessing would file reports
// in the wrong town. It is read once at start-up: a town added later takes a restart.
func (s *handlers) open311DefaultTown() string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	towns, err := places.TenantTowns(ctx, s.DB, nil)
	if err != nil {
		// Without a default every call must name its town, which is safe, only less convenient.
		s.Log.Warn("open311: cannot list tenant towns; jurisdiction_id will be required", "err", err)
		return ""
	}
	if len(towns) == 1 {
		return towns[0].Code
	}
	return ""
}

// open311BaseURL is the scheme and host the client used; Secure cookies mean the server sits behind
// HTTPS even when the connection it sees is plain.
func (s *handlers) open311BaseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || s.SecureCookies {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
