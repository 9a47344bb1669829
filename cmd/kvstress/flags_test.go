package main

import (
	"io"
	"strings"
	"testing"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		args    string
		wantErr string // "" when valid
	}{
		{"", ""},
		{"-mode=powerloss -value_size=5,5000 -sync_ratio=1 -batch=1 -keys=1", ""},
		{"-value_size=100", ""},
		{"-mode=reboot", "want kill or powerloss"},
		{"-value_size=10,5", "want 0 <= MIN <= MAX"},
		{"-value_size=x,5", "-value_size"},
		{"-sync_ratio=1.5", "must be in [0,1]"},
		{"-batch=0", "-batch=0"},
		{"-keys=0", "-keys=0"},
		{"-cycles=-1", "-cycles=-1"},
		{"-kill_within=0s", "-kill_within"},
		{"-rangedel_ratio=0 -rangedel_span=1", ""},
		{"-rangedel_ratio=-0.1", "-rangedel_ratio"},
		{"-rangedel_span=0", "-rangedel_span=0"},
		{"extra", "unexpected arguments"},
	}
	for _, tc := range tests {
		_, err := parseFlags(strings.Fields(tc.args), io.Discard)
		if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("parseFlags(%q) = %v, want error containing %q", tc.args, err, tc.wantErr)
		}
	}
}

// TestReplayArgs: the replay command a failure prints parses back to the
// same run, limited to the failing cycle.
func TestReplayArgs(t *testing.T) {
	for _, args := range []string{
		"-mode=kill -seed=77 -value_size=3,900 -sync_ratio=0.25 -batch=3 -keys=40 -kill_within=90ms -rangedel_ratio=0.3 -rangedel_span=7",
		"-mode=powerloss -seed=78 -duration=5m",
	} {
		cfg, err := parseFlags(strings.Fields(args), io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		line := cfg.replayArgs(12)
		replay, err := parseFlags(strings.Fields(strings.TrimPrefix(line, "go run ./cmd/kvstress ")), io.Discard)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		want := *cfg
		want.cycles, want.duration = 12, 0
		if *replay != want {
			t.Errorf("%s\nparses to %+v\nwant       %+v", line, *replay, want)
		}
	}
}
