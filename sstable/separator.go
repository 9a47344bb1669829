package sstable

import (
	"bytes"

	"github.com/lsmkv/lsmkv/internal/keys"
)

// Index keys need not be real keys: for the index entry of block i any key k
// with lastKey(i) <= k < firstKey(i+1) works, and a short k keeps the index
// small. Both helpers shorten the user key and then give it the largest
// trailer (MaxSeqNum, KindMax), which sorts before every real entry of that
// user key; when no shorter user key fits they return the original key.

// appendSeparator appends to dst a short internal key k with a <= k < b.
// REQUIRES: keys.Compare(a, b) < 0.
func appendSeparator(dst, a, b []byte) []byte {
	ua, ub := keys.UserKey(a), keys.UserKey(b)
	n := sharedPrefixLen(ua, ub)
	if n < len(ua) && n < len(ub) && ua[n] < 0xff && ua[n]+1 < ub[n] {
		// ua[:n] + (ua[n]+1) is > ua and < ub: a shorter user key between.
		dst = append(dst, ua[:n+1]...)
		dst[len(dst)-1]++
		return keys.Append(dst, nil, keys.MaxSeqNum, keys.KindMax)
	}
	return append(dst, a...)
}

// appendSuccessor appends to dst a short internal key k >= a: the user key
// cut after its first byte that is not 0xff, that byte incremented.
func appendSuccessor(dst, a []byte) []byte {
	ua := keys.UserKey(a)
	for i, c := range ua {
		if c != 0xff {
			dst = append(dst, ua[:i+1]...)
			dst[len(dst)-1]++
			return keys.Append(dst, nil, keys.MaxSeqNum, keys.KindMax)
		}
	}
	return append(dst, a...) // all 0xff (or empty): no shorter successor
}

// userKeyEqual is bytes.Equal on the user keys of two internal keys.
func userKeyEqual(a, b []byte) bool {
	return bytes.Equal(keys.UserKey(a), keys.UserKey(b))
}
