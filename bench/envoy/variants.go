package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// spec is one configuration the benchmark can put behind a listener.
type spec struct {
	name string
	doc  string
	// module is the wasm file ("" for plain Envoy and ext_proc); filled in by resolve.
	module string
	// build names the module: "guard", "gofloor" or "rustfloor".
	build  string
	rootID string
	// config returns the plugin configuration from the guard's base configuration and
	// its max_tokens cap.
	config func(base string, tokenCap int) string
	// extProc: Envoy's ext_proc filter to the minimal Go server (buffered request body).
	extProc bool
	// wasmLogLevel, when set, is applied to the running Envoy for this variant's rounds
	// (admin /logging) and reset afterwards.
	wasmLogLevel string
	// clamps: an above-cap max_tokens reaches the upstream clamped (sanity check).
	clamps bool
	// env is the VM's environment: EGRESSGUARD_ABLATE names the stages the ablation
	// build (build "guard-ablate") switches off (see plugin/ablate.go).
	env map[string]string
}

func floorConfig(mode string) func(string, int) string {
	return func(_ string, tokenCap int) string {
		return fmt.Sprintf(`{"mode":%q,"cap":%d}`, mode, tokenCap)
	}
}

func guardConfig(overlay string) func(string, int) string {
	return func(base string, _ int) string { return mergeJSON(base, overlay) }
}

// specs are all variants in their report order. "plain" is always run: every ratio is
// against it.
var specs = []spec{
	{name: "plain", doc: "Envoy with the router only", config: func(string, int) string { return "" }},
	{name: "go-empty", doc: "Go proxy-wasm filter with no per-request code (SDK dispatch only)",
		build: "gofloor", config: floorConfig("empty")},
	{name: "go-body", doc: "Go filter: buffer the request body, clamp max_tokens (gjson + splice), replace the body",
		build: "gofloor", config: floorConfig("body"), clamps: true},
	{name: "go-body-resp", doc: "go-body, and every response body copied into the VM and back (JSON buffered, SSE per chunk)",
		build: "gofloor", config: floorConfig("body+response"), clamps: true},
	{name: "go-guardcalls", doc: "go-body-resp's buffering (the response read, not copied back) and the 19 host calls the guard makes on a clean JSON exchange, with no logic: the floor of any Go filter making them",
		build: "gofloor", config: floorConfig("guard-calls"), clamps: true},
	{name: "go-headers20", doc: "go-empty plus 20 request-header reads (proxy_get_header_map_value) per request: ÷20 is the price of one",
		build: "gofloor", config: func(string, int) string { return `{"mode":"calls","headers":20}` }},
	{name: "go-clocks20", doc: "go-empty plus 20 time.Now() per request (two WASI clock_time_get each)",
		build: "gofloor", config: func(string, int) string { return `{"mode":"calls","clocks":20}` }},
	{name: "go-logs20", doc: "go-empty plus 20 info log lines of 300 bytes (proxy_log) per request",
		build: "gofloor", config: func(string, int) string { return `{"mode":"calls","logs":20}` }},
	{name: "rust-empty", doc: "Rust proxy-wasm filter (proxy-wasm crate) with no per-request code",
		build: "rustfloor", config: floorConfig("empty")},
	{name: "rust-body", doc: "Rust filter doing go-body's work",
		build: "rustfloor", config: floorConfig("body"), clamps: true},
	{name: "rust-body-resp", doc: "Rust filter doing go-body-resp's work",
		build: "rustfloor", config: floorConfig("body+response"), clamps: true},
	{name: "extproc", doc: "Envoy ext_proc filter (request headers + BUFFERED body) to a minimal Go gRPC server that clamps max_tokens; CPU is Envoy + server",
		extProc: true, config: func(string, int) string { return "" }, clamps: true},
	{name: "guard", doc: "the egress guard, -config",
		build: "guard", rootID: "egressguard", config: guardConfig(""), clamps: true},
	{name: "guard-nolog", doc: "guard with Envoy's wasm log level at warn during its rounds (drops the per-request audit line)",
		build: "guard", rootID: "egressguard", config: guardConfig(""), wasmLogLevel: "warn", clamps: true},
	{name: "guard-noinject", doc: `guard + {"injection":{"action":"off"}}`,
		build: "guard", rootID: "egressguard", config: guardConfig(`{"injection":{"action":"off"}}`), clamps: true},
	{name: "guard-noredact", doc: `guard + {"redaction":{"responses":false}}`,
		build: "guard", rootID: "egressguard", config: guardConfig(`{"redaction":{"responses":false}}`), clamps: true},
	{name: "guard-noleak", doc: `guard + {"redaction":{"min_prompt_overlap":-1}}: responses redacted, no system-prompt leak check`,
		build: "guard", rootID: "egressguard", config: guardConfig(`{"redaction":{"min_prompt_overlap":-1}}`), clamps: true},
	{name: "guard-nometrics", doc: "guard's ablation build without the metric host calls",
		build: "guard-ablate", rootID: "egressguard", config: guardConfig(""), env: ablate("metrics"), clamps: true},
	{name: "guard-noaudit", doc: "guard's ablation build without the audit line (neither built nor logged)",
		build: "guard-ablate", rootID: "egressguard", config: guardConfig(""), env: ablate("audit"), clamps: true},
	{name: "guard-nodecide", doc: "guard's ablation build: the request body buffered and read into the VM, then forwarded without parse, inspection or rewrite",
		build: "guard-ablate", rootID: "egressguard", config: guardConfig(""), env: ablate("decide")},
	{name: "guard-empty", doc: "guard's ablation build with no per-request code (the SDK's no-op context, as go-empty): the guard's module, runtime and heap with nothing to do",
		build: "guard-ablate", rootID: "egressguard", config: guardConfig(""), env: ablate("http")},
	{name: "guard-bare", doc: "guard with every stage a configuration can switch off turned off: injection off, response redaction off, audit line dropped",
		build: "guard", rootID: "egressguard", config: guardConfig(`{"injection":{"action":"off"},"redaction":{"responses":false}}`),
		wasmLogLevel: "warn", clamps: true},
	{name: "guard-pass", doc: "guard loaded, but its chat path moved elsewhere: /v1/chat/completions listed as a passthrough path (no buffering, no parse)",
		build: "guard", rootID: "egressguard", config: guardConfig(passConfig)},
	{name: "guard-pass-bare", doc: "guard-pass with the ablation build's metrics and audit line off: what remains is reading headers, routing and the response headers",
		build: "guard-ablate", rootID: "egressguard", config: guardConfig(passConfig), env: ablate("metrics,audit")},
	{name: "guard-base", doc: "the guard module given with -base-wasm (e.g. an earlier commit), -config",
		build: "guard-base", rootID: "egressguard", config: guardConfig(""), clamps: true},
	{name: "guard-base-pass", doc: "guard-pass with the -base-wasm module",
		build: "guard-base", rootID: "egressguard", config: guardConfig(passConfig)},
}

func ablate(stages string) map[string]string { return map[string]string{"EGRESSGUARD_ABLATE": stages} }

// passConfig moves the guard's chat path elsewhere: /v1/chat/completions passes as an
// "other" path.
const passConfig = `{"api":{"chat_paths":["/bench/not-inspected"],"passthrough_paths":["/v1/chat/completions"]}}`

// groups name sets of variants for -variants.
var groups = map[string][]string{
	"default": {"plain", "go-empty", "go-body", "rust-body", "guard", "guard-pass"},
	"floors":  {"plain", "go-empty", "go-body", "go-body-resp", "go-guardcalls", "rust-empty", "rust-body", "rust-body-resp", "extproc"},
	"calls":   {"plain", "go-empty", "go-headers20", "go-clocks20", "go-logs20"},
	"ablate": {"plain", "go-empty", "go-body", "guard", "guard-nolog", "guard-noinject", "guard-noredact", "guard-noleak",
		"guard-nometrics", "guard-noaudit", "guard-nodecide", "guard-empty", "guard-bare", "guard-pass", "guard-pass-bare"},
	"base": {"guard-base", "guard-base-pass"},
	"all":  nil, // every spec but the -base-wasm ones
}

// selectSpecs resolves a comma-separated list of variant and group names into specs in
// report order, plain first.
func selectSpecs(list string) ([]spec, error) {
	want := map[string]bool{"plain": true}
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if g, ok := groups[n]; ok {
			if n == "all" {
				for _, s := range specs {
					want[s.name] = s.build != "guard-base"
				}
			}
			for _, m := range g {
				want[m] = true
			}
			continue
		}
		if !slices.ContainsFunc(specs, func(s spec) bool { return s.name == n }) {
			return nil, fmt.Errorf("-variants: unknown %q (variants: %s; groups: default, floors, ablate, all)", n, specNames())
		}
		want[n] = true
	}
	var out []spec
	for _, s := range specs {
		if want[s.name] {
			out = append(out, s)
		}
	}
	return out, nil
}

func specNames() string {
	var ns []string
	for _, s := range specs {
		ns = append(ns, s.name)
	}
	return strings.Join(ns, ", ")
}

// mergeJSON overlays one JSON object onto another, recursively for nested objects
// (arrays and scalars are replaced). Both must be objects; "" is the empty object.
func mergeJSON(base, overlay string) string {
	var b, o map[string]any
	if json.Unmarshal([]byte(base), &b) != nil || b == nil {
		b = map[string]any{}
	}
	if overlay != "" && json.Unmarshal([]byte(overlay), &o) != nil {
		o = nil // a malformed overlay leaves the base as it is
	}
	merge(b, o)
	out, _ := json.Marshal(b)
	return string(out)
}

func merge(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				merge(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
}
