package vfs

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
)

// require is a minimal stand-in for github.com/stretchr/testify/require:
// go.sum does not yet list testify's own dependencies, so importing it
// fails to build. The method names match, so switching back is a one-line
// import change. Every check stops the test at the first failure.
var require requireT

type requireT struct{}

func msg(args []any) string {
	if len(args) == 0 {
		return ""
	}
	if f, ok := args[0].(string); ok {
		return ": " + fmt.Sprintf(f, args[1:]...)
	}
	return ": " + fmt.Sprint(args...)
}

func (requireT) NoError(t testing.TB, err error, args ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v%s", err, msg(args))
	}
}

func (requireT) Error(t testing.TB, err error, args ...any) {
	t.Helper()
	if err == nil {
		t.Fatalf("expected an error, got nil%s", msg(args))
	}
}

func (requireT) ErrorIs(t testing.TB, err, target error, args ...any) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error %v is not %v%s", err, target, msg(args))
	}
}

func (requireT) Equal(t testing.TB, want, got any, args ...any) {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("want %#v, got %#v%s", want, got, msg(args))
	}
}

// EqualValues compares after converting got to want's type, so an untyped
// constant can be compared with an int64.
func (requireT) EqualValues(t testing.TB, want, got any, args ...any) {
	t.Helper()
	w, g := reflect.ValueOf(want), reflect.ValueOf(got)
	if g.CanConvert(w.Type()) {
		got = g.Convert(w.Type()).Interface()
	}
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("want %v, got %v%s", want, got, msg(args))
	}
}

func (requireT) True(t testing.TB, v bool, args ...any) {
	t.Helper()
	if !v {
		t.Fatalf("expected true%s", msg(args))
	}
}

func (requireT) False(t testing.TB, v bool, args ...any) {
	t.Helper()
	if v {
		t.Fatalf("expected false%s", msg(args))
	}
}
