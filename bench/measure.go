package bench

import "fmt"

// metrics returns the engine's counters, or zeros if it has none.
func (r *runner) metrics() EngineMetrics {
	if m, ok := r.eng.(Metricser); ok {
		return m.Metrics()
	}
	return EngineMetrics{}
}

// measure fills res's amplification fields from the engine's counters
// after the phase (differences against before for the per-phase ratios)
// and the runner's own count of live keys.
//
// Live bytes are exact for a constant value size: the runner knows which
// keys 0..num-1 are present, and YCSB inserts beyond them are never
// deleted. With UseExistingDB they also count what loadExisting found in
// the store, so space amp is measured against the data actually there,
// not against this run's num.
func (r *runner) measure(res *PhaseResult, before EngineMetrics) error {
	after := r.metrics()
	res.WriteAmp = after.WriteAmp
	if gets := after.Gets - before.Gets; gets > 0 && after.TablesProbed > 0 {
		res.ReadAmp = float64(after.TablesProbed-before.TablesProbed) / float64(gets)
	}
	if checks := after.FilterChecks - before.FilterChecks; checks > 0 {
		res.FilterUsefulRate = float64(after.FilterNegatives-before.FilterNegatives) / float64(checks)
	}
	res.Levels = after.Levels
	if r.o.Verbose {
		res.EngineText = after.Text
	}
	sp, err := r.space(after)
	res.DiskBytes, res.LiveBytes, res.SpaceAmp = sp.DiskBytes, sp.LiveBytes, sp.SpaceAmp
	return err
}

// space measures the store's size, from m.DiskBytes or else from its
// directory, against the live user bytes the runner knows of.
func (r *runner) space(m EngineMetrics) (SpaceSample, error) {
	sp := SpaceSample{DiskBytes: m.DiskBytes}
	if sp.DiskBytes == 0 {
		size, err := dirSize(r.o.Engine.Dir)
		if err != nil {
			return sp, fmt.Errorf("measure size: %w", err)
		}
		sp.DiskBytes = size
	}
	liveKeys := r.live.count() + r.keyCount.Load() - r.keyStart
	sp.LiveBytes = r.otherBytes + liveKeys*int64(r.o.KeySize+r.o.ValueSize)
	if sp.LiveBytes > 0 && sp.DiskBytes > 0 {
		sp.SpaceAmp = float64(sp.DiskBytes) / float64(sp.LiveBytes)
	}
	return sp, nil
}
