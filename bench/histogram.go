package bench

import (
	"math"
	"math/bits"
	"time"
)

// Histogram layout. Values are nanoseconds. Below 2^subBits each value has
// its own bucket; above, every power-of-two range [2^k, 2^(k+1)) is split
// into 2^subBits equal buckets (HDR-histogram style log-linear buckets), so a
// bucket's width is at most 1/128 of its lower bound and reporting its
// midpoint errs by at most 0.4%. maxTrackable is one hour.
const (
	subBits      = 7
	subCount     = 1 << subBits
	maxTrackable = int64(time.Hour)
)

var numBuckets = bucketIndex(maxTrackable) + 1

// histogram records durations in fixed memory (about 37 KB) with relative
// error under 1% from 1 ns to 1 hour; longer durations are counted in the
// top bucket but Max stays exact.
//
// Not safe for concurrent use: each worker records into its own histogram
// and the runner merges them.
type histogram struct {
	counts   []uint64
	count    uint64
	sum      float64 // nanoseconds; float so long runs cannot overflow
	min, max int64
}

// newHistogram returns an empty histogram.
func newHistogram() *histogram {
	return &histogram{counts: make([]uint64, numBuckets), min: math.MaxInt64}
}

func bucketIndex(v int64) int {
	if v < subCount {
		return int(max(v, 0))
	}
	shift := bits.Len64(uint64(v)) - subBits - 1
	return (shift+1)<<subBits + int(v>>shift) - subCount
}

// bucketMid returns the middle value of bucket i.
func bucketMid(i int) int64 {
	if i < subCount {
		return int64(i)
	}
	shift := i>>subBits - 1
	lower := int64(i-(shift+1)<<subBits+subCount) << shift
	return lower + (int64(1)<<shift-1)/2
}

// Record adds one observation.
func (h *histogram) Record(d time.Duration) {
	v := max(int64(d), 0)
	h.counts[bucketIndex(min(v, maxTrackable))]++
	h.count++
	h.sum += float64(v)
	h.min = min(h.min, v)
	h.max = max(h.max, v)
}

// Merge adds all of o's observations to h.
func (h *histogram) Merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.count += o.count
	h.sum += o.sum
	h.min = min(h.min, o.min)
	h.max = max(h.max, o.max)
}

// Count returns the number of observations.
func (h *histogram) Count() int64 { return int64(h.count) }

// Max returns the largest observation exactly (0 if empty).
func (h *histogram) Max() time.Duration { return time.Duration(max(h.max, 0)) }

// Mean returns the average observation (0 if empty).
func (h *histogram) Mean() time.Duration {
	if h.count == 0 {
		return 0
	}
	return time.Duration(h.sum / float64(h.count))
}

// Percentile returns the smallest recorded value v (to within 1%) such
// that at least p percent of observations are <= v. p is clamped to
// [0, 100]; an empty histogram returns 0.
func (h *histogram) Percentile(p float64) time.Duration {
	if h.count == 0 {
		return 0
	}
	rank := uint64(math.Ceil(math.Max(0, math.Min(p, 100)) / 100 * float64(h.count)))
	rank = max(rank, 1)
	if rank == h.count {
		return h.Max() // exact, even beyond maxTrackable
	}
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			// The exact min and max beat a bucket midpoint.
			return time.Duration(min(max(bucketMid(i), h.min), h.max))
		}
	}
	return h.Max()
}

// HistSummary is the part of a histogram kept in results and JSON.
// Durations are encoded in JSON as integer nanoseconds, under names ending
// in Ns.
type HistSummary struct {
	Count int64
	Mean  time.Duration `json:"MeanNs"`
	P50   time.Duration `json:"P50Ns"`
	P95   time.Duration `json:"P95Ns"`
	P99   time.Duration `json:"P99Ns"`
	P999  time.Duration `json:"P999Ns"`
	Max   time.Duration `json:"MaxNs"`
}

// Summary returns h's percentiles.
func (h *histogram) Summary() HistSummary {
	return HistSummary{
		Count: h.Count(), Mean: h.Mean(),
		P50: h.Percentile(50), P95: h.Percentile(95), P99: h.Percentile(99),
		P999: h.Percentile(99.9), Max: h.Max(),
	}
}
