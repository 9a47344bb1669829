package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1 // the command failed, or check found a problem
	exitUsage   = 2 // bad command line
)

// command is one subcommand.
type command struct {
	name    string   // "wal dump", "lsm", ...
	pos     []string // its positional arguments: "FILE", "DIR", "KEY"
	summary string
	// setup registers the command's flags on fs and returns the function
	// that runs it on the positional arguments once fs has parsed. Usage
	// calls setup too, to list the flags, so the listing cannot drift from
	// what the command accepts.
	setup func(fs *flag.FlagSet) func(e *env, pos []string) int
}

// env is what every subcommand writes to.
type env struct {
	stdout, stderr io.Writer
	name           string // the subcommand, for error messages
}

// commands lists every subcommand, in the order usage shows them.
var commands = []command{
	{"wal dump", []string{"FILE"}, "every record of a WAL: offset, length, checksum, and the batch inside", walDump},
	{"sst dump", []string{"FILE"}, "every entry of an SSTable as key#seq,KIND and value, then its range tombstones", sstDump},
	{"sst props", []string{"FILE"}, "the properties of an SSTable", sstProps},
	{"sst blocks", []string{"FILE"}, "the block layout of an SSTable", sstBlocks},
	{"manifest dump", []string{"DIR|FILE"}, "every version edit of a MANIFEST, with its offset", manifestDump},
	{"lsm", []string{"DIR"}, "the tables of each level, with sizes, key ranges and range tombstone counts", lsmCmd},
	{"check", []string{"DIR"}, "verify every file of a DB; exit status 0 only when clean", checkCmd},
	{"get", []string{"DIR", "KEY"}, "the value of KEY, read through the engine (read-only)", getCmd},
	{"scan", []string{"DIR"}, "the live entries in [start, end)", scanCmd},
	{"serve", []string{"DIR"}, "a live web view of the tree (read-only, no LOCK: follows a DB another process writes) until interrupted", serveCmd},
	{"checkpoint", []string{"DIR", "DEST"}, "copy the DB into DEST, a new directory (tables hard-linked where possible)", checkpointCmd},
	{"help", nil, "this listing", nil},
}

// run is main without the process: it returns the exit status. Asking for
// help succeeds; no command at all is a usage error, as in go(1).
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		usage(stdout)
		return exitOK
	}
	for _, c := range commands {
		words := strings.Fields(c.name)
		if c.setup == nil || len(args) < len(words) || strings.Join(args[:len(words)], " ") != c.name {
			continue
		}
		e := &env{stdout: stdout, stderr: stderr, name: c.name}
		fs := e.flags(c)
		runCmd := c.setup(fs)
		pos, status, ok := e.parse(fs, args[len(words):], c.pos...)
		if !ok {
			return status
		}
		return runCmd(e, pos)
	}
	fmt.Fprintf(stderr, "kvtool: unknown command %q\n\n", strings.Join(args, " "))
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "kvtool inspects the files of an lsmkv database.")
	fmt.Fprintln(w, "\nUsage:")
	for _, c := range commands {
		fmt.Fprintf(w, "  kvtool %s\n        %s\n", c.synopsis(), c.summary)
	}
	fmt.Fprintln(w, "\n\"kvtool COMMAND -h\" describes the command's flags. No command creates or")
	fmt.Fprintln(w, "changes a file of the DB it inspects (checkpoint writes DEST only). Commands")
	fmt.Fprintln(w, "given a DIR refuse while a live DB holds its LOCK, unless -readonly, which")
	fmt.Fprintln(w, "reads without the lock; serve always reads without it, to watch a live DB.")
}

// synopsis is c's name, its flags (from the FlagSet its setup fills) and
// its positional arguments: "sst dump [-full] FILE".
func (c command) synopsis() string {
	parts := []string{c.name}
	if c.setup != nil {
		fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
		c.setup(fs)
		fs.VisitAll(func(f *flag.Flag) {
			// The argument's name is the usage text's `quoted` word;
			// bool flags take none.
			if arg, _ := flag.UnquoteUsage(f); arg != "" {
				parts = append(parts, "[-"+f.Name+" "+arg+"]")
			} else {
				parts = append(parts, "[-"+f.Name+"]")
			}
		})
	}
	return strings.Join(append(parts, c.pos...), " ")
}

// flags returns a FlagSet for c whose errors, and -h's description of
// the command, go to stderr.
func (e *env) flags(c command) *flag.FlagSet {
	fs := flag.NewFlagSet("kvtool "+e.name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: kvtool %s\n  %s\n", c.synopsis(), c.summary)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args with fs, allowing flags after positional arguments
// ("kvtool scan DIR -limit 3"), and checks that exactly want positional
// arguments remain. It reports usage errors itself; ok false means the
// caller returns exitUsage (or exitOK for -h).
func (e *env) parse(fs *flag.FlagSet, args []string, want ...string) (pos []string, status int, ok bool) {
	pos, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil, exitOK, false
	}
	if err == nil && len(pos) != len(want) {
		err = fmt.Errorf("want %d argument(s) (%s), got %d", len(want), strings.Join(want, " "), len(pos))
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "kvtool %s: %v\n", e.name, err)
		return nil, exitUsage, false
	}
	return pos, exitOK, true
}

// parseInterleaved is fs.Parse that keeps going after a positional
// argument. After "--" everything is positional, so a key may start
// with "-".
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		consumed := args[:len(args)-len(rest)]
		if len(consumed) > 0 && consumed[len(consumed)-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// fail prints err, which names its package ("lsmkv/kvtool: ...",
// "lsmkv/wal: ..."), and returns exitFailure.
func (e *env) fail(err error) int {
	fmt.Fprintln(e.stderr, err)
	return exitFailure
}
