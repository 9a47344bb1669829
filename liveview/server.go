package liveview

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lsmkv/lsmkv/internal/bytesize"

	"github.com/lsmkv/lsmkv"
)

// Options configures a Server. Zero fields take the defaults.
type Options struct {
	// Label names what is shown, e.g. "kvbench fillrandom leveled".
	Label string
	// Ops, if non-nil, counts the ops done (kvbench's workers add to it);
	// the server samples it every Interval for the ops/s timeline.
	Ops *atomic.Int64
	// Interval is how often the DB is polled and a tick sent. Default
	// 250ms: four frames a second follow a flush, and a poll (Metrics,
	// Tables and JSON for a few hundred tables) is a few hundred
	// microseconds, far from the run's critical path.
	Interval time.Duration
	// ClientBuffer is each /api/events client's queue, in messages.
	// Default 1024.
	ClientBuffer int
	// Source is "live" (default: events come from Listener) or "dir".
	Source string
}

// Defaults of Options.
const (
	DefaultInterval     = 250 * time.Millisecond
	DefaultClientBuffer = 1024
	maxSamples          = 600  // ops/s points kept; older ones are merged in pairs
	maxBars             = 4000 // timeline bars kept, newest
	maxRecent           = 60   // events kept for the page's log
)

// Server watches one DB at a time and serves the page about it.
type Server struct {
	o     Options
	start time.Time
	hub   *hub

	dbMu sync.Mutex // held across a poll of db, and by Attach/Detach
	db   *lsmkv.DB

	mu        sync.Mutex // guards everything below
	seq       uint64
	phase     string
	status    string
	last      Snapshot // the tree as last polled (kept after Detach)
	running   map[int]CompactionEvent
	flushes   int64
	compacted int64 // rewrites and delete-only compactions
	moves     int64
	samples   []Sample
	step      int // ticks per sample (doubles when samples are merged)
	pending   int // ticks summed into acc so far
	acc       float64
	lastOps   int64
	lastT     float64
	rate      float64
	bars      []Bar
	nextBar   uint64         // the ID of the next bar
	recent    []Event        // the last maxRecent events, oldest first
	tables    map[uint64]int // for Source "dir": table -> level, to derive events
}

// New returns a Server; call Run to start polling.
func New(o Options) *Server {
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.ClientBuffer <= 0 {
		o.ClientBuffer = DefaultClientBuffer
	}
	if o.Source == "" {
		o.Source = "live"
	}
	s := &Server{o: o, start: time.Now(), hub: newHub(o.ClientBuffer), status: "starting",
		running: map[int]CompactionEvent{}, step: 1}
	s.last = Snapshot{Source: o.Source, Label: o.Label, Levels: []Level{}, Running: []CompactionEvent{},
		Memtables: Memtables{Frozen: []int64{}}}
	return s
}

func (s *Server) now() float64 { return time.Since(s.start).Seconds() }

// Attach makes db the DB shown, replacing any other, and polls it at once.
func (s *Server) Attach(db *lsmkv.DB) {
	s.dbMu.Lock()
	s.db = db
	s.dbMu.Unlock()
	// A new DB runs no compaction yet; one whose end event the engine's
	// queue dropped would otherwise stay "running" for good.
	s.mu.Lock()
	clear(s.running)
	s.mu.Unlock()
	s.SetStatus("running")
	s.Poll()
}

// Detach stops showing db, if it is shown, keeping its last tree on the
// page. Once it returns no poll uses db, so the caller may close it.
func (s *Server) Detach(db *lsmkv.DB) {
	s.Poll() // the final shape, e.g. the last flush
	s.dbMu.Lock()
	defer s.dbMu.Unlock()
	if s.db == db {
		s.db = nil
	}
}

// SetPhase names the phase running now (kvbench) and publishes it.
func (s *Server) SetPhase(name string) {
	s.mu.Lock()
	s.phase = name
	s.mu.Unlock()
	s.publish(Event{Type: "phase", Phase: name})
}

// SetStatus sets the status line shown on the page.
func (s *Server) SetStatus(status string) {
	s.mu.Lock()
	s.status = status
	s.mu.Unlock()
}

// Run polls every Interval until ctx is done.
func (s *Server) Run(ctx context.Context) {
	t := time.NewTicker(s.o.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.poll(false)
		}
	}
}

// Poll reads the DB now, updates ops/s and sends a tick to every client.
// Attach, Detach and tests call it; Run calls poll.
func (s *Server) Poll() { s.poll(true) }

// poll is Poll; without always, it reads the DB only if someone watches
// the stream (or for Source "dir", whose events come from the reads):
// nobody would see the tick, and /api/snapshot reads the DB itself. The
// ops/s history is kept either way.
func (s *Server) poll(always bool) {
	var (
		levels   []Level
		mem      Memtables
		counters Counters
		open     bool
	)
	if always || s.o.Source == "dir" || s.hub.stats().Clients > 0 {
		levels, mem, counters, open = s.read()
	} else {
		s.dbMu.Lock()
		open = s.db != nil
		s.dbMu.Unlock()
	}
	read := levels != nil
	s.mu.Lock()
	now := s.now()
	if s.o.Ops != nil {
		ops := s.o.Ops.Load()
		if dt := now - s.lastT; dt > 0 {
			s.rate = float64(ops-s.lastOps) / dt
		}
		s.lastOps = ops
		s.addSample(now, s.rate)
	}
	s.lastT = now
	var derived []Event
	if read {
		s.last.Levels, s.last.Memtables, s.last.Counters = levels, mem, counters
		if s.o.Source == "dir" {
			derived = s.deriveLocked(levels)
		}
	}
	s.last.Open = open
	s.mu.Unlock()
	for _, e := range derived {
		s.publish(e)
	}
	s.mu.Lock()
	s.sendTickLocked()
	s.mu.Unlock()
}

// read polls the attached DB, if any.
func (s *Server) read() ([]Level, Memtables, Counters, bool) {
	s.dbMu.Lock()
	defer s.dbMu.Unlock()
	if s.db == nil {
		return nil, Memtables{}, Counters{}, false
	}
	m := s.db.Metrics()
	levels, mem, c := tree(m, s.db.Tables())
	return levels, mem, c, true
}

// addSample records one ops/s point; past maxSamples, neighbours are
// averaged in pairs and the step doubles, so the timeline always covers
// the whole run at a bounded cost. REQUIRES: s.mu held.
func (s *Server) addSample(t, rate float64) {
	s.acc += rate
	s.pending++
	if s.pending < s.step {
		return
	}
	s.samples = append(s.samples, Sample{T: t, OpsPerSec: s.acc / float64(s.pending)})
	s.acc, s.pending = 0, 0
	if len(s.samples) >= maxSamples {
		half := s.samples[:0]
		for i := 0; i+1 < len(s.samples); i += 2 {
			a, b := s.samples[i], s.samples[i+1]
			half = append(half, Sample{T: b.T, OpsPerSec: (a.OpsPerSec + b.OpsPerSec) / 2})
		}
		s.samples = half
		s.step *= 2
	}
}

// tickLocked returns the snapshot a tick sends: no history, and the bars
// that ended in the last barTicks intervals. REQUIRES: s.mu held.
func (s *Server) tickLocked() Snapshot {
	snap := s.snapshotLocked(false)
	snap.RecentBars = s.barsSinceLocked(snap.T - barTicks*s.o.Interval.Seconds())
	return snap
}

// barTicks is how many intervals back each tick's RecentBars reach: every
// bar comes in two ticks, so a client whose queue dropped one tick, or
// that subscribed a moment after fetching /api/snapshot, still gets it
// (the page merges by ID). Not more: a browser pays for every byte of
// the stream (docs/liveview.md, "Overhead").
const barTicks = 2

// barsSinceLocked returns the bars that ended after t. Bars are appended
// as they end and only the last one grows (a burst of stalls), so they are
// at the end. REQUIRES: s.mu held.
func (s *Server) barsSinceLocked(t float64) []Bar {
	i := len(s.bars)
	for i > 0 && s.bars[i-1].End > t {
		i--
	}
	if i == len(s.bars) {
		return nil
	}
	return append([]Bar{}, s.bars[i:]...)
}

// snapshotLocked returns the current snapshot; full adds the history and
// the bars. REQUIRES: s.mu held.
func (s *Server) snapshotLocked(full bool) Snapshot {
	snap := s.last
	snap.T = s.now()
	snap.Phase, snap.Status = s.phase, s.status
	snap.Ops, snap.OpsPerSec = s.lastOps, s.rate
	snap.Counters.FlushesSeen, snap.Counters.CompactionsSeen, snap.Counters.MovesSeen = s.flushes, s.compacted, s.moves
	snap.Running = make([]CompactionEvent, 0, len(s.running))
	for _, c := range s.running {
		snap.Running = append(snap.Running, c)
	}
	slices.SortFunc(snap.Running, func(a, b CompactionEvent) int { return cmp.Compare(a.Job, b.Job) })
	snap.Stream = s.hub.stats()
	if full {
		snap.History = append([]Sample{}, s.samples...)
		snap.Bars = append([]Bar{}, s.bars...)
		snap.Recent = append([]Event{}, s.recent...)
	}
	return snap
}

// Snapshot returns the current snapshot with its history, polling the DB
// first so that it is as fresh as the DB.
func (s *Server) Snapshot() Snapshot {
	levels, mem, counters, open := s.read()
	s.mu.Lock()
	defer s.mu.Unlock()
	if open {
		s.last.Levels, s.last.Memtables, s.last.Counters = levels, mem, counters
	}
	s.last.Open = open
	return s.snapshotLocked(true)
}

// sendTickLocked queues a tick for every client. Under s.mu, like
// publish, so ticks and events are queued in the order they were made.
// REQUIRES: s.mu held.
func (s *Server) sendTickLocked() {
	if s.hub.stats().Clients == 0 {
		return
	}
	data, err := json.Marshal(s.tickLocked())
	if err != nil {
		return // a Snapshot always marshals; nothing to show otherwise
	}
	s.hub.send(message{data: frame("", "tick", data)})
}

// publish numbers e, records what the page's state needs from it (running
// compactions, bars, counts) and sends it to every client. It runs on the
// engine's event goroutine and never blocks on a client.
func (s *Server) publish(e Event) {
	// Numbered, encoded and queued in one critical section: two
	// publishers (the engine's event goroutine and SetPhase, or two polls
	// of kvtool serve) must queue events in the order of their numbers,
	// or a client would see ids go backwards and count the gap as missed.
	// hub.send never blocks, so holding s.mu across it is cheap.
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	e.Seq, e.T = s.seq, s.now()
	s.recordLocked(e)
	if len(s.recent) == maxRecent {
		s.recent = append(s.recent[:0], s.recent[1:]...)
	}
	s.recent = append(s.recent, e)
	data, err := json.Marshal(e)
	if err != nil {
		return
	}
	s.hub.send(message{event: true, seq: e.Seq, typ: e.Type, data: frame(strconv.FormatUint(e.Seq, 10), e.Type, data)})
}

// recordLocked updates the state events drive. REQUIRES: s.mu held.
func (s *Server) recordLocked(e Event) {
	switch e.Type {
	case "flush_end":
		if e.Error == "" {
			s.flushes++
			s.addBar("flush", e.T, e.Flush.DurationMS, fmt.Sprintf("flush %s", bytesize.Format(int64(e.Flush.OutputSize))))
		}
	case "compaction_begin":
		s.running[e.Compaction.Job] = *e.Compaction
	case "compaction_end":
		delete(s.running, e.Compaction.Job)
		switch {
		case e.Error != "":
		case e.Compaction.Kind == "move":
			s.moves++ // no bar: a manifest edit, nothing read or written
		default:
			s.compacted++
			c := e.Compaction
			s.addBar("compaction", e.T, c.DurationMS, fmt.Sprintf("%s L%d->L%d %s", c.Kind, c.Level, c.OutputLevel, bytesize.Format(int64(c.BytesRead))))
		}
	case "stall_end":
		s.addBar("stall", e.T, e.Stall.DurationMS, "stall: "+e.Stall.Cause)
	}
}

// addBar records work that ended at end and lasted durMS. A stall that
// starts within 5 ms of the previous one extends it: a slowdown stalls
// every write group for 1 ms, and a bar each would flood the timeline.
// REQUIRES: s.mu held.
func (s *Server) addBar(kind string, end, durMS float64, label string) {
	start := end - durMS/1000
	if n := len(s.bars); kind == "stall" && n > 0 && s.bars[n-1].Kind == "stall" && start-s.bars[n-1].End < 0.005 {
		s.bars[n-1].End = end
		return
	}
	s.nextBar++
	s.bars = append(s.bars, Bar{ID: s.nextBar, Kind: kind, Start: start, End: end, Label: label})
	if len(s.bars) > maxBars {
		s.bars = append(s.bars[:0:0], s.bars[len(s.bars)-maxBars/2:]...)
	}
}

// frame formats one Server-Sent Event.
func frame(id, event string, data []byte) []byte {
	var b []byte
	if id != "" {
		b = append(b, "id: "+id+"\n"...)
	}
	b = append(b, "event: "+event+"\ndata: "...)
	b = append(b, data...) // JSON from encoding/json holds no newline
	return append(b, "\n\n"...)
}
