// Package sharedtest is a test double of proxy-wasm shared data (the
// shareddata.Store interface) for the packages that keep state there:
// credentials, ratelimit and moderation. It does not import them, so their
// own in-package tests can use it.
package sharedtest

import (
	"runtime"
	"sync"

	"github.com/egressguard/egressguard/internal/shareddata"
)

// Store keeps shared data with Envoy's semantics: every Set gives the key a new
// version (versions start at 1), a Set with a stale non-zero cas fails, cas 0 is
// unconditional. It is safe for concurrent use, like Envoy's shared data across
// worker threads. The exported fields inject faults and races; set them before the
// store is shared between goroutines (BeforeSet is cleared under the lock).
type Store struct {
	// BeforeSet, if set, runs once, without the lock, before the next Set is
	// applied: another worker's chance to interleave between this worker's Get and
	// Set.
	BeforeSet func(key string)
	// Contend yields the thread before every Set, so that concurrent workers
	// really interleave.
	Contend bool
	// FailGet and FailSet make every Get or Set fail with this error.
	FailGet, FailSet error
	// Races makes the next Races Sets fail with a CAS mismatch, as if another
	// worker had written the key in between.
	Races int
	// Sets counts the calls to Set; CASFailures those that failed with a CAS
	// mismatch.
	Sets, CASFailures int

	mu   sync.Mutex
	data map[string]entry
	next uint32
}

type entry struct {
	val []byte
	cas uint32
}

// New returns an empty store. It reports a missing key with shareddata.ErrNotFound and
// a stale cas with shareddata.ErrCASMismatch.
func New() *Store {
	return &Store{data: map[string]entry{}}
}

// Get returns a copy of the key's value and its version.
func (s *Store) Get(key string) ([]byte, uint32, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.FailGet != nil {
		return nil, 0, s.FailGet
	}
	e, ok := s.data[key]
	if !ok {
		return nil, 0, shareddata.ErrNotFound
	}
	return append([]byte(nil), e.val...), e.cas, nil
}

// Set stores a copy of val if cas is 0 or the key's current version.
func (s *Store) Set(key string, val []byte, cas uint32) error {
	s.mu.Lock()
	hook := s.BeforeSet
	s.BeforeSet = nil
	contend := s.Contend
	s.mu.Unlock()
	if contend {
		runtime.Gosched()
	}
	if hook != nil {
		hook(key)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Sets++
	if s.FailSet != nil {
		return s.FailSet
	}
	if s.Races > 0 {
		s.Races--
		if e, ok := s.data[key]; ok { // someone else wrote the same value
			s.next++
			e.cas = s.next
			s.data[key] = e
		}
		s.CASFailures++
		return shareddata.ErrCASMismatch
	}
	if e, ok := s.data[key]; ok && cas != 0 && cas != e.cas {
		s.CASFailures++
		return shareddata.ErrCASMismatch
	}
	s.next++
	s.data[key] = entry{val: append([]byte(nil), val...), cas: s.next}
	return nil
}

// Value returns the key's value as a string ("" when absent).
func (s *Store) Value(key string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.data[key].val)
}

// Put writes val under key unconditionally, with a new version and no fault
// injection: a test planting a record (a corrupt one, say).
func (s *Store) Put(key string, val []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	s.data[key] = entry{val: append([]byte(nil), val...), cas: s.next}
}

// Snapshot returns a copy of every key's value.
func (s *Store) Snapshot() map[string][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := make(map[string][]byte, len(s.data))
	for k, e := range s.data {
		m[k] = append([]byte(nil), e.val...)
	}
	return m
}
