// Package globalrl proves the mesh-wide token and request budgets: two Envoys (each with
// the egressguard plugin) share one envoyproxy/ratelimit service backed by one Redis, all
// on loopback, and one tenant budget is enforced across both, including token charging on
// stream completion (apply_on_stream_done).
//
// Until the plugin publishes the rate limit inputs itself, a tiny test filter
// (testdata/usageprobe) placed after the plugin copies them from test request headers
// into the same filter state the plugin will set (wasm.egressguard_tenant,
// wasm.egressguard_token_cost, wasm.egressguard_usage_tokens). The Envoy descriptors are
// the ones in deploy/ratelimit.
//
// Prerequisites: `e2e/globalrl/install.sh` (ratelimit service into .tools/bin, Redis),
// `make build envoy`. Missing prerequisites skip the package, or fail it under CI=true or
// E2E_REQUIRED=1.
package globalrl

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/egressguard/egressguard/internal/envoytest"
	"github.com/egressguard/egressguard/internal/fakellm"
)

// Budgets of the test's ratelimit configuration (per tenant, per minute).
const (
	requestsPerMinute = 6
	tokensPerMinute   = 1000
)

var (
	envoyA, envoyB *envoytest.Envoy
	upstream       *fakellm.Server
	// upstreamAddr is fakellm's host:port, for tests that start Envoys of their own.
	upstreamAddr string
)

func TestMain(m *testing.M) { os.Exit(run(m)) }

func toolsBin() string { return filepath.Join(envoytest.RepoRoot(), ".tools", "bin") }

func ratelimitBin() string {
	if b := os.Getenv("RATELIMIT_BIN"); b != "" {
		return b
	}
	return filepath.Join(toolsBin(), "ratelimit")
}

func redisBin() string {
	if b := os.Getenv("REDIS_SERVER"); b != "" {
		return b
	}
	if b := filepath.Join(toolsBin(), "redis-server"); fileExists(b) {
		return b
	}
	if b, err := exec.LookPath("redis-server"); err == nil {
		return b
	}
	return filepath.Join(toolsBin(), "redis-server")
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func run(m *testing.M) int {
	if missing, code := envoytest.MissingPrereqs(os.Stderr, "globalrl", "run e2e/globalrl/install.sh and `make build envoy`",
		envoytest.DefaultEnvoyBin(), envoytest.DefaultWasm(), ratelimitBin(), redisBin()); missing {
		return code
	}
	dir, err := os.MkdirTemp("", "globalrl-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "globalrl:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	var stops []func()
	defer func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}()
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "globalrl: FAIL:", err)
		return 1
	}

	redisAddr, stop, err := startRedis(dir)
	if err != nil {
		return fail(err)
	}
	stops = append(stops, stop)
	rlsAddr, stop, err := startRatelimit(dir, redisAddr)
	if err != nil {
		return fail(err)
	}
	stops = append(stops, stop)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fail(err)
	}
	upstreamAddr = ln.Addr().String()
	upstream = fakellm.New(fakellm.Options{Name: "fakellm"})
	srv := &http.Server{Handler: upstream}
	go srv.Serve(ln)
	stops = append(stops, func() { srv.Close() })

	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	for _, e := range []**envoytest.Envoy{&envoyA, &envoyB} {
		*e, err = envoytest.Start(ctx, envoyOptions(ln.Addr().String(), rlsAddr))
		if err != nil {
			return fail(err)
		}
		env := *e
		stops = append(stops, env.Stop)
	}
	code := m.Run()
	if code != 0 {
		for name, e := range map[string]*envoytest.Envoy{"A": envoyA, "B": envoyB} {
			fmt.Fprintf(os.Stderr, "--- envoy %s log tail ---\n%s\n", name, tail(e.Logs(), 4000))
		}
	}
	return code
}

// guardConfig: tenants named by a trusted identity header, global limits published as
// filter state (tenant, admission estimate, provider usage at the end of the response).
const guardConfig = `{"clients": {"mode": "header", "identity_header": "x-tenant", "allow_unlisted_tenants": true},
  "rate_limits": {"global": {"enabled": true}}, "max_tokens": {"default": 100, "cap": 1024}}`

// envoyOptions: the plugin, then the ratelimit filter with deploy/ratelimit's descriptors.
func envoyOptions(upstreamAddr, rlsAddr string) envoytest.Options {
	return envoytest.Options{
		Listeners: []envoytest.Listener{{Name: "guard", PluginConfig: guardConfig}},
		Clusters:  map[string]string{"llm": upstreamAddr},
		RateLimit: &envoytest.RateLimitOptions{
			ServiceAddr: rlsAddr,
			RateLimits:  RouteRateLimits(),
			JSONErrors:  true,
		},
	}
}

// RouteRateLimits are the descriptors of deploy/ratelimit/envoy-ratelimit.yaml, usage
// accounting: requests +1 at admission; tokens checked (hits_addend 0) at admission and
// charged with the provider's usage on stream completion.
func RouteRateLimits() []any {
	tenant := map[string]any{"extension": map[string]any{
		"name": "tenant",
		"typed_config": map[string]any{
			"@type": "type.googleapis.com/envoy.extensions.matching.common_inputs.network.v3.FilterStateInput",
			"key":   "wasm.egressguard_tenant",
		},
	}}
	kind := func(v string) map[string]any {
		return map[string]any{"generic_key": map[string]any{"descriptor_key": "egressguard_limit", "descriptor_value": v}}
	}
	return []any{
		map[string]any{"actions": []any{kind("requests"), tenant}},
		map[string]any{"actions": []any{kind("tokens"), tenant}, "hits_addend": map[string]any{"number": 0}},
		map[string]any{
			"actions":              []any{kind("tokens"), tenant},
			"apply_on_stream_done": true,
			"hits_addend":          map[string]any{"format": "%FILTER_STATE(wasm.egressguard_usage_tokens:PLAIN)%"},
		},
	}
}

const ratelimitConfig = `domain: egressguard
descriptors:
  - key: egressguard_limit
    value: requests
    descriptors:
      - key: tenant
        rate_limit: {unit: minute, requests_per_unit: %d}
  - key: egressguard_limit
    value: tokens
    descriptors:
      - key: tenant
        rate_limit: {unit: minute, requests_per_unit: %d}
`

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	return port, l.Close()
}

// proc is a started helper process.
type proc struct {
	cmd  *exec.Cmd
	logf *os.File
	done chan struct{}
}

// process starts cmd with its output appended to dir/<name>.log.
func process(dir, name string, cmd *exec.Cmd) (*proc, error) {
	logf, err := os.OpenFile(filepath.Join(dir, name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		_ = logf.Close() // the start error is the one to report
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	p := &proc{cmd: cmd, logf: logf, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.done) }() // stopped or killed on purpose: the exit status says nothing
	return p, nil
}

// Stop interrupts the process (killing it after 5 s) and waits for it.
func (p *proc) Stop() {
	p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
	_ = p.logf.Close() // an append-only log of a stopped process
}

// Kill ends the process at once, like a crash, and waits for it.
func (p *proc) Kill() {
	p.cmd.Process.Kill()
	<-p.done
	_ = p.logf.Close()
}

func logTail(dir, name string) string {
	b, _ := os.ReadFile(filepath.Join(dir, name+".log"))
	return tail(b, 2000)
}

func startRedis(dir string) (addr string, stop func(), err error) {
	port, err := freePort()
	if err != nil {
		return "", nil, err
	}
	p, err := startRedisAt(dir, port, "--appendonly", "no")
	if err != nil {
		return "", nil, err
	}
	return fmt.Sprintf("127.0.0.1:%d", port), p.Stop, nil
}

// startRedisAt starts redis-server on port with its files in dir and extra arguments
// (persistence settings), and waits until it answers.
func startRedisAt(dir string, port int, args ...string) (*proc, error) {
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	p, err := process(dir, "redis", exec.Command(redisBin(), append([]string{"--bind", "127.0.0.1", "--port", fmt.Sprint(port),
		"--save", "", "--dir", dir, "--protected-mode", "yes"}, args...)...))
	if err != nil {
		return nil, err
	}
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if redisPing(addr) == nil {
			return p, nil
		}
	}
	p.Stop()
	return nil, fmt.Errorf("redis on %s not ready:\n%s", addr, logTail(dir, "redis"))
}

func redisPing(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "+PONG") {
		return fmt.Errorf("redis: %q %v", line, err)
	}
	return nil
}

func startRatelimit(dir, redisAddr string) (grpcAddr string, stop func(), err error) {
	var ports [3]int
	for i := range ports {
		if ports[i], err = freePort(); err != nil {
			return "", nil, err
		}
	}
	p, err := startRatelimitAt(dir, redisAddr, ports)
	if err != nil {
		return "", nil, err
	}
	return fmt.Sprintf("127.0.0.1:%d", ports[1]), p.Stop, nil
}

// startRatelimitAt starts the ratelimit service with the test's descriptors against
// redisAddr, on ports (HTTP, gRPC, debug), and waits until it is healthy.
func startRatelimitAt(dir, redisAddr string, ports [3]int) (*proc, error) {
	cfgDir := filepath.Join(dir, "runtime", "ratelimit", "config")
	if err := os.MkdirAll(cfgDir, 0o755); err != nil {
		return nil, err
	}
	cfg := fmt.Sprintf(ratelimitConfig, requestsPerMinute, tokensPerMinute)
	if err := os.WriteFile(filepath.Join(cfgDir, "egressguard.yaml"), []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command(ratelimitBin())
	cmd.Env = append(os.Environ(),
		"USE_STATSD=false", "LOG_LEVEL=info",
		"REDIS_SOCKET_TYPE=tcp", "REDIS_URL="+redisAddr, "REDIS_TIMEOUT=100ms", // as deploy/ratelimit/ratelimit.env
		"RUNTIME_ROOT="+filepath.Join(dir, "runtime"), "RUNTIME_SUBDIRECTORY=ratelimit",
		"RUNTIME_WATCH_ROOT=false", "RUNTIME_IGNOREDOTFILES=true",
		"HOST=127.0.0.1", fmt.Sprintf("PORT=%d", ports[0]),
		"GRPC_HOST=127.0.0.1", fmt.Sprintf("GRPC_PORT=%d", ports[1]),
		"DEBUG_HOST=127.0.0.1", fmt.Sprintf("DEBUG_PORT=%d", ports[2]),
	)
	p, err := process(dir, "ratelimit", cmd)
	if err != nil {
		return nil, err
	}
	health := fmt.Sprintf("http://127.0.0.1:%d/healthcheck", ports[0])
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if resp, err := http.Get(health); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p, nil
			}
		}
	}
	p.Stop()
	return nil, fmt.Errorf("ratelimit service not healthy:\n%s", logTail(dir, "ratelimit"))
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
