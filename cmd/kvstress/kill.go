package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"time"

	"github.com/lsmkv/lsmkv"
)

// Kill mode: each cycle starts a child on the DB directory, kills it with
// SIGKILL at a random moment, then opens the directory read-only and checks
// that it holds the state the previous check found (the base) plus a
// whole-batch prefix of the child's batches covering every batch the child
// acknowledged. The state found is the next cycle's base. The parent opens
// read-only so that it changes nothing: the child's own Open does the
// recovery (and may be killed during it), and a failing directory is
// exactly what the crash left.

// runKill runs kill-mode cycles until the session says stop.
func runKill(s *session, beforeCheck func(dbDir string)) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("kvstress: finding the binary to re-execute: %w", err)
	}
	// Create the DB first, so that a child killed before its Open still
	// leaves one to check.
	db, err := lsmkv.Open(s.wd.db(), stressOptions(nil, false))
	if err != nil {
		return fmt.Errorf("kvstress: create the DB: %w", err)
	}
	if err := db.Close(); err != nil {
		return fmt.Errorf("kvstress: create the DB: %w", err)
	}
	base := state{}
	for cycle := 0; s.next(cycle); cycle++ {
		life := time.Duration(1 + s.sched.Int64N(int64(s.cfg.killWithin)))
		cc := childConfig{Dir: s.wd.db(), Seed: s.cfg.seed, Cycle: cycle, Work: s.cfg.work}
		acked, err := runAndKill(s.ctx, exe, cc, life)
		if err != nil {
			return err
		}
		if beforeCheck != nil {
			beforeCheck(s.wd.db())
		}
		if base, err = checkKilled(s, cycle, base, acked); err != nil {
			return err
		}
	}
	return nil
}

// checkKilled checks the directory after cycle's child acknowledged acked
// batches, and returns the state found.
func checkKilled(s *session, cycle int, base state, acked int) (state, error) {
	r, err := readState(nil, s.wd.db(), s.cfg.work.Keys, s.sched)
	if err != nil {
		return nil, err
	}
	// The child may have died inside the Write of batch acked.
	batches := newWorkload(s.cfg.seed, cycle, s.cfg.work).batches(acked + 1)
	e := expectation{base: base, batches: batches, required: acked, why: "acknowledged"}
	p, err := e.check(r.state)
	if err != nil {
		return nil, err
	}
	s.stats.add(acked, acked, p, batches, r)
	return r.state, nil
}

// runAndKill starts a child for cc, kills it life after it starts to
// open the DB (or at once when ctx ends) and returns the number of batches
// it acknowledged. The kill moment counts from the child's "open" line,
// not from exec: starting a process is slow on a loaded machine and does
// nothing to the DB.
func runAndKill(ctx context.Context, exe string, cc childConfig, life time.Duration) (int, error) {
	cmd, pr, stderr, err := startChild(exe, cc)
	if err != nil {
		return 0, err
	}
	defer pr.Close()
	opening := make(chan struct{})
	acks := make(chan ackCount, 1)
	go func() { acks <- readAcks(pr, opening) }()
	res, early := waitToKill(ctx, opening, acks, life)
	cmd.Process.Kill() // the child may be gone already: nothing to check
	if !early {
		res = <-acks
	}
	cmd.Wait()
	return res.n, childFailure(ctx, cmd, res, stderr)
}

// startChild starts the child with the write end of the ack pipe as its
// descriptor 3, and returns the read end.
func startChild(exe string, cc childConfig) (*exec.Cmd, *os.File, *tailBuffer, error) {
	raw, err := json.Marshal(cc)
	if err != nil {
		return nil, nil, nil, err
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, nil, nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), childEnv+"="+string(raw))
	cmd.ExtraFiles = []*os.File{pw}
	stderr := &tailBuffer{}
	cmd.Stderr = stderr
	err = cmd.Start()
	pw.Close() // the child has its copy; ours would keep EOF from coming
	if err != nil {
		pr.Close()
		return nil, nil, nil, fmt.Errorf("kvstress: start the child: %w", err)
	}
	return cmd, pr, stderr, nil
}

// waitToKill waits until life has passed since opening closed, or ctx
// ends, or the ack pipe closes first: then the child died by itself, and
// early is true with what was read.
func waitToKill(ctx context.Context, opening <-chan struct{}, acks <-chan ackCount, life time.Duration) (res ackCount, early bool) {
	select {
	case <-opening:
	case <-ctx.Done():
		return ackCount{}, false
	case r := <-acks:
		return r, true
	}
	timer := time.NewTimer(life)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-ctx.Done():
	case r := <-acks:
		return r, true
	}
	return ackCount{}, false
}

// childFailure says what went wrong, if anything, with a killed child.
func childFailure(ctx context.Context, cmd *exec.Cmd, res ackCount, stderr *tailBuffer) error {
	if res.err != nil {
		return res.err
	}
	code := cmd.ProcessState.ExitCode() // -1: died of a signal, our kill
	switch {
	case code == -1 || ctx.Err() != nil:
		return nil
	case code == childDBFailed:
		return fmt.Errorf("%w: the child's DB failed after %d acks: %s", errViolation, res.n, stderr)
	}
	return fmt.Errorf("kvstress: the child exited with status %d after %d acks: %s", code, res.n, stderr)
}

// ackCount is what readAcks found.
type ackCount struct {
	n   int // acks read: batches 0..n-1 were acknowledged
	err error
}

// readAcks reads the child's "open" line, closing opening, then the acks
// "0\n", "1\n", ... until the pipe closes. A last line without its
// newline would not count, but cannot happen: each line is one small
// write, which a pipe delivers whole or not at all.
func readAcks(r io.Reader, opening chan<- struct{}) ackCount {
	br := bufio.NewReader(r)
	if line, err := br.ReadString('\n'); err != nil {
		return ackCount{}
	} else if line != openLine {
		return ackCount{err: fmt.Errorf("kvstress: %q from the child, want %q", line, openLine)}
	}
	close(opening)
	for n := 0; ; n++ {
		line, err := br.ReadString('\n')
		if err != nil {
			return ackCount{n: n}
		}
		if want := strconv.Itoa(n) + "\n"; line != want {
			return ackCount{n: n, err: fmt.Errorf("kvstress: ack %q from the child, want %q", line, want)}
		}
	}
}

// tailBuffer keeps the last tailBufferSize bytes written to it: enough of
// a child's stderr to say why it failed.
type tailBuffer struct{ b []byte }

const tailBufferSize = 4 << 10

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > tailBufferSize {
		t.b = t.b[len(t.b)-tailBufferSize:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return string(t.b) }
