package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/egressguard/egressguard/bench/internal/chatbody"
	"github.com/egressguard/egressguard/internal/envoytest"
	"github.com/egressguard/egressguard/internal/fakellm"
)

// buildFloor compiles bench/envoy/floors/gofloor like the guard.
func buildFloor(t *testing.T) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "gofloor.wasm")
	cmd := exec.Command("go", "build", "-buildmode=c-shared", "-trimpath", "-o", out, "../envoy/floors/gofloor")
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building gofloor: %v\n%s", err, b)
	}
	wasm, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return wasm
}

// buildRustFloor compiles bench/envoy/floors/rustfloor (skips without cargo and the
// wasm32-wasip1 target).
func buildRustFloor(t *testing.T) []byte {
	t.Helper()
	if _, err := exec.LookPath("cargo"); err != nil {
		t.Skip("no cargo")
	}
	target := filepath.Join(envoytest.RepoRoot(), "build", "bench", "rust-target")
	cmd := exec.Command("cargo", "build", "--release", "--locked", "--target", "wasm32-wasip1",
		"--manifest-path", "../envoy/floors/rustfloor/Cargo.toml", "--target-dir", target)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("cargo build of the Rust floor failed (target wasm32-wasip1 installed?): %v\n%s", err, b)
	}
	wasm, err := os.ReadFile(filepath.Join(target, "wasm32-wasip1", "release", "rustfloor.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	return wasm
}

// The counting host drives modules whose host calls are known exactly: the floors. The
// Go and Rust floors must do the same work.
func TestHostCountsFloorCalls(t *testing.T) {
	t.Run("go", func(t *testing.T) { testFloorCalls(t, buildFloor(t)) })
	t.Run("rust", func(t *testing.T) { testFloorCalls(t, buildRustFloor(t)) })
}

func testFloorCalls(t *testing.T, wasm []byte) {
	up := fakellm.New(fakellm.Options{Name: "bench", MaxRecorded: 1})
	type calls = map[string]int
	for _, tc := range []struct {
		config  string
		stream  bool
		body    int // which chatbody: 0 above the cap, 1 below
		wantMax int64
		want    map[string]calls // phase → import → calls
	}{
		{`{"mode":"body","cap":1024}`, false, 0, 1024, map[string]calls{
			"request_body": {"proxy_get_buffer_bytes": 1, "proxy_set_buffer_bytes": 1, "proxy_replace_header_map_value": 1},
		}},
		{`{"mode":"body","cap":1024}`, false, 1, 256, map[string]calls{
			"request_body": {"proxy_get_buffer_bytes": 1},
		}},
		{`{"mode":"empty"}`, false, 0, 4096, map[string]calls{}},
		{`{"mode":"body+response","cap":1024}`, false, 0, 1024, map[string]calls{
			"request_body":     {"proxy_get_buffer_bytes": 1, "proxy_set_buffer_bytes": 1, "proxy_replace_header_map_value": 1},
			"response_headers": {"proxy_get_header_map_value": 1, "proxy_remove_header_map_value": 1},
			"response_body":    {"proxy_get_buffer_bytes": 1, "proxy_set_buffer_bytes": 1},
		}},
	} {
		bodies, err := chatbody.Make(1024, 2, 1024, tc.stream)
		if err != nil {
			t.Fatal(err)
		}
		g, err := load(wasm, tc.config, "", nil, false)
		if err != nil {
			t.Fatalf("%s: %v", tc.config, err)
		}
		g.h.counts = map[string]map[string]*importStat{}
		r, err := g.exchange(bodies[tc.body], up)
		g.close()
		if err != nil {
			t.Fatalf("%s: %v", tc.config, err)
		}
		if r.local != "" || r.status != 200 || r.upstreamMax != tc.wantMax || r.respBytes == 0 {
			t.Errorf("%s: %+v, want forwarded with max_tokens %d and a response", tc.config, r, tc.wantMax)
		}
		for phase, m := range g.h.counts {
			for name, s := range m {
				if want := tc.want[phase][name]; s.Calls != want {
					t.Errorf("%s: %s %s: %d calls, want %d", tc.config, phase, name, s.Calls, want)
				}
			}
		}
		for phase, m := range tc.want {
			for name, want := range m {
				if g.h.counts[phase][name] == nil {
					t.Errorf("%s: %s %s: no call, want %d", tc.config, phase, name, want)
				}
			}
		}
		if s := g.h.counts["request_body"]["proxy_get_buffer_bytes"]; s != nil && s.Out != 1024 {
			t.Errorf("%s: request body copied into the VM: %d bytes, want 1024", tc.config, s.Out)
		}
	}
}

// The real guard runs to completion under the host: the clamp reaches the upstream and
// the response the client; JSON and SSE.
func TestGuardUnderHost(t *testing.T) {
	wasm, err := os.ReadFile(envoytest.DefaultWasm())
	if err != nil {
		t.Skipf("no guard module (make build): %v", err)
	}
	up := fakellm.New(fakellm.Options{Name: "bench", MaxRecorded: 1})
	g, err := load(wasm, defaultConfig, "", &callCounter{}, true)
	if err != nil {
		t.Fatal(err)
	}
	defer g.close()
	for _, stream := range []bool{false, true} {
		bodies, err := chatbody.Make(1024, 2, 1024, stream)
		if err != nil {
			t.Fatal(err)
		}
		r, err := g.exchange(bodies[0], up)
		if err != nil {
			t.Fatal(err)
		}
		if r.local != "" || r.status != 200 || r.upstreamMax != 1024 || r.respBytes == 0 {
			t.Errorf("stream=%v: %+v, want forwarded with max_tokens clamped to 1024 and a response", stream, r)
		}
	}
	if len(g.h.unknown) > 0 {
		t.Errorf("the guard called imports this host does not implement: %v", g.h.unknown)
	}
}
