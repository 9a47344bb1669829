package compaction

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lsmkv/lsmkv/internal/keys"
	"github.com/lsmkv/lsmkv/internal/rangedel"
)

func tombs(ts ...rangedel.Tombstone) rangedel.List { return rangedel.Build(ts) }

func ts(start, end string, seq keys.SeqNum) rangedel.Tombstone {
	return rangedel.Tombstone{Start: []byte(start), End: []byte(end), Seq: seq}
}

// TestIterDropsPointsCoveredInStripe: a point entry is dropped when a
// newer range tombstone of its snapshot stripe covers it, and kept when a
// snapshot lies between them or the tombstone is older.
func TestIterDropsPointsCoveredInStripe(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		tombs rangedel.List
		snaps []keys.SeqNum
		want  string
	}{
		{"covered", "a#3=x b#4=y c#9=z", tombs(ts("a", "c", 5)), nil, "c#9=z"},
		{"end is exclusive", "c#3=x", tombs(ts("a", "c", 5)), nil, "c#3=x"},
		{"newer point survives", "b#7=new b#3=old", tombs(ts("a", "c", 5)), nil, "b#7=new"},
		{"snapshot between", "b#3=old", tombs(ts("a", "c", 5)), []keys.SeqNum{4}, "b#3=old"},
		{"snapshot after both", "b#3=old", tombs(ts("a", "c", 5)), []keys.SeqNum{6}, ""},
		{"snapshot keeps one version", "b#7=x b#3=y b#2=z", tombs(ts("a", "c", 5)), []keys.SeqNum{3}, "b#7=x b#3=y"},
		{"point tombstone covered", "b#3,DEL", tombs(ts("a", "c", 5)), nil, ""},
		{"older tombstone, newer snapshot stripe", "b#8=x b#6=y", tombs(ts("a", "c", 5), ts("b", "d", 9)), []keys.SeqNum{7}, "b#6=y"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			it := NewIter(inputOf(parseEntries(tc.in)), tc.snaps, nil)
			it.SetRangeDels(tc.tombs)
			got, err := drain(t, it)
			require.NoError(t, err)
			var s []string
			for _, e := range got {
				s = append(s, e.String())
			}
			require.Equal(t, tc.want, strings.Join(s, " "))
		})
	}
}

// TestFilterRangeDels: one tombstone per fragment and snapshot stripe
// stays, and the oldest stripe's goes where nothing lies below.
func TestFilterRangeDels(t *testing.T) {
	l := tombs(ts("a", "c", 5), ts("a", "c", 7), ts("a", "c", 9), ts("c", "e", 3))
	show := func(l rangedel.List) string {
		var parts []string
		for _, f := range l {
			parts = append(parts, fmt.Sprintf("[%s,%s)%v", f.Start, f.End, f.Seqs))
		}
		return strings.Join(parts, " ")
	}
	require.Equal(t, "[a,c)[9] [c,e)[3]", show(FilterRangeDels(l, nil, nil)), "one stripe: the newest only")
	require.Equal(t, "[a,c)[9 5] [c,e)[3]", show(FilterRangeDels(l, []keys.SeqNum{6}, nil)), "a snapshot at 6 keeps 5")
	require.Equal(t, "[a,c)[9 7]", show(FilterRangeDels(l, []keys.SeqNum{8}, func(start, end []byte) bool {
		return string(start) == "c"
	})), "a snapshot at 8 keeps 7 (and 9 stays for the latest reads); [c,e) is elided")
	require.Equal(t, "[a,c)[9]", show(FilterRangeDels(l, []keys.SeqNum{8}, func([]byte, []byte) bool { return true })),
		"with nothing below, the oldest stripe's tombstone goes too; the newer stripe's stays")
}
