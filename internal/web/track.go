package web

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	weborders "github.com/civicgrid/civicgrid/internal/web/orders"

	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/web/kit"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/workorder"
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
	trackPerClient = guessRule{burst: 30, per: 10 * time.Minute}
	// 10 wrong guesses on one number, then one every 6 minutes: 240 a day from all addresses
	// together, so finding one order's code takes about five thousand years on average.
	trackPerNumber = guessRule{burst: 10, per: time.Hour}
)

// trackLimiterEntries bounds the limiter's memory (about 150 bytes an entry).
const trackLimiterEntries = 50_000

func (s *Server) trackPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
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
			full, err := s.Kit.Orders.Get(r.Context(), []string{o.TownCode}, o.ID, true)
			if err != nil {
				return err
			}
			links, err := privacy.PhotoLinksFor(r.Context(), s.DB)
			if err != nil {
				return err
			}
			data["Order"] = weborders.PublicView(full, kit.Language(w, r), links)
			data["ID"] = full.ID
			data["Version"] = full.Version
			data["CanRate"] = c != nil && full.RaisedBy == c.User.ID && full.State == string(workorder.Closed)
			data["Satisfy"] = workorder.Satisfactions
		}
	}
	return s.Render(w, r, status, "track", kit.PageData{Title: "track", Error: errMsg, Data: data})
}

func (s *Server) apiTrack(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	q := r.URL.Query()
	o, err := s.lookUpOrder(w, r, strings.TrimSpace(q.Get("number")), strings.TrimSpace(q.Get("code")))
	var limited errTrackLimited
	switch {
	case errors.As(err, &limited):
		return &kit.HTTPError{Status: http.StatusTooManyRequests, Msg: limited.message(kit.Language(w, r))}
	case err != nil:
		return problem.NotFound("no order with that number and code")
	}
	full, err := s.Kit.Orders.Get(r.Context(), []string{o.TownCode}, o.ID, true)
	if err != nil {
		return err
	}
	links, err := privacy.PhotoLinksFor(r.Context(), s.DB)
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, weborders.PublicView(full, "zh", links))
	return nil
}

// lookUpOrder is the one way the public finds an order by number and code (the tracking page and
// API, the report confirmation). It answers errTrackLimited, with Retry-After set, while the
// client or the number has used up its guesses.
func (s *Server) lookUpOrder(w http.ResponseWriter, r *http.Request, number, code string) (orders.Order, error) {
	ip, no := clientKey(r), strings.TrimSpace(number)
	if wait := s.guesses.take(ip, no); wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		return orders.Order{}, errTrackLimited{wait}
	}
	o, err := s.Kit.Orders.ByNumber(r.Context(), number, code)
	if err == nil || !errors.Is(err, problem.ErrNotFound) {
		// Found (or the database failed, which is not the guesser's doing): no guess spent.
		s.guesses.refund(ip, no)
	}
	return o, err
}

// clientKey is the client address the limits count: an IPv6 client controls its whole /64.
func clientKey(r *http.Request) string {
	ip := net.ParseIP(kit.ClientIP(r))
	if ip == nil {
		return kit.ClientIP(r)
	}
	if ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return ip.String()
}

// errTrackLimited is a lookup refused by the guess limits.
type errTrackLimited struct{ retryAfter time.Duration }

func (e errTrackLimited) Error() string { return e.message("zh") }

func (e errTrackLimited) message(lang string) string {
	return fmt.Sprintf(kit.Translator(lang)("sec.track limited"), int(math.Ceil(e.retryAfter.Minutes())))
}

// guessRule is a leaky bucket: it holds burst, and drains burst every per.
type guessRule struct {
	burst float64
	per   time.Duration
}

func (g guessRule) rate() float64 { return g.burst / g.per.Seconds() } // per second

// guessLimiter counts wrong guesses per client and per order number, in memory (a restart
// forgets them, which costs an attacker a restart per 30 guesses). It holds at most max entries:
// drained buckets are dropped first, then those that would drain soonest.
type guessLimiter struct {
	mu       sync.Mutex
	client   guessRule
	number   guessRule
	max      int
	now      func() time.Time
	buckets  map[string]*bucket
	lastTrim time.Time
}

type bucket struct {
	level float64 // guesses in the bucket at time at
	at    time.Time
	rule  *guessRule
}

func newGuessLimiter(client, number guessRule, max int) *guessLimiter {
	return &guessLimiter{client: client, number: number, max: max, now: time.Now, buckets: map[string]*bucket{}}
}

// levelAt is the bucket's content at now.
func (b *bucket) levelAt(now time.Time) float64 {
	return max(0, b.level-now.Sub(b.at).Seconds()*b.rule.rate())
}

// take spends one guess of the client and of the number, or, when either has none left, spends
// nothing and returns how long until it has one.
func (l *guessLimiter) take(client, number string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	keys := []struct {
		key  string
		rule *guessRule
	}{{"ip " + client, &l.client}, {"no " + truncate(number, 64), &l.number}}
	var wait time.Duration
	for _, k := range keys {
		if b, ok := l.buckets[k.key]; ok {
			if over := b.levelAt(now) + 1 - k.rule.burst; over > 0 {
				wait = max(wait, time.Duration(over/k.rule.rate()*float64(time.Second)))
			}
		}
	}
	if wait > 0 {
		return wait
	}
	for _, k := range keys {
		b, ok := l.buckets[k.key]
		if !ok {
			l.makeRoom(now)
			b = &bucket{rule: k.rule}
			l.buckets[k.key] = b
		}
		b.level, b.at = b.levelAt(now)+1, now
	}
	return 0
}

// refund gives back the guess take spent, after a right one.
func (l *guessLimiter) refund(client, number string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for _, key := range []string{"ip " + client, "no " + truncate(number, 64)} {
		if b, ok := l.buckets[key]; ok {
			b.level, b.at = max(0, b.levelAt(now)-1), now
		}
	}
}

// makeRoom keeps the map under max before an entry is added: it drops drained buckets (at most
// once a minute, or when full), and when still full the eighth that would drain soonest. An
// attacker who floods the map with fresh keys to push a number out of it needs 6,000 of them
// per eviction round, and those come out of their own per-client budget.
func (l *guessLimiter) makeRoom(now time.Time) {
	if len(l.buckets) < l.max && now.Sub(l.lastTrim) < time.Minute {
		return
	}
	l.lastTrim = now
	for k, b := range l.buckets {
		if b.levelAt(now) == 0 {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) < l.max {
		return
	}
	type entry struct {
		key   string
		drain float64 // seconds until drained
	}
	all := make([]entry, 0, len(l.buckets))
	for k, b := range l.buckets {
		all = append(all, entry{k, b.levelAt(now) / b.rule.rate()})
	}
	slices.SortFunc(all, func(a, b entry) int { return cmp.Compare(a.drain, b.drain) })
	for _, e := range all[:max(1, len(all)/8)] {
		delete(l.buckets, e.key)
	}
}

// size is the number of entries held (for tests).
func (l *guessLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
