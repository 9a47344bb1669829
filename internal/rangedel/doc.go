// Package rangedel holds range tombstones and their fragmented form, the
// one every reader and writer of range deletions uses.
//
// A range tombstone [Start, End)#Seq deletes every key k with
// Start <= k < End written before Seq. Tombstones may overlap. Fragmenting
// cuts them at every start and end so that the pieces, Fragments, do not
// overlap: each covers [Start, End) and carries the sequence numbers of
// every tombstone that covers all of it, newest first. Over fragments a
// lookup is a binary search, and a table's range-deletion block stores
// them as they are (docs/format-sstable.md).
//
// Invariants of a List: fragments are sorted by Start; each has
// Start < End and at least one sequence number, in strictly descending
// order; fragment i's End <= fragment i+1's Start.
//
// The package is a leaf: it knows internal keys' sequence numbers and
// nothing else of the engine. Values are immutable once built, so a List
// may be shared by any number of goroutines.
//
//	l := rangedel.Build([]rangedel.Tombstone{{Start: a, End: m, Seq: 7}, {Start: f, End: z, Seq: 9}})
//	// l: [a,f){7} [f,m){9,7} [m,z){9}
//	seq := l.Covering(key, readSeq) // newest tombstone covering key visible at readSeq; 0 if none
package rangedel
