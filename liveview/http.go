package liveview

import (
	"embed"
	"encoding/json"
	"io/fs"
	"net"
	"net/http"
	"strings"
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
func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	c := s.hub.subscribe()
	defer s.hub.unsubscribe(c)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write([]byte("retry: 1000\n\n"))
	flusher.Flush()
	for {
		select {
		case <-r.Context().Done():
			return
		case m := <-c.ch:
			if _, err := w.Write(m.data); err != nil {
				return
			}
			// Write what else is queued before flushing: one syscall for a
			// burst of events.
			for more := true; more; {
				select {
				case m := <-c.ch:
					if _, err := w.Write(m.data); err != nil {
						return
					}
				default:
					more = false
				}
			}
			flusher.Flush()
		}
	}
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
