package main

import (
	"flag"
	"fmt"

	"github.com/lsmkv/lsmkv"
)

// checkpointCmd implements "kvtool checkpoint DIR DEST": an offline copy
// of the DB in DIR into DEST, a new directory, through DB.Checkpoint on a
// read-only open (tables hard-linked where the file system allows, WALs
// copied). A live DB holds DIR's lock; use its own DB.Checkpoint instead.
func checkpointCmd(fs *flag.FlagSet) func(e *env, pos []string) int {
	var kf keyFlags
	kf.dirFlags.register(fs)
	return func(e *env, pos []string) int {
		return withDB(e, pos[0], &kf, func(db *lsmkv.DB) int {
			if err := db.Checkpoint(pos[1]); err != nil {
				return e.fail(err)
			}
			fmt.Fprintf(e.stdout, "checkpoint of %s written to %s\n", pos[0], pos[1])
			return exitOK
		})
	}
}
