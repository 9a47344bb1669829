package kvservice

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/hashicorp/raft"
)

// Handler serves the HTTP API:
//
//	PUT /kv/{key}   body = value; on the leader only (else 503 and the
//	                leader's ID in X-Raft-Leader); 200 once committed
//	GET /kv/{key}   the value this node has applied (404 if none): a read
//	                from a follower may lag the leader
//	GET /kv         every key and value, as a JSON object
//	GET /status     the node's Status, as JSON
func (n *Node) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("PUT /kv/{key}", n.handlePut)
	mux.HandleFunc("GET /kv/{key}", func(w http.ResponseWriter, r *http.Request) {
		v, ok := n.FSM.Get(r.PathValue("key"))
		if !ok {
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		io.WriteString(w, v+"\n")
	})
	mux.HandleFunc("GET /kv", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, n.FSM.Dump())
	})
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, n.Status())
	})
	return mux
}

func (n *Node) handlePut(w http.ResponseWriter, r *http.Request) {
	value, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	err = n.Put(r.Context(), r.PathValue("key"), string(value))
	switch {
	case err == nil:
		io.WriteString(w, "ok\n")
	case errors.Is(err, raft.ErrNotLeader) || errors.Is(err, raft.ErrLeadershipLost):
		_, leader := n.Raft.LeaderWithID()
		w.Header().Set("X-Raft-Leader", string(leader))
		http.Error(w, err.Error()+"; leader: "+string(leader), http.StatusServiceUnavailable)
	default:
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}
