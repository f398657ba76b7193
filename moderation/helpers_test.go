package moderation

import (
	"errors"
	"sync"
	"testing"

	"github.com/egressguard/egressguard/credentials"
	"github.com/tidwall/gjson"
)

// fakeStore is proxy-wasm shared data: versions start at 1, Set with a stale cas
// fails, cas 0 is unconditional (as in Envoy).
type fakeStore struct {
	mu      sync.Mutex
	vals    map[string][]byte
	cas     map[string]uint32
	getErr  error
	setErr  error
	races   int // the next N Sets fail with a CAS mismatch after a concurrent write
	sets    int
	getHook func()
}

func newStore() *fakeStore {
	return &fakeStore{vals: map[string][]byte{}, cas: map[string]uint32{}}
}

func (s *fakeStore) Get(key string) ([]byte, uint32, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.getErr != nil {
		return nil, 0, s.getErr
	}
	v, ok := s.vals[key]
	if !ok {
		return nil, 0, credentials.ErrNotFound
	}
	return append([]byte(nil), v...), s.cas[key], nil
}

func (s *fakeStore) Set(key string, value []byte, cas uint32) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sets++
	if s.setErr != nil {
		return s.setErr
	}
	if s.races > 0 {
		s.races--
		s.cas[key]++ // someone else wrote
		return credentials.ErrCASMismatch
	}
	if cas != 0 && cas != s.cas[key] {
		return credentials.ErrCASMismatch
	}
	s.vals[key] = append([]byte(nil), value...)
	s.cas[key]++
	return nil
}

var errBroken = errors.New("broken store")

func mustNew(t testing.TB, cfg Config) *Moderator {
	t.Helper()
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if m == nil {
		t.Fatal("moderator is nil")
	}
	return m
}

func boolp(b bool) *bool { return &b }

func gjsonArray(b []byte, path string) []string {
	var out []string
	for _, r := range gjson.GetBytes(b, path).Array() {
		out = append(out, r.String())
	}
	return out
}

func gjsonRaw(b []byte, path string) string { return gjson.GetBytes(b, path).Raw }
