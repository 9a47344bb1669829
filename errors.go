package lsmkv

import (
	"errors"

	"github.com/lsmkv/lsmkv/internal/corruption"
)

// Sentinel errors. Test for them with errors.Is: the errors the DB returns
// wrap them with detail (which file, which offset, which argument).
var (
	// ErrNotFound is returned by Get when the key is absent.
	ErrNotFound = errors.New("lsmkv: not found")
	// ErrClosed is returned by every method called after Close.
	ErrClosed = errors.New("lsmkv: closed")
	// ErrCorruption is wrapped by every error about damaged on-disk data;
	// the message names the file and the offset.
	ErrCorruption = corruption.ErrCorruption
	// ErrReadOnly is returned by writes to a DB opened with Options.ReadOnly.
	ErrReadOnly = errors.New("lsmkv: read-only")
	// ErrLocked is wrapped when another DB (in this process or another) has
	// the directory open.
	ErrLocked = errors.New("lsmkv: directory locked by another DB")
	// ErrInvalidArgument is wrapped when an argument is out of range (a key
	// longer than MaxKeySize, a bad option). Nothing is written.
	ErrInvalidArgument = errors.New("lsmkv: invalid argument")
)
