package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/lsmkv/lsmkv/bench"
	"github.com/lsmkv/lsmkv/bench/lsmkvengine"
	"github.com/lsmkv/lsmkv/liveview"
)

// live is the -http view of a run (package liveview).
type live struct {
	srv    *liveview.Server
	hs     *http.Server
	url    string
	cancel context.CancelFunc
}

// startLive serves the live view on cl.httpAddr and hooks it into the
// run's options: lsmkv's DB as the runner opens and reopens it, the ops
// the workers complete, the phase names. nil without -http.
func startLive(cl *cmdLine, stderr io.Writer) (*live, error) {
	if cl.httpAddr == "" {
		return nil, nil
	}
	o := &cl.opts
	if o.EngineName != "lsmkv" {
		return nil, fmt.Errorf("-http shows lsmkv's tree: it needs -engine=lsmkv, not %s", o.EngineName)
	}
	addr, public := liveview.ListenAddr(cl.httpAddr)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("-http: %w", err)
	}
	ops := new(atomic.Int64)
	compaction := o.Engine.Compaction
	if compaction == "" {
		compaction = bench.CompactionLeveled
	}
	srv := liveview.New(liveview.Options{Ops: ops,
		Label: fmt.Sprintf("kvbench %s, %s compaction, num=%d", strings.Join(o.Benchmarks, ","), compaction, o.Num)})
	o.Open = lsmkvengine.OpenWith(lsmkvengine.Hooks{Listener: srv.Listener(), Opened: srv.Attach, Closing: srv.Detach})
	o.OpsDone, o.PhaseStarted = ops, srv.SetPhase
	ctx, cancel := context.WithCancel(context.Background())
	go srv.Run(ctx)
	l := &live{srv: srv, hs: &http.Server{Handler: srv.Handler()}, url: "http://" + ln.Addr().String() + "/", cancel: cancel}
	go l.hs.Serve(ln)
	if public {
		fmt.Fprintf(stderr, "kvbench: warning: -http=%s is reachable from other machines\n", cl.httpAddr)
	}
	fmt.Fprintf(stderr, "kvbench: live view at %s\n", l.url)
	return l, nil
}

// waitForInterrupt calls ready, then waits for SIGINT or SIGTERM. The
// signals are caught only from here, once the run is over: until then
// Ctrl-C stops kvbench as it does without -http.
func waitForInterrupt(ready func()) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ready()
	<-ctx.Done()
}

// serveUntilInterrupted keeps the page up after the run, showing its last
// tree, until SIGINT or SIGTERM, then stops the server.
func (l *live) serveUntilInterrupted(runErr error, stderr io.Writer) {
	status := "run finished"
	if runErr != nil {
		status = "run failed: " + runErr.Error()
	}
	waitForInterrupt(func() {
		l.srv.SetStatus(status)
		l.srv.Poll()
		fmt.Fprintf(stderr, "kvbench: %s; still serving %s until interrupted (Ctrl-C)\n", status, l.url)
	})
	l.cancel()
	l.hs.Close() // Shutdown would wait for the event streams, which never end
}
