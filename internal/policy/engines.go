package policy

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sync"
	"weak"

	"github.com/egressguard/egressguard/internal/inspect"
	"github.com/egressguard/egressguard/internal/redact"
)

// Compiled engines are reused across plugin starts. Envoy restarts the plugin inside the
// same VM on every configuration-only update (Istio's WasmPlugin pluginConfig path), and
// the Go heap of a wasm VM never shrinks: compiling the injection automaton allocates many
// times what it keeps, and that peak would stay in the VM for good. An engine is keyed by
// the JSON of the exact settings it is compiled from (the exported fields of inspect.Config
// and redact.Config), so any plugin start whose settings compile to the same engine shares
// it, several plugin instances of one VM included. The cache holds engines weakly: once
// no plugin context uses one it is collected and its entry dropped, so the cache never
// keeps an old configuration's engine alive.
var (
	inspectors = reuse[inspect.Engine]{}
	redactors  = reuse[redact.Redactor]{}
)

// reuse is a cache of immutable compiled values by the key of their settings, holding
// them weakly. It is safe for concurrent use.
type reuse[T any] struct {
	mu sync.Mutex
	m  map[string]weak.Pointer[T]
}

// get returns the value compiled from settings, building it with build when no live value
// exists. settings must marshal to JSON; build errors are not cached.
func (r *reuse[T]) get(settings any, build func() (*T, error)) (*T, error) {
	k, err := json.Marshal(settings)
	if err != nil {
		return build() // not keyable: compile without sharing
	}
	key := string(k)
	r.mu.Lock()
	defer r.mu.Unlock()
	for key, p := range r.m {
		if p.Value() == nil {
			delete(r.m, key) // collected: no plugin uses it any more
		}
	}
	if v := r.m[key].Value(); v != nil {
		return v, nil
	}
	v, err := build()
	if err != nil {
		return nil, err
	}
	if r.m == nil {
		r.m = map[string]weak.Pointer[T]{}
	}
	r.m[key] = weak.Make(v)
	return v, nil
}

// compileInspector returns the injection engine for cfg, shared with any live plugin
// that compiled the same settings.
func compileInspector(cfg inspect.Config) (*inspect.Engine, error) {
	return inspectors.get(cfg, func() (*inspect.Engine, error) { return inspect.New(cfg) })
}

// compileRedactor returns the redactor for cfg, shared like compileInspector.
func compileRedactor(cfg redact.Config) (*redact.Redactor, error) {
	return redactors.get(redactorKey(cfg), func() (*redact.Redactor, error) { return redact.New(cfg) })
}

// redactorSettings is what a redactor is cached by: its configuration with the exact
// secrets (the upstream keys the guard injects) replaced by their SHA-256, so that no
// key value is ever part of a cache key, while a rotated key still compiles anew.
type redactorSettings struct {
	redact.Config
	ExactSecrets []string // hex SHA-256 of each, in order (shadows Config.ExactSecrets)
}

func redactorKey(cfg redact.Config) redactorSettings {
	k := redactorSettings{Config: cfg}
	k.Config.ExactSecrets = nil
	for _, s := range cfg.ExactSecrets {
		d := sha256.Sum256(s)
		k.ExactSecrets = append(k.ExactSecrets, hex.EncodeToString(d[:]))
	}
	return k
}
