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

// command is one subcommand. Its fn parses its own flags from args (the
// words after the subcommand's name) and returns an exit status.
type command struct {
	name    string // "wal dump", "lsm", ...
	args    string // synopsis of the arguments, for usage
	summary string
	fn      func(e *env, args []string) int
}

// env is what every subcommand writes to.
type env struct {
	stdout, stderr io.Writer
	name           string // the subcommand, for error messages
}

// commands lists every subcommand, in the order usage shows them.
var commands = []command{
	{"wal dump", "[-full] FILE", "every record of a WAL: offset, length, checksum, and the batch inside", walDump},
	{"sst dump", "[-full] FILE", "every entry of an SSTable as key#seq,KIND and value", sstDump},
	{"sst props", "FILE", "the properties of an SSTable", sstProps},
	{"sst blocks", "FILE", "the block layout of an SSTable", sstBlocks},
	{"manifest dump", "[-readonly] DIR|FILE", "every version edit of a MANIFEST, with its offset", manifestDump},
	{"lsm", "[-readonly] [-svg OUT.svg] DIR", "the tables of each level, with sizes and key ranges", lsmCmd},
	{"check", "[-readonly] DIR", "verify every file of a DB; exit status 0 only when clean", checkCmd},
	{"get", "[-readonly] DIR KEY", "the value of KEY, read through the engine (read-only)", getCmd},
	{"scan", "[-readonly] [-full] [-start K] [-end K] [-limit N] [-reverse] DIR", "the live entries in [start, end)", scanCmd},
	{"help", "", "this listing", nil},
}

// run is main without the process: it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		usage(stdout)
		return exitOK
	}
	for _, c := range commands {
		words := strings.Fields(c.name)
		if c.fn == nil || len(args) < len(words) || strings.Join(args[:len(words)], " ") != c.name {
			continue
		}
		return c.fn(&env{stdout: stdout, stderr: stderr, name: c.name}, args[len(words):])
	}
	fmt.Fprintf(stderr, "kvtool: unknown command %q\n\n", strings.Join(args, " "))
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "kvtool inspects the files of an lsmkv database.")
	fmt.Fprintln(w, "\nUsage:")
	for _, c := range commands {
		fmt.Fprintf(w, "  kvtool %s %s\n        %s\n", c.name, c.args, c.summary)
	}
	fmt.Fprintln(w, "\nCommands given a DIR take the directory's LOCK first and refuse if a")
	fmt.Fprintln(w, "live DB holds it; -readonly skips the lock and creates nothing.")
}

// flags returns a FlagSet for e's subcommand whose errors go to stderr.
func (e *env) flags() *flag.FlagSet {
	fs := flag.NewFlagSet("kvtool "+e.name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
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
