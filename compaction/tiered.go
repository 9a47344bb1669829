package compaction

import (
	"fmt"

	"github.com/lsmkv/lsmkv/manifest"
)

// run is one sorted run of the tiered policy: a single L0 table, or all the
// tables of one L1+ level.
type run struct {
	level int
	files []*manifest.FileMeta
	size  uint64
}

// sortedRuns lists v's sorted runs newest first: the L0 tables in L0 order
// (newest first), then each non-empty level from L1 down.
func sortedRuns(v *manifest.Version) []run {
	var runs []run
	for _, f := range v.Levels[0] {
		runs = append(runs, run{level: 0, files: []*manifest.FileMeta{f}, size: f.Size})
	}
	for level := 1; level < manifest.NumLevels; level++ {
		if files := v.Levels[level]; len(files) > 0 {
			runs = append(runs, run{level: level, files: files, size: totalSize(files)})
		}
	}
	return runs
}

// tieredTrigger is the run count that starts a tiered compaction: the
// configured trigger, clamped to [2, NumLevels-1]. Merging needs two runs.
// And every run that leaves L0 needs a level of its own: with more runs
// than the six levels L1..L6, L1 stays occupied, so every merge of L0
// tables must pull in the L1 run and rewrites it again and again
// (TestSimulate showed write amplification of ~90 with a trigger of 8).
func tieredTrigger(o *Options) int {
	return min(max(o.L0CompactionTrigger, 2), manifest.NumLevels-1)
}

// pickTiered implements the tiered policy of docs/compaction.md: nothing
// below the trigger; then a full merge if space amplification is too high;
// else the newest stretch of similar-size runs; else, once there are more
// runs than the trigger, enough of the newest runs to get back to it.
func pickTiered(v *manifest.Version, opts *Options) *Compaction {
	runs := sortedRuns(v)
	n, trigger := len(runs), tieredTrigger(opts)
	if n < trigger {
		return nil
	}
	score := float64(n) / float64(trigger)
	if amp := sizeAmpPercent(runs); amp >= uint64(opts.MaxSizeAmplificationPercent) {
		reason := fmt.Sprintf("tiered: size amplification %d%% >= %d%%", amp, opts.MaxSizeAmplificationPercent)
		return tieredCompaction(v, opts, runs, 0, n, reason, score)
	}
	numL0 := len(v.Levels[0])
	for start := 0; start < n-1; start++ {
		if start > 0 && start < numL0 {
			// Merging a stretch that starts inside L0 would leave newer L0
			// tables above the output, which would then have to stay in L0.
			continue
		}
		k := similarRuns(runs[start:], opts.SizeRatioPercent)
		if start == 0 {
			k = max(k, numL0) // L0 tables leave L0 together
		}
		if k >= 2 {
			reason := fmt.Sprintf("tiered: size ratio, %d similar runs", k)
			return tieredCompaction(v, opts, runs, start, k, reason, score)
		}
	}
	if n > trigger {
		// Merging the newest n-trigger+1 runs is the cheapest merge that
		// brings the run count back to the trigger.
		reason := fmt.Sprintf("tiered: run count %d > %d", n, trigger)
		return tieredCompaction(v, opts, runs, 0, max(n-trigger+1, numL0), reason, score)
	}
	return nil
}

// sizeAmpPercent returns the bytes of all runs but the oldest as a
// percentage of the oldest run's bytes: the extra space the tree may use
// for data that a full merge would collapse. REQUIRES: len(runs) >= 1.
func sizeAmpPercent(runs []run) uint64 {
	var newer uint64
	for _, r := range runs[:len(runs)-1] {
		newer += r.size
	}
	oldest := runs[len(runs)-1].size
	if oldest == 0 {
		if newer == 0 {
			return 0
		}
		return ^uint64(0)
	}
	return newer * 100 / oldest
}

// similarRuns returns the length of the longest prefix of runs in which
// each run is at most (100+ratio)% of the runs before it combined.
func similarRuns(runs []run, ratio int) int {
	sum, k := runs[0].size, 1
	for k < len(runs) && runs[k].size*100 <= sum*uint64(100+ratio) {
		sum += runs[k].size
		k++
	}
	return k
}

// tieredCompaction merges the k runs runs[start:start+k]. The output goes
// as deep as it can while staying above every older run: one level above
// the next run not merged, or the last level if no older run is left. That
// keeps the levels above it free for future merges (as RocksDB's universal
// compaction does). If that would be L0 (the next run is in L1 and only L0
// tables were picked), the L1 run is merged too.
// REQUIRES: k >= 2; if start > 0, runs[start] is not in L0; if start == 0,
// the k runs cover every L0 table.
func tieredCompaction(v *manifest.Version, opts *Options, runs []run, start, k int,
	reason string, score float64) *Compaction {
	outputLevel := func(end int) int {
		if end < len(runs) {
			return runs[end].level - 1
		}
		return manifest.NumLevels - 1
	}
	end := start + k
	out := outputLevel(end)
	if out == 0 {
		end++
		out = outputLevel(end)
	}
	c := newCompaction(v, opts, runs[start].level, out)
	c.Reason, c.Score = reason, score
	for _, r := range runs[start:end] {
		switch r.level {
		case c.Level:
			c.Inputs[0] = append(c.Inputs[0], r.files...)
		case c.OutputLevel:
			c.Inputs[1] = r.files
		default:
			c.Between = append(c.Between, InputLevel{Level: r.level, Files: r.files})
		}
	}
	// Grandparents stay empty: the next merge below takes whole runs, so
	// aligning output tables with the next run's tables saves nothing.
	return c
}
