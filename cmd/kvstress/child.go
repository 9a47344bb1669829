package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/lsmkv/lsmkv"
)

// The child is the process kill mode kills: the kvstress binary itself,
// re-executed with childEnv set. It writes its cycle's batches to the DB
// until it dies, and after each Write returns it reports the batch number
// on the ack pipe. It never closes the DB: nothing but SIGKILL ends it
// (or an error, or the parent going away).

// childEnv holds the child's childConfig as JSON; when it is set, main
// runs the child instead of the command.
const childEnv = "KVSTRESS_CHILD"

// ackFD is the child's end of the ack pipe: the parent's
// exec.Cmd.ExtraFiles[0] is descriptor 3. The child writes openLine on it
// just before opening the DB, then one line per acknowledged batch.
const ackFD = 3

const openLine = "open\n"

// Child exit statuses.
const (
	childBadConfig = 1
	childDBFailed  = 3 // Open or Write failed
)

// childConfig is everything the child needs to regenerate its cycle.
type childConfig struct {
	Dir   string
	Seed  uint64
	Cycle int
	Work  workloadConfig
}

// childConfigFromEnv returns the child's config, as JSON, if this process
// is a child.
func childConfigFromEnv() (string, bool) {
	return os.LookupEnv(childEnv)
}

// runChild writes batches forever; it returns only on failure.
func runChild(raw string, stderr io.Writer) int {
	var cfg childConfig
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		fmt.Fprintf(stderr, "kvstress child: bad %s: %v\n", childEnv, err)
		return childBadConfig
	}
	acks := os.NewFile(ackFD, "acks")
	if _, err := io.WriteString(acks, openLine); err != nil {
		return 0 // the parent is gone
	}
	db, err := lsmkv.Open(cfg.Dir, stressOptions(nil, false))
	if err != nil {
		fmt.Fprintf(stderr, "kvstress child: cycle %d: open: %v\n", cfg.Cycle, err)
		return childDBFailed
	}
	w := newWorkload(cfg.Seed, cfg.Cycle, cfg.Work)
	var buf []byte
	for i := 0; ; i++ {
		b := w.nextBatch()
		if err := b.write(db); err != nil {
			fmt.Fprintf(stderr, "kvstress child: cycle %d: batch %d: %v\n", cfg.Cycle, i, err)
			return childDBFailed
		}
		// Write has returned: batch i is acknowledged, and only now may the
		// parent hear of it. One unbuffered write per ack, so no ack waits
		// in a buffer when the kill comes, and the parent never reads half
		// a number (a pipe delivers writes this small whole).
		buf = strconv.AppendInt(buf[:0], int64(i), 10)
		buf = append(buf, '\n')
		if _, err := acks.Write(buf); err != nil {
			return 0 // the parent is gone; so is the point of going on
		}
	}
}
