package cache_test

import (
	"fmt"

	"github.com/lsmkv/lsmkv/cache"
)

func Example() {
	c := cache.New(8 << 20) // 8 MiB
	const fileNum, offset = 12, 4096
	if _, ok := c.Get(fileNum, offset); !ok {
		block := []byte("decoded block") // read and decode it here
		c.Set(fileNum, offset, block)    // block is now read-only
	}
	block, ok := c.Get(fileNum, offset)
	fmt.Println(string(block), ok)
	c.EvictFile(fileNum) // the table was deleted
	m := c.Metrics()
	fmt.Println(m.Hits, m.Misses, m.Count)
	// Output:
	// decoded block true
	// 1 1 0
}
