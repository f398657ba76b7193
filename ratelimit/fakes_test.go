package ratelimit

import (
	"runtime"
	"sync"

	"github.com/egressguard/egressguard/credentials"
)

// fakeStore implements credentials.SharedStore with Envoy's semantics: versions start at
// 1, a Set with a stale non-zero cas fails, cas 0 is unconditional. Safe for concurrent
// use, like Envoy's shared data across worker threads.
type fakeStore struct {
	mu   sync.Mutex
	data map[string]fakeEntry
	next uint32
	// beforeSet, if set, runs (without the lock) before the next Set: another worker's
	// chance to interleave between this worker's Get and Set.
	beforeSet func(key string)
	// contend yields the thread between every Get and Set, so concurrent workers
	// really interleave.
	contend  bool
	failGet  error
	failSet  error
	casFails int
}

type fakeEntry struct {
	val []byte
	cas uint32
}

func newFakeStore() *fakeStore { return &fakeStore{data: map[string]fakeEntry{}} }

func (s *fakeStore) Get(key string) ([]byte, uint32, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failGet != nil {
		return nil, 0, s.failGet
	}
	e, ok := s.data[key]
	if !ok {
		return nil, 0, credentials.ErrNotFound
	}
	return append([]byte(nil), e.val...), e.cas, nil
}

func (s *fakeStore) Set(key string, val []byte, cas uint32) error {
	s.mu.Lock()
	hook := s.beforeSet
	s.beforeSet = nil
	contend := s.contend
	s.mu.Unlock()
	if contend {
		runtime.Gosched()
	}
	if hook != nil {
		hook(key)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failSet != nil {
		return s.failSet
	}
	if e, ok := s.data[key]; ok && cas != 0 && cas != e.cas {
		s.casFails++
		return credentials.ErrCASMismatch
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
