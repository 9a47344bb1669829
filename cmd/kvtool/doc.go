// Command kvtool inspects every file of an lsmkv database: WALs, SSTables,
// MANIFESTs, the shape of the tree, and the whole directory's integrity.
// docs/kvtool.md shows each subcommand's output on testdata/db.
//
//	kvtool wal dump [-full] FILE         records, checksums and the batches inside
//	kvtool sst dump [-full] FILE         entries as key#seq,KIND = value
//	kvtool sst props FILE                the properties block
//	kvtool sst blocks FILE               the block layout and the filter
//	kvtool manifest dump DIR|FILE        every version edit with its offset
//	kvtool lsm [-svg OUT.svg] DIR        tables per level with key ranges
//	kvtool check DIR                     verify everything; exit 0 only when clean
//	kvtool get DIR KEY                   read a key through the engine
//	kvtool scan [-start K] [-end K] [-limit N] [-reverse] DIR
//
// The file commands read bytes directly through the component packages
// (wal.Reader, sstable.Reader, manifest.ReadEdits) and never write. The DIR
// commands (manifest dump DIR, lsm, check, get, scan) first take the
// directory's LOCK, so that a live DB cannot flush, compact or delete files
// under them; if a DB holds it they refuse with an error wrapping
// lsmkv.ErrLocked. With -readonly they skip the lock and create nothing
// (they may then see a directory a live writer is changing). get and scan
// open the DB with Options.ReadOnly, which replays the WALs in memory only.
//
// Keys and values are printed quoted when every byte is printable ASCII and
// as 0x-hex otherwise, cut to 32 bytes unless -full. Exit status: 0 success,
// 1 failure or (check) a problem found, 2 bad usage.
//
// Concurrency: kvtool is a single-goroutine program; run is safe to call
// from concurrent tests on different directories.
package main
