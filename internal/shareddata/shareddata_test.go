package shareddata_test

import (
	"errors"
	"strconv"
	"sync"
	"testing"

	"github.com/egressguard/egressguard/internal/shareddata"
	"github.com/egressguard/egressguard/internal/sharedtest"
)

// incr is a modify function that counts in a decimal record.
func incr(cur []byte) ([]byte, bool) {
	n, _ := strconv.Atoi(string(cur))
	return strconv.AppendInt(nil, int64(n+1), 10), true
}

func TestUpdate(t *testing.T) {
	down := errors.New("store down")
	for _, tc := range []struct {
		name    string
		setup   func(s *sharedtest.Store)
		modify  func([]byte) ([]byte, bool)
		wantErr error
		want    string
		sets    int
	}{
		{name: "creates a missing record", modify: incr, want: "1", sets: 1},
		{name: "changes an existing record", setup: func(s *sharedtest.Store) { s.Put("k", []byte("41")) }, modify: incr, want: "42", sets: 1},
		{name: "declined: no write", setup: func(s *sharedtest.Store) { s.Put("k", []byte("7")) },
			modify: func([]byte) ([]byte, bool) { return nil, false }, want: "7", sets: 0},
		{name: "retries a lost race from a fresh read", setup: func(s *sharedtest.Store) {
			s.Put("k", []byte("1"))
			s.BeforeSet = func(string) { s.Put("k", []byte("10")) } // another worker writes in between
		}, modify: incr, want: "11", sets: 2},
		{name: "gives up after the attempts", setup: func(s *sharedtest.Store) { s.Races = 1 << 10 },
			modify: incr, wantErr: shareddata.ErrCASMismatch, want: "", sets: shareddata.MaxAttempts},
		{name: "store error on read", setup: func(s *sharedtest.Store) { s.FailGet = down }, modify: incr, wantErr: down, sets: 0},
		{name: "store error on write", setup: func(s *sharedtest.Store) { s.FailSet = down }, modify: incr, wantErr: down, sets: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := sharedtest.New()
			if tc.setup != nil {
				tc.setup(s)
			}
			err := shareddata.Update(s, "k", 0, tc.modify)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			s.FailGet = nil
			if got := s.Value("k"); got != tc.want {
				t.Errorf("record = %q, want %q", got, tc.want)
			}
			if s.Sets != tc.sets {
				t.Errorf("%d writes, want %d", s.Sets, tc.sets)
			}
		})
	}
}

// Concurrent updates of a created record from many workers all land: none is lost to
// a race.
func TestUpdateConcurrent(t *testing.T) {
	s := sharedtest.New()
	if err := shareddata.Create(s, "n", []byte("0")); err != nil {
		t.Fatal(err)
	}
	s.Contend = true
	const workers, each = 8, 50
	var wg sync.WaitGroup
	var lost sync.Map
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				if err := shareddata.Update(s, "n", 1<<20, incr); err != nil {
					lost.Store(w, err)
				}
			}
		}()
	}
	wg.Wait()
	lost.Range(func(k, v any) bool { t.Errorf("worker %v: %v", k, v); return true })
	if got := s.Value("n"); got != strconv.Itoa(workers*each) {
		t.Errorf("counter = %s, want %d", got, workers*each)
	}
}

func TestCreate(t *testing.T) {
	s := sharedtest.New()
	if err := shareddata.Create(s, "k", []byte("init")); err != nil || s.Value("k") != "init" {
		t.Fatalf("create: %v, %q", err, s.Value("k"))
	}
	s.Put("k", []byte("changed"))
	if err := shareddata.Create(s, "k", []byte("init")); err != nil || s.Value("k") != "changed" {
		t.Fatalf("an existing record must be kept: %v, %q", err, s.Value("k"))
	}
	s.FailGet = errors.New("down")
	if err := shareddata.Create(s, "other", nil); err == nil {
		t.Fatal("a store error must be reported")
	}
}
