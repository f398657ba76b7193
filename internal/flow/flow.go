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
	"github.com/egressguard/egressguard/internal/llmresp"
	"github.com/egressguard/egressguard/internal/moderation"
	"github.com/egressguard/egressguard/internal/policy"
	"github.com/egressguard/egressguard/internal/posture"
	"github.com/egressguard/egressguard/internal/shareddata"
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

// Ops are header and filter-state changes, applied in this order: remove headers, set
// headers, set filter state (Envoy property "wasm.<name>").
type Ops struct {
	Remove []string
	Set    [][2]string
	State  [][2]string
}

// Notes are what a phase wants logged and counted: metadata only, never content.
type Notes struct {
	Warn, Info []string
	Samples    []Sample
}

func (n *Notes) warn(line string) {
	if line != "" {
		n.Warn = append(n.Warn, line)
	}
}

func (n *Notes) info(line string) {
	if line != "" {
		n.Info = append(n.Info, line)
	}
}

// Join returns o followed by more.
func (o Ops) Join(more Ops) Ops {
	return Ops{Remove: append(o.Remove[:len(o.Remove):len(o.Remove)], more.Remove...),
		Set:   append(o.Set[:len(o.Set):len(o.Set)], more.Set...),
		State: append(o.State[:len(o.State):len(o.State)], more.State...)}
}

// Planner is the compiled flow configuration of one plugin instance.
type Planner struct {
	Mode   Mode
	Policy *policy.Policy
	auth   *credentials.Authenticator
	// Per upstream name: the client credentials removed and the key ring injected from.
	byUpstream map[string]*upstreamCreds
	noUpstream *upstreamCreds // requests that match no upstream
	store      shareddata.Store
	limits     *Limits // nil: no rate limits
	// inspectResponses: responses of inspected calls are redacted, moderated or metered
	// (and must therefore arrive uncompressed).
	inspectResponses bool
	moderatedOutput  bool // completions are moderated: whole bodies yield their texts
	respOpts         llmresp.Options
	// injected are every key the guard injects, to scrub echoes from response headers
	// (bodies: the policy's redactors). Never logged.
	injected []credentials.Secret
	// Warnings are start-up messages for the log (never a key value).
	Warnings []string
	// byCluster: some upstream is chosen by its Envoy cluster (Head.Cluster is read).
	byCluster bool
}

// upstreamCreds is what the guard does to the credentials of requests to one upstream.
type upstreamCreds struct {
	headers []string // request headers removed
	// headersCL is headers and content-length: what an inspected request in Stream
	// mode removes (its body may change after the headers left).
	headersCL []string
	query     []string // query parameters removed from :path
	ring      *credentials.Keyring
}

func newUpstreamCreds(headers, query []string) *upstreamCreds {
	return &upstreamCreds{headers: headers, query: query,
		headersCL: append(headers[:len(headers):len(headers)], "content-length")}
}

// New compiles the flow and its policy. env resolves upstream keys once; errors name
// the upstream and key, never a value. mod is the moderation client (nil when off):
// its key is redacted from responses like the upstream keys, and moderated output
// asks the response model for the texts of whole bodies.
func New(cfg *config.Config, env credentials.Env, store shareddata.Store, mod *Moderation) (*Planner, error) {
	auth, err := credentials.NewAuthenticator(cfg.Clients)
	if err != nil {
		return nil, fmt.Errorf("clients: %w", err)
	}
	pl := &Planner{auth: auth, byUpstream: map[string]*upstreamCreds{}, store: store,
		noUpstream:      newUpstreamCreds(credentials.StripHeaders(nil, &cfg.Clients), nil),
		moderatedOutput: mod.On(moderation.Output), respOpts: cfg.Redaction.ResponseOptions()}
	if cfg.Envoy.AllowOnHeadersStopIteration {
		pl.Mode = HoldHeaders
	}
	if err := pl.keyRings(cfg, env); err != nil {
		return nil, err
	}
	pl.injected = append(pl.injected, mod.secrets()...)
	for _, u := range cfg.Upstreams {
		pl.byCluster = pl.byCluster || len(u.Clusters) > 0
	}
	if pl.Policy, err = policy.New(cfg, pl.injected...); err != nil {
		return nil, err
	}
	pl.Warnings = append(pl.Warnings, pl.Policy.Warnings...)
	var warn string
	if pl.limits, warn = newLimits(cfg, store); warn != "" {
		pl.Warnings = append(pl.Warnings, warn)
	}
	pol := pl.Policy
	pl.inspectResponses = pl.moderatedOutput || pl.limits != nil || pol.ResponseRedactor() != nil || pol.SecretRedactor() != nil
	return pl, nil
}

// keyRings resolves every upstream's credentials and key ring.
func (pl *Planner) keyRings(cfg *config.Config, env credentials.Env) error {
	store := pl.store
	for i := range cfg.Upstreams {
		u := &cfg.Upstreams[i]
		uc := newUpstreamCreds(credentials.StripHeaders(&u.Auth, &cfg.Clients), credentials.StripQueryParams(&u.Auth))
		if u.Auth.Enabled() {
			ring, warns, err := credentials.NewKeyring(u.Name, u.Auth, env)
			if err != nil {
				return fmt.Errorf("upstreams[%d].auth: %w", i, err)
			}
			if err := ring.Prepare(store); err != nil {
				pl.Warnings = append(pl.Warnings, "upstream "+u.Name+": shared key state unavailable, using worker-local state: "+err.Error())
			}
			pl.Warnings = append(pl.Warnings, warns...)
			uc.ring = ring
			pl.injected = append(pl.injected, ring.Secrets()...)
		}
		pl.byUpstream[u.Name] = uc
	}
	return nil
}

// Store is the shared-data store the key rings use.
func (pl *Planner) Store() shareddata.Store { return pl.store }

func (pl *Planner) creds(u *config.Upstream) *upstreamCreds {
	if u == nil {
		return pl.noUpstream
	}
	return pl.byUpstream[u.Name]
}

// Compile parses and validates a plugin configuration and builds everything a plugin
// instance needs: the flow, moderation (nil when off), start-up warnings and the
// posture line to log. env nil reads keys from the VM's process environment. Errors
// name every bad field, never a key value.
func Compile(raw []byte, env credentials.Env, store shareddata.Store) (*Planner, *Moderation, []string, string, error) {
	if env == nil {
		env = credentials.OSEnv{}
	}
	cfg, err := config.Parse(raw)
	if err != nil {
		return nil, nil, nil, "", err
	}
	mod, warns, err := NewModeration(cfg, env, store)
	if err != nil {
		return nil, nil, nil, "", err
	}
	pl, err := New(cfg, env, store, mod)
	if err != nil {
		return nil, nil, nil, "", err
	}
	return pl, mod, append(pl.Warnings, warns...), "flow=" + pl.Mode.String() + "; " + posture.Report(cfg).String(), nil
}

// PanicText describes a recovered panic for the log, bounded.
func PanicText(r any) string {
	s := fmt.Sprint(r)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
