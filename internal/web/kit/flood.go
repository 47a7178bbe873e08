package kit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/civicgrid/civicgrid/internal/store"
)

// FloodLimit is one flood limit of the public forms (the resident report, the project proposal):
// at most Max submissions per Window from one client address and, separately, from one device
// (cookie). The forms share the limits and their memory (the report_attempts table).
type FloodLimit struct {
	Window time.Duration
	Max    int
}

// FloodLimits hold back floods without getting in a resident's way: a person reports a few
// problems on a walk, not dozens. A shared address (a company NAT) hits them sooner; the message
// names 12345 as the way out.
var FloodLimits = []FloodLimit{{10 * time.Minute, 5}, {24 * time.Hour, 20}}

const deviceCookie = "cg_device"

// DeviceID returns the browser's device cookie, setting a new one when it has none.
func (k *Kit) DeviceID(w http.ResponseWriter, r *http.Request) string {
	if ck, err := r.Cookie(deviceCookie); err == nil && len(ck.Value) >= 20 && len(ck.Value) <= 64 {
		return ck.Value
	}
	v := RandomString()
	http.SetCookie(w, &http.Cookie{Name: deviceCookie, Value: v, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: k.SecureCookies})
	return v
}

// FloodKeys are the keys a submission counts against, hashed so no address is stored.
func FloodKeys(ip, device string) []string {
	h := func(kind, v string) string {
		sum := sha256.Sum256([]byte(kind + ":" + v))
		return kind + ":" + hex.EncodeToString(sum[:16])
	}
	keys := []string{h("ip", ip)}
	if device != "" {
		keys = append(keys, h("dev", device))
	}
	return keys
}

// FloodError is the answer once a limit is reached.
type FloodError struct{ RetryAfter time.Duration }

func (e FloodError) Error() string {
	return fmt.Sprintf("提交过于频繁：同一网络或同一设备 10 分钟内最多提交 %d 条、每天最多 %d 条。请 %d 分钟后再试；紧急情况请拨打 12345 市民服务热线。",
		FloodLimits[0].Max, FloodLimits[1].Max, int(e.RetryAfter.Minutes())+1)
}

// CheckFlood returns a FloodError when any key has used up a limit at now.
func CheckFlood(ctx context.Context, q store.Querier, keys []string, now time.Time) error {
	longest := time.Duration(0)
	for _, l := range FloodLimits {
		longest = max(longest, l.Window)
	}
	args := []any{}
	for _, k := range keys {
		args = append(args, k)
	}
	args = append(args, now.Add(-longest).UnixMilli())
	rows, err := q.Query(ctx, `SELECT key, at FROM report_attempts WHERE key IN (`+store.Placeholders(len(keys))+`) AND at >= ? ORDER BY at DESC`, args...)
	if err != nil {
		return fmt.Errorf("report flood check: %w", err)
	}
	defer rows.Close()
	times := map[string][]int64{} // newest first
	for rows.Next() {
		var k string
		var at int64
		if err := rows.Scan(&k, &at); err != nil {
			return err
		}
		times[k] = append(times[k], at)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, ts := range times {
		for _, l := range FloodLimits {
			since := now.Add(-l.Window).UnixMilli()
			n := 0
			for _, at := range ts {
				if at >= since {
					n++
				}
			}
			if n >= l.Max {
				// The oldest report inside the window leaves it first.
				oldest := ts[n-1]
				return FloodError{RetryAfter: time.UnixMilli(oldest).Add(l.Window).Sub(now)}
			}
		}
	}
	return nil
}

// RecordFlood counts a submission against its keys and forgets what no window needs.
func RecordFlood(ctx context.Context, db *store.DB, keys []string, now time.Time) error {
	return db.InTx(ctx, func(tx *store.Tx) error {
		for _, k := range keys {
			if _, err := tx.Exec(ctx, `INSERT INTO report_attempts (key, at) VALUES (?, ?)`, k, now.UnixMilli()); err != nil {
				return fmt.Errorf("record report attempt: %w", err)
			}
		}
		_, err := tx.Exec(ctx, `DELETE FROM report_attempts WHERE at < ?`, now.Add(-25*time.Hour).UnixMilli())
		return err
	})
}

// RetryAfterHeader sets Retry-After to d, rounded up to a second.
func RetryAfterHeader(w http.ResponseWriter, d time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(d.Seconds())+1))
}
