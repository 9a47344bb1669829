package iterator

// Iterator walks (internal key, value) pairs in internal-key order.
//
// Every positioning method returns Valid(). Key and Value are valid only until
// the next positioning call; callers that keep them must copy. Error returns
// the first error met (e.g. a corrupt block); an iterator with an error is not
// Valid.
type Iterator interface {
	// SeekGE moves to the first entry whose internal key is >= ikey.
	SeekGE(ikey []byte) bool
	// SeekLT moves to the last entry whose internal key is < ikey.
	SeekLT(ikey []byte) bool
	First() bool
	Last() bool
	Next() bool
	Prev() bool
	Valid() bool
	Key() []byte
	Value() []byte
	Error() error
	Close() error
}
