package main

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/lsmkv/lsmkv/bench"
	"github.com/stretchr/testify/require"
)

var seedFlag = flag.Uint64("seed", 0, "seed for TestAdapterModel (0: random; also $PEERS_SEED)")

func modelSeed(t *testing.T) uint64 {
	seed := *seedFlag
	if s := os.Getenv("PEERS_SEED"); s != "" && seed == 0 {
		var err error
		seed, err = strconv.ParseUint(s, 10, 64)
		require.NoError(t, err)
	}
	if seed == 0 {
		seed = rand.Uint64()
	}
	t.Logf("seed=%d (replay with -seed=%d or PEERS_SEED=%d)", seed, seed, seed)
	return seed
}

// TestAdapterModel drives each adapter directly with seeded random puts,
// deletes, batches, range deletions, flushes, compactions and reopens,
// and after each step compares Gets and iteration in both directions
// (with direction changes, which Badger's adapter emulates) against a map.
func TestAdapterModel(t *testing.T) {
	seed := modelSeed(t)
	for _, engine := range peerEngines {
		t.Run(engine, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 0))
			open, err := bench.Lookup(engine)
			require.NoError(t, err)
			cfg := bench.Config{Dir: t.TempDir(), Compression: bench.CompressionSnappy, BloomBits: 10,
				MemtableSize: 1 << 20, CacheSize: 1 << 20}
			eng, err := open(cfg)
			require.NoError(t, err)
			model := map[string]string{}
			for step := range 40 {
				if step%10 == 9 { // reopen: everything must persist
					require.NoError(t, eng.Close())
					eng, err = open(cfg)
					require.NoError(t, err)
				}
				mutate(t, rng, eng, model)
				checkModel(t, rng, eng, model)
			}
			require.NoError(t, eng.Close())
		})
	}
}

func modelKey(i int) []byte { return fmt.Appendf(nil, "key%04d", i) }

// mutate applies about 50 random writes, sometimes as one batch, then
// sometimes a range deletion, a flush or a compaction, where the engine
// has them.
func mutate(t *testing.T, rng *rand.Rand, eng bench.Engine, model map[string]string) {
	var ops []bench.Op
	for range 50 {
		k := modelKey(rng.IntN(300))
		op := bench.Op{Kind: bench.OpPut, Key: k, Value: fmt.Appendf(nil, "v%d", rng.Uint32())}
		if rng.IntN(3) == 0 {
			op = bench.Op{Kind: bench.OpDelete, Key: k}
		}
		ops = append(ops, op)
	}
	if rng.IntN(2) == 0 {
		require.NoError(t, eng.WriteBatch(ops, rng.IntN(4) == 0))
	} else {
		for _, op := range ops {
			if op.Kind == bench.OpDelete {
				require.NoError(t, eng.Delete(op.Key))
			} else {
				require.NoError(t, eng.Put(op.Key, op.Value))
			}
		}
	}
	for _, op := range ops {
		if op.Kind == bench.OpDelete {
			delete(model, string(op.Key))
		} else {
			model[string(op.Key)] = string(op.Value)
		}
	}
	if rd, ok := eng.(bench.RangeDeleter); ok && rng.IntN(3) == 0 {
		lo := rng.IntN(300)
		hi := lo + 1 + rng.IntN(30)
		require.NoError(t, rd.DeleteRange(modelKey(lo), modelKey(hi)))
		for i := lo; i < hi; i++ {
			delete(model, string(modelKey(i)))
		}
	}
	if rng.IntN(4) == 0 {
		require.NoError(t, eng.Flush())
	}
	if c, ok := eng.(bench.Compacter); ok && rng.IntN(6) == 0 {
		require.NoError(t, c.Compact())
	}
}

func checkModel(t *testing.T, rng *rand.Rand, eng bench.Engine, model map[string]string) {
	for i := range 310 {
		v, ok, err := eng.Get(modelKey(i))
		require.NoError(t, err)
		want, wantOK := model[string(modelKey(i))]
		require.Equal(t, wantOK, ok, "Get %s", modelKey(i))
		require.Equal(t, want, string(v), "Get %s", modelKey(i))
	}
	keys := make([]string, 0, len(model))
	for k := range model {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	it, err := eng.NewIterator()
	require.NoError(t, err)
	defer func() { require.NoError(t, it.Close()) }()
	var got []string
	for ok := it.First(); ok; ok = it.Next() {
		require.Equal(t, model[string(it.Key())], string(it.Value()))
		got = append(got, string(it.Key()))
	}
	require.Equal(t, nilIfEmpty(keys), nilIfEmpty(got), "forward scan")
	got = got[:0]
	for ok := it.Last(); ok; ok = it.Prev() {
		got = append(got, string(it.Key()))
	}
	require.Equal(t, nilIfEmpty(reversed(keys)), nilIfEmpty(got), "reverse scan")
	walk(t, rng, it, keys, model)
}

// walk seeks to random keys and steps randomly forwards and backwards,
// comparing each position with the sorted model keys.
func walk(t *testing.T, rng *rand.Rand, it bench.Iter, keys []string, model map[string]string) {
	for range 20 {
		target := modelKey(rng.IntN(310))
		pos, _ := slices.BinarySearch(keys, string(target))
		require.Equal(t, pos < len(keys), it.SeekGE(target), "SeekGE %s", target)
		for range 10 {
			if pos < 0 || pos >= len(keys) {
				require.False(t, it.Valid())
				break
			}
			require.True(t, it.Valid())
			require.Equal(t, keys[pos], string(it.Key()), "after SeekGE %s", target)
			require.True(t, bytes.Equal([]byte(model[keys[pos]]), it.Value()))
			if rng.IntN(2) == 0 {
				pos++
				require.Equal(t, pos < len(keys), it.Next())
			} else {
				pos--
				require.Equal(t, pos >= 0, it.Prev())
			}
		}
	}
}

func reversed(s []string) []string {
	r := slices.Clone(s)
	slices.Reverse(r)
	return r
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}
