package metamorphic

import (
	"fmt"
	"strings"
)

// expected returns the model's output for every operation.
func expected(ops []op) []string {
	m := newModel()
	out := make([]string, len(ops))
	for i, o := range ops {
		out[i] = m.apply(o)
	}
	return out
}

// divergence describes the first operation whose output differs from the
// model's.
type divergence struct {
	index     int
	got, want string
}

func (d *divergence) Error() string {
	return fmt.Sprintf("op %d: got %s\n\twant %s", d.index, d.got, d.want)
}

// runStats counts the background work a run caused, summed over reopens,
// to show that each option set exercises what it is meant to.
type runStats struct {
	flushes, compactions int64
}

// runOps runs ops under set and returns the first divergence from want,
// or nil.
func runOps(set optionSet, ops []op, want []string) *divergence {
	d, _ := runOpsStats(set, ops, want)
	return d
}

func runOpsStats(set optionSet, ops []op, want []string) (*divergence, runStats) {
	r, err := newRunner(set.opts)
	if err != nil {
		return &divergence{index: -1, got: "FATAL " + err.Error()}, runStats{}
	}
	defer r.close()
	d := r.runAll(ops, want)
	return d, r.stats
}

func (r *runner) runAll(ops []op, want []string) *divergence {
	for i, o := range ops {
		got, err := r.apply(o)
		if err != nil {
			return &divergence{index: i, got: "FATAL " + err.Error(), want: want[i]}
		}
		if got != want[i] {
			return &divergence{index: i, got: got, want: want[i]}
		}
	}
	return nil
}

// shrink drops operations from a failing sequence while it still fails
// under set (delta debugging: chunks, then single operations), within a
// budget of runs. It returns the smallest failing sequence found.
func shrink(set optionSet, ops []op, budget int) []op {
	fails := func(cand []op) bool {
		budget--
		return runOps(set, cand, expected(cand)) != nil
	}
	for chunk := len(ops) / 2; chunk >= 1 && budget > 0; chunk /= 2 {
		for start := 0; start < len(ops) && budget > 0; {
			end := min(start+chunk, len(ops))
			cand := append(append([]op(nil), ops[:start]...), ops[end:]...)
			if len(cand) > 0 && fails(cand) {
				ops = cand // keep the cut; try the same start again
			} else {
				start = end
			}
		}
	}
	return ops
}

// report formats a failing sequence: the option set, the seed, every
// operation with the model's output, and the divergence.
func report(set optionSet, seed uint64, ops []op, d *divergence) string {
	var b strings.Builder
	fmt.Fprintf(&b, "option set %q, seed %d: %d operations (replay with -seed=%d)\n", set.name, seed, len(ops), seed)
	want := expected(ops)
	for i, o := range ops {
		fmt.Fprintf(&b, "  %3d %s -> %s\n", i, o, want[i])
	}
	if d != nil {
		fmt.Fprintf(&b, "%v\n", d)
	}
	return b.String()
}
