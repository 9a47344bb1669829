package bench

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// headerLine returns the run's settings on one line, as flag=value pairs
// named like kvbench's flags, for the top of the table and the HTML
// report: the engine, the workload sizes and the storage knobs (a zero
// knob shows as "default", the engine's own), the range deletion knobs
// if a workload using them runs, then the directory. In a sweep the
// swept parameter lists its values in braces.
func headerLine(rep *Report) string {
	o, c := &rep.Options, &rep.Options.Engine
	type field struct{ name, value string }
	fields := []field{
		{"engine", rep.Engine},
		{"num", fmt.Sprint(o.Num)},
		{"reads", fmt.Sprint(o.Reads)},
		{"key_size", fmt.Sprint(o.KeySize)},
		{"value_size", fmt.Sprint(o.ValueSize)},
		{"threads", fmt.Sprint(o.Threads)},
		{"batch_size", fmt.Sprint(o.BatchSize)},
		{"seek_nexts", fmt.Sprint(o.SeekNexts)},
		{"compression", orDefault(string(c.Compression), c.Compression == "")},
		{"compression_ratio", fmt.Sprint(o.CompressionRatio)},
		{"compaction", orDefault(string(c.Compaction), c.Compaction == "")},
		{"bloom_bits", fmt.Sprint(c.BloomBits)},
		{"memtable_size", orDefault(fmt.Sprint(c.MemtableSize), c.MemtableSize == 0)},
		{"cache_size", orDefault(fmt.Sprint(c.CacheSize), c.CacheSize == 0)},
		{"block_size", orDefault(fmt.Sprint(c.BlockSize), c.BlockSize == 0)},
		{"sync", fmt.Sprint(c.Sync)},
		{"use_existing_db", fmt.Sprint(o.UseExistingDB)},
		{"seed", fmt.Sprint(o.Seed)},
	}
	// The tree-shape knobs only when set (kvbench -http's deep small trees).
	if c.TargetFileSize != 0 || c.BaseLevelSize != 0 {
		fields = append(fields, field{"target_file_size", orDefault(fmt.Sprint(c.TargetFileSize), c.TargetFileSize == 0)},
			field{"base_level_size", orDefault(fmt.Sprint(c.BaseLevelSize), c.BaseLevelSize == 0)})
	}
	// The range deletion knobs only where they matter.
	if slices.Contains(o.Benchmarks, "deleterange") {
		fields = append(fields, field{"deleterange_span", fmt.Sprint(o.DeleteRangeSpan)},
			field{"deleterange_fraction", fmt.Sprint(o.DeleteRangeFraction)},
			field{"deleterange_compact", fmt.Sprint(!o.DeleteRangeNoCompact)})
	}
	if slices.Contains(o.Benchmarks, "rangetombstones") || rep.SweepParam == "range_tombstones" {
		fields = append(fields, field{"range_tombstones", fmt.Sprint(o.RangeTombstones)})
	}
	fields = append(fields, field{"dir", c.Dir})
	parts := make([]string, len(fields))
	for i, f := range fields {
		v := f.value
		if f.name == rep.SweepParam {
			v = "{" + strings.Join(sweepValues(rep), ",") + "}"
		}
		if v == "" || strings.ContainsAny(v, " \t\n\"") {
			v = strconv.Quote(v)
		}
		parts[i] = f.name + "=" + v
	}
	return strings.Join(parts, " ")
}

func orDefault(v string, isDefault bool) string {
	if isDefault {
		return "default"
	}
	return v
}

// sweepValues returns the swept values in the order they ran.
func sweepValues(rep *Report) []string {
	var vals []string
	seen := map[string]bool{}
	for _, r := range rep.Results {
		if !seen[r.SweepValue] {
			seen[r.SweepValue] = true
			vals = append(vals, r.SweepValue)
		}
	}
	return vals
}
