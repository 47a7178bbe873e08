package daily

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// Every handling time lies in its bucket, buckets grow with the time, and the bucket's value is
// within the documented bound of the time (docs/KPI.md "The p90 from a histogram").
func TestBucketValueWithinBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	xs := []int64{0, 1, 29_999, 30_000, 59_999, 60_000, 60_001, 3_600_000, 86_400_000, 5 * 86_400_000}
	for j := 0; j < NBuckets-1; j++ {
		xs = append(xs, edges[j]-1, edges[j], edges[j]+1)
	}
	for range 20_000 {
		xs = append(xs, int64(math.Exp(rng.Float64()*math.Log(400*86_400_000))))
	}
	slices.Sort(xs)
	prev := int32(0)
	worst := 0.0
	for _, ms := range xs {
		b := Bucket(ms)
		if b < prev {
			t.Fatalf("Bucket(%d) = %d, below the bucket of a smaller time (%d)", ms, b, prev)
		}
		prev = b
		x := time.Duration(ms) * time.Millisecond
		v := BucketValue(b)
		diff := math.Abs(float64(v - x))
		if ms < 60_000 {
			if diff > float64(BucketAbsErr) {
				t.Errorf("%v: bucket %d value %v, more than %v away", x, b, v, BucketAbsErr)
			}
			continue
		}
		if rel := diff / float64(x); rel > BucketRelErr {
			t.Errorf("%v: bucket %d value %v, %.4f%% away (bound %.4f%%)", x, b, v, 100*rel, 100*BucketRelErr)
		} else {
			worst = max(worst, rel)
		}
	}
	// The bound is tight: some time comes close to it.
	if worst < 0.9*BucketRelErr {
		t.Errorf("worst relative difference %.4f%%, the bound %.4f%% is loose", 100*worst, 100*BucketRelErr)
	}
}

// The histogram's percentile is the value of the bucket that holds the exact nearest-rank
// percentile.
func TestHistPercentileIsTheExactOnesBucket(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for round := range 300 {
		n := 1 + rng.IntN(60)
		xs := make([]int64, n)
		h := Hist{}
		for i := range xs {
			xs[i] = int64(rng.ExpFloat64() * float64(round%7+1) * 3_600_000)
			h[Bucket(xs[i])]++
		}
		slices.Sort(xs)
		exact := xs[int(math.Ceil(0.9*float64(n)))-1]
		got, v := h.Percentile(0.9)
		if got != int64(n) || v != BucketValue(Bucket(exact)) {
			t.Fatalf("round %d: %d times, p90 %v from the histogram (%d counted), want the value of the bucket of %d ms, %v",
				round, n, v, got, exact, BucketValue(Bucket(exact)))
		}
	}
	if n, _ := (Hist{3: 0}).Percentile(0.9); n != 0 {
		t.Errorf("an empty histogram counts %d", n)
	}
}
