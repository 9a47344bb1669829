package wal

// RecoveryModes returns the mode in which recovery reads each of a DB's
// WALs, given their sizes in bytes, oldest first. It is the one home of the
// torn-tail rule, used by Open and by kvtool check alike:
//
//   - the newest WAL that holds any bytes may end in a torn record
//     (TolerateTornTail): a crash in the middle of an append leaves one,
//     and that append was never acknowledged;
//   - every older WAL was complete, its last record written, before the
//     next WAL was created, so damage at its end is corruption (Strict);
//   - WALs after the newest non-empty one are empty, created by an Open or
//     a rotation that had not yet written; they get TolerateTornTail too,
//     which on an empty file is the same as Strict.
func RecoveryModes(sizes []int64) []RecoveryMode {
	newest := 0
	for i, size := range sizes {
		if size > 0 {
			newest = i
		}
	}
	modes := make([]RecoveryMode, len(sizes))
	for i := range modes {
		if i >= newest {
			modes[i] = TolerateTornTail
		}
	}
	return modes
}
