package wal

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRecoveryModes(t *testing.T) {
	S, T := Strict, TolerateTornTail
	tests := []struct {
		name  string
		sizes []int64
		want  []RecoveryMode
	}{
		{"none", nil, []RecoveryMode{}},
		{"one", []int64{10}, []RecoveryMode{T}},
		{"one empty", []int64{0}, []RecoveryMode{T}},
		{"newest holds data", []int64{10, 20, 30}, []RecoveryMode{S, S, T}},
		{"empty newer logs", []int64{10, 20, 0, 0}, []RecoveryMode{S, T, T, T}},
		{"empty older log", []int64{0, 20}, []RecoveryMode{S, T}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, RecoveryModes(tc.sizes))
		})
	}
}
