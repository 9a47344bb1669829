package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/lsmkv/lsmkv/raftstore/internal/kvservice"
)

// childEnv carries a child's command line: a test binary started with it
// runs raftkv instead of the tests, so no separate build is needed.
const childEnv = "RAFTKV_CHILD_ARGS"

func TestMain(m *testing.M) {
	if v := os.Getenv(childEnv); v != "" {
		var args []string
		if err := json.Unmarshal([]byte(v), &args); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		if err := run(args, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestKillNode runs three raftkv processes on loopback TCP, puts keys on
// the leader from 8 clients, kills the leader with SIGKILL mid-load,
// keeps the load going on the new leader, restarts the killed node from
// its directory, and at the end checks that every put the leader
// acknowledged (HTTP 200) is in every node's FSM and that the FSMs are
// equal. Snapshots every 200 entries keep truncation going throughout.
func TestKillNode(t *testing.T) {
	c := startProcCluster(t, 3)
	load := c.startLoad(8)
	defer load.stop()

	load.waitAcked(300)
	victim := c.leader()
	t.Logf("killing the leader %s with SIGKILL after %d acknowledged puts", victim.id, load.acked())
	victim.kill()
	load.waitAcked(load.acked() + 300)
	t.Logf("restarting %s after %d acknowledged puts", victim.id, load.acked())
	c.start(victim)
	c.waitFor(victim.id+" serves again, from its existing state", func() bool {
		var st kvservice.Status
		return victim.getJSON("/status", &st) == nil && st.Existing
	})
	load.waitAcked(load.acked() + 300)
	load.stop()

	acked := load.keys()
	c.waitFor("every node holds every acknowledged put", func() bool {
		var first map[string]string
		for _, p := range c.procs {
			var kv map[string]string
			if err := p.getJSON("/kv", &kv); err != nil {
				return false
			}
			if first == nil {
				first = kv
			} else if !maps.Equal(first, kv) {
				return false
			}
		}
		for k, v := range acked {
			if first[k] != v {
				return false
			}
		}
		return true
	})
	t.Logf("%d acknowledged puts on all 3 nodes", len(acked))
}

// procCluster is a cluster of raftkv child processes.
type procCluster struct {
	t     *testing.T
	procs []*proc
}

type proc struct {
	t        *testing.T
	id       string
	args     []string
	httpAddr string
	logPath  string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd exits
}

var client = &http.Client{Timeout: 5 * time.Second}

func startProcCluster(t *testing.T, n int) *procCluster {
	ports := freePorts(t, 2*n)
	var peers []string
	for i := range n {
		peers = append(peers, fmt.Sprintf("n%d=%s", i+1, ports[i]))
	}
	c := &procCluster{t: t}
	root := t.TempDir()
	for i := range n {
		id := fmt.Sprintf("n%d", i+1)
		p := &proc{
			t: t, id: id, httpAddr: ports[n+i], logPath: filepath.Join(root, id+".log"),
			args: []string{"-id", id, "-dir", filepath.Join(root, id), "-raft", ports[i],
				"-http", ports[n+i], "-peers", strings.Join(peers, ","),
				"-snapshot-threshold", "200", "-trailing-logs", "100"},
		}
		c.procs = append(c.procs, p)
	}
	t.Cleanup(func() {
		for _, p := range c.procs {
			p.kill()
		}
		if t.Failed() {
			for _, p := range c.procs {
				b, _ := os.ReadFile(p.logPath)
				lines := strings.Split(string(b), "\n")
				t.Logf("%s's log (tail):\n%s", p.id, strings.Join(lines[max(0, len(lines)-40):], "\n"))
			}
		}
	})
	for _, p := range c.procs {
		c.start(p)
	}
	return c
}

// freePorts returns n loopback addresses that were free a moment ago.
func freePorts(t *testing.T, n int) []string {
	var addrs []string
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		addrs = append(addrs, ln.Addr().String())
	}
	return addrs
}

func (c *procCluster) start(p *proc) {
	c.t.Helper()
	args, _ := json.Marshal(p.args)
	logf, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		c.t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+string(args))
	cmd.Stdout, cmd.Stderr = logf, logf
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		logf.Close()
		c.t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		logf.Close()
		close(done)
	}()
	p.mu.Lock()
	p.cmd, p.done = cmd, done
	p.mu.Unlock()
}

// kill sends SIGKILL and waits for the process to exit.
func (p *proc) kill() {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.cmd = nil
	p.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(syscall.SIGKILL)
	<-done
}

func (p *proc) getJSON(path string, v any) error {
	resp, err := client.Get("http://" + p.httpAddr + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

func (p *proc) put(key, value string) error {
	req, err := http.NewRequest(http.MethodPut, "http://"+p.httpAddr+"/kv/"+key, strings.NewReader(value))
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("PUT %s: %s: %s", key, resp.Status, body)
	}
	return nil
}

// deadline bounds every wait of the test.
const deadline = 90 * time.Second

func (c *procCluster) waitFor(what string, cond func() bool) {
	c.t.Helper()
	end := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(end) {
			c.t.Fatalf("timed out waiting until %s; nodes: %s", what, c.statuses())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (c *procCluster) statuses() string {
	var b strings.Builder
	for _, p := range c.procs {
		var st kvservice.Status
		err := p.getJSON("/status", &st)
		fmt.Fprintf(&b, "\n%s: %+v %v", p.id, st, err)
	}
	return b.String()
}

// leader waits until a node reports itself leader and returns it.
func (c *procCluster) leader() *proc {
	c.t.Helper()
	var l *proc
	c.waitFor("a leader is elected", func() bool {
		l = c.findLeader()
		return l != nil
	})
	return l
}

func (c *procCluster) findLeader() *proc {
	for _, p := range c.procs {
		var st kvservice.Status
		if p.getJSON("/status", &st) == nil && st.State == "Leader" {
			return p
		}
	}
	return nil
}

// load is a set of clients putting distinct keys on the leader.
type load struct {
	c       *procCluster
	stopped chan struct{}
	once    sync.Once
	wg      sync.WaitGroup
	n       atomic.Int64
	mu      sync.Mutex
	ok      map[string]string // acknowledged puts
}

func (c *procCluster) startLoad(clients int) *load {
	l := &load{c: c, stopped: make(chan struct{}), ok: map[string]string{}}
	for w := range clients {
		l.wg.Add(1)
		go l.client(w)
	}
	return l
}

// client puts keys k-<w>-<i>; a put that fails (no leader, node killed,
// timeout) may or may not have been committed, so it is retried, same
// key and value, on whichever node leads next.
func (l *load) client(w int) {
	defer l.wg.Done()
	var leader *proc
	for i := 0; ; i++ {
		key := fmt.Sprintf("k-%d-%d", w, i)
		for {
			select {
			case <-l.stopped:
				return
			default:
			}
			if leader == nil {
				if leader = l.c.findLeader(); leader == nil {
					time.Sleep(20 * time.Millisecond)
					continue
				}
			}
			if err := leader.put(key, "v"+key); err != nil {
				leader = nil
				continue
			}
			l.mu.Lock()
			l.ok[key] = "v" + key
			l.mu.Unlock()
			l.n.Add(1)
			break
		}
	}
}

func (l *load) acked() int { return int(l.n.Load()) }

func (l *load) waitAcked(n int) {
	l.c.t.Helper()
	l.c.waitFor(fmt.Sprintf("%d puts are acknowledged", n), func() bool { return l.acked() >= n })
}

func (l *load) stop() {
	l.once.Do(func() { close(l.stopped) })
	l.wg.Wait()
}

func (l *load) keys() map[string]string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.ok)
}
