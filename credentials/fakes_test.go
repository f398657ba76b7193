package credentials

import (
	"sync"
	"time"
)

// fakeStore implements SharedStore with Envoy's semantics: versions start at 1, a Set
// with a stale non-zero cas fails, cas 0 is unconditional.
type fakeStore struct {
	mu   sync.Mutex
	data map[string]fakeEntry
	next uint32
	// beforeSet, if set, runs (without the lock) before each Set is applied: the other
	// worker's chance to interleave between this worker's Get and Set.
	beforeSet func(key string)
	// failSet makes every Set fail with this error.
	failSet                 error
	gets, sets, casFailures int
}

type fakeEntry struct {
	val []byte
	cas uint32
}

func newFakeStore() *fakeStore { return &fakeStore{data: map[string]fakeEntry{}} }

func (s *fakeStore) Get(key string) ([]byte, uint32, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gets++
	e, ok := s.data[key]
	if !ok {
		return nil, 0, ErrNotFound
	}
	return append([]byte(nil), e.val...), e.cas, nil
}

func (s *fakeStore) Set(key string, val []byte, cas uint32) error {
	if hook := s.beforeSet; hook != nil {
		s.beforeSet = nil // interleave once
		hook(key)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sets++
	if s.failSet != nil {
		return s.failSet
	}
	if e, ok := s.data[key]; ok && cas != 0 && cas != e.cas {
		s.casFailures++
		return ErrCASMismatch
	}
	s.next++
	s.data[key] = fakeEntry{val: append([]byte(nil), val...), cas: s.next}
	return nil
}

func (s *fakeStore) value(key string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.data[key].val)
}

// fakeClock is a settable clock.
type fakeClock struct{ t time.Time }

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time          { return c.t }
func (c *fakeClock) Advance(d time.Duration) { c.t = c.t.Add(d) }
