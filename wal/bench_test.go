package wal

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"testing"

	"github.com/lsmkv/lsmkv/vfs"
)

// BenchmarkAppend appends records to a real file, optionally syncing after
// each one as a DB does for a synchronous commit group.
func BenchmarkAppend(b *testing.B) {
	for _, size := range []int{100, 4 << 10} {
		for _, sync := range []bool{false, true} {
			b.Run(fmt.Sprintf("size=%d/sync=%v", size, sync), func(b *testing.B) {
				f, err := vfs.Default.Create(filepath.Join(b.TempDir(), "000007.log"))
				if err != nil {
					b.Fatal(err)
				}
				w := NewWriter(f, testLogNum)
				defer w.Close()
				payload := bytes.Repeat([]byte{'x'}, size)
				b.SetBytes(int64(size))
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					if err := w.Append(payload); err != nil {
						b.Fatal(err)
					}
					if sync {
						if err := w.Sync(); err != nil {
							b.Fatal(err)
						}
					}
				}
			})
		}
	}
}

// BenchmarkReader replays an in-memory log of 100-byte and 4 KiB records.
func BenchmarkReader(b *testing.B) {
	for _, size := range []int{100, 4 << 10} {
		b.Run(fmt.Sprintf("size=%d", size), func(b *testing.B) {
			payloads := make([][]byte, 1000)
			for i := range payloads {
				payloads[i] = bytes.Repeat([]byte{byte(i)}, size)
			}
			data, _ := encodeLog(testLogNum, payloads)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				r := NewReader(bytes.NewReader(data), ReaderOptions{LogNum: testLogNum})
				for {
					if _, err := r.Next(); err == io.EOF {
						break
					} else if err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
