package moderation

import (
	"errors"
	"testing"

	"github.com/egressguard/egressguard/internal/sharedtest"
	"github.com/tidwall/gjson"
)

// fakeStore is proxy-wasm shared data with Envoy's semantics (see sharedtest.Store).
type fakeStore = sharedtest.Store

func newStore() *fakeStore {
	return sharedtest.New()
}

var errBroken = errors.New("broken store")

func mustNew(t testing.TB, cfg Config) *Moderator {
	t.Helper()
	cfg.ApplyDefaults() // as config.Parse does
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
