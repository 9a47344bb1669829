package bench

import "time"

// PhaseResult is what one benchmark phase measured. Ratios that the engine
// cannot provide are zero and reported as "-".
//
// In JSON every field with a unit names it (see WriteJSON): durations end
// in Ns (integer nanoseconds), rates in OpsPerSec, sizes in Bytes.
type PhaseResult struct {
	Name       string
	SweepValue string `json:",omitempty"` // the swept parameter's value, in sweeps
	Skipped    bool   `json:",omitempty"` // fill phase skipped under UseExistingDB

	Ops     int64         // operations done (entries, for batches and scans)
	Elapsed time.Duration `json:"ElapsedNs"` // wall time of the timed part
	Bytes   int64         // user key+value bytes written or read
	Found   int64         // reads and seeks that found their key
	Latency HistSummary   // per call: per batch for batched writes

	// Throughput is ops/s in consecutive intervals of ThroughputInterval.
	Throughput         []float64     `json:"ThroughputOpsPerSec"`
	ThroughputInterval time.Duration `json:"ThroughputIntervalNs"`

	WriteAmp         float64      // engine-reported, cumulative since Open
	SpaceAmp         float64      // DiskBytes / LiveBytes after the phase
	ReadAmp          float64      // tables probed per Get during the phase
	FilterUsefulRate float64      // filter negatives / filter checks during the phase
	DiskBytes        int64        // store size after the phase
	LiveBytes        int64        // key+value bytes of the live keys after the phase
	Levels           []LevelShape `json:",omitempty"`
	EngineText       string       `json:",omitempty"` // engine metrics text, with -v

	// Events is the engine's background work during the phase (engines
	// that are an EventSource), in seconds since the timed part began;
	// work in the untimed flush after it ends past Elapsed.
	Events []TimelineEvent `json:",omitempty"`

	// RangeDel says how the engine deleted key ranges, for the
	// deleterange and rangetombstones phases; Space is deleterange's
	// account of the space the deletes gave back.
	RangeDel RangeDelMethod `json:",omitempty"`
	Space    *SpaceReport   `json:",omitempty"`
}

// TimelineEvent is an Event placed on a phase's clock.
type TimelineEvent struct {
	Kind       EventKind
	Start, End float64 // seconds since the phase's timed part began
	Label      string
}

// RangeDelMethod says how an engine carried out range deletions.
type RangeDelMethod string

// Range deletion methods.
const (
	// RangeDelNative is one call of the engine's DeleteRange per range.
	RangeDelNative RangeDelMethod = "native"
	// RangeDelPoint is a delete of every key in the range, for engines
	// without DeleteRange; rangetombstones is skipped on them, since its
	// ranges hold no keys.
	RangeDelPoint RangeDelMethod = "point deletes"
)

// SpaceReport is the deleterange phase's account of disk space, so that
// a reader sees whether the deleted data's space came back: the store
// before the deletes, right after them (and the untimed flush that ends
// every write phase), and after a full manual compaction.
type SpaceReport struct {
	Before, AfterDeletes SpaceSample
	// AfterCompact is nil when the store was not compacted: the engine
	// has no Compacter, or Options.DeleteRangeNoCompact is set.
	AfterCompact *SpaceSample `json:",omitempty"`
	// CompactElapsed is how long the compaction took (not part of the
	// phase's Elapsed).
	CompactElapsed time.Duration `json:"CompactElapsedNs,omitempty"`
}

// SpaceSample is the store's size against the live user data in it.
type SpaceSample struct {
	LiveBytes int64   // key+value bytes of the live keys
	DiskBytes int64   // the store's size
	SpaceAmp  float64 // DiskBytes / LiveBytes; 0 if either is unknown or zero
}

// microsPerOp returns the average wall time per op in microseconds, as
// db_bench reports it (elapsed time divided by ops, across all threads).
func (r *PhaseResult) microsPerOp() float64 {
	if r.Ops == 0 {
		return 0
	}
	return float64(r.Elapsed) / float64(time.Microsecond) / float64(r.Ops)
}

// OpsPerSec returns the phase's overall throughput.
func (r *PhaseResult) OpsPerSec() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Ops) / r.Elapsed.Seconds()
}

// mbPerSec returns user bytes per second in MiB/s, as db_bench's "MB/s".
func (r *PhaseResult) mbPerSec() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Bytes) / (1 << 20) / r.Elapsed.Seconds()
}

// Report is a whole run: its options and every phase's result.
type Report struct {
	Engine     string
	Options    Options
	SweepParam string `json:",omitempty"` // set for sweeps
	Results    []PhaseResult
}
