package liveview

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lsmkv/lsmkv"
)

// tinyOptions make flushes and compactions happen every few hundred writes.
func tinyOptions(l lsmkv.EventListener) *lsmkv.Options {
	return &lsmkv.Options{
		MemtableSize: 8 << 10, BlockSize: 256, TargetFileSize: 8 << 10, BaseLevelSize: 32 << 10,
		L0CompactionTrigger: 2, L0StopWritesTrigger: 8, LevelSizeMultiplier: 4,
		EventListener: l,
	}
}

func writeKeys(t *testing.T, db *lsmkv.DB, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		k := fmt.Sprintf("key%06d", i)
		if err := db.Put([]byte(k), []byte(strings.Repeat(k, 4))); err != nil {
			t.Fatal(err)
		}
	}
}

// sse is one message read from /api/events.
type sse struct {
	id, event string
	data      []byte
}

// readSSE parses the stream of resp into out until it ends.
func readSSE(resp *http.Response, out chan<- sse) {
	defer close(out)
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 16<<20)
	var m sse
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if m.event != "" {
				out <- m
			}
			m = sse{}
		case strings.HasPrefix(line, "id: "):
			m.id = line[4:]
		case strings.HasPrefix(line, "event: "):
			m.event = line[7:]
		case strings.HasPrefix(line, "data: "):
			m.data = []byte(line[6:])
		}
	}
}

func getSnapshot(t *testing.T, url string) Snapshot {
	t.Helper()
	resp, err := http.Get(url + "/api/snapshot")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s Snapshot
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// eventually polls cond until it holds, failing the test after a minute:
// a bound for a hung test, not a timing assertion.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
	}
}
