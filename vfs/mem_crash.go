package vfs

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
)

// CrashClone returns an independent MemFS holding only what a power loss
// would keep: every directory's durable view (entries as of its last
// SyncDir), and for every file only the bytes up to its last Sync. A file
// reachable under two durable names (a rename made durable in the new
// directory but not the old) stays one shared inode in the clone. Locks are
// not copied. The original is unchanged and may keep being used.
func (fs *MemFS) CrashClone() *MemFS {
	fs.syncMu.Lock() // no Sync in flight: the clone is one instant
	defer fs.syncMu.Unlock()
	fs.mu.Lock()
	defer fs.mu.Unlock()
	nodes := make(map[*memNode]*memNode)
	return &MemFS{root: cloneDurable(fs.root, nodes), locks: map[string]bool{}}
}

// cloneDurable copies d's durable view, recursively, into a new directory
// whose live and durable views are equal. nodes maps original inodes to
// their clones so shared inodes stay shared. REQUIRES: fs.mu held.
func cloneDurable(d *memDir, nodes map[*memNode]*memNode) *memDir {
	c := newMemDir()
	for name, e := range d.durable {
		var ce memEntry
		if e.dir != nil {
			ce.dir = cloneDurable(e.dir, nodes)
		} else {
			ce.file = cloneSynced(e.file, nodes)
		}
		c.live[name] = ce
		c.durable[name] = ce
	}
	return c
}

// cloneSynced returns a copy of n holding only its synced bytes.
func cloneSynced(n *memNode, nodes map[*memNode]*memNode) *memNode {
	if c, ok := nodes[n]; ok {
		return c
	}
	n.mu.RLock()
	defer n.mu.RUnlock()
	c := &memNode{
		data:      slices.Clone(n.data[:n.syncedLen]),
		syncedLen: n.syncedLen,
		modTime:   n.modTime,
	}
	nodes[n] = c
	return c
}

// String lists the live tree, one entry a line, for test failure messages:
// directories end in "/", files show their length and synced length.
func (fs *MemFS) String() string {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var b strings.Builder
	writeTree(&b, fs.root, "")
	return b.String()
}

func writeTree(b *strings.Builder, d *memDir, prefix string) {
	for _, name := range slices.Sorted(maps.Keys(d.live)) {
		e := d.live[name]
		p := filepath.Join(prefix, name)
		if e.dir != nil {
			fmt.Fprintf(b, "%s/\n", p)
			writeTree(b, e.dir, p)
			continue
		}
		e.file.mu.RLock()
		fmt.Fprintf(b, "%s %d bytes, %d synced\n", p, len(e.file.data), e.file.syncedLen)
		e.file.mu.RUnlock()
	}
}

// baseName is the last element of a cleaned path.
func baseName(name string) string { return filepath.Base(filepath.Clean(name)) }
