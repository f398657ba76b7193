package credentials

import (
	"time"

	"github.com/egressguard/egressguard/internal/sharedtest"
)

// fakeStore is proxy-wasm shared data with Envoy's semantics (see sharedtest.Store).
type fakeStore = sharedtest.Store

func newFakeStore() *fakeStore { return sharedtest.New() }

// fakeClock is a settable clock.
type fakeClock struct{ t time.Time }

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time          { return c.t }
func (c *fakeClock) Advance(d time.Duration) { c.t = c.t.Add(d) }

// completed returns v with its defaults applied, as config.Parse hands it over.
func completed[T any, P interface {
	*T
	ApplyDefaults()
}](v T) T {
	P(&v).ApplyDefaults()
	return v
}
