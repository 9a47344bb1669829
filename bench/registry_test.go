package bench

import (
	"errors"
	"slices"
	"testing"
)

func init() { Register("map", OpenMapEngine) }

func TestRegistry(t *testing.T) {
	if _, err := Lookup("map"); err != nil {
		t.Fatal(err)
	}
	if _, err := Lookup("missing"); !errors.Is(err, errUnknownEngine) {
		t.Errorf("Lookup(missing) = %v", err)
	}
	if !slices.Contains(Engines(), "map") {
		t.Errorf("Engines() = %v", Engines())
	}
	for _, tc := range []struct {
		name string
		o    Opener
	}{{"map", OpenMapEngine}, {"nil", nil}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%s) did not panic", tc.name)
				}
			}()
			Register(tc.name, tc.o)
		}()
	}
}
