package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/egressguard/egressguard/internal/envoytest"
)

// TestGCLoad pushes ≥ 2,000 requests with ≥ 64 KiB bodies through the plugin. Every body
// is buffered, parsed and rewritten inside the VM, so ~130 MiB of allocation churns
// through a Go heap of a few MiB: the Go GC runs many times inside V8 (Envoy < 1.39
// crashed Go wasip1 plugins exactly here). Zero 5xx and a live Envoy are required.
func TestGCLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test skipped in -short mode")
	}
	gcLoad(t, envoy, envoy.URL(lnDefault), 2000)
}

// gcLoad sends requests chat requests of ≥ 64 KiB through base (8 at a time) and
// requires every one answered 200, Envoy alive and no wasm failure in its log.
func gcLoad(t *testing.T, e *envoytest.Envoy, base string, requests int64) {
	t.Helper()
	const concurrency = 8
	const line = "All work and no play makes Jack a dull boy. "
	filler := strings.Repeat(line, (64<<10)/len(line)+1) // every body exceeds 64 KiB
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: concurrency}}
	var next, ok, non2xx, fivexx atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > requests {
					return
				}
				body := fmt.Sprintf(`{"model":"gpt-4o-mini","max_tokens":%d,"messages":[{"role":"system","content":"load %d"},{"role":"user","content":"%s"}]}`,
					50000+i, i, filler)
				resp, err := client.Post(base+"/v1/chat/completions", "application/json", bytes.NewBufferString(body))
				if err != nil {
					firstErr.CompareAndSwap(nil, err.Error())
					non2xx.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body) // drained for connection reuse; the status decides
				resp.Body.Close()
				switch {
				case resp.StatusCode >= 500:
					fivexx.Add(1)
					non2xx.Add(1)
				case resp.StatusCode != 200:
					non2xx.Add(1)
				default:
					ok.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	t.Logf("%d requests × %d KiB in %s (%.0f req/s): %d ok, %d 5xx, %d other", requests, (64<<10)>>10, elapsed.Round(time.Millisecond),
		float64(requests)/elapsed.Seconds(), ok.Load(), fivexx.Load(), non2xx.Load()-fivexx.Load())
	if fivexx.Load() != 0 || non2xx.Load() != 0 {
		t.Fatalf("want all %d requests answered 200, got %d 5xx and %d other failures (first error: %v)",
			requests, fivexx.Load(), non2xx.Load()-fivexx.Load(), firstErr.Load())
	}
	if exited, err := e.Exited(); exited {
		t.Fatalf("Envoy died under load: %v", err)
	}
	logs := string(e.Logs())
	for _, bad := range []string{"panic:", "Function: proxy_on", "wasm trap", "runtime error", "out of bounds memory access"} {
		if strings.Contains(logs, bad) {
			t.Errorf("Envoy log shows a wasm failure (%q)", bad)
		}
	}
	// The VM still answers after the churn.
	resp, err := http.Post(base+"/v1/chat/completions", "application/json", strings.NewReader(`{"messages": 3}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	assertAPIError(t, resp, body, 400, "invalid_type")
}
