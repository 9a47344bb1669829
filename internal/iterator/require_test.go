package iterator

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
)

// require is a minimal stand-in for github.com/stretchr/testify/require,
// which cannot be built yet because go.sum lacks testify's own
// dependencies. Its methods have testify's signatures, so switching back is
// a matter of deleting this file and adding the import.
var require requireShim

type requireShim struct{}

func failNow(t testing.TB, msg string, msgAndArgs []any) {
	t.Helper()
	if len(msgAndArgs) > 0 {
		msg += ": " + fmt.Sprint(msgAndArgs...)
	}
	t.Fatal(msg)
}

func (requireShim) Equal(t testing.TB, want, got any, msgAndArgs ...any) {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		failNow(t, fmt.Sprintf("got %#v, want %#v", got, want), msgAndArgs)
	}
}

func (requireShim) True(t testing.TB, v bool, msgAndArgs ...any) {
	t.Helper()
	if !v {
		failNow(t, "got false, want true", msgAndArgs)
	}
}

func (requireShim) False(t testing.TB, v bool, msgAndArgs ...any) {
	t.Helper()
	if v {
		failNow(t, "got true, want false", msgAndArgs)
	}
}

func (requireShim) Zero(t testing.TB, v float64, msgAndArgs ...any) {
	t.Helper()
	if v != 0 {
		failNow(t, fmt.Sprintf("got %v, want 0", v), msgAndArgs)
	}
}

func (requireShim) Nil(t testing.TB, v []byte, msgAndArgs ...any) {
	t.Helper()
	if v != nil {
		failNow(t, fmt.Sprintf("got %q, want nil", v), msgAndArgs)
	}
}

func (requireShim) NoError(t testing.TB, err error, msgAndArgs ...any) {
	t.Helper()
	if err != nil {
		failNow(t, fmt.Sprintf("unexpected error: %v", err), msgAndArgs)
	}
}

func (requireShim) ErrorIs(t testing.TB, err, target error, msgAndArgs ...any) {
	t.Helper()
	if !errors.Is(err, target) {
		failNow(t, fmt.Sprintf("error %v is not %v", err, target), msgAndArgs)
	}
}
