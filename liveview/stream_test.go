package liveview

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/lsmkv/lsmkv"
)

// recorder keeps the flush and compaction events the engine delivered,
// in order, as "type job" strings.
type recorder struct {
	mu  sync.Mutex
	got []string
}

func (r *recorder) add(typ string, job int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, typ+" "+strconv.Itoa(job))
}

// alongside returns l with r recording flushes and compactions after it.
func (r *recorder) alongside(l lsmkv.EventListener) lsmkv.EventListener {
	fb, fe, cb, ce := l.FlushBegin, l.FlushEnd, l.CompactionBegin, l.CompactionEnd
	l.FlushBegin = func(i lsmkv.FlushInfo) { fb(i); r.add("flush_begin", i.JobID) }
	l.FlushEnd = func(i lsmkv.FlushInfo) { fe(i); r.add("flush_end", i.JobID) }
	l.CompactionBegin = func(i lsmkv.CompactionInfo) { cb(i); r.add("compaction_begin", i.JobID) }
	l.CompactionEnd = func(i lsmkv.CompactionInfo) { ce(i); r.add("compaction_end", i.JobID) }
	return l
}

// TestStreamDeliversEventsInOrder reads /api/events while the DB flushes
// and compacts, and checks that it got every flush and compaction event,
// in the order the engine delivered them, numbered without a gap, each
// begin before its end, and ticks in between.
func TestStreamDeliversEventsInOrder(t *testing.T) {
	srv := New(Options{})
	var rec recorder
	db, err := lsmkv.Open(t.TempDir(), tinyOptions(rec.alongside(srv.Listener())))
	if err != nil {
		t.Fatal(err)
	}
	srv.Attach(db)
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	resp, err := http.Get(hs.URL + "/api/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	msgs := make(chan sse, 1<<16)
	go readSSE(resp, msgs)

	writeKeys(t, db, 0, 2000)
	if err := db.Compact(nil, nil); err != nil {
		t.Fatal(err)
	}
	srv.Detach(db)
	// Close delivers every queued event.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	srv.Poll()
	want := rec.got
	if len(want) < 4 {
		t.Fatalf("the engine reported only %v", want)
	}

	var got []string
	var lastSeq uint64
	ticks := 0
	open := map[string]bool{}
	for len(got) < len(want) {
		m, ok := <-msgs
		if !ok {
			t.Fatalf("stream ended after %d of %d events", len(got), len(want))
		}
		if m.event == "tick" {
			ticks++
			continue
		}
		var e Event
		if err := json.Unmarshal(m.data, &e); err != nil {
			t.Fatal(err)
		}
		if e.Seq != lastSeq+1 || m.id != strconv.FormatUint(e.Seq, 10) || e.Type != m.event {
			t.Fatalf("event %s id %s seq %d after %d", m.event, m.id, e.Seq, lastSeq)
		}
		lastSeq = e.Seq
		var job int
		switch e.Type {
		case "flush_begin", "flush_end":
			job = e.Flush.Job
		case "compaction_begin", "compaction_end":
			job = e.Compaction.Job
			if len(e.Compaction.Inputs) == 0 {
				t.Errorf("compaction %d without inputs", job)
			}
		default:
			continue // table and WAL events are not recorded
		}
		key := strconv.Itoa(job)
		switch e.Type {
		case "flush_begin", "compaction_begin":
			open[key] = true
		default:
			if !open[key] {
				t.Errorf("%s of job %d before its begin", e.Type, job)
			}
		}
		got = append(got, e.Type+" "+key)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("event %d: stream %q, engine %q\nstream %v\nengine %v", i, got[i], want[i], got, want)
		}
	}
	for ticks == 0 { // the Poll after Close sent one at least
		m, ok := <-msgs
		if !ok {
			t.Fatal("no tick in the stream")
		}
		if m.event == "tick" {
			ticks++
			var s Snapshot
			if err := json.Unmarshal(m.data, &s); err != nil || len(s.Levels) != 7 || s.History != nil {
				t.Errorf("tick: %v, %d levels, history %v", err, len(s.Levels), s.History)
			}
		}
	}
	if r := srv.Snapshot().Recent; len(r) != maxRecent || r[len(r)-1].Seq < lastSeq {
		t.Errorf("snapshot's recent events: %d, last %+v; stream reached seq %d", len(r), r[len(r)-1], lastSeq)
	}
	if s := srv.Snapshot(); s.Stream.Dropped != 0 || s.Counters.CompactionsSeen == 0 || s.Counters.FlushesSeen == 0 {
		t.Errorf("stream stats %+v, counters %+v", s.Stream, s.Counters)
	}
}

// TestSlowClientNeverBlocksEngine connects a client that never reads,
// with a queue of two messages, and writes enough to flush and compact
// many times: every write and the Close return, the engine drops none of
// its own events (its listener never waited), the server counts what the
// client missed, and once the client hangs up it is forgotten.
func TestSlowClientNeverBlocksEngine(t *testing.T) {
	srv := New(Options{ClientBuffer: 2})
	db, err := lsmkv.Open(t.TempDir(), tinyOptions(srv.Listener()))
	if err != nil {
		t.Fatal(err)
	}
	srv.Attach(db)
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()

	conn, err := net.Dial("tcp", hs.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write([]byte("GET /api/events HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the client to subscribe", func() bool { return srv.hub.stats().Clients == 1 })

	// Published straight through the listener too: far more than any
	// socket buffer holds, so the handler is stuck writing.
	l := srv.Listener()
	for i := range 20000 {
		l.CompactionBegin(lsmkv.CompactionInfo{JobID: 1 << 20, Level: i % 7, Inputs: []lsmkv.LevelTables{{Tables: make([]lsmkv.TableInfo, 20)}}})
	}
	writeKeys(t, db, 0, 5000)
	if err := db.Compact(nil, nil); err != nil {
		t.Fatal(err)
	}
	m := db.Metrics()
	srv.Detach(db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if m.EventsDropped != 0 || m.Compactions == 0 {
		t.Errorf("engine dropped %d events over %d compactions", m.EventsDropped, m.Compactions)
	}
	st := srv.Snapshot().Stream
	if st.Dropped == 0 {
		t.Errorf("a client that never reads missed nothing: %+v", st)
	}

	conn.Close()
	eventually(t, "the closed client to be dropped", func() bool {
		srv.Poll() // a write to the dead connection fails, ending its handler
		return srv.hub.stats().Clients == 0
	})
}
