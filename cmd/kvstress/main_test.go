package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lsmkv/lsmkv/internal/testseed"
)

// TestMain lets the test binary be kill mode's child, as the command is:
// runAndKill re-executes os.Executable(), which under go test is this
// binary.
func TestMain(m *testing.M) {
	if raw, ok := childConfigFromEnv(); ok {
		os.Exit(runChild(raw, os.Stderr))
	}
	os.Exit(m.Run())
}

// testConfig is a short run of mode in a fresh directory, seeded from
// testseed so a failure can be replayed with -seed.
func testConfig(t *testing.T, m mode, cycles int) *config {
	cfg := &config{
		mode:       m,
		dir:        t.TempDir(),
		cycles:     cycles,
		seed:       testseed.Seed(t),
		killWithin: 400 * time.Millisecond,
		work: workloadConfig{Keys: 500, BatchMax: 8, ValueMin: 0, ValueMax: 200, SyncRatio: 0.1,
			RangeDelRatio: 0.1, RangeDelSpan: 16},
	}
	if err := cfg.check(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// runTest runs cfg and returns the exit status, the counts and the output.
func runTest(t *testing.T, cfg *config, hooks testHooks) (int, stats, string) {
	t.Helper()
	var out bytes.Buffer
	code, st := runSession(context.Background(), cfg, &out, hooks)
	t.Logf("output:\n%s", out.String())
	return code, st, out.String()
}

// TestKillModeShortRun: a few kill cycles keep the contract, and the run
// really wrote, killed and checked.
func TestKillModeShortRun(t *testing.T) {
	cfg := testConfig(t, modeKill, 4)
	code, st, out := runTest(t, cfg, testHooks{})
	if code != exitOK || st.failures != 0 {
		t.Fatalf("exit %d, %d failures", code, st.failures)
	}
	if st.cycles != 4 || st.crashes != 4 {
		t.Errorf("cycles=%d crashes=%d, want 4 and 4", st.cycles, st.crashes)
	}
	if st.acked == 0 || st.recovered < st.required || st.writes == 0 {
		t.Errorf("nothing was checked: %+v", st)
	}
	if !strings.Contains(out, "kvstress: done: mode=kill") {
		t.Errorf("no summary line")
	}
	if _, err := os.Stat(filepath.Join(cfg.dir, "db")); !os.IsNotExist(err) {
		t.Errorf("the DB of a clean run was not removed: %v", err)
	}
}

// TestPowerLossModeShortRun: a few hundred power losses keep the contract,
// and the writes ran flushes and compactions.
func TestPowerLossModeShortRun(t *testing.T) {
	cfg := testConfig(t, modePowerLoss, 30)
	code, st, _ := runTest(t, cfg, testHooks{})
	if code != exitOK || st.failures != 0 {
		t.Fatalf("exit %d, %d failures", code, st.failures)
	}
	// Per cycle: one clone at Open, 1..clonesPerCycle while writing (two
	// picks can fall together), one after Close.
	if st.cycles != 30 || st.crashes < 30*3 {
		t.Errorf("cycles=%d crashes=%d, want 30 and at least 90", st.cycles, st.crashes)
	}
	if st.required == 0 || st.recovered < st.required || st.flushes == 0 || st.compactions == 0 || st.rangeDels == 0 {
		t.Errorf("the run did not exercise what it should: %+v", st)
	}
}

// TestPowerLossModeCatchesBrokenRangeDels: when the engine loses range
// deletions, or applies them to only their first key, the recovered state
// is no prefix of the batches the workload wrote (a clone after Close
// requires every batch), and the run must say so.
func TestPowerLossModeCatchesBrokenRangeDels(t *testing.T) {
	for name, hook := range map[string]func(entry) (entry, bool){
		"lost":      func(e entry) (entry, bool) { return e, false },
		"cut short": func(e entry) (entry, bool) { e.end = e.key + "\x00"; return e, true },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := testConfig(t, modePowerLoss, 20)
			cfg.work.RangeDelRatio = 0.5
			code, st, out := runTest(t, cfg, testHooks{rangeDel: hook})
			if code != exitFailure || st.failures != 1 {
				t.Fatalf("exit %d, %d failures: the broken range deletions went unnoticed", code, st.failures)
			}
			requireFailureReport(t, cfg, out)
		})
	}
}

// TestPowerLossModeCatchesDroppedSyncs: when WAL syncs are silently
// dropped, synced writes are lost, and the run must say so, exit 1 and
// leave the failing state where kvtool can read it.
func TestPowerLossModeCatchesDroppedSyncs(t *testing.T) {
	cfg := testConfig(t, modePowerLoss, 20)
	cfg.work.SyncRatio = 0.5
	code, st, out := runTest(t, cfg, testHooks{dropSyncs: true})
	if code != exitFailure || st.failures != 1 {
		t.Fatalf("exit %d, %d failures: the dropped syncs went unnoticed", code, st.failures)
	}
	requireFailureReport(t, cfg, out)
}

// TestKillModeCatchesLostWrites: when the newest WAL is emptied after a
// kill, the acknowledged batches since the last flush are lost (the last
// one always is: it sits in the newest WAL), and the run must say so, exit
// 1 and keep the directory. A child killed before its first ack loses
// nothing; the next cycle tries again.
func TestKillModeCatchesLostWrites(t *testing.T) {
	cfg := testConfig(t, modeKill, 10)
	hooks := testHooks{beforeCheck: func(dir string) { emptyNewestWAL(t, dir) }}
	code, st, out := runTest(t, cfg, hooks)
	if code != exitFailure || st.failures != 1 {
		t.Fatalf("exit %d, %d failures: the lost writes went unnoticed", code, st.failures)
	}
	if !strings.Contains(out, "batches that had to survive (acknowledged) were recovered") {
		t.Errorf("the report does not say that acknowledged batches were lost")
	}
	requireFailureReport(t, cfg, out)
}

func emptyNewestWAL(t *testing.T, dir string) {
	logs, err := filepath.Glob(filepath.Join(dir, "*.log"))
	if err != nil || len(logs) == 0 {
		t.Fatalf("no WAL in %s: %v", dir, err)
	}
	if err := os.Truncate(logs[len(logs)-1], 0); err != nil { // names sort by number
		t.Fatal(err)
	}
}

// requireFailureReport checks what a failed run leaves: the violation, the
// seed and replay command in the output and in failure.txt, and the DB
// directory.
func requireFailureReport(t *testing.T, cfg *config, out string) {
	t.Helper()
	for _, want := range []string{"VIOLATION in cycle", "seed " + strconv.FormatUint(cfg.seed, 10), "replay: go run ./cmd/kvstress -mode=" + cfg.mode.String(), "failures=1"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	report, err := os.ReadFile(filepath.Join(cfg.dir, "failure.txt"))
	if err != nil || !strings.Contains(string(report), "VIOLATION") {
		t.Errorf("failure.txt: %v\n%s", err, report)
	}
	if _, err := os.Stat(filepath.Join(cfg.dir, "db", "CURRENT")); err != nil {
		t.Errorf("the failing DB was not kept: %v", err)
	}
}

// TestRefusesExistingDB: a DB whose history kvstress does not know cannot
// be checked, and a kept failure must not be overwritten.
func TestRefusesExistingDB(t *testing.T) {
	cfg := testConfig(t, modePowerLoss, 1)
	if err := os.MkdirAll(filepath.Join(cfg.dir, "db"), 0o755); err != nil {
		t.Fatal(err)
	}
	code, _, out := runTest(t, cfg, testHooks{})
	if code != exitFailure || !strings.Contains(out, "exists") {
		t.Fatalf("exit %d", code)
	}
	if _, err := os.Stat(filepath.Join(cfg.dir, "db")); err != nil {
		t.Fatalf("the existing DB directory was touched: %v", err)
	}
}
