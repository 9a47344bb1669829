package main

import (
	"encoding/hex"
	"errors"
	"flag"
	"fmt"

	"github.com/lsmkv/lsmkv"
)

// keyFlags holds the flags get and scan share.
type keyFlags struct {
	dirFlags
	full bool
	hex  bool
}

func (k *keyFlags) register(fs *flag.FlagSet) {
	k.dirFlags.register(fs)
	fs.BoolVar(&k.full, "full", false, "show keys and values in full instead of the first 32 bytes")
	fs.BoolVar(&k.hex, "hex", false, "keys on the command line are hex (for binary keys)")
}

// key decodes a key argument: as is, or from hex with -hex.
func (k *keyFlags) key(arg string) ([]byte, error) {
	if !k.hex {
		return []byte(arg), nil
	}
	b, err := hex.DecodeString(arg)
	if err != nil {
		return nil, fmt.Errorf("lsmkv/kvtool: -hex key %q: %w", arg, err)
	}
	return b, nil
}

// withDB opens the DB in dir read-only (under its lock unless -readonly)
// and runs fn on it. A read-only Open replays the WALs into memory and
// never modifies the directory.
func withDB(e *env, dir string, kf *keyFlags, fn func(db *lsmkv.DB) int) int {
	return withLockedDir(e, dir, kf.readOnly, func() int {
		db, err := lsmkv.Open(dir, &lsmkv.Options{ReadOnly: true})
		if err != nil {
			return e.fail(err)
		}
		status := fn(db)
		if err := db.Close(); err != nil {
			return e.fail(err)
		}
		return status
	})
}

// getCmd implements "kvtool get [-readonly] [-full] [-hex] DIR KEY".
func getCmd(fs *flag.FlagSet) func(e *env, pos []string) int {
	var kf keyFlags
	kf.register(fs)
	return func(e *env, pos []string) int {
		key, err := kf.key(pos[1])
		if err != nil {
			return e.fail(err)
		}
		return withDB(e, pos[0], &kf, func(db *lsmkv.DB) int {
			v, err := db.Get(key)
			if errors.Is(err, lsmkv.ErrNotFound) {
				return e.fail(fmt.Errorf("lsmkv/kvtool: key %s not found", fmtBytes(key, true)))
			}
			if err != nil {
				return e.fail(err)
			}
			fmt.Fprintln(e.stdout, fmtBytes(v, kf.full))
			return exitOK
		})
	}
}

// scanFlags are scan's own flags.
type scanFlags struct {
	keyFlags
	start, end string
	limit      int
	reverse    bool
}

// scanCmd implements "kvtool scan [flags] DIR".
func scanCmd(fs *flag.FlagSet) func(e *env, pos []string) int {
	var sf scanFlags
	sf.keyFlags.register(fs)
	fs.StringVar(&sf.start, "start", "", "the first key `K` to show (inclusive); default: the first key")
	fs.StringVar(&sf.end, "end", "", "the key `K` to stop before (exclusive); default: past the last key")
	fs.IntVar(&sf.limit, "limit", 0, "show at most `N` entries; 0: no limit")
	fs.BoolVar(&sf.reverse, "reverse", false, "walk from the end of the range backwards")
	return func(e *env, pos []string) int {
		return scanRun(e, pos[0], &sf)
	}
}

// scanRun runs scan on dir with the parsed flags.
func scanRun(e *env, dir string, sf *scanFlags) int {
	var opts lsmkv.IterOptions
	var err error
	if sf.start != "" {
		if opts.LowerBound, err = sf.key(sf.start); err != nil {
			return e.fail(err)
		}
	}
	if sf.end != "" {
		if opts.UpperBound, err = sf.key(sf.end); err != nil {
			return e.fail(err)
		}
	}
	return withDB(e, dir, &sf.keyFlags, func(db *lsmkv.DB) int {
		if err := scan(e, db, &opts, sf); err != nil {
			return e.fail(err)
		}
		return exitOK
	})
}

// scan prints the entries of db in opts' range, one per line, then a count.
func scan(e *env, db *lsmkv.DB, opts *lsmkv.IterOptions, sf *scanFlags) error {
	it, err := db.NewIterator(opts)
	if err != nil {
		return err
	}
	first, next := it.First, it.Next
	if sf.reverse {
		first, next = it.Last, it.Prev
	}
	n := 0
	for ok := first(); ok && (sf.limit <= 0 || n < sf.limit); ok = next() {
		fmt.Fprintf(e.stdout, "%s = %s\n", fmtBytes(it.Key(), sf.full), fmtBytes(it.Value(), sf.full))
		n++
	}
	if err := it.Close(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d entries\n", n)
	return nil
}
