// Command kvtool inspects every file of an lsmkv database: WALs, SSTables,
// MANIFESTs, the shape of the tree, and the whole directory's integrity.
// docs/kvtool.md shows each subcommand's output on testdata/db.
//
//	kvtool wal dump [-full] [-lognum N] FILE      records, checksums and the batches inside
//	kvtool sst dump [-full] FILE                  entries as key#seq,KIND = value, then range tombstones
//	kvtool sst props FILE                         the properties block
//	kvtool sst blocks FILE                        the block layout and the filter
//	kvtool manifest dump [-full] [-readonly] DIR|FILE   every version edit with its offset
//	kvtool lsm [-full] [-readonly] [-svg OUT.svg] DIR   tables per level with key ranges and range tombstones
//	kvtool check [-readonly] DIR                  verify everything; exit 0 only when clean
//	kvtool get [-full] [-hex] [-readonly] DIR KEY read a key through the engine
//	kvtool scan [-end K] [-full] [-hex] [-limit N] [-readonly] [-reverse] [-start K] DIR
//	kvtool serve [-every D] [-http ADDR] DIR      a live web view of the tree (docs/liveview.md)
//
// (kvtool help prints this list from the commands' flag sets.)
//
// No command creates, changes or removes a file in the directory it
// inspects. The file commands read bytes through the engine's own decoders
// (wal.Reader, internal/batchrepr, sstable.Reader, manifest.ReadEdits), and
// the DIR commands read CURRENT with manifest.ReadCurrent, so a format
// change cannot leave kvtool behind. The DIR commands (manifest dump DIR,
// lsm, check, get, scan) keep live DBs out while they read: when the
// directory has a LOCK file they take its flock, refusing with an error
// wrapping lsmkv.ErrLocked if a DB holds it; when it has none, no DB has
// the directory open, and they fail afterwards if one appeared meanwhile
// (see lockDir). With -readonly they skip the lock and may see a directory
// a live writer is changing. get and scan open the DB with
// Options.ReadOnly, which replays the WALs in memory only. serve is meant
// to watch a DB another process has open: it never takes the lock, opens
// the DB read-only and reopens it when the manifest changes, and serves
// until interrupted. Its concurrency is package liveview's.
//
// Keys and values are printed quoted when every byte is printable ASCII and
// as 0x-hex otherwise, cut to 32 bytes unless -full. Exit status: 0 success,
// 1 failure or (check) a problem found, 2 bad usage (also no command at all).
//
// Concurrency: kvtool is a single-goroutine program but for serve; run is safe to call
// from concurrent tests on different directories.
package main
