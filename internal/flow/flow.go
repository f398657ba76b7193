// Package flow decides what the guard does in each proxy-wasm phase of one exchange
// (request headers, body and trailers; response headers, body and trailers): which
// headers to remove or set, whether to hold or continue, what to answer. It is pure Go;
// the plugin reads the inputs from the host, asks flow, and applies the plan.
//
// Two modes follow from what Envoy lets a filter do with its headers:
//
//   - Stream (default, what Istio's WasmPlugin produces): Envoy turns a pause on
//     headers into StopAllIteration, which also stops the body callbacks, unless the
//     filter config sets allow_on_headers_stop_iteration. So everything that needs
//     only headers is done on request headers (routing, client auth, credential
//     stripping, key injection, accept-encoding, removing content-length so the body
//     may change) and the headers continue; the body is held (StopIterationAndBuffer)
//     until the decision. A rejection from the body phase is a local reply: Envoy
//     resets the upstream stream, so the provider never receives a complete request.
//     Decisions taken on the body cannot set request headers any more; they are
//     published as filter state and response headers. Response headers go out at
//     once; bodies are held or transformed before any byte leaves.
//   - HoldHeaders (config envoy.allow_on_headers_stop_iteration, with the Envoy flag):
//     request headers are held until the body is decided, so decisions may still set
//     request headers, and JSON response headers are held until the body is complete,
//     so an upstream that fails mid-body becomes a 5xx instead of a 200.
package flow

import (
	"fmt"

	"github.com/egressguard/egressguard/internal/config"
	"github.com/egressguard/egressguard/internal/credentials"
	"github.com/egressguard/egressguard/internal/policy"
)

// Mode is how the guard holds traffic (see the package doc).
type Mode uint8

// Modes.
const (
	Stream Mode = iota
	HoldHeaders
)

func (m Mode) String() string {
	if m == HoldHeaders {
		return "hold_headers"
	}
	return "stream"
}

// Filter state names the guard publishes (Envoy property "wasm.<name>").
const (
	// StateInjection carries flag mode's verdict ("score=…; rules=…").
	StateInjection = "egressguard_injection"
)

// Planner is the compiled flow configuration of one plugin instance.
type Planner struct {
	Mode   Mode
	Policy *policy.Policy
	auth   *credentials.Authenticator
	// Per upstream name: the client credentials removed and the key ring injected from.
	byUpstream map[string]*upstreamCreds
	noUpstream *upstreamCreds // requests that match no upstream
	store      credentials.SharedStore
	// identity asks upstreams of inspected calls for an uncompressed response, which
	// redaction, moderation and usage metering need.
	identity bool
	// Warnings are start-up messages for the log (never a key value).
	Warnings []string
}

// upstreamCreds is what the guard does to the credentials of requests to one upstream.
type upstreamCreds struct {
	headers []string // request headers removed
	query   []string // query parameters removed from :path
	ring    *credentials.Keyring
}

// New compiles the flow. env resolves upstream keys once; errors name the upstream and
// key, never a value. inspectResponses is true when responses of inspected calls are
// redacted, moderated or metered.
func New(cfg *config.Config, pol *policy.Policy, env credentials.Env, store credentials.SharedStore, inspectResponses bool) (*Planner, error) {
	auth, err := credentials.NewAuthenticator(cfg.Clients)
	if err != nil {
		return nil, fmt.Errorf("clients: %w", err)
	}
	pl := &Planner{Policy: pol, auth: auth, byUpstream: map[string]*upstreamCreds{}, store: store,
		identity:   inspectResponses,
		noUpstream: &upstreamCreds{headers: credentials.StripHeaders(nil, &cfg.Clients)}}
	if cfg.Envoy.AllowOnHeadersStopIteration {
		pl.Mode = HoldHeaders
	}
	for i := range cfg.Upstreams {
		u := &cfg.Upstreams[i]
		uc := &upstreamCreds{headers: credentials.StripHeaders(&u.Auth, &cfg.Clients),
			query: credentials.StripQueryParams(&u.Auth)}
		if u.Auth.Enabled() {
			ring, warns, err := credentials.NewKeyring(u.Name, u.Auth, env)
			if err != nil {
				return nil, fmt.Errorf("upstreams[%d].auth: %w", i, err)
			}
			if err := ring.Prepare(store); err != nil {
				pl.Warnings = append(pl.Warnings, "upstream "+u.Name+": shared key state unavailable, using worker-local state: "+err.Error())
			}
			pl.Warnings = append(pl.Warnings, warns...)
			uc.ring = ring
		}
		pl.byUpstream[u.Name] = uc
	}
	return pl, nil
}

// Store is the shared-data store the key rings use.
func (pl *Planner) Store() credentials.SharedStore { return pl.store }

func (pl *Planner) creds(u *config.Upstream) *upstreamCreds {
	if u == nil {
		return pl.noUpstream
	}
	return pl.byUpstream[u.Name]
}
