// Package vfs is the file-system seam: every file the engine touches goes
// through the small FS interface here, so tests can swap the operating system
// for an in-memory file system that simulates power loss (MemFS.CrashClone)
// or for a wrapper that injects disk faults (WithErrors).
//
// Three implementations are provided:
//
//   - Default: the operating system, via package os. Lock uses flock(2).
//   - NewMem: an in-memory FS. CrashClone returns what a power loss would
//     leave behind: file bytes up to each file's last Sync, and directory
//     entries only as of each directory's last SyncDir.
//   - WithErrors: wraps any FS and asks an Injector before every operation
//     whether it should fail instead (OnNth, OnMatch, InjectorFunc);
//     ShortWrite makes a failing Write write part of its bytes first.
//
// Concurrency: every FS implementation is safe for concurrent use. A File is
// safe for concurrent ReadAt calls, also while one writer appends; Write,
// Sync and Close need external serialisation (the engine has one writer per
// file). Injectors are safe for concurrent use and may be enabled and
// disabled while the engine runs.
//
// Errors from this package start with "lsmkv/vfs: " and wrap the os
// sentinels, so errors.Is(err, os.ErrNotExist) works on every FS.
//
// Example: a crash test.
//
//	fs := vfs.NewMem()
//	_ = fs.MkdirAll("db", 0o755)
//	f, _ := fs.Create("db/000001.log")
//	_, _ = f.Write([]byte("durable"))
//	_ = f.Sync()                     // data durable...
//	_ = fs.SyncDir("db")             // ...and so is the name
//	_, _ = f.Write([]byte("lost"))   // never synced
//	crashed := fs.CrashClone()       // "power loss"
//	g, _ := crashed.Open("db/000001.log")
//	b, _ := io.ReadAll(g)            // b == "durable"
//
// This package is internal to lsmkv's design; only the root package's API is
// a stability promise, though Default, NewMem and CrashClone are named there.
package vfs
