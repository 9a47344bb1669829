package bench

import (
	"fmt"
	"io"
	"sync/atomic"
	"time"
)

// throughputInterval is the width of one point of PhaseResult.Throughput.
const throughputInterval = 100 * time.Millisecond

// sampler samples a phase's op counter every throughputInterval, to chart
// throughput over time and to draw the progress line.
type sampler struct {
	quit chan struct{}
	out  chan []float64
}

// startSampler starts sampling a phase whose clock started at start. The
// phase's start, not the goroutine's, begins the first interval: a
// goroutine scheduled late would otherwise divide a short phase's ops by a
// sliver of its time, and that one absurd point would squash every other
// line of the chart onto its x axis.
func startSampler(name string, start time.Time, total int64, done *atomic.Int64, progress io.Writer) *sampler {
	s := &sampler{quit: make(chan struct{}), out: make(chan []float64, 1)}
	go s.loop(name, start, total, done, progress)
	return s
}

// stop ends sampling and returns ops/s per interval.
func (s *sampler) stop() []float64 {
	close(s.quit)
	return <-s.out
}

func (s *sampler) loop(name string, start time.Time, total int64, done *atomic.Int64, progress io.Writer) {
	t := time.NewTicker(throughputInterval)
	defer t.Stop()
	last, lastOps := start, int64(0)
	var rates []float64
	printed := false
	for {
		var now time.Time
		stopping := false
		select {
		case now = <-t.C:
		case <-s.quit:
			now, stopping = time.Now(), true
		}
		ops := done.Load()
		// Ticks can arrive late on a loaded machine: divide by the real
		// interval, not the nominal one.
		// The final partial interval is kept only if it is at least half
		// an interval (or the only one): a sliver gives a noisy spike.
		dt := now.Sub(last)
		if !stopping || (ops > lastOps && (dt >= throughputInterval/2 || len(rates) == 0)) {
			rates = append(rates, float64(ops-lastOps)/max(dt.Seconds(), 1e-9))
		}
		last, lastOps = now, ops
		if progress != nil && (printed || now.Sub(start) > time.Second) {
			printed = true
			printProgress(progress, name, ops, total, now.Sub(start), stopping)
		}
		if stopping {
			s.out <- rates
			return
		}
	}
}

// printProgress draws "name: done/total ops, rate, ETA" over the previous
// line, and erases it when the phase ends so the table starts clean.
func printProgress(w io.Writer, name string, ops, total int64, elapsed time.Duration, end bool) {
	if end {
		fmt.Fprint(w, "\r\033[K")
		return
	}
	rate := float64(ops) / elapsed.Seconds()
	eta := "?"
	if rate > 0 {
		eta = time.Duration(float64(total-ops) / rate * float64(time.Second)).Round(time.Second).String()
	}
	fmt.Fprintf(w, "\r\033[K%s: %d/%d ops, %.0f ops/s, ETA %s", name, ops, total, rate, eta)
}
