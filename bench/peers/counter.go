package main

import (
	"sync/atomic"

	"github.com/lsmkv/lsmkv/bench"
)

// userBytes counts the key and value bytes the benchmark asked an engine to
// write, the denominator of write amplification. The adapters count it
// themselves, the same way for every engine, rather than trust each
// engine's own notion of "user bytes" (which may include batch headers).
// It matches lsmkv's Metrics.UserBytes: a delete counts its key.
type userBytes struct{ n atomic.Int64 }

func (u *userBytes) add(k, v []byte) { u.n.Add(int64(len(k) + len(v))) }

func (u *userBytes) addOps(ops []bench.Op) {
	var n int64
	for _, op := range ops {
		n += int64(len(op.Key))
		if op.Kind == bench.OpPut {
			n += int64(len(op.Value))
		}
	}
	u.n.Add(n)
}

// writeAmp returns written/user, or 0 (unknown) before any user write.
func (u *userBytes) writeAmp(written int64) float64 {
	user := u.n.Load()
	if user == 0 || written <= 0 {
		return 0
	}
	return float64(written) / float64(user)
}
