package manifest

import "testing"

func TestHasRangeDels(t *testing.T) {
	tests := []struct {
		name  string
		files map[int][]*FileMeta
		want  bool
	}{
		{"empty", nil, false},
		{"points only", map[int][]*FileMeta{0: {{Num: 1, NumDeletions: 5}}, 6: {{Num: 2}}}, false},
		{"one in L6", map[int][]*FileMeta{0: {{Num: 1}}, 6: {{Num: 2}, {Num: 3, NumRangeDels: 1}}}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := &Version{}
			for level, files := range tc.files {
				v.Levels[level] = files
			}
			if got := v.HasRangeDels(); got != tc.want {
				t.Fatalf("HasRangeDels = %v, want %v", got, tc.want)
			}
		})
	}
}
