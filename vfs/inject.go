package vfs

import (
	"path/filepath"
	"sync/atomic"
)

// NthInjector fails the n-th call (1-based) of one Op, counted across all
// paths and files while the injector is enabled, and then stops failing.
// It starts enabled. Safe for concurrent use.
type NthInjector struct {
	op       Op
	n        int64
	err      error
	disabled atomic.Bool
	calls    atomic.Int64 // calls of op seen while enabled
}

// OnNth returns an injector that fails the n-th call of op with err.
func OnNth(op Op, n int64, err error) *NthInjector {
	return &NthInjector{op: op, n: n, err: err}
}

// MaybeError implements Injector.
func (j *NthInjector) MaybeError(op Op, path string) error {
	if op != j.op || j.disabled.Load() {
		return nil
	}
	if j.calls.Add(1) == j.n {
		return j.err
	}
	return nil
}

// Enable turns counting and failing back on.
func (j *NthInjector) Enable() { j.disabled.Store(false) }

// Disable turns counting and failing off, so a test can open a DB cleanly
// and only then arm the fault.
func (j *NthInjector) Disable() { j.disabled.Store(true) }

// Calls returns how many calls of the op were counted so far.
func (j *NthInjector) Calls() int64 { return j.calls.Load() }

// Fired reports whether the n-th call has happened, i.e. the fault fired.
func (j *NthInjector) Fired() bool { return j.calls.Load() >= j.n }

// MatchInjector fails every call of the chosen ops on paths whose base name
// matches a filepath.Match pattern, while enabled. It starts enabled. Safe
// for concurrent use.
type MatchInjector struct {
	pattern  string
	ops      [numOps]bool
	err      error
	disabled atomic.Bool
	injected atomic.Int64
}

// OnMatch returns an injector that fails ops (all ops if ops is empty) on
// paths whose base name matches pattern. Like regexp.MustCompile, it panics
// if pattern is malformed, since that is a bug in the test.
func OnMatch(pattern string, ops []Op, err error) *MatchInjector {
	if _, perr := filepath.Match(pattern, ""); perr != nil {
		panic("lsmkv/vfs: OnMatch: bad pattern " + pattern)
	}
	j := &MatchInjector{pattern: pattern, err: err}
	for op := range j.ops {
		j.ops[op] = len(ops) == 0
	}
	for _, op := range ops {
		if op >= 0 && op < numOps {
			j.ops[op] = true
		}
	}
	return j
}

// MaybeError implements Injector.
func (j *MatchInjector) MaybeError(op Op, path string) error {
	if op < 0 || op >= numOps || !j.ops[op] || j.disabled.Load() {
		return nil
	}
	if ok, _ := filepath.Match(j.pattern, filepath.Base(path)); !ok {
		return nil
	}
	j.injected.Add(1)
	return j.err
}

// Enable turns the injector back on.
func (j *MatchInjector) Enable() { j.disabled.Store(false) }

// Disable turns the injector off: every operation passes through.
func (j *MatchInjector) Disable() { j.disabled.Store(true) }

// Injected returns how many errors the injector has returned.
func (j *MatchInjector) Injected() int64 { return j.injected.Load() }

// ShortWrite returns an error for an Injector to return that makes a
// failing Write a short one: it writes the first half of its bytes (rounded
// down) and then returns the error, which wraps err, like a write(2) that
// runs out of space part way. For any other operation the error acts as err
// does: the operation has no effect.
func ShortWrite(err error) error { return &shortWriteError{err: err} }

type shortWriteError struct{ err error }

func (e *shortWriteError) Error() string { return "short write: " + e.err.Error() }
func (e *shortWriteError) Unwrap() error { return e.err }
