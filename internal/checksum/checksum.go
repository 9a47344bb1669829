// Package checksum computes the 32-bit checksums stored in every on-disk
// format (WAL records, SSTable block trailers, the manifest): the low 32 bits
// of xxhash64 over the protected bytes, as documented in each format doc.
package checksum

import "github.com/cespare/xxhash/v2"

// Sum returns the checksum of b.
func Sum(b []byte) uint32 { return uint32(xxhash.Sum64(b)) }

// Digest computes a checksum over several pieces without concatenating them.
type Digest struct{ d xxhash.Digest }

// New returns a Digest ready for writing.
func New() *Digest {
	d := &Digest{}
	d.d.Reset()
	return d
}

// Reset prepares d for a new checksum.
func (d *Digest) Reset() { d.d.Reset() }

// Write adds b to the checksum.
func (d *Digest) Write(b []byte) { d.d.Write(b) }

// Sum32 returns the checksum of everything written since the last Reset.
func (d *Digest) Sum32() uint32 { return uint32(d.d.Sum64()) }
