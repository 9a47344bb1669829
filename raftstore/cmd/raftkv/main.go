// Command raftkv is a replicated key-value service: hashicorp/raft with
// a raftstore.Store as each node's log and stable store, raft's TCP
// transport between nodes, and an HTTP API for clients. It is the example
// program of the raftstore module (docs/raft.md).
//
// Three nodes on one machine, one per terminal (run from raftstore/):
//
//	go run ./cmd/raftkv -id n1 -dir /tmp/raftkv/n1 -raft 127.0.0.1:7001 -http 127.0.0.1:8001
//	go run ./cmd/raftkv -id n2 -dir /tmp/raftkv/n2 -raft 127.0.0.1:7002 -http 127.0.0.1:8002
//	go run ./cmd/raftkv -id n3 -dir /tmp/raftkv/n3 -raft 127.0.0.1:7003 -http 127.0.0.1:8003
//
// Every node bootstraps the same three-node configuration (-peers, whose
// default names the three above) the first time it starts on an empty
// directory; raft accepts the identical bootstraps. Then:
//
//	curl -s 127.0.0.1:8001/status            # which node leads
//	curl -X PUT -d world 127.0.0.1:8001/kv/hello   # on the leader
//	curl -s 127.0.0.1:8002/kv/hello          # on a follower: world (within ~0.1 s)
//
// The API (internal/kvservice/http.go): PUT /kv/{key} on the leader (a
// follower answers 503 and names the leader), GET /kv/{key} and GET /kv
// on any node (a follower's answer may lag), GET /status.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/raft"
	"github.com/lsmkv/lsmkv/raftstore/internal/kvservice"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		log.Fatal(err)
	}
}

// run starts a node from the command line args and serves until SIGINT
// or SIGTERM.
func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("raftkv", flag.ContinueOnError)
	fs.SetOutput(stderr)
	id := fs.String("id", "", "this node's ID, one of -peers (required)")
	dir := fs.String("dir", "", "directory of this node's store and snapshots (required)")
	raftAddr := fs.String("raft", "", "address of raft's TCP transport, as in -peers (required)")
	httpAddr := fs.String("http", "127.0.0.1:8001", "address of the HTTP API")
	peers := fs.String("peers", "n1=127.0.0.1:7001,n2=127.0.0.1:7002,n3=127.0.0.1:7003",
		"the cluster: id=raft-address, comma-separated, bootstrapped on an empty -dir")
	snapThreshold := fs.Uint64("snapshot-threshold", 8192, "entries since the last snapshot that trigger one")
	trailing := fs.Uint64("trailing-logs", 10240, "entries kept after a snapshot, for slow followers")
	quiet := fs.Bool("quiet", false, "discard raft's log")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *id == "" || *dir == "" || *raftAddr == "" {
		fs.Usage()
		return errors.New("raftkv: -id, -dir and -raft are required")
	}
	servers, err := parsePeers(*peers)
	if err != nil {
		return err
	}
	logw := stderr
	if *quiet {
		logw = io.Discard
	}

	advertise, err := net.ResolveTCPAddr("tcp", *raftAddr)
	if err != nil {
		return err
	}
	trans, err := raft.NewTCPTransport(*raftAddr, advertise, 3, 10*time.Second, logw)
	if err != nil {
		return err
	}
	node, err := kvservice.Start(kvservice.Config{
		ID: raft.ServerID(*id), Dir: *dir, Transport: trans, Servers: servers, Log: logw,
		Raft: func(c *raft.Config) {
			c.SnapshotThreshold = *snapThreshold
			c.TrailingLogs = *trailing
		},
	})
	if err != nil {
		trans.Close()
		return err
	}
	defer node.Shutdown()

	ln, err := net.Listen("tcp", *httpAddr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: node.Handler(), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stderr, "raftkv: node %s: raft on %s, HTTP on %s, store in %s (existing state: %v)\n",
		*id, *raftAddr, ln.Addr(), *dir, node.Existing)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

// parsePeers parses "id=addr,id=addr".
func parsePeers(s string) ([]raft.Server, error) {
	var servers []raft.Server
	for _, p := range strings.Split(s, ",") {
		id, addr, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || id == "" || addr == "" {
			return nil, fmt.Errorf("raftkv: -peers: %q is not id=address", p)
		}
		servers = append(servers, raft.Server{ID: raft.ServerID(id), Address: raft.ServerAddress(addr)})
	}
	return servers, nil
}
