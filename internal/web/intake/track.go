package intake

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	weborders "github.com/civicgrid/civicgrid/internal/web/orders"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/web/kit"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/problem"
)

// A tracking code is 6 characters of 31 (887 million values) and order numbers are guessable, so
// only the number of guesses protects an order. Wrong guesses are counted per client address and
// per order number, each in a leaky bucket: a burst, then one more guess every per/burst. Right
// guesses cost nothing. While either bucket is full every lookup of that number or from that
// address is answered 429 unchecked, right code or not: answering a right code during a lock-out
// would let the guessing go on.
var (
	// 30 wrong guesses from one address (a /64 for IPv6), then one every 20 s: 4,320 a day. A
	// resident mistypes a code a few times; a carrier NAT shares an address between many.
	trackPerClient = kit.GuessRule{Burst: 30, Per: 10 * time.Minute}
	// 10 wrong guesses on one number, then one every 6 minutes: 240 a day from all addresses
	// together, so finding one order's code takes about five thousand years on average.
	trackPerNumber = kit.GuessRule{Burst: 10, Per: time.Hour}
)

// trackLimiterEntries bounds the limiter's memory (about 150 bytes an entry).
const trackLimiterEntries = 50_000

func (s *handlers) trackPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	q := r.URL.Query()
	number, code := strings.TrimSpace(q.Get("number")), strings.TrimSpace(q.Get("code"))
	data := map[string]any{"Number": number, "Code": code}
	status := http.StatusOK
	errMsg := ""
	if number != "" {
		o, err := s.lookUpOrder(w, r, number, code)
		var limited errTrackLimited
		switch {
		case errors.As(err, &limited):
			status, errMsg = http.StatusTooManyRequests, limited.message(kit.Language(w, r))
		case err != nil:
			status, errMsg = http.StatusNotFound, kit.Translator(kit.Language(w, r))("no such order")
		default:
			full, links, err := s.trackedOrder(r, o)
			if err != nil {
				return err
			}
			lang := kit.Language(w, r)
			cats, err := s.categoryNames(r.Context(), []string{full.TownCode}, lang)
			if err != nil {
				return err
			}
			// The history in the resident's words, the latest step first in a box of its own.
			v := residentView(full, lang, links, -1, cats)
			data["Report"] = v
			if n := len(v.Steps); n > 1 {
				data["Latest"] = v.Steps[n-1]
			}
			data["Mine"] = c != nil && c.User.Role == auth.RoleResident && full.RaisedBy == c.User.ID
		}
	}
	return s.Render(w, r, status, "track", kit.PageData{Title: "track order", Error: errMsg, Data: data})
}

// trackedOrder is the whole of order o, found by its number and tracking code, and the photo
// links its public view uses.
func (s *handlers) trackedOrder(r *http.Request, o orders.Order) (orders.Order, *privacy.PhotoLinks, error) {
	full, err := s.Orders.Get(r.Context(), []string{o.TownCode}, o.ID, true)
	if err != nil {
		return full, nil, err
	}
	links, err := privacy.PhotoLinksFor(r.Context(), s.DB)
	return full, links, err
}

func (s *handlers) apiTrack(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	q := r.URL.Query()
	o, err := s.lookUpOrder(w, r, strings.TrimSpace(q.Get("number")), strings.TrimSpace(q.Get("code")))
	var limited errTrackLimited
	switch {
	case errors.As(err, &limited):
		return &kit.HTTPError{Status: http.StatusTooManyRequests, Msg: limited.message(kit.Language(w, r))}
	case err != nil:
		return problem.NotFound("no order with that number and code")
	}
	full, links, err := s.trackedOrder(r, o)
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, weborders.PublicView(full, "zh", links))
	return nil
}

// lookUpOrder is the one way the public finds an order by number and code (the tracking page and
// API, the report confirmation). It answers errTrackLimited, with Retry-After set, while the
// client or the number has used up its guesses.
func (s *handlers) lookUpOrder(w http.ResponseWriter, r *http.Request, number, code string) (orders.Order, error) {
	ip, no := kit.ClientKey(r), strings.TrimSpace(number)
	if wait := s.guesses.Take(ip, no); wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		return orders.Order{}, errTrackLimited{wait}
	}
	o, err := s.Orders.ByNumber(r.Context(), number, code)
	if err == nil || !errors.Is(err, problem.ErrNotFound) {
		// Found (or the database failed, which is not the guesser's doing): no guess spent.
		s.guesses.Refund(ip, no)
	}
	return o, err
}

// errTrackLimited is a lookup refused by the guess limits.
type errTrackLimited struct{ retryAfter time.Duration }

func (e errTrackLimited) Error() string { return e.message("zh") }

func (e errTrackLimited) message(lang string) string {
	return fmt.Sprintf(kit.Translator(lang)("sec.track limited"), int(math.Ceil(e.retryAfter.Minutes())))
}

// per second
