package raftstore

import (
	"path/filepath"
	"testing"

	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"
	raftbench "github.com/hashicorp/raft/bench"
)

// The benchmarks run raft's own store benchmarks (github.com/hashicorp/
// raft/bench) on a Store and, for comparison, on raft-boltdb v2, both with
// synced writes as raft uses them, each on a fresh directory. The figures
// are in docs/raft.md with the command that produced them.

type benchStore interface {
	raft.LogStore
	raft.StableStore
	Close() error
}

func openRaftstore(b *testing.B) benchStore {
	s, err := Open(filepath.Join(b.TempDir(), "raft"), nil)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func openBoltDB(b *testing.B) benchStore {
	s, err := raftboltdb.NewBoltStore(filepath.Join(b.TempDir(), "raft.db"))
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func runBench(b *testing.B, open func(*testing.B) benchStore, fn func(*testing.B, benchStore)) {
	s := open(b)
	defer s.Close()
	fn(b, s)
}

func logBench(f func(*testing.B, raft.LogStore)) func(*testing.B, benchStore) {
	return func(b *testing.B, s benchStore) { f(b, s) }
}

func stableBench(f func(*testing.B, raft.StableStore)) func(*testing.B, benchStore) {
	return func(b *testing.B, s benchStore) { f(b, s) }
}

func BenchmarkRaftstore_FirstIndex(b *testing.B) {
	runBench(b, openRaftstore, logBench(raftbench.FirstIndex))
}
func BenchmarkRaftstore_LastIndex(b *testing.B) {
	runBench(b, openRaftstore, logBench(raftbench.LastIndex))
}
func BenchmarkRaftstore_GetLog(b *testing.B) { runBench(b, openRaftstore, logBench(raftbench.GetLog)) }
func BenchmarkRaftstore_StoreLog(b *testing.B) {
	runBench(b, openRaftstore, logBench(raftbench.StoreLog))
}
func BenchmarkRaftstore_StoreLogs(b *testing.B) {
	runBench(b, openRaftstore, logBench(raftbench.StoreLogs))
}
func BenchmarkRaftstore_DeleteRange(b *testing.B) {
	runBench(b, openRaftstore, logBench(raftbench.DeleteRange))
}
func BenchmarkRaftstore_Set(b *testing.B) { runBench(b, openRaftstore, stableBench(raftbench.Set)) }
func BenchmarkRaftstore_Get(b *testing.B) { runBench(b, openRaftstore, stableBench(raftbench.Get)) }
func BenchmarkRaftstore_SetUint64(b *testing.B) {
	runBench(b, openRaftstore, stableBench(raftbench.SetUint64))
}
func BenchmarkRaftstore_GetUint64(b *testing.B) {
	runBench(b, openRaftstore, stableBench(raftbench.GetUint64))
}

func BenchmarkBoltDB_FirstIndex(b *testing.B) {
	runBench(b, openBoltDB, logBench(raftbench.FirstIndex))
}
func BenchmarkBoltDB_LastIndex(b *testing.B) { runBench(b, openBoltDB, logBench(raftbench.LastIndex)) }
func BenchmarkBoltDB_GetLog(b *testing.B)    { runBench(b, openBoltDB, logBench(raftbench.GetLog)) }
func BenchmarkBoltDB_StoreLog(b *testing.B)  { runBench(b, openBoltDB, logBench(raftbench.StoreLog)) }
func BenchmarkBoltDB_StoreLogs(b *testing.B) { runBench(b, openBoltDB, logBench(raftbench.StoreLogs)) }
func BenchmarkBoltDB_DeleteRange(b *testing.B) {
	runBench(b, openBoltDB, logBench(raftbench.DeleteRange))
}
func BenchmarkBoltDB_Set(b *testing.B) { runBench(b, openBoltDB, stableBench(raftbench.Set)) }
func BenchmarkBoltDB_Get(b *testing.B) { runBench(b, openBoltDB, stableBench(raftbench.Get)) }
func BenchmarkBoltDB_SetUint64(b *testing.B) {
	runBench(b, openBoltDB, stableBench(raftbench.SetUint64))
}
func BenchmarkBoltDB_GetUint64(b *testing.B) {
	runBench(b, openBoltDB, stableBench(raftbench.GetUint64))
}
