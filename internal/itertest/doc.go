// Package itertest holds what the tests of internal iterators share: a
// seeded random key space, a linear-search model of an internal iterator,
// a random-operation checker and an iterator that fails on demand. It is
// imported only by _test files (internal/iterator's and the root
// package's level and DB iterators).
package itertest
