package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/egressguard/egressguard/internal/envoytest"
)

// reloadConfig is update i of TestConfigUpdatesKeepMemoryFlat: every update changes
// max_tokens.default (the engines stay as they are); every fourth one also changes the
// injection deny list, so the injection engine is compiled again.
func reloadConfig(i int) string {
	return `{
	  "max_tokens": {"default": ` + strconv.Itoa(500+i) + `, "cap": 4096},
	  "injection": {"action": "block", "deny": ["` + reloadPhrase(i) + `"]},
	  "redaction": {"responses": true},
	  "rate_limits": {"default": {"requests_per_minute": 1000000}}
	}`
}

func reloadPhrase(i int) string { return "forbidden phrase number " + strconv.Itoa(i/4) }

// TestConfigUpdatesKeepMemoryFlat pushes 20 configuration-only updates through Envoy the
// way Istio does for a WasmPlugin's pluginConfig (file-based ECDS: the VM is kept, the
// plugin restarts) under light load, and bounds Envoy's RSS growth.
//
// The bound: with --concurrency 2 Envoy runs the plugin in 3 VMs (main thread and two
// workers), and a Go heap in a wasm VM never shrinks, so what stays is each VM's
// high-water mark. A restart that reuses the compiled engines adds nothing; one that
// compiles a new injection engine holds the old and the new one (~9.5 MB each, most of it
// the automaton's transition table: 67,900 states × 32 symbols × 4 bytes) plus the
// compilation's other temporaries at its peak (~5 MB), about 24 MB per VM. 30 % of the
// ~280 MB post-start size is 84 MB, above that worst case (3 × 24 MB) with room for
// Envoy's own noise. A start that kept its garbage (~21 MB allocated per compilation)
// would add that much per VM at every recompiling update: the second half of the updates
// must add almost nothing, because the high-water mark is reached early.
func TestConfigUpdatesKeepMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("configuration churn test skipped in -short mode")
	}
	const updates = 20
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	e, err := envoytest.Start(ctx, envoytest.Options{
		Listeners: []envoytest.Listener{{Name: "reload", PluginConfig: reloadConfig(0), ECDS: true}},
		Clusters:  map[string]string{"llm": upstreamAddr},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Stop()
	url := e.URL("reload") + "/v1/chat/completions"

	// Light load: 4 clients, each pausing 20 ms between requests.
	var stop atomic.Bool
	var ok, failed atomic.Int64
	var firstFailure atomic.Value
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second}
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				body := fmt.Sprintf(`{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello %d/%d, mail me at jane.doe@example.com"}]}`, w, i)
				resp, err := client.Post(url, "application/json", bytes.NewBufferString(body))
				if err != nil {
					firstFailure.CompareAndSwap(nil, err.Error())
					failed.Add(1)
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || strings.Contains(string(b), "jane.doe@example.com") {
					firstFailure.CompareAndSwap(nil, fmt.Sprintf("status %d: %.200s", resp.StatusCode, b))
					failed.Add(1)
				} else {
					ok.Add(1)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}(w)
	}
	defer func() { stop.Store(true); wg.Wait() }()

	time.Sleep(3 * time.Second)
	base, err := e.RSS()
	if err != nil {
		t.Fatal(err)
	}
	reloads0, err := e.ECDSReloads()
	if err != nil {
		t.Fatal(err)
	}
	rss := make([]int64, updates+1)
	rss[0] = base
	for i := 1; i <= updates; i++ {
		if _, err := e.UpdatePluginConfig("reload", reloadConfig(i)); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(20 * time.Second)
		for n, _ := e.ECDSReloads(); n < reloads0+i; n, _ = e.ECDSReloads() {
			if time.Now().After(deadline) {
				t.Fatalf("update %d not accepted by Envoy after 20 s (reloads %d, want %d)", i, n, reloads0+i)
			}
			time.Sleep(50 * time.Millisecond)
		}
		// The update is in force once the current deny phrase is refused.
		for {
			resp, body := postURL(t, url, `{"model":"m","messages":[{"role":"user","content":"`+reloadPhrase(i)+`"}]}`)
			if resp.StatusCode == 403 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("update %d not in force after 20 s: %d %s", i, resp.StatusCode, body)
			}
			time.Sleep(50 * time.Millisecond)
		}
		time.Sleep(500 * time.Millisecond)
		if rss[i], err = e.RSS(); err != nil {
			t.Fatal(err)
		}
	}
	stop.Store(true)
	wg.Wait()
	var trace []string
	for i, v := range rss {
		if i%5 == 0 {
			trace = append(trace, fmt.Sprintf("%d:%d", i, v>>20))
		}
	}
	final := rss[updates]
	t.Logf("Envoy RSS (MiB) by update: %s; growth %.1f %%; %d requests ok, %d failed", strings.Join(trace, " "),
		100*float64(final-base)/float64(base), ok.Load(), failed.Load())
	if failed.Load() != 0 {
		t.Errorf("%d requests failed during the updates (first: %v)", failed.Load(), firstFailure.Load())
	}
	if ok.Load() == 0 {
		t.Error("no request went through during the updates")
	}
	if final-base >= base*3/10 {
		t.Errorf("Envoy RSS grew from %d MiB to %d MiB over %d configuration updates (≥ 30 %%)", base>>20, final>>20, updates)
	}
	if half := rss[updates/2]; final-half >= base/20 {
		t.Errorf("Envoy RSS still grows in the second half of the updates: %d → %d MiB", half>>20, final>>20)
	}
}

// postURL posts a chat body to a full URL and returns the response and its body.
func postURL(t *testing.T, url, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("POST", url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("content-type", "application/json")
	return do(t, req)
}
