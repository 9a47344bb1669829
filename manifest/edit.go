package manifest

import (
	"encoding/binary"
	"fmt"

	"github.com/lsmkv/lsmkv/internal/keys"
)

// Format constants: the tags of a VersionEdit's fields as stored in the
// MANIFEST. A tag is never renumbered or reused; Decode rejects unknown tags,
// so a binary refuses a manifest written with fields it does not understand.
// Byte-by-byte layout: docs/format-manifest.md.
const (
	tagLogNum      = 1 // uvarint: WALs numbered below it are obsolete
	tagNextFileNum = 2 // uvarint: the next unused file number
	tagLastSeq     = 3 // uvarint: the last sequence number used
	tagDeletedFile = 4 // uvarint level, uvarint file number
	tagNewFile     = 5 // uvarint level, num, size; bytes smallest, largest; uvarint smallestSeq, largestSeq
	// tagNewFileStats is tagNewFile followed by three uvarints, the table's
	// counts of point entries, point tombstones and range tombstones, which
	// tombstone-aware compaction picking and reads use without opening the
	// table. Writers use it for every table whose counts they know;
	// tagNewFile (counts unknown, read as zero) is still read.
	tagNewFileStats = 7
	// Tag 6 is reserved: during development it briefly meant tagNewFile
	// plus a range-tombstone count. No release wrote it; it is never reused.
)

// NewFile is a table that an edit adds to a level.
type NewFile struct {
	Level int
	Meta  FileMeta
}

// DeletedFile is a table that an edit removes from a level.
type DeletedFile struct {
	Level int
	Num   uint64
}

// VersionEdit is the difference between two versions, and the unit of the
// MANIFEST log: each record holds one encoded edit. The Has* flags say which
// scalar fields the edit sets; an absent field leaves the previous value.
//
// Concurrency: a VersionEdit is a plain value with no internal locking.
type VersionEdit struct {
	// HasLogNum and LogNum: WALs with numbers < LogNum are obsolete (their
	// data is in tables).
	HasLogNum bool
	LogNum    uint64
	// HasNextFileNum and NextFileNum: the smallest file number never
	// allocated.
	HasNextFileNum bool
	NextFileNum    uint64
	// HasLastSeq and LastSeq: the largest sequence number ever assigned.
	HasLastSeq bool
	LastSeq    keys.SeqNum

	Deleted []DeletedFile // tables removed, applied before Added
	Added   []NewFile     // tables added
}

// Encode appends the encoding of e to dst and returns the extended slice.
// REQUIRES: every level is in [0, NumLevels) (Decode checks the rest).
func (e *VersionEdit) Encode(dst []byte) []byte {
	if e.HasLogNum {
		dst = binary.AppendUvarint(dst, tagLogNum)
		dst = binary.AppendUvarint(dst, e.LogNum)
	}
	if e.HasNextFileNum {
		dst = binary.AppendUvarint(dst, tagNextFileNum)
		dst = binary.AppendUvarint(dst, e.NextFileNum)
	}
	if e.HasLastSeq {
		dst = binary.AppendUvarint(dst, tagLastSeq)
		dst = binary.AppendUvarint(dst, uint64(e.LastSeq))
	}
	for _, d := range e.Deleted {
		dst = binary.AppendUvarint(dst, tagDeletedFile)
		dst = binary.AppendUvarint(dst, uint64(d.Level))
		dst = binary.AppendUvarint(dst, d.Num)
	}
	for _, a := range e.Added {
		m := &a.Meta
		tag := uint64(tagNewFile)
		if m.NumEntries > 0 || m.NumRangeDels > 0 {
			tag = tagNewFileStats
		}
		dst = binary.AppendUvarint(dst, tag)
		dst = binary.AppendUvarint(dst, uint64(a.Level))
		dst = binary.AppendUvarint(dst, m.Num)
		dst = binary.AppendUvarint(dst, m.Size)
		dst = appendBytes(dst, m.Smallest)
		dst = appendBytes(dst, m.Largest)
		dst = binary.AppendUvarint(dst, uint64(m.SmallestSeq))
		dst = binary.AppendUvarint(dst, uint64(m.LargestSeq))
		if tag == tagNewFileStats {
			dst = binary.AppendUvarint(dst, m.NumEntries)
			dst = binary.AppendUvarint(dst, m.NumDeletions)
			dst = binary.AppendUvarint(dst, m.NumRangeDels)
		}
	}
	return dst
}

func appendBytes(dst, b []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(b)))
	return append(dst, b...)
}

// Decode replaces e with the edit encoded in b. It is strict: every length
// is checked before slicing, an unknown or repeated scalar tag is an error,
// and so are a level outside [0, NumLevels), an internal key shorter than
// its trailer, a table whose smallest key sorts after its largest, and a
// sequence number above keys.MaxSeqNum. Errors are plain: the caller, who
// knows the file and the record's offset, wraps them as corruption. The
// decoded edit does not alias b.
func (e *VersionEdit) Decode(b []byte) error {
	*e = VersionEdit{}
	d := decoder{b: b}
	for d.err == nil && d.pos < len(d.b) {
		tagPos := d.pos
		tag := d.uvarint("tag")
		if d.err != nil {
			break
		}
		switch tag {
		case tagLogNum:
			d.scalar(&e.HasLogNum, tagPos, "log number")
			e.LogNum = d.uvarint("log number")
		case tagNextFileNum:
			d.scalar(&e.HasNextFileNum, tagPos, "next file number")
			e.NextFileNum = d.uvarint("next file number")
		case tagLastSeq:
			d.scalar(&e.HasLastSeq, tagPos, "last sequence number")
			e.LastSeq = d.seq("last sequence number")
		case tagDeletedFile:
			df := DeletedFile{Level: d.level()}
			df.Num = d.uvarint("deleted file number")
			e.Deleted = append(e.Deleted, df)
		case tagNewFile, tagNewFileStats:
			nf := d.newFile(tag == tagNewFileStats)
			e.Added = append(e.Added, nf)
		default:
			d.failAt(tagPos, "unknown tag %d", tag)
		}
	}
	if d.err != nil {
		*e = VersionEdit{}
	}
	return d.err
}

// decoder reads the fields of one encoded edit; after the first error every
// method returns a zero value and the error sticks.
type decoder struct {
	b   []byte
	pos int
	err error
}

func (d *decoder) failAt(pos int, format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("lsmkv/manifest: edit byte %d: %s", pos, fmt.Sprintf(format, args...))
	}
}

func (d *decoder) uvarint(field string) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.pos:])
	if n <= 0 {
		d.failAt(d.pos, "bad or truncated uvarint for %s", field)
		return 0
	}
	d.pos += n
	return v
}

// scalar records that a scalar field was seen, rejecting a repeat: a repeat
// is never written by Encode, so it can only come from damage.
func (d *decoder) scalar(seen *bool, tagPos int, field string) {
	if *seen {
		d.failAt(tagPos, "repeated %s", field)
	}
	*seen = true
}

func (d *decoder) seq(field string) keys.SeqNum {
	pos := d.pos
	v := d.uvarint(field)
	if v > uint64(keys.MaxSeqNum) {
		d.failAt(pos, "%s %d exceeds the 56-bit maximum", field, v)
	}
	return keys.SeqNum(v)
}

func (d *decoder) level() int {
	pos := d.pos
	v := d.uvarint("level")
	if d.err == nil && v >= NumLevels {
		d.failAt(pos, "level %d out of range [0, %d)", v, NumLevels)
	}
	return int(min(v, NumLevels))
}

// bytes reads a length-prefixed byte string and returns a copy of it.
func (d *decoder) bytes(field string) []byte {
	n := d.uvarint(field + " length")
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)-d.pos) {
		d.failAt(d.pos, "%s length %d exceeds the %d bytes left", field, n, len(d.b)-d.pos)
		return nil
	}
	out := append([]byte(nil), d.b[d.pos:d.pos+int(n)]...)
	d.pos += int(n)
	return out
}

func (d *decoder) newFile(stats bool) NewFile {
	start := d.pos
	nf := NewFile{Level: d.level()}
	m := &nf.Meta
	m.Num = d.uvarint("file number")
	m.Size = d.uvarint("file size")
	m.Smallest = d.bytes("smallest key")
	m.Largest = d.bytes("largest key")
	m.SmallestSeq = d.seq("smallest sequence number")
	m.LargestSeq = d.seq("largest sequence number")
	if stats {
		m.NumEntries = d.uvarint("entry count")
		m.NumDeletions = d.uvarint("point tombstone count")
		m.NumRangeDels = d.uvarint("range tombstone count")
		switch {
		case d.err != nil:
		case m.NumDeletions > m.NumEntries:
			d.failAt(start, "table %d: %d point tombstones among %d entries", m.Num, m.NumDeletions, m.NumEntries)
		case m.NumEntries == 0 && m.NumRangeDels == 0:
			d.failAt(start, "table %d: statistics of an empty table", m.Num)
		}
	}
	if d.err == nil {
		if err := checkFileMeta(m); err != nil {
			d.failAt(start, "%v", err)
		}
	}
	return nf
}

// checkFileMeta checks the properties of one table's metadata that do not
// depend on the rest of the version.
func checkFileMeta(m *FileMeta) error {
	if !keys.Valid(m.Smallest) || !keys.Valid(m.Largest) {
		return fmt.Errorf("table %d: internal key shorter than %d bytes", m.Num, keys.TrailerLen)
	}
	if keys.Compare(m.Smallest, m.Largest) > 0 {
		return fmt.Errorf("table %d: smallest key %s sorts after largest %s",
			m.Num, keys.String(m.Smallest), keys.String(m.Largest))
	}
	if m.SmallestSeq > m.LargestSeq {
		return fmt.Errorf("table %d: smallest seq %d > largest seq %d", m.Num, m.SmallestSeq, m.LargestSeq)
	}
	return nil
}
