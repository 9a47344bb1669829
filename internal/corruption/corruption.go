// Package corruption holds the single sentinel error that every component
// wraps when bytes read from disk fail a check, and the helper that builds
// such errors with the file and offset where the damage was found.
//
// Callers test with errors.Is(err, corruption.ErrCorruption); the root package
// re-exports the same value as lsmkv.ErrCorruption.
package corruption

import (
	"errors"
	"fmt"
)

// ErrCorruption is wrapped by every error that reports damaged or foreign
// on-disk data.
var ErrCorruption = errors.New("corruption")

// Error describes damage found in one file.
type Error struct {
	File   string // the file's name (path as given to the FS)
	Offset int64  // byte offset of the damaged structure; -1 if unknown
	Reason string // what check failed
	// Err is the cause, when the damage was found by a lower layer (a
	// decoder's error, say); nil otherwise.
	Err error
}

func (e *Error) Error() string {
	if e.Offset < 0 {
		return fmt.Sprintf("corruption in %s: %s", e.File, e.Reason)
	}
	return fmt.Sprintf("corruption in %s at offset %d: %s", e.File, e.Offset, e.Reason)
}

// Is makes errors.Is(err, ErrCorruption) true for every *Error.
func (e *Error) Is(target error) bool { return target == ErrCorruption }

// Unwrap returns the cause, so that errors.Is and errors.As (and
// errors.Unwrap) reach the lower layer's error rather than a flattened
// copy of its text.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error for file at offset with a reason formatted as by
// fmt.Errorf: a %w verb keeps its operand as the error's cause.
func Errorf(file string, offset int64, format string, args ...any) error {
	reason := fmt.Errorf(format, args...)
	e := &Error{File: file, Offset: offset, Reason: reason.Error()}
	if errors.Unwrap(reason) != nil || hasMultiple(reason) {
		e.Err = reason
	}
	return e
}

// hasMultiple reports whether err wraps several errors (fmt.Errorf with
// more than one %w).
func hasMultiple(err error) bool {
	u, ok := err.(interface{ Unwrap() []error })
	return ok && len(u.Unwrap()) > 0
}
