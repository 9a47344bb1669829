package compaction

import (
	"fmt"
	"math"
	"reflect"
	"testing"
)

// require is a minimal stand-in for github.com/stretchr/testify/require:
// go.sum does not list testify's own dependencies yet, so importing it
// fails to build. The method names match testify's, so switching back is a
// one-line import change. Every check stops the test at the first failure.
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

func isNil(x any) bool {
	if x == nil {
		return true
	}
	v := reflect.ValueOf(x)
	switch v.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Func, reflect.Interface, reflect.Chan:
		return v.IsNil()
	}
	return false
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
		t.Fatalf("expected an error%s", msg(args))
	}
}

func (requireT) Equal(t testing.TB, want, got any, args ...any) {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("not equal%s\nwant: %#v\n got: %#v", msg(args), want, got)
	}
}

func (requireT) InDelta(t testing.TB, want, got, delta float64, args ...any) {
	t.Helper()
	if math.Abs(want-got) > delta {
		t.Fatalf("%v and %v differ by more than %v%s", want, got, delta, msg(args))
	}
}

func (requireT) Nil(t testing.TB, x any, args ...any) {
	t.Helper()
	if !isNil(x) {
		t.Fatalf("expected nil, got %+v%s", x, msg(args))
	}
}

func (requireT) NotNil(t testing.TB, x any, args ...any) {
	t.Helper()
	if isNil(x) {
		t.Fatalf("expected a non-nil value%s", msg(args))
	}
}

func (requireT) True(t testing.TB, b bool, args ...any) {
	t.Helper()
	if !b {
		t.Fatalf("expected true%s", msg(args))
	}
}

func (requireT) False(t testing.TB, b bool, args ...any) {
	t.Helper()
	if b {
		t.Fatalf("expected false%s", msg(args))
	}
}

func (requireT) Len(t testing.TB, x any, n int, args ...any) {
	t.Helper()
	if l := reflect.ValueOf(x).Len(); l != n {
		t.Fatalf("length %d, want %d%s", l, n, msg(args))
	}
}

func (requireT) NotEmpty(t testing.TB, x any, args ...any) {
	t.Helper()
	if reflect.ValueOf(x).Len() == 0 {
		t.Fatalf("expected a non-empty value%s", msg(args))
	}
}

func (requireT) Less(t testing.TB, a, b int, args ...any) {
	t.Helper()
	if a >= b {
		t.Fatalf("expected %d < %d%s", a, b, msg(args))
	}
}

func (requireT) GreaterOrEqual(t testing.TB, a, b int, args ...any) {
	t.Helper()
	if a < b {
		t.Fatalf("expected %d >= %d%s", a, b, msg(args))
	}
}
