// Package shareddata is the guard's access to proxy-wasm shared data: one key/value
// space per Envoy vm_id, shared by the VMs of every worker thread, where each value has
// a version for compare-and-swap. The key ring's cooldowns, the rate limiter's buckets
// and the moderation verdict cache live there; they all change their records through
// Update, the one compare-and-swap loop, and create them with Create.
//
// Semantics are Envoy's: every Set gives the key a new version, a Set with a non-zero
// version that is no longer current fails with ErrCASMismatch, and version 0 writes
// unconditionally. Proxy-wasm cannot delete a key.
package shareddata

import (
	"errors"
	"fmt"
)

// Store is proxy-wasm shared data. The plugin implements it with host calls
// (hostcalls.SharedData); tests use sharedtest.Store.
type Store interface {
	// Get returns the value and its version, or ErrNotFound.
	Get(key string) (value []byte, cas uint32, err error)
	// Set stores value if cas is the current version (ErrCASMismatch otherwise); cas 0
	// writes unconditionally.
	Set(key string, value []byte, cas uint32) error
}

// Errors a Store returns (wrapping is fine: callers use errors.Is).
var (
	// ErrNotFound: the key has never been set (proxy-wasm ErrorStatusNotFound).
	ErrNotFound = errors.New("shared data: key not found")
	// ErrCASMismatch: the key changed since Get (proxy-wasm ErrorStatusCasMismatch).
	ErrCASMismatch = errors.New("shared data: cas mismatch")
)

// MaxAttempts bounds a compare-and-swap loop. Each attempt that loses means another
// worker wrote the record in between; after this many the caller falls back to
// worker-local state rather than delaying the request.
const MaxAttempts = 8

// Update changes the record at key with compare-and-swap: it reads the value (nil when
// the key does not exist yet), lets modify decode and change it, and writes the result
// with the version it read, retrying from the read when another worker wrote in between,
// at most attempts times (MaxAttempts when attempts ≤ 0). modify returns the new value
// and whether to write it; it may run several times and must derive everything from cur.
//
// The error is nil when the write landed or modify declined it. Otherwise it is the
// store's error, or one wrapping ErrCASMismatch when every attempt lost the race.
func Update(s Store, key string, attempts int, modify func(cur []byte) (next []byte, write bool)) error {
	if attempts <= 0 {
		attempts = MaxAttempts
	}
	for range attempts {
		cur, cas, err := s.Get(key)
		switch {
		case err == nil:
		case errors.Is(err, ErrNotFound):
			// Version 0 writes unconditionally, so creating a record can race another
			// worker's creation; Create at plugin start avoids that for known keys.
			cur, cas = nil, 0
		default:
			return err
		}
		next, write := modify(cur)
		if !write {
			return nil
		}
		err = s.Set(key, next, cas)
		if err == nil || !errors.Is(err, ErrCASMismatch) {
			return err
		}
	}
	return fmt.Errorf("shared data %s: %d compare-and-swap attempts lost: %w", key, attempts, ErrCASMismatch)
}

// Create writes init at key unless the key exists. Call it at plugin start for every
// record known then: afterwards each update of it is a true compare-and-swap (Update's
// creation of a missing key is unconditional and could overwrite a concurrent one).
func Create(s Store, key string, init []byte) error {
	_, _, err := s.Get(key)
	if errors.Is(err, ErrNotFound) {
		err = s.Set(key, init, 0)
		if errors.Is(err, ErrCASMismatch) {
			err = nil // another worker created it first
		}
	}
	if err != nil {
		return fmt.Errorf("shared data %s: %w", key, err)
	}
	return nil
}
