// Package batchrepr is the encoding of a batch, the payload of every WAL
// record (docs/format-batch.md has every byte):
//
//	seq uint64 LE | count uint32 LE | count × (kind byte, uvarint keyLen, key[, uvarint valueLen, value])
//
// The engine builds batches with AppendEntry and SetHeader and replays them
// with Reader; kvtool decodes them with the same Reader, so a change of the
// format cannot leave the inspector behind. The package is a leaf: it
// knows internal keys' kinds and nothing else of the engine.
//
// Invariants of an encoded batch: entry i has sequence number seq+i; the
// header's count equals the number of entries; no byte follows the last
// entry. Reader checks all three and distrusts every length.
package batchrepr
