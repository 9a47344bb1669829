package lsmkvengine

import (
	"github.com/lsmkv/lsmkv"
	"github.com/lsmkv/lsmkv/bench"
)

// Hooks lets a command watch every DB the adapter opens, e.g. kvbench's
// live view (-http), which must follow the runner as it reopens the store
// for each fill phase. Every field is optional.
type Hooks struct {
	// Listener gets the engine's events after the adapter's own listener
	// (which feeds the report's timeline). Like any EventListener it runs
	// on the engine's event goroutine and must not block.
	Listener lsmkv.EventListener
	// Opened is called with each DB once it is open, before any phase
	// uses it; Closing just before the adapter closes it. Closing must
	// return only once the caller no longer uses the DB.
	Opened, Closing func(*lsmkv.DB)
}

// OpenWith returns an Opener like Open that also runs h.
func OpenWith(h Hooks) bench.Opener {
	return func(cfg bench.Config) (bench.Engine, error) {
		return open(cfg, h)
	}
}

// chain returns a listener that calls a's funcs, then b's.
func chain(a, b lsmkv.EventListener) lsmkv.EventListener {
	return lsmkv.EventListener{
		FlushBegin:      both(a.FlushBegin, b.FlushBegin),
		FlushEnd:        both(a.FlushEnd, b.FlushEnd),
		CompactionBegin: both(a.CompactionBegin, b.CompactionBegin),
		CompactionEnd:   both(a.CompactionEnd, b.CompactionEnd),
		WriteStallBegin: both(a.WriteStallBegin, b.WriteStallBegin),
		WriteStallEnd:   both(a.WriteStallEnd, b.WriteStallEnd),
		TableCreated:    both(a.TableCreated, b.TableCreated),
		TableDeleted:    both(a.TableDeleted, b.TableDeleted),
		WALCreated:      both(a.WALCreated, b.WALCreated),
		WALDeleted:      both(a.WALDeleted, b.WALDeleted),
		ManifestCreated: both(a.ManifestCreated, b.ManifestCreated),
		BackgroundError: both(a.BackgroundError, b.BackgroundError),
	}
}

// both calls f then g; nil if both are nil, so the engine skips the event.
func both[T any](f, g func(T)) func(T) {
	switch {
	case f == nil:
		return g
	case g == nil:
		return f
	}
	return func(info T) { f(info); g(info) }
}
