package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// envoyProc is the one Envoy of a run: a listener per variant, each with its own filter
// chain, all routed to the same upstream cluster. internal/envoytest starts Envoys for the
// tests with one module for every listener; a benchmark needs a module per listener (the
// guard, the Go and Rust floors) and an ext_proc filter on some, so it writes its own
// bootstrap.
type envoyProc struct {
	admin     string            // http://127.0.0.1:port
	listeners map[string]string // variant name → host:port
	dir       string
	cmd       *exec.Cmd
	stderr    *tailBuffer
	done      chan struct{}
	exitErr   error
}

type obj = map[string]any

// bootstrapFor is the Envoy configuration for the variants: upstream "llm" at upstream,
// ext_proc servers (by variant name) at extProc.
func bootstrapFor(vs []*variant, upstream string, extProc map[string]string) obj {
	var listeners, clusters []any
	clusters = append(clusters, staticCluster("llm", upstream, false))
	for _, v := range vs {
		filters := []any{}
		switch {
		case v.spec.module != "":
			filters = append(filters, wasmFilter(v))
		case v.spec.extProc:
			name := "extproc-" + v.name
			clusters = append(clusters, staticCluster(name, extProc[v.name], true))
			filters = append(filters, extProcFilter(name))
		}
		filters = append(filters, obj{
			"name":         "envoy.filters.http.router",
			"typed_config": obj{"@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"},
		})
		hcm := obj{
			"@type":       "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
			"stat_prefix": v.name,
			// An access log line per request, as in a real deployment; equal for every variant.
			"access_log": []any{obj{
				"name":         "envoy.access_loggers.stdout",
				"typed_config": obj{"@type": "type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog"},
			}},
			"route_config": obj{"virtual_hosts": []any{obj{
				"name": "llm", "domains": []any{"*"},
				"routes": []any{obj{"match": obj{"prefix": "/"}, "route": obj{"cluster": "llm", "timeout": "60s"}}},
			}}},
			"http_filters": filters,
		}
		listeners = append(listeners, obj{
			"name":                              v.name,
			"address":                           sockAddr("127.0.0.1", 0),
			"per_connection_buffer_limit_bytes": 8 << 20,
			"filter_chains": []any{obj{"filters": []any{obj{
				"name":         "envoy.filters.network.http_connection_manager",
				"typed_config": hcm,
			}}}},
		})
	}
	return obj{
		"admin":            obj{"address": sockAddr("127.0.0.1", 0)},
		"static_resources": obj{"listeners": listeners, "clusters": clusters},
	}
}

// wasmFilter gives every variant its own VM (vm_id = variant name): a variant's garbage
// is collected during its own rounds, not during another variant's.
func wasmFilter(v *variant) obj {
	vm := obj{
		"vm_id":   v.name,
		"runtime": "envoy.wasm.runtime.v8",
		"code":    obj{"local": obj{"filename": v.spec.module}},
	}
	if len(v.spec.env) > 0 {
		kv := obj{}
		for k, val := range v.spec.env {
			kv[k] = val
		}
		vm["environment_variables"] = obj{"key_values": kv}
	}
	return obj{
		"name": "envoy.filters.http.wasm",
		"typed_config": obj{
			"@type": "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm",
			"config": obj{
				"name":                            v.name,
				"root_id":                         v.spec.rootID,
				"allow_on_headers_stop_iteration": true,
				"failure_policy":                  "FAIL_CLOSED",
				"configuration":                   obj{"@type": "type.googleapis.com/google.protobuf.StringValue", "value": v.config},
				"vm_config":                       vm,
			},
		},
	}
}

// extProcFilter sends request headers and the buffered request body to the ext_proc
// server (Envoy AI Gateway's architecture); the response is not sent.
func extProcFilter(cluster string) obj {
	return obj{
		"name": "envoy.filters.http.ext_proc",
		"typed_config": obj{
			"@type":        "type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor",
			"grpc_service": obj{"envoy_grpc": obj{"cluster_name": cluster}, "timeout": "5s"},
			"processing_mode": obj{
				"request_header_mode":   "SEND",
				"response_header_mode":  "SKIP",
				"request_body_mode":     "BUFFERED",
				"response_body_mode":    "NONE",
				"request_trailer_mode":  "SKIP",
				"response_trailer_mode": "SKIP",
			},
			"message_timeout": "5s",
		},
	}
}

func staticCluster(name, addr string, http2 bool) obj {
	host, portStr, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(portStr)
	c := obj{
		"name":            name,
		"type":            "STATIC",
		"connect_timeout": "2s",
		"load_assignment": obj{
			"cluster_name": name,
			"endpoints": []any{obj{"lb_endpoints": []any{obj{
				"endpoint": obj{"address": sockAddr(host, port)},
			}}}},
		},
	}
	if http2 {
		c["typed_extension_protocol_options"] = obj{
			"envoy.extensions.upstreams.http.v3.HttpProtocolOptions": obj{
				"@type":                "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
				"explicit_http_config": obj{"http2_protocol_options": obj{}},
			},
		}
	}
	return c
}

func sockAddr(host string, port int) obj {
	return obj{"socket_address": obj{"address": host, "port_value": port}}
}

// startEnvoy writes the bootstrap, starts Envoy and waits for its admin address and
// listeners. The access log (stdout) is discarded; stderr keeps its last 64 KiB for errors.
func startEnvoy(ctx context.Context, bin string, workers int, wasmLogLevel string, boot obj) (*envoyProc, error) {
	dir, err := os.MkdirTemp("", "bench-envoy-")
	if err != nil {
		return nil, err
	}
	cfg, _ := json.MarshalIndent(boot, "", " ")
	cfgPath := filepath.Join(dir, "envoy.json")
	if err := os.WriteFile(cfgPath, cfg, 0o600); err != nil {
		return nil, err
	}
	adminPath := filepath.Join(dir, "admin.addr")
	e := &envoyProc{dir: dir, listeners: map[string]string{}, stderr: &tailBuffer{max: 64 << 10}, done: make(chan struct{})}
	e.cmd = exec.Command(bin, "-c", cfgPath, "--disable-hot-restart", "--concurrency", strconv.Itoa(workers),
		"--admin-address-path", adminPath, "-l", "warn", "--component-log-level", "wasm:"+wasmLogLevel)
	e.cmd.Stdout, e.cmd.Stderr = io.Discard, e.stderr
	if err := e.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	go func() { e.exitErr = e.cmd.Wait(); close(e.done) }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-e.done:
			e.stop()
			return nil, fmt.Errorf("envoy exited during start-up: %v\n%s", e.exitErr, e.stderr)
		case <-ctx.Done():
			e.stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			e.stop()
			return nil, fmt.Errorf("envoy not ready after 60s\n%s", e.stderr)
		}
		if e.admin == "" {
			b, err := os.ReadFile(adminPath)
			if err != nil || len(bytes.TrimSpace(b)) == 0 {
				continue
			}
			e.admin = "http://" + strings.TrimSpace(string(b))
		}
		if e.readListeners() == nil && len(e.listeners) == len(boot["static_resources"].(obj)["listeners"].([]any)) {
			return e, nil
		}
	}
}

func (e *envoyProc) readListeners() error {
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
	resp, err := http.Get(e.admin + "/listeners?format=json")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return err
	}
	for _, l := range out.ListenerStatuses {
		if sa := l.LocalAddress.SocketAddress; sa.PortValue != 0 {
			e.listeners[l.Name] = net.JoinHostPort(sa.Address, strconv.Itoa(sa.PortValue))
		}
	}
	return nil
}

// setWasmLogLevel changes the wasm component's log level of the running Envoy (admin
// POST /logging): the audit-line ablation runs in the same process as everything else.
func (e *envoyProc) setWasmLogLevel(level string) error {
	if level == "warn" { // the command line takes "warn", the admin endpoint spdlog's name
		level = "warning"
	}
	resp, err := http.Post(e.admin+"/logging?paths=wasm:"+level, "text/plain", nil)
	if err != nil {
		return err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// The answer lists every logger's level: make sure the change took.
	if resp.StatusCode != http.StatusOK || !bytes.Contains(b, []byte("wasm: "+level)) {
		return fmt.Errorf("admin /logging?paths=wasm:%s: %s, wasm logger not at %s", level, resp.Status, level)
	}
	return nil
}

func (e *envoyProc) pid() int {
	if e.cmd == nil || e.cmd.Process == nil {
		return 0
	}
	return e.cmd.Process.Pid
}

func (e *envoyProc) stop() {
	if e.cmd != nil && e.cmd.Process != nil {
		e.cmd.Process.Signal(os.Interrupt)
		select {
		case <-e.done:
		case <-time.After(5 * time.Second):
			e.cmd.Process.Kill()
			<-e.done
		}
	}
	os.RemoveAll(e.dir)
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
