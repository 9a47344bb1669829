package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/lsmkv/lsmkv/liveview"
)

// serveContext returns the context serve runs under: until SIGINT or
// SIGTERM. Tests replace it.
var serveContext = func() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// serveCmd implements "kvtool serve [-http ADDR] [-every D] DIR": the
// live view of package liveview (the page kvbench -http serves) for a DB
// directory that another process may be writing. It opens the DB
// read-only, without the LOCK, and reopens it when the manifest changes;
// it changes no file. It serves until interrupted.
func serveCmd(fs *flag.FlagSet) func(e *env, pos []string) int {
	addr := fs.String("http", "127.0.0.1:8080", "`address` to serve the page on (a bare port means loopback)")
	every := fs.Duration("every", time.Second, "how often to look for a new manifest")
	return func(e *env, pos []string) int {
		if *every <= 0 {
			fmt.Fprintf(e.stderr, "kvtool serve: -every=%v: must be positive\n", *every)
			return exitUsage
		}
		listen, public := liveview.ListenAddr(*addr)
		ln, err := net.Listen("tcp", listen)
		if err != nil {
			return e.fail(fmt.Errorf("lsmkv/kvtool: -http: %w", err))
		}
		srv := liveview.New(liveview.Options{Source: "dir", Label: "kvtool serve " + pos[0]})
		hs := &http.Server{Handler: srv.Handler()}
		go hs.Serve(ln)
		defer hs.Close() // not Shutdown: the event streams never end
		ctx, stop := serveContext()
		defer stop()
		go srv.Run(ctx)
		if public {
			fmt.Fprintf(e.stderr, "kvtool serve: warning: -http=%s is reachable from other machines\n", *addr)
		}
		fmt.Fprintf(e.stderr, "kvtool serve: live view of %s at http://%s/ (read-only; Ctrl-C stops)\n", pos[0], ln.Addr())
		if err := srv.WatchDir(ctx, pos[0], *every); err != nil && !errors.Is(err, context.Canceled) {
			return e.fail(fmt.Errorf("lsmkv/kvtool: serve: %w", err))
		}
		return exitOK
	}
}
