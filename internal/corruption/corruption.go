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
}

func (e *Error) Error() string {
	if e.Offset < 0 {
		return fmt.Sprintf("corruption in %s: %s", e.File, e.Reason)
	}
	return fmt.Sprintf("corruption in %s at offset %d: %s", e.File, e.Offset, e.Reason)
}

// Unwrap makes errors.Is(err, ErrCorruption) true.
func (e *Error) Unwrap() error { return ErrCorruption }

// Errorf returns an *Error for file at offset with a formatted reason.
func Errorf(file string, offset int64, format string, args ...any) error {
	return &Error{File: file, Offset: offset, Reason: fmt.Sprintf(format, args...)}
}
