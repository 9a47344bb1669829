package sstable

import "fmt"

// BlockKind says what a block holds.
type BlockKind uint8

// Block kinds, in file order.
const (
	DataBlock BlockKind = iota
	FilterBlock
	IndexBlock
	PropertiesBlock
	RangeDelBlock // numbered last: the values are kvtool output, not disk format
)

func (k BlockKind) String() string {
	switch k {
	case DataBlock:
		return "data"
	case FilterBlock:
		return "filter"
	case IndexBlock:
		return "index"
	case PropertiesBlock:
		return "properties"
	case RangeDelBlock:
		return "rangedel"
	}
	return fmt.Sprintf("blockkind(%d)", uint8(k))
}

// BlockInfo describes one stored block, for kvtool.
type BlockInfo struct {
	Kind        BlockKind
	Offset      uint64 // file offset of the block
	Length      uint64 // stored length, not counting the 5-byte trailer
	Compression Compression
	Entries     int // entries in data and index blocks; 0 for the others
	Restarts    int // restart points in data and index blocks; 0 for the others
}

// Layout reads every block of the table (bypassing the cache) and describes
// them in file order; the footer follows the last one.
func (r *Reader) Layout() ([]BlockInfo, error) {
	var out []BlockInfo
	var idx blockIter
	if err := idx.init(r.opts.Name, int64(r.footer.index.offset), r.index, indexRestartInterval); err != nil {
		return nil, err
	}
	for ok := idx.First(); ok; ok = idx.Next() {
		h, _ := decodeHandle(idx.val) // checked at Open
		info, err := r.blockInfo(DataBlock, h)
		if err != nil {
			return nil, err
		}
		out = append(out, info)
	}
	if idx.err != nil {
		return nil, idx.err
	}
	meta := []struct {
		kind BlockKind
		h    handle
	}{
		{RangeDelBlock, handle{offset: r.props.RangeDel.Offset, length: r.props.RangeDel.Length}},
		{FilterBlock, r.footer.filter}, {IndexBlock, r.footer.index}, {PropertiesBlock, r.footer.properties},
	}
	for _, m := range meta {
		if (m.kind == FilterBlock && !r.hasFilter) || (m.kind == RangeDelBlock && r.rangeDels == nil) {
			continue
		}
		info, err := r.blockInfo(m.kind, m.h)
		if err != nil {
			return nil, err
		}
		out = append(out, info)
	}
	return out, nil
}

func (r *Reader) blockInfo(kind BlockKind, h handle) (BlockInfo, error) {
	b, c, err := r.readBlock(h)
	if err != nil {
		return BlockInfo{}, err
	}
	info := BlockInfo{Kind: kind, Offset: h.offset, Length: h.length, Compression: c}
	if kind == DataBlock || kind == IndexBlock || kind == RangeDelBlock {
		maxRun := dataRestartInterval
		if kind != DataBlock {
			maxRun = indexRestartInterval // = rangeDelRestartInterval: every entry
		}
		var it blockIter
		if err := it.init(r.opts.Name, int64(h.offset), b, maxRun); err != nil {
			return BlockInfo{}, err
		}
		info.Restarts = it.numRestarts
		if info.Entries, err = it.count(); err != nil {
			return BlockInfo{}, err
		}
	}
	return info, nil
}
