package liveview

import "sync"

// message is one Server-Sent Event, ready to write.
type message struct {
	event bool   // an engine event (counted when dropped); else a tick
	seq   uint64 // an event's sequence number
	typ   string // an event's type
	data  []byte // the whole frame: "id: ...\nevent: ...\ndata: ...\n\n"
}

// client is one /api/events connection: a bounded queue its handler drains.
type client struct {
	ch chan message
}

// hub fans messages out to the clients without ever waiting for one.
//
// Concurrency: safe for concurrent use; mu is held only to walk the client
// set and to try a non-blocking send to each.
type hub struct {
	mu      sync.Mutex
	clients map[*client]struct{}
	buf     int
	dropped int64 // engine events some client never got
	ticks   int64 // ticks dropped (harmless: the next one supersedes them)
}

func newHub(buf int) *hub {
	return &hub{clients: map[*client]struct{}{}, buf: buf}
}

func (h *hub) subscribe() *client {
	c := &client{ch: make(chan message, h.buf)}
	h.mu.Lock()
	h.clients[c] = struct{}{}
	h.mu.Unlock()
	return c
}

func (h *hub) unsubscribe(c *client) {
	h.mu.Lock()
	delete(h.clients, c)
	h.mu.Unlock()
}

// send queues m for every client whose queue has room, and counts it as
// dropped for the others.
func (h *hub) send(m message) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.clients {
		select {
		case c.ch <- m:
		default:
			if m.event {
				h.dropped++
			} else {
				h.ticks++
			}
		}
	}
}

// stats returns the number of clients and the messages dropped so far.
func (h *hub) stats() StreamStats {
	h.mu.Lock()
	defer h.mu.Unlock()
	return StreamStats{Clients: len(h.clients), Dropped: h.dropped, TicksDropped: h.ticks}
}

// StreamStats describes /api/events: clients connected now, and the
// engine events and ticks dropped so far because a client's queue was full.
type StreamStats struct {
	Clients      int   `json:"clients"`
	Dropped      int64 `json:"dropped"`
	TicksDropped int64 `json:"ticks_dropped"`
}
