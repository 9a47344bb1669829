package raftstore

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/hashicorp/raft"
)

func TestCodecRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		log  raft.Log
	}{
		{"zero", raft.Log{}},
		{"every field", raft.Log{Index: 7, Term: 3, Type: raft.LogConfiguration, Data: []byte("d"),
			Extensions: []byte("e"), AppendedAt: time.Unix(1700000000, 123456789)}},
		{"empty, not nil", raft.Log{Index: 1, Data: []byte{}, Extensions: []byte{}}},
		{"largest numbers", raft.Log{Index: math.MaxUint64, Term: math.MaxUint64, Type: raft.LogType(255)}},
		{"time before 1970", raft.Log{Index: 2, AppendedAt: time.Date(1900, 1, 2, 3, 4, 5, 6, time.UTC)}},
		{"time far ahead", raft.Log{Index: 3, AppendedAt: time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)}},
		{"time now", raft.Log{Index: 4, AppendedAt: time.Now()}},
		{"large data", raft.Log{Index: 5, Data: make([]byte, 1<<20)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			enc := appendLog(nil, &tc.log)
			if len(enc) > encodedLogLen(&tc.log) {
				t.Fatalf("encoding of %d bytes exceeds the bound %d", len(enc), encodedLogLen(&tc.log))
			}
			var got raft.Log
			if err := decodeLog(tc.log.Index, enc, &got); err != nil {
				t.Fatal(err)
			}
			if !sameLog(&got, &tc.log) {
				t.Fatalf("decoded %+v, want %+v", got, tc.log)
			}
		})
	}
}

// FuzzDecodeLog: no input panics, and what decodes re-encodes to a value
// that decodes to the same entry.
func FuzzDecodeLog(f *testing.F) {
	for _, i := range []uint64{0, 1, 2, 3, 6, 1 << 40} {
		f.Add(i, appendLog(nil, testLog(i)))
	}
	f.Fuzz(func(t *testing.T, index uint64, value []byte) {
		var l raft.Log
		if err := decodeLog(index, value, &l); err != nil {
			return
		}
		var again raft.Log
		if err := decodeLog(index, appendLog(nil, &l), &again); err != nil || !sameLog(&l, &again) {
			t.Fatalf("re-encoding %+v decodes to %+v, %v", l, again, err)
		}
	})
}

// Example_logEncoding prints the worked example of docs/raft.md: the key
// and value of entry 5, term 2, a command "hi", appended at
// 2024-01-01T00:00:00.5Z.
func Example_logEncoding() {
	l := &raft.Log{Index: 5, Term: 2, Type: raft.LogCommand, Data: []byte("hi"),
		AppendedAt: time.Date(2024, 1, 1, 0, 0, 0, 5e8, time.UTC)}
	fmt.Printf("key   % x\n", logKey(l.Index))
	fmt.Printf("value % x\n", appendLog(nil, l))
	// Output:
	// key   01 00 00 00 00 00 00 00 05
	// value 01 00 03 05 02 80 82 90 d9 0c 80 ca b5 ee 01 02 68 69
}
