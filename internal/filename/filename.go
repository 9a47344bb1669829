// Package filename names the files in a DB directory and parses those names
// back. Every file but CURRENT and LOCK carries a file number, allocated from
// one counter recorded in the manifest, so names never repeat:
//
//	000007.log        a write-ahead log
//	000012.sst        an SSTable
//	MANIFEST-000003   a manifest (version edit log)
//	CURRENT           names the live manifest
//	LOCK              held while a process has the DB open
//	000013.tmp        a file being written that is not yet part of the DB
package filename

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// Kind is the kind of a file in a DB directory.
type Kind int

// The kinds of files in a DB directory.
const (
	Unknown Kind = iota
	Log
	Table
	Manifest
	Current
	Lock
	Temp
)

func (k Kind) String() string {
	return [...]string{"unknown", "log", "table", "manifest", "current", "lock", "temp"}[k]
}

// Make returns the name (not path) of the file of kind k and number num.
func Make(k Kind, num uint64) string {
	switch k {
	case Log:
		return fmt.Sprintf("%06d.log", num)
	case Table:
		return fmt.Sprintf("%06d.sst", num)
	case Manifest:
		return fmt.Sprintf("MANIFEST-%06d", num)
	case Current:
		return "CURRENT"
	case Lock:
		return "LOCK"
	case Temp:
		return fmt.Sprintf("%06d.tmp", num)
	}
	panic(fmt.Sprintf("filename: unknown kind %d", k))
}

// Path returns filepath.Join(dir, Make(k, num)).
func Path(dir string, k Kind, num uint64) string { return filepath.Join(dir, Make(k, num)) }

// Parse returns the kind and number of a file name (not path); ok is false
// for names the DB did not make.
func Parse(name string) (k Kind, num uint64, ok bool) {
	switch {
	case name == "CURRENT":
		return Current, 0, true
	case name == "LOCK":
		return Lock, 0, true
	case strings.HasPrefix(name, "MANIFEST-"):
		n, err := strconv.ParseUint(name[len("MANIFEST-"):], 10, 64)
		return Manifest, n, err == nil
	}
	base, ext, found := strings.Cut(name, ".")
	if !found {
		return Unknown, 0, false
	}
	n, err := strconv.ParseUint(base, 10, 64)
	if err != nil {
		return Unknown, 0, false
	}
	switch ext {
	case "log":
		return Log, n, true
	case "sst":
		return Table, n, true
	case "tmp":
		return Temp, n, true
	}
	return Unknown, 0, false
}
