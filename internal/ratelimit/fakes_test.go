package ratelimit

import "github.com/egressguard/egressguard/internal/sharedtest"

// fakeStore is proxy-wasm shared data with Envoy's semantics (see sharedtest.Store).
type fakeStore = sharedtest.Store

func newFakeStore() *fakeStore { return sharedtest.New() }
