package main

import (
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/lsmkv/lsmkv/internal/keys"
)

// maxShown is how many bytes of a key or value are printed without -full.
const maxShown = 32

// fmtBytes shows b as a quoted string when every byte is printable ASCII,
// and as 0x-prefixed hex otherwise, so that binary keys stay unambiguous.
// Unless full, it shows at most maxShown bytes and then the total length:
// "key"...(40 bytes).
func fmtBytes(b []byte, full bool) string {
	s := b
	if !full && len(s) > maxShown {
		s = s[:maxShown]
	}
	var out string
	if printable(s) {
		out = strconv.Quote(string(s))
	} else {
		out = "0x" + hex.EncodeToString(s)
	}
	if len(s) < len(b) {
		out += fmt.Sprintf("...(%d bytes)", len(b))
	}
	return out
}

func printable(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// fmtIKey shows an internal key as key#seq,KIND (the user key through
// fmtBytes), or the raw bytes in hex if it is too short to hold a trailer.
// The exclusive end sentinel that bounds a table's range tombstones
// (keys.RangeDeleteSentinel) shows its sequence number as "max".
func fmtIKey(ikey []byte, full bool) string {
	ukey, seq, kind, ok := keys.Decode(ikey)
	if !ok {
		return fmt.Sprintf("invalid(0x%x)", ikey)
	}
	if keys.IsExclusiveSentinel(ikey) {
		return fmt.Sprintf("%s#max,%s", fmtBytes(ukey, full), kind)
	}
	return fmt.Sprintf("%s#%d,%s", fmtBytes(ukey, full), seq, kind)
}

// fmtLargest shows a table's largest user key, or "before KEY" when the
// largest internal key is an exclusive end sentinel: the table then holds
// nothing at KEY itself (its range tombstones stop just below it).
func fmtLargest(largest []byte, full bool) string {
	if !keys.Valid(largest) {
		return fmtIKey(largest, full)
	}
	if keys.IsExclusiveSentinel(largest) {
		return "before " + fmtBytes(keys.UserKey(largest), full)
	}
	return fmtBytes(keys.UserKey(largest), full)
}
