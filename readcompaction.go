package lsmkv

import (
	"fmt"
	"math"
	"sync/atomic"

	"github.com/lsmkv/lsmkv/compaction"
	"github.com/lsmkv/lsmkv/internal/bytesize"
	"github.com/lsmkv/lsmkv/manifest"
)

// Read-triggered L0 compaction (LevelDB's seek compaction, narrowed to L0).
//
// Size-triggered compaction leaves up to L0CompactionTrigger-1 tables in L0
// for as long as no more are flushed. Every iterator positioning call then
// positions each of them (a bloom filter cannot help a seek), so in a
// read-mostly phase those few tables cost every seek a block read each,
// for ever. Reads therefore run up a debt: seekCharge bytes per L0 table
// positioned. Once the debt reaches what compacting L0 into L1 would read
// (its input bytes), the reads have paid for the compaction, and the
// compaction loop runs it when nothing size-triggered is due. Gets are not
// charged: their bloom filters already skip almost every L0 table.

// seekCharge is the compaction work one table positioning is taken to be
// worth. LevelDB's reasoning: a seek costs about as much as compacting 40
// KB; it charges 16 KB to stay conservative, and so do we. Like LevelDB
// (allowed_seeks >= 100), we wait for at least minSeeks seeks however small
// the compaction, so that a few reads of a small DB do not reshape it.
const (
	seekCharge = 16 << 10
	minSeeks   = 100
)

// l0Reads is the account. Its fields are atomic: readers charge it without
// the DB mutex.
type l0Reads struct {
	debt   atomic.Int64 // bytes charged since the last change of L0's oldest table
	budget atomic.Int64 // input bytes of an L0 compaction now; MaxInt64 if none
	oldest uint64       // L0's oldest table number when the account was reset; guarded by DB.mu
}

// chargeL0Reads charges the positioning of n L0 tables and, when the debt
// crosses the budget, wakes the compaction loop.
func (db *DB) chargeL0Reads(n int) {
	if n == 0 {
		return
	}
	charge := int64(n) * seekCharge
	debt, budget := db.l0Reads.debt.Add(charge), db.l0Reads.budget.Load()
	if debt >= budget && debt-charge < budget {
		db.mu.Lock()
		db.bgCond.Broadcast()
		db.mu.Unlock()
	}
}

// resetL0Reads re-prices the account for version v: the budget is the
// input of an L0 compaction of v, and the debt starts over when L0's
// oldest table changed (a compaction took it). REQUIRES: mu held.
func (db *DB) resetL0Reads(v *manifest.Version) {
	l0 := v.Levels[0]
	var oldest uint64
	budget := int64(math.MaxInt64)
	if len(l0) > 0 {
		oldest = l0[len(l0)-1].Num
		if c := compaction.PickL0ForReads(v, db.compactOpt); c != nil {
			budget = max(int64(c.InputBytes()), minSeeks*seekCharge*int64(len(l0)))
		}
	}
	if oldest != db.l0Reads.oldest {
		db.l0Reads.oldest = oldest
		db.l0Reads.debt.Store(0)
	}
	db.l0Reads.budget.Store(budget)
}

// pickL0ForReads returns the read-triggered compaction of v if the reads
// have paid for it, else nil. REQUIRES: mu held.
func (db *DB) pickL0ForReads(v *manifest.Version) *compaction.Compaction {
	debt := db.l0Reads.debt.Load()
	if debt < db.l0Reads.budget.Load() {
		return nil
	}
	c := compaction.PickL0ForReads(v, db.compactOpt)
	if c != nil {
		c.Reason = fmt.Sprintf("read-triggered: seeks through L0 worth %s of compaction, its input is %s",
			bytesize.Format(debt), bytesize.Format(int64(c.InputBytes())))
		db.stats.readCompactions.Add(1)
	}
	return c
}
