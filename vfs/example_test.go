package vfs_test

import (
	"fmt"
	"io"

	"github.com/lsmkv/lsmkv/vfs"
)

// A crash test: only synced bytes under a synced directory entry survive.
func ExampleMemFS_CrashClone() {
	fs := vfs.NewMem()
	_ = fs.MkdirAll("db", 0o755)
	f, _ := fs.Create("db/000001.log")
	_, _ = f.Write([]byte("durable"))
	_ = f.Sync()         // data durable...
	_ = fs.SyncDir("db") // ...and so is the name
	_, _ = f.Write([]byte("lost"))
	g, _ := fs.Create("db/000002.log") // name never made durable
	_ = g.Sync()

	crashed := fs.CrashClone() // "power loss"
	names, _ := crashed.List("db")
	h, _ := crashed.Open("db/000001.log")
	b, _ := io.ReadAll(h)
	fmt.Println(names, string(b))
	// Output: [000001.log] durable
}
