package bench

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// exactPercentile is the reference: the smallest value with at least p%
// of the sorted values at or below it.
func exactPercentile(sorted []int64, p float64) int64 {
	rank := max(int(math.Ceil(p/100*float64(len(sorted)))), 1)
	return sorted[rank-1]
}

func TestHistogramPercentileAccuracy(t *testing.T) {
	seed := testSeed(t)
	r := rand.New(rand.NewPCG(seed, 1))
	for _, tc := range []struct {
		name string
		gen  func() int64
	}{
		{"constant", func() int64 { return 12345 }},
		{"uniform-1ns-1ms", func() int64 { return 1 + r.Int64N(1e6) }},
		{"exponential-mean-50us", func() int64 { return int64(r.ExpFloat64() * 50e3) }},
		{"lognormal-wide", func() int64 { return int64(math.Exp(r.NormFloat64()*3 + 10)) }},
		{"small-exact", func() int64 { return r.Int64N(100) }},
		{"up-to-an-hour", func() int64 { return r.Int64N(int64(time.Hour)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHistogram()
			vals := make([]int64, 20000)
			for i := range vals {
				vals[i] = tc.gen()
				h.Record(time.Duration(vals[i]))
			}
			slices.Sort(vals)
			for _, p := range []float64{0, 1, 50, 90, 95, 99, 99.9, 100} {
				want, got := exactPercentile(vals, p), int64(h.Percentile(p))
				if math.Abs(float64(got-want)) > 0.01*float64(want)+0.5 {
					t.Errorf("p%g = %d, want %d within 1%%", p, got, want)
				}
			}
			if h.Max() != time.Duration(vals[len(vals)-1]) || h.Count() != int64(len(vals)) {
				t.Errorf("max %v count %d, want %d %d", h.Max(), h.Count(), vals[len(vals)-1], len(vals))
			}
		})
	}
}

// Every value's bucket midpoint is within 1% of it, across the whole range.
func TestHistogramBucketError(t *testing.T) {
	for v := int64(1); v <= maxTrackable; v = v*21/20 + 1 {
		for _, x := range []int64{v, v + 1, v*2 - 1} {
			x = min(x, maxTrackable)
			mid := bucketMid(bucketIndex(x))
			if math.Abs(float64(mid-x)) > 0.01*float64(x) {
				t.Fatalf("value %d: bucket %d midpoint %d", x, bucketIndex(x), mid)
			}
		}
	}
	if bucketIndex(maxTrackable) != numBuckets-1 {
		t.Fatal("max value not in the last bucket")
	}
}

func TestHistogramMergeEqualsSingle(t *testing.T) {
	r := fixedRand(7)
	all, a, b := newHistogram(), newHistogram(), newHistogram()
	for i := range 10000 {
		d := time.Duration(r.Int64N(1e9))
		all.Record(d)
		if i%3 == 0 {
			a.Record(d)
		} else {
			b.Record(d)
		}
	}
	a.Merge(b)
	if a.Summary() != all.Summary() {
		t.Errorf("merged %+v, want %+v", a.Summary(), all.Summary())
	}
	a.Merge(newHistogram()) // merging an empty histogram changes nothing
	if a.Summary() != all.Summary() {
		t.Errorf("after empty merge %+v", a.Summary())
	}
}

func TestHistogramEdges(t *testing.T) {
	h := newHistogram()
	if h.Summary() != (HistSummary{}) {
		t.Errorf("empty summary %+v", h.Summary())
	}
	h.Record(-5)            // clock went backwards: counted as 0
	h.Record(3 * time.Hour) // beyond the range: top bucket, exact max
	if h.Max() != 3*time.Hour || h.Percentile(0) != 0 || h.Count() != 2 {
		t.Errorf("max %v p0 %v count %d", h.Max(), h.Percentile(0), h.Count())
	}
	if got := h.Percentile(100); got != 3*time.Hour {
		t.Errorf("p100 = %v", got)
	}
	if h.Mean() != 90*time.Minute {
		t.Errorf("mean = %v", h.Mean())
	}
}

func BenchmarkHistogramRecord(b *testing.B) {
	h := newHistogram()
	b.ReportAllocs()
	d := time.Duration(1)
	for b.Loop() {
		h.Record(d)
		d = d*7%time.Hour + 1
	}
}
