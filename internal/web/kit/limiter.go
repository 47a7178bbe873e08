package kit

import (
	"cmp"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"
)

// GuessLimiter counts calls per client address and per key (an order number) in leaky buckets:
// the tracking lookups' wrong guesses and the public routes' anonymous calls (see the callers
// for the rules).

// ClientKey is the client address the limits count: an IPv6 client controls its whole /64.
func ClientKey(r *http.Request) string {
	ip := net.ParseIP(ClientIP(r))
	if ip == nil {
		return ClientIP(r)
	}
	if ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return ip.String()
}

// GuessRule is a leaky bucket: it holds burst, and drains burst every per.
type GuessRule struct {
	Burst float64
	Per   time.Duration
}

func (g GuessRule) rate() float64 { return g.Burst / g.Per.Seconds() }

// GuessLimiter counts wrong guesses per client and per order number, in memory (a restart
// forgets them, which costs an attacker a restart per 30 guesses). It holds at most max entries:
// drained buckets are dropped first, then those that would drain soonest.
type GuessLimiter struct {
	mu       sync.Mutex
	client   GuessRule
	number   GuessRule
	max      int
	now      func() time.Time
	buckets  map[string]*bucket
	lastTrim time.Time
}

type bucket struct {
	level float64 // guesses in the bucket at time at
	at    time.Time
	rule  *GuessRule
}

func NewGuessLimiter(client, number GuessRule, max int) *GuessLimiter {
	return &GuessLimiter{client: client, number: number, max: max, now: time.Now, buckets: map[string]*bucket{}}
}

// levelAt is the bucket's content at now.
func (b *bucket) levelAt(now time.Time) float64 {
	return max(0, b.level-now.Sub(b.at).Seconds()*b.rule.rate())
}

// Take spends one guess of the client and of the number, or, when either has none left, spends
// nothing and returns how long until it has one.
func (l *GuessLimiter) Take(client, number string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	keys := []struct {
		key  string
		rule *GuessRule
	}{{"ip " + client, &l.client}, {"no " + truncate(number, 64), &l.number}}
	var wait time.Duration
	for _, k := range keys {
		if b, ok := l.buckets[k.key]; ok {
			if over := b.levelAt(now) + 1 - k.rule.Burst; over > 0 {
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

// Refund gives back the guess take spent, after a right one.
func (l *GuessLimiter) Refund(client, number string) {
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
func (l *GuessLimiter) makeRoom(now time.Time) {
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

// Size is the number of entries held (for tests).
func (l *GuessLimiter) Size() int {
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

// TakeClient spends one call of client under the limiter's client rule, or spends nothing and
// returns how long until one is free.
func (l *GuessLimiter) TakeClient(client string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	key := "ip " + client
	b, ok := l.buckets[key]
	if ok {
		if over := b.levelAt(now) + 1 - l.client.Burst; over > 0 {
			return time.Duration(over / l.client.rate() * float64(time.Second))
		}
	} else {
		l.makeRoom(now)
		b = &bucket{rule: &l.client}
		l.buckets[key] = b
	}
	b.level, b.at = b.levelAt(now)+1, now
	return 0
}
