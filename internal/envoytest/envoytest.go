// Package envoytest starts a real Envoy for end-to-end tests and benchmarks: a generated
// bootstrap with every port chosen by the kernel (port 0), read back from the admin API,
// so parallel runs never collide.
package envoytest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Listener is one Envoy listener. All listeners with a plugin share one wasm VM (same
// vm_id and code), so V8 compiles the module once per Envoy.
type Listener struct {
	Name         string // also the stat prefix
	PluginConfig string // JSON for the plugin; ignored when NoFilter
	NoFilter     bool   // plain Envoy (benchmark baseline)
	Cluster      string // upstream cluster name (default "llm")
	// FailOpen sets the plugin's failure policy to FAIL_OPEN (default FAIL_CLOSED).
	FailOpen bool
	// FailurePolicy, when set, is the failure_policy verbatim ("FAIL_CLOSED",
	// "FAIL_OPEN", "FAIL_RELOAD": what a WasmPlugin's failStrategy becomes).
	FailurePolicy string
	// HoldHeaders sets allow_on_headers_stop_iteration: true on the wasm filter (the
	// opt-in flow; pair it with the plugin config envoy.allow_on_headers_stop_iteration).
	// Default false: the filter config Istio's WasmPlugin produces.
	HoldHeaders bool
	// WasmPath overrides Options.WasmPath for this listener (its own VM, e.g. the
	// test-hook build).
	WasmPath string
	// Route adds fields to the route action (e.g. host_rewrite_literal, retry_policy,
	// timeout); RouteRetry's default retry policy is set unless Route has one.
	Route map[string]any
	// ECDS delivers the wasm filter by file-based extension config discovery, as Istio
	// does; Envoy.UpdatePluginConfig pushes a new plugin configuration.
	ECDS bool
}

// RouteRetry is the retry policy of the shipped routes: connection resets and refused
// streams before a response started (a keep-alive connection the upstream closed), never
// a provider's 5xx.
func RouteRetry() map[string]any {
	return map[string]any{"retry_on": "reset,connect-failure,refused-stream", "num_retries": 2}
}

// Options configure one Envoy process.
type Options struct {
	EnvoyBin    string            // default $ENVOY_BIN, else .venv/bin/envoy in the repo root
	WasmPath    string            // default $GUARD_WASM, else build/egressguard.wasm in the repo root
	Listeners   []Listener        // at least one
	Clusters    map[string]string // cluster name → "host:port"
	HostEnvKeys []string          // VM environment variables taken from Envoy's environment
	Env         []string          // extra environment for the Envoy process (KEY=VALUE)
	Concurrency int               // worker threads (default 2)
	LogLevel    string            // default "warn"
	// WasmLogLevel is the wasm component's log level (default "info": the
	// plugin's audit lines are kept).
	WasmLogLevel string
	StartupWait  time.Duration // default 60s
	// ExpectStartFailure makes Start return once Envoy exits (for bad-config tests).
	ExpectStartFailure bool
	// ExtraHTTPFilters are HTTP filters (JSON-ready maps: name, typed_config) placed after
	// the plugin's wasm filter and before the ratelimit filter and the router, on every
	// listener.
	ExtraHTTPFilters []map[string]any
	// HTTP2Clusters are the clusters spoken to in HTTP/2 without TLS (prior knowledge,
	// h2c); the others get HTTP/1.1.
	HTTP2Clusters []string
	// HTTP1Trailers lets HTTP/1.1 carry trailers (chunked) downstream and upstream:
	// Envoy drops HTTP/1 trailers unless http_protocol_options.enable_trailers is set.
	HTTP1Trailers bool
	// RateLimit, when set, adds Envoy's global rate limit filter
	// (envoy.filters.http.ratelimit) after the plugin on every listener, a gRPC cluster to
	// the rate limit service, and the route's rate limit descriptors.
	RateLimit *RateLimitOptions
}

// RateLimitOptions configure envoy.filters.http.ratelimit (see deploy/ratelimit).
type RateLimitOptions struct {
	ServiceAddr string // rate limit service gRPC "host:port" (required)
	Cluster     string // its cluster name (default "ratelimit")
	Domain      string // default "egressguard"
	// RateLimits are the route's descriptors as JSON-ready config.route.v3.RateLimit
	// objects (actions, hits_addend, apply_on_stream_done), set as the route's
	// typed_per_filter_config RateLimitPerRoute.rate_limits — the only place Envoy 1.40
	// honours hits_addend.
	RateLimits []any
	// FailureModeDeny refuses requests when the service is unreachable (default: allow),
	// with a 503 (status_on_error) rather than Envoy's default 500.
	FailureModeDeny bool
	// Timeout of the service call (default "1s").
	Timeout string
	// JSONErrors gives the filter's empty-bodied replies the guard's OpenAI-style JSON
	// error with HCM local_reply_config mappers: the 429 (response flag RL) and the 503
	// of FailureModeDeny when the service is unreachable (RLSE).
	JSONErrors bool
	// RequestHeadersToRemove are removed by the route before forwarding upstream.
	RequestHeadersToRemove []string
}

// Envoy is a running Envoy.
type Envoy struct {
	Admin     string            // admin base URL, http://127.0.0.1:port
	Listeners map[string]string // listener name → base URL, http://127.0.0.1:port
	Dir       string            // working dir with config and logs
	cmd       *exec.Cmd
	opts      Options
	ecds      map[string]Listener // ECDS listeners by name
	// ecdsVersion is the version of the last ECDS update written.
	ecdsVersion int
	logs        *syncBuffer
	done        chan struct{}
	exitErr     error
}

// RepoRoot finds the module root by walking up to go.mod.
func RepoRoot() string {
	dir, _ := os.Getwd()
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

// DefaultEnvoyBin returns $ENVOY_BIN or the repo's virtualenv binary.
func DefaultEnvoyBin() string {
	if b := os.Getenv("ENVOY_BIN"); b != "" {
		return b
	}
	return filepath.Join(RepoRoot(), ".venv", "bin", "envoy")
}

// DefaultWasm returns $GUARD_WASM or the repo's build output.
func DefaultWasm() string {
	if w := os.Getenv("GUARD_WASM"); w != "" {
		return w
	}
	return filepath.Join(RepoRoot(), "build", "egressguard.wasm")
}

// Start launches Envoy and waits until every listener answers through the plugin.
func Start(ctx context.Context, o Options) (*Envoy, error) {
	o.defaults()
	for _, p := range []string{o.EnvoyBin, o.WasmPath} {
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("envoytest: %v (run `make build envoy` first)", err)
		}
	}
	dir, err := os.MkdirTemp("", "envoytest-")
	if err != nil {
		return nil, err
	}
	e := &Envoy{Dir: dir, logs: &syncBuffer{}, done: make(chan struct{}), Listeners: map[string]string{},
		opts: o, ecds: map[string]Listener{}}
	for _, l := range o.Listeners {
		if l.ECDS && !l.NoFilter {
			e.ecds[l.Name] = l
			if err := writeECDS(dir, l, o, l.PluginConfig, 0); err != nil {
				return nil, err
			}
		}
	}
	cfg, err := json.MarshalIndent(bootstrap(o, dir), "", " ")
	if err != nil {
		return nil, err
	}
	cfgPath := filepath.Join(dir, "envoy.json")
	if err := os.WriteFile(cfgPath, cfg, 0o600); err != nil {
		return nil, err
	}
	adminPath := filepath.Join(dir, "admin.addr")
	e.cmd = exec.Command(o.EnvoyBin, "-c", cfgPath, "--disable-hot-restart", "--concurrency", fmt.Sprint(o.Concurrency),
		"--admin-address-path", adminPath, "-l", o.LogLevel, "--component-log-level", "wasm:"+o.WasmLogLevel)
	e.cmd.Env = append(os.Environ(), o.Env...)
	e.cmd.Stdout, e.cmd.Stderr = e.logs, e.logs
	if err := e.cmd.Start(); err != nil {
		return nil, fmt.Errorf("envoytest: starting %s: %w", o.EnvoyBin, err)
	}
	go func() { e.exitErr = e.cmd.Wait(); close(e.done) }()
	if o.ExpectStartFailure {
		select {
		case <-e.done:
			return e, nil
		case <-time.After(o.StartupWait):
			e.Stop()
			return e, errors.New("envoytest: Envoy kept running although a start failure was expected")
		}
	}
	if err := e.waitReady(ctx, adminPath, o); err != nil {
		e.Stop()
		return nil, fmt.Errorf("%w\n--- envoy log tail ---\n%s", err, tail(e.Logs(), 4000))
	}
	return e, nil
}

func (o *Options) defaults() {
	if o.EnvoyBin == "" {
		o.EnvoyBin = DefaultEnvoyBin()
	}
	if o.WasmPath == "" {
		o.WasmPath = DefaultWasm()
	}
	if o.Concurrency == 0 {
		o.Concurrency = 2
	}
	if o.LogLevel == "" {
		o.LogLevel = "warn"
	}
	if o.WasmLogLevel == "" {
		o.WasmLogLevel = "info"
	}
	if o.StartupWait == 0 {
		o.StartupWait = 60 * time.Second
	}
	for i := range o.Listeners {
		if o.Listeners[i].Cluster == "" {
			o.Listeners[i].Cluster = "llm"
		}
	}
}

func (e *Envoy) waitReady(ctx context.Context, adminPath string, o Options) error {
	deadline := time.Now().Add(o.StartupWait)
	for time.Now().Before(deadline) {
		select {
		case <-e.done:
			return fmt.Errorf("envoytest: Envoy exited during start-up: %v", e.exitErr)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if e.Admin == "" {
			b, err := os.ReadFile(adminPath)
			if err != nil || len(bytes.TrimSpace(b)) == 0 {
				continue
			}
			e.Admin = "http://" + strings.TrimSpace(string(b))
		}
		if len(e.Listeners) < len(o.Listeners) && e.readListeners() != nil {
			continue
		}
		if e.pluginsAnswer(o) {
			return nil
		}
	}
	return fmt.Errorf("envoytest: Envoy not ready after %s", o.StartupWait)
}

// readListeners fills Listeners from GET /listeners?format=json.
func (e *Envoy) readListeners() error {
	var out struct {
		ListenerStatuses []struct {
			Name         string `json:"name"`
			LocalAddress struct {
				SocketAddress struct {
					Address   string `json:"address"`
					PortValue int    `json:"port_value"`
				} `json:"socket_address"`
			} `json:"local_address"`
		} `json:"listener_statuses"`
	}
	b, err := e.AdminGet("/listeners?format=json")
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return err
	}
	for _, l := range out.ListenerStatuses {
		if sa := l.LocalAddress.SocketAddress; sa.PortValue != 0 {
			e.Listeners[l.Name] = fmt.Sprintf("http://%s:%d", sa.Address, sa.PortValue)
		}
	}
	return nil
}

// pluginsAnswer probes every filtered listener with a request only the plugin answers
// (wrong content type → 415 JSON), proving the wasm VM is up.
func (e *Envoy) pluginsAnswer(o Options) bool {
	for _, l := range o.Listeners {
		base := e.Listeners[l.Name]
		if base == "" {
			return false
		}
		if l.NoFilter {
			continue
		}
		resp, err := http.Post(base+"/v1/chat/completions", "text/plain", strings.NewReader("probe"))
		if err != nil {
			return false
		}
		_, _ = io.Copy(io.Discard, resp.Body) // drained so the connection is reused; the status decides
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnsupportedMediaType {
			return false
		}
	}
	return true
}

// URL returns the base URL of a listener.
func (e *Envoy) URL(listener string) string { return e.Listeners[listener] }

// AdminGet fetches an admin endpoint, e.g. "/stats" or "/config_dump".
func (e *Envoy) AdminGet(path string) ([]byte, error) {
	resp, err := http.Get(e.Admin + path)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return b, fmt.Errorf("envoytest: admin %s: %s", path, resp.Status)
	}
	return b, err
}

// Logs returns everything Envoy printed so far (stdout and stderr, incl. access log).
func (e *Envoy) Logs() []byte { return e.logs.Bytes() }

// Exited reports whether the process has ended, and its error.
func (e *Envoy) Exited() (bool, error) {
	select {
	case <-e.done:
		return true, e.exitErr
	default:
		return false, nil
	}
}

// Stop ends Envoy and removes its working directory.
func (e *Envoy) Stop() {
	if e.cmd != nil && e.cmd.Process != nil {
		e.cmd.Process.Signal(os.Interrupt)
		select {
		case <-e.done:
		case <-time.After(5 * time.Second):
			e.cmd.Process.Kill()
			<-e.done
		}
	}
	os.RemoveAll(e.Dir)
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.buf.Bytes()...)
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// TestHooksWasm returns $GUARD_TESTHOOKS_WASM or the repo's test-hook build (the plugin
// built with tag egressguard_testhooks: a request header can make it panic).
func TestHooksWasm() string {
	if w := os.Getenv("GUARD_TESTHOOKS_WASM"); w != "" {
		return w
	}
	return filepath.Join(RepoRoot(), "build", "egressguard-testhooks.wasm")
}
