package main

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lsmkv/lsmkv/internal/syncbuf"

	"github.com/lsmkv/lsmkv/liveview"
)

// waitFor polls cond, failing the test after a minute: a bound for a hung
// test, not a timing assertion.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
	}
}

// TestHTTPServesUntilInterrupted runs kvbench -http on a free loopback
// port: the page follows the run (flushes and compactions seen, tables
// shown), the results are printed as without -http, the page stays up
// after the run, saying so, and a real SIGINT then ends kvbench with
// status 0.
func TestHTTPServesUntilInterrupted(t *testing.T) {
	var stdout, stderr syncbuf.Buffer
	code := make(chan int, 1)
	go func() {
		code <- run([]string{"-http=127.0.0.1:0", "-benchmarks=fillrandom,readrandom", "-num=5000",
			"-memtable_size=16384", "-target_file_size=16384", "-base_level_size=65536"}, &stdout, &stderr)
	}()
	urlRE := regexp.MustCompile(`live view at (http://127\.0\.0\.1:[0-9]+/)`)
	var url string
	waitFor(t, "the URL on stderr", func() bool {
		if m := urlRE.FindStringSubmatch(stderr.String()); m != nil {
			url = m[1]
		}
		return url != ""
	})
	var snap liveview.Snapshot
	waitFor(t, "the end of the run", func() bool {
		resp, err := http.Get(url + "api/snapshot")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		snap = liveview.Snapshot{}
		if err := json.NewDecoder(resp.Body).Decode(&snap); err != nil {
			t.Fatal(err)
		}
		return snap.Status == "run finished"
	})
	if !strings.Contains(stderr.String(), "still serving "+url+" until interrupted") {
		t.Errorf("stderr does not say the page stays up: %q", stderr.String())
	}
	tables := 0
	for _, l := range snap.Levels {
		tables += len(l.Tables)
	}
	c := snap.Counters
	if tables == 0 || c.FlushesSeen == 0 || c.CompactionsSeen == 0 || snap.Ops != 10000 || snap.Phase != "readrandom" || snap.Open {
		t.Errorf("after the run: %d tables, counters %+v, ops %d, phase %q, open %v", tables, c, snap.Ops, snap.Phase, snap.Open)
	}
	if !strings.Contains(stdout.String(), "fillrandom") || !strings.Contains(stdout.String(), "readrandom") {
		t.Errorf("results table missing:\n%s", stdout.String())
	}
	select {
	case c := <-code:
		t.Fatalf("kvbench exited (%d) before the interrupt", c)
	default:
	}
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if c := <-code; c != exitOK {
		t.Fatalf("exit %d after SIGINT, stderr %q", c, stderr.String())
	}
	if _, err := http.Get(url + "api/snapshot"); err == nil {
		t.Errorf("still serving after the interrupt")
	}
}

// TestHTTPNeedsLsmkv checks that -http with another engine fails before
// running anything.
func TestHTTPNeedsLsmkv(t *testing.T) {
	code, out, errOut := runCmd(t, "-engine=map", "-http=127.0.0.1:0", "-num=100")
	if code != exitFailure || out != "" || !strings.Contains(errOut, "-http shows lsmkv's tree") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}
