package daily

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/civicgrid/civicgrid/internal/store"
)

// The p90 handling time cannot be summed over days; its histogram can. Table kpi_hours
// (migration 0036) keeps, per town, dimension, group and closing day, how many of the orders
// measured by the average handling time fall in each bucket of handling time; a period's p90 is
// read from the summed histogram (docs/KPI.md "The p90 from a histogram").
//
// The buckets have fixed edges: bucket 0 holds the times under a minute, and bucket k ≥ 1 the
// times in [E(k−1), E(k)), E(j) = 1 minute × 2^(j/BucketsPerDoubling) rounded to the
// millisecond: 16 buckets per doubling, so each spans a factor 2^(1/16) ≈ 1.044. A bucket's
// value is the geometric middle of its edges (bucket 0: 30 seconds), so a time and its bucket's
// value differ by at most BucketRelErr ≈ 2.2 % of the time (30 seconds under a minute).
const (
	BucketsPerDoubling = 16
	// NBuckets covers 2^24 minutes (31 years of working time); longer times share the last
	// bucket (beyond the bound).
	NBuckets = 1 + 24*BucketsPerDoubling
)

// BucketRelErr is the largest relative difference between a time of at least a minute (and under
// 2^24 minutes) and its bucket's value: 2^(1/32) − 1 ≈ 2.190 %, plus the edges' rounding to the
// millisecond (under 0.005 %): 2.195 %.
var BucketRelErr = math.Pow(2, 1.0/(2*BucketsPerDoubling)) - 1 + 5e-5

// BucketAbsErr is the largest difference under a minute.
const BucketAbsErr = 30 * time.Second

// edges[j] is E(j) in milliseconds, j = 0 … NBuckets−1.
var edges = func() [NBuckets]int64 {
	var e [NBuckets]int64
	for j := range e {
		e[j] = int64(math.Round(float64(time.Minute/time.Millisecond) * math.Pow(2, float64(j)/BucketsPerDoubling)))
	}
	return e
}()

// Bucket is the bucket of a handling time in milliseconds.
func Bucket(ms int64) int32 {
	// The first edge above ms: bucket k holds [E(k−1), E(k)).
	k := sort.Search(NBuckets, func(j int) bool { return edges[j] > ms })
	return int32(min(k, NBuckets-1))
}

// BucketValue is the time a bucket stands for: the geometric middle of its edges.
func BucketValue(b int32) time.Duration {
	if b <= 0 {
		return BucketAbsErr
	}
	b = min(b, NBuckets-1)
	ms := math.Sqrt(float64(edges[b-1]) * float64(edges[b]))
	return time.Duration(ms * float64(time.Millisecond))
}

// Hist is a histogram of handling times: bucket → orders.
type Hist map[int32]int64

// Percentile gives the orders counted and the value of the bucket that holds the nearest-rank
// percentile q (0–1) of them: the ⌈q·n⌉-th smallest time lies in that bucket, so the value is
// within BucketRelErr of it (BucketAbsErr under a minute).
func (h Hist) Percentile(q float64) (int64, time.Duration) {
	var n int64
	buckets := make([]int32, 0, len(h))
	for b, c := range h {
		if c != 0 {
			n += c
			buckets = append(buckets, b)
		}
	}
	if n <= 0 {
		return 0, 0
	}
	slices.Sort(buckets)
	rank := max(int64(math.Ceil(q*float64(n)-1e-9)), 1)
	var seen int64
	for _, b := range buckets {
		seen += h[b]
		if seen >= rank {
			return n, BucketValue(b)
		}
	}
	return n, BucketValue(buckets[len(buckets)-1])
}

// HourKey is one row of kpi_hours.
type HourKey struct {
	Town   string
	Dim    int
	Day    int32
	Group  string
	Bucket int32
}

func (a HourKey) compare(b HourKey) int {
	return cmp.Or(cmp.Compare(a.Town, b.Town), cmp.Compare(a.Dim, b.Dim), cmp.Compare(a.Day, b.Day),
		cmp.Compare(a.Group, b.Group), cmp.Compare(a.Bucket, b.Bucket))
}

// applyHours adds the histogram's changes to kpi_hours, rows in key order (PostgreSQL's row
// locks in one order, as Apply's), many rows per statement.
func applyHours(ctx context.Context, tx store.Querier, h map[HourKey]int64) error {
	keys := make([]HourKey, 0, len(h))
	for k, v := range h {
		if v != 0 {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, HourKey.compare)
	const perStmt = 1000 // 6 parameters a row
	if len(keys) <= preparedRows {
		tx = store.Prepared(tx)
	}
	for start := 0; start < len(keys); start += perStmt {
		batch := keys[start:min(start+perStmt, len(keys))]
		args := make([]any, 0, len(batch)*6)
		for _, k := range batch {
			args = append(args, k.Town, k.Dim, k.Day, k.Group, k.Bucket, h[k])
		}
		if _, err := tx.Exec(ctx, hoursUpsertSQL(len(batch)), args...); err != nil {
			return fmt.Errorf("kpi daily: hours upsert: %w", err)
		}
	}
	return nil
}

var hoursUpserts sync.Map // rows → statement

func hoursUpsertSQL(n int) string {
	if q, ok := hoursUpserts.Load(n); ok {
		return q.(string)
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO kpi_hours (town_code, dim, day, grp, bucket, n) VALUES `)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?, ?)")
	}
	b.WriteString(` ON CONFLICT (town_code, dim, day, grp, bucket) DO UPDATE SET n = kpi_hours.n + excluded.n`)
	hoursUpserts.Store(n, b.String())
	return b.String()
}

// SumHours adds up the histograms of the towns and dimension over the days of [from, to) (local
// midnights) per group (the town dimension's: the sums of their channel rows, as Sum's).
func SumHours(ctx context.Context, q store.Querier, towns []string, dim int, from, to time.Time) (map[string]Hist, error) {
	grp, dim := groupOf(dim)
	in, args := store.In("town_code", towns)
	args = append(args, dim, DayOf(from), DayOf(to))
	rows, err := q.Query(ctx, `SELECT `+grp+`, bucket, SUM(n) FROM kpi_hours WHERE `+in+` AND dim = ? AND day >= ? AND day < ?
		GROUP BY `+grp+`, bucket`, args...)
	if err != nil {
		return nil, fmt.Errorf("kpi daily: hours: %w", err)
	}
	defer rows.Close()
	out := map[string]Hist{}
	for rows.Next() {
		var g string
		var b int32
		var n int64
		if err := rows.Scan(&g, &b, &n); err != nil {
			return nil, err
		}
		if n == 0 {
			continue
		}
		if out[g] == nil {
			out[g] = Hist{}
		}
		out[g][b] += n
	}
	return out, rows.Err()
}
