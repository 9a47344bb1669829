package filename

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMakeParseRoundTrip(t *testing.T) {
	for _, k := range []Kind{Log, Table, Manifest, Temp} {
		for _, num := range []uint64{0, 7, 123456, 1234567890} {
			kind, n, ok := Parse(Make(k, num))
			require.True(t, ok, "%s %d", k, num)
			require.Equal(t, k, kind)
			require.Equal(t, num, n)
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		kind Kind
		num  uint64
		ok   bool
	}{
		{"000007.log", Log, 7, true},
		{"000012.sst", Table, 12, true},
		{"MANIFEST-000003", Manifest, 3, true},
		{"CURRENT", Current, 0, true},
		{"LOCK", Lock, 0, true},
		{"000013.tmp", Temp, 13, true},
		{"000013.txt", Unknown, 0, false},
		{"abc.sst", Unknown, 0, false},
		{"MANIFEST-x", Manifest, 0, false},
		{"CURRENT.tmp", Unknown, 0, false},
		{"", Unknown, 0, false},
	}
	for _, tc := range tests {
		kind, num, ok := Parse(tc.name)
		require.Equal(t, tc.ok, ok, tc.name)
		if ok {
			require.Equal(t, tc.kind, kind, tc.name)
			require.Equal(t, tc.num, num, tc.name)
		}
	}
}
