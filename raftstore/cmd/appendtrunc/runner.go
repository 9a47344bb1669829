package main

import (
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/raft"
)

// runner drives one store through the three phases.
type runner struct {
	c     config
	s     logStore
	name  string
	w     io.Writer
	data  []byte // random bytes that entries' Data is sliced from
	next  uint64 // index of the next entry to append
	first uint64 // first index still in the log

	rates        map[string]float64 // mean entries/s per phase
	backlogTrunc time.Duration
}

func (r *runner) all() error {
	r.rates = map[string]float64{}
	if err := r.steady("steady"); err != nil {
		return err
	}
	if err := r.fillBacklog(); err != nil {
		return err
	}
	return r.steady("after")
}

// steady appends and truncates for c.steady, printing each interval.
func (r *runner) steady(phase string) error {
	start := time.Now()
	end := start.Add(r.c.steady)
	tick, n, total := start, 0, 0
	sinceTrunc := uint64(0)
	for now := start; now.Before(end); now = time.Now() {
		if err := r.append(r.c.batch); err != nil {
			return err
		}
		n += r.c.batch
		sinceTrunc += uint64(r.c.batch)
		if sinceTrunc >= r.c.truncateEvery {
			sinceTrunc = 0
			if err := r.truncate(); err != nil {
				return err
			}
		}
		if d := time.Since(tick); d >= r.c.interval {
			r.report(phase, time.Since(start), n, d)
			total += n
			tick, n = time.Now(), 0
		}
	}
	total += n
	r.rates[phase] = float64(total) / time.Since(start).Seconds()
	return nil
}

// fillBacklog appends c.backlog entries without truncating, then
// truncates all but the window at once.
func (r *runner) fillBacklog() error {
	start := time.Now()
	tick, n := start, 0
	for done := uint64(0); done < r.c.backlog; done += uint64(r.c.backlogBatch) {
		if err := r.append(r.c.backlogBatch); err != nil {
			return err
		}
		n += r.c.backlogBatch
		if d := time.Since(tick); d >= r.c.interval {
			r.report("backlog", time.Since(start), n, d)
			tick, n = time.Now(), 0
		}
	}
	r.rates["backlog"] = float64(r.c.backlog) / time.Since(start).Seconds()
	t := time.Now()
	if err := r.truncate(); err != nil {
		return err
	}
	r.backlogTrunc = time.Since(t)
	return nil
}

func (r *runner) append(count int) error {
	logs := make([]*raft.Log, count)
	for i := range logs {
		off := int(r.next*uint64(r.c.valueSize+7)) % (len(r.data) - r.c.valueSize)
		data := r.data[off : off+r.c.valueSize]
		logs[i] = &raft.Log{Index: r.next, Term: 1, Type: raft.LogCommand, Data: data, AppendedAt: time.Now()}
		r.next++
	}
	return r.s.StoreLogs(logs)
}

// truncate deletes the head so that the last c.window entries stay.
func (r *runner) truncate() error {
	last := r.next - 1
	if last < r.first+r.c.window {
		return nil
	}
	max := last - r.c.window
	if err := r.s.DeleteRange(r.first, max); err != nil {
		return err
	}
	r.first = max + 1
	return nil
}

func (r *runner) report(phase string, at time.Duration, n int, d time.Duration) {
	rate := float64(n) / d.Seconds()
	fmt.Fprintf(r.w, "%-10s %-8s %8.1f %12.0f %10.2f\n", r.name, phase, at.Seconds(), rate, rate*float64(r.c.valueSize)/1e6)
}

func diskUsage(dir string) string {
	var total int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				total += info.Size()
			}
		}
		return nil
	})
	return fmt.Sprintf("%.1f MB", float64(total)/1e6)
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
