// Package liveview serves a web page that draws an lsmkv tree while it
// works: the level pyramid with every table placed by key range, the
// memtables filling and waiting for flush, a timeline of ops/s with
// flushes, compactions and stalls as bars, and the amplification counters.
// kvbench -http and kvtool serve use it; see docs/liveview.md.
//
// Endpoints (Server.Handler):
//
//	/               the page (embedded: plain JS and SVG, no external asset)
//	/api/snapshot   JSON Snapshot: tree, counters, ops/s history, bars
//	/api/events     Server-Sent Events: "tick" (a Snapshot without history,
//	                every Options.Interval) and one message per engine event
//	                (flush_begin, compaction_end, ...), each with an id
//
// Where the data comes from: a Server polls the attached DB's Metrics and
// Tables every Options.Interval, and gets events from the EventListener
// it hands out (Server.Listener), which the engine calls on its own event
// goroutine. kvtool serve has no listener in the writing process: it
// reopens the directory read-only when its manifest changes (WatchDir)
// and derives table events by diffing the table sets.
//
// Concurrency: every method is safe for concurrent use. The listener never
// blocks: each client of /api/events has a bounded queue
// (Options.ClientBuffer messages); when it is full, messages for that
// client are dropped and counted (Snapshot.Stream.Dropped), so a slow or
// vanished browser costs the engine nothing. Attach and Detach follow the
// DB as it is opened and closed; Detach returns only once no poll uses the
// DB, so the caller may close it then.
//
// Only package lsmkv's root API is a stability promise; this package's
// API may change.
//
// Example:
//
//	srv := liveview.New(liveview.Options{Label: "my app"})
//	opts := &lsmkv.Options{EventListener: srv.Listener()}
//	db, _ := lsmkv.Open(dir, opts)
//	srv.Attach(db)
//	go srv.Run(ctx)
//	go http.ListenAndServe("127.0.0.1:8080", srv.Handler())
//	...
//	srv.Detach(db)
//	db.Close()
package liveview
