package liveview

import (
	"embed"
	"encoding/json"
	"io/fs"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

//go:embed page
var pageFiles embed.FS

// Handler serves the page, /api/snapshot and /api/events.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	page, _ := fs.Sub(pageFiles, "page") // the directory is embedded above
	mux.Handle("GET /", http.FileServerFS(page))
	mux.HandleFunc("GET /api/snapshot", s.serveSnapshot)
	mux.HandleFunc("GET /api/events", s.serveEvents)
	return mux
}

func (s *Server) serveSnapshot(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	enc.Encode(s.Snapshot()) // an error means the client went away
}

// serveEvents streams Server-Sent Events until the client disconnects.
// The handler alone waits on the connection; the engine only ever fills
// the client's bounded queue (hub.send).
//
// ?types=a,b,... sends only the engine events of those types (ticks are
// always sent). A client that filters cannot tell a skipped event from a
// dropped one by the gaps in the ids, so the handler, which sees every
// event of the client's queue, counts the ones that never reached the
// queue and reports the total in a "missed" message when it grows.
func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	st := streamState{types: parseTypes(r.URL.Query().Get("types"))}
	c := s.hub.subscribe()
	defer s.hub.unsubscribe(c)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write([]byte("retry: 1000\n\n"))
	flusher.Flush()
	done := r.Context().Done()
	for {
		select {
		case <-done:
			return
		case m := <-c.ch:
			if _, err := w.Write(st.next(m)); err != nil {
				return
			}
		}
		// Gather what comes in the next streamBatch before flushing: a
		// write slowdown makes hundreds of events a second, and a browser
		// spends far more on each network message than on its bytes
		// (measured: docs/liveview.md, "Overhead").
		batch := time.NewTimer(streamBatch)
		for gathering := true; gathering; {
			select {
			case <-done:
				batch.Stop()
				return
			case m := <-c.ch:
				if _, err := w.Write(st.next(m)); err != nil {
					batch.Stop()
					return
				}
			case <-batch.C:
				gathering = false
			}
		}
		flusher.Flush()
	}
}

// streamBatch is how long /api/events gathers messages into one network
// write: ten writes a second at most, a delay no viewer notices.
const streamBatch = 100 * time.Millisecond

// streamState is one connection's filter and its count of missed events.
type streamState struct {
	types          map[string]bool // nil: every type
	last, missed   uint64          // the last event seq seen; events never queued
	reportedMissed uint64
}

// next returns what to write for m: its frame, nothing if it is filtered
// out, preceded by a "missed" message if events were dropped before it.
func (st *streamState) next(m message) []byte {
	if !m.event {
		return m.data
	}
	if st.last != 0 && m.seq > st.last+1 {
		st.missed += m.seq - st.last - 1
	}
	st.last = m.seq
	var out []byte
	if st.types != nil && st.missed != st.reportedMissed {
		st.reportedMissed = st.missed
		out = frame("", "missed", []byte(`{"missed":`+strconv.FormatUint(st.missed, 10)+`}`))
	}
	if st.types == nil || st.types[m.typ] {
		out = append(out, m.data...)
	}
	return out
}

// parseTypes parses ?types=: nil (every type) if empty.
func parseTypes(v string) map[string]bool {
	if v == "" {
		return nil
	}
	types := map[string]bool{}
	for _, t := range strings.Split(v, ",") {
		types[strings.TrimSpace(t)] = true
	}
	return types
}

// ListenAddr turns a -http flag value into an address to listen on:
// loopback unless a host is given. "8080" and ":8080" mean
// 127.0.0.1:8080; "0.0.0.0:8080" or a host name bind there. Public
// reports whether the address is not loopback, so commands can warn.
func ListenAddr(flag string) (addr string, public bool) {
	if !strings.Contains(flag, ":") {
		flag = ":" + flag
	}
	host, port, err := net.SplitHostPort(flag)
	if err != nil {
		return flag, false // net.Listen reports it
	}
	if host == "" {
		host = "127.0.0.1"
	}
	ip := net.ParseIP(host)
	public = host != "localhost" && (ip == nil || !ip.IsLoopback())
	return net.JoinHostPort(host, port), public
}
