package wal

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// require is a minimal stand-in for github.com/stretchr/testify/require:
// go.sum does not yet list testify's own dependencies (go-spew, go-difflib,
// yaml), so importing it fails to build. The methods keep testify's names
// and argument order, so switching back means deleting this file and adding
// the import. Every check stops the test at the first failure.
var require requireShim

type requireShim struct{}

func fail(t testing.TB, what string, msgAndArgs []any) {
	t.Helper()
	if len(msgAndArgs) > 0 {
		if f, ok := msgAndArgs[0].(string); ok {
			what += ": " + fmt.Sprintf(f, msgAndArgs[1:]...)
		} else {
			what += ": " + fmt.Sprint(msgAndArgs...)
		}
	}
	t.Fatal(what)
}

func equal(a, b any) bool {
	ab, aok := a.([]byte)
	bb, bok := b.([]byte)
	if aok && bok {
		return bytes.Equal(ab, bb)
	}
	return reflect.DeepEqual(a, b)
}

func (requireShim) Equal(t testing.TB, want, got any, msgAndArgs ...any) {
	t.Helper()
	if !equal(want, got) {
		fail(t, fmt.Sprintf("not equal:\nwant %#v\ngot  %#v", want, got), msgAndArgs)
	}
}

func (requireShim) NoError(t testing.TB, err error, msgAndArgs ...any) {
	t.Helper()
	if err != nil {
		fail(t, fmt.Sprintf("unexpected error: %v", err), msgAndArgs)
	}
}

func (requireShim) Error(t testing.TB, err error, msgAndArgs ...any) {
	t.Helper()
	if err == nil {
		fail(t, "expected an error", msgAndArgs)
	}
}

func (requireShim) ErrorIs(t testing.TB, err, target error, msgAndArgs ...any) {
	t.Helper()
	if !errors.Is(err, target) {
		fail(t, fmt.Sprintf("error %v does not wrap %v", err, target), msgAndArgs)
	}
}

func (requireShim) NotErrorIs(t testing.TB, err, target error, msgAndArgs ...any) {
	t.Helper()
	if errors.Is(err, target) {
		fail(t, fmt.Sprintf("error %v wraps %v", err, target), msgAndArgs)
	}
}

func (requireShim) True(t testing.TB, v bool, msgAndArgs ...any) {
	t.Helper()
	if !v {
		fail(t, "expected true", msgAndArgs)
	}
}

func (requireShim) False(t testing.TB, v bool, msgAndArgs ...any) {
	t.Helper()
	if v {
		fail(t, "expected false", msgAndArgs)
	}
}

func (requireShim) NotNil(t testing.TB, v any, msgAndArgs ...any) {
	t.Helper()
	if v == nil || (reflect.ValueOf(v).Kind() == reflect.Slice && reflect.ValueOf(v).IsNil()) {
		fail(t, "expected non-nil", msgAndArgs)
	}
}

func (requireShim) Zero(t testing.TB, v any, msgAndArgs ...any) {
	t.Helper()
	if v != nil && !reflect.ValueOf(v).IsZero() {
		fail(t, fmt.Sprintf("expected zero, got %#v", v), msgAndArgs)
	}
}

func (requireShim) Contains(t testing.TB, s, sub string, msgAndArgs ...any) {
	t.Helper()
	if !strings.Contains(s, sub) {
		fail(t, fmt.Sprintf("%q does not contain %q", s, sub), msgAndArgs)
	}
}

// LessOrEqual takes ints here (testify's takes any); every call site
// passes ints, so both compile.
func (requireShim) LessOrEqual(t testing.TB, a, b int, msgAndArgs ...any) {
	t.Helper()
	if cmp.Compare(a, b) > 0 {
		fail(t, fmt.Sprintf("%v is not <= %v", a, b), msgAndArgs)
	}
}
