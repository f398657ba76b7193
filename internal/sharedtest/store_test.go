package sharedtest

import (
	"errors"
	"testing"

	"github.com/egressguard/egressguard/internal/shareddata"
)

var errNotFound, errCAS = shareddata.ErrNotFound, shareddata.ErrCASMismatch

func TestStoreSemantics(t *testing.T) {
	s := New()
	if _, _, err := s.Get("k"); err != errNotFound {
		t.Fatalf("Get of a missing key: %v", err)
	}
	if err := s.Set("k", []byte("a"), 0); err != nil {
		t.Fatal(err)
	}
	v, cas, err := s.Get("k")
	if err != nil || string(v) != "a" || cas == 0 {
		t.Fatalf("Get = %q, %d, %v", v, cas, err)
	}
	if err := s.Set("k", []byte("b"), cas+1); err != errCAS || s.CASFailures != 1 {
		t.Fatalf("stale cas: %v, failures %d", err, s.CASFailures)
	}
	if err := s.Set("k", []byte("b"), cas); err != nil || s.Value("k") != "b" {
		t.Fatalf("current cas: %v, value %q", err, s.Value("k"))
	}
	if err := s.Set("k", []byte("c"), cas); err != errCAS {
		t.Fatalf("a version is used once: %v", err)
	}
	s.Races = 1
	_, cas, _ = s.Get("k")
	if err := s.Set("k", []byte("d"), cas); err != errCAS || s.Value("k") != "b" {
		t.Fatalf("race: %v, value %q", err, s.Value("k"))
	}
	if _, cas2, _ := s.Get("k"); cas2 == cas {
		t.Fatal("a race must move the version")
	}
	calls := 0
	s.BeforeSet = func(string) { calls++ }
	for range 2 {
		if err := s.Set("x", nil, 0); err != nil { // cas 0 writes unconditionally
			t.Fatal(err)
		}
	}
	if calls != 1 || s.Sets != 7 {
		t.Fatalf("BeforeSet ran %d times, Sets %d", calls, s.Sets)
	}
	s.FailGet = errors.New("down")
	if _, _, err := s.Get("k"); err != s.FailGet {
		t.Fatalf("FailGet: %v", err)
	}
}
