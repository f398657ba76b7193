package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/egressguard/egressguard/internal/envoytest"
)

// TestKeyReprobeWithoutBurst keeps the primary key over quota (every request with it gets
// 429 with Retry-After: 1) under 16 concurrent clients, with 300 ms upstream latency so
// that many requests are in flight whenever the key's cooldown ends. Each re-probe of the
// recovered key must cost the clients one 429, not one per request in flight: the other
// requests stay on the healthy secondary key until the probe's answer is back.
func TestKeyReprobeWithoutBurst(t *testing.T) {
	if testing.Short() {
		t.Skip("re-probe load test skipped in -short mode")
	}
	primary, secondary := "Bearer "+secrets.upstream["EG_E2E_KEY_A"], "Bearer "+secrets.upstream["EG_E2E_KEY_B"]
	var toPrimary, toSecondary atomic.Int64
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond)
		switch r.Header.Get("authorization") {
		case primary:
			toPrimary.Add(1)
			w.Header().Set("content-type", "application/json")
			w.Header().Set("retry-after", "1")
			w.WriteHeader(429)
			fmt.Fprint(w, `{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}`)
		case secondary:
			toSecondary.Add(1)
			upstream.ServeHTTP(w, r)
		default:
			http.Error(w, `{"error":{"message":"unknown key","type":"test"}}`, http.StatusUnauthorized)
		}
	})}
	go srv.Serve(ln)
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	e, err := envoytest.Start(ctx, envoytest.Options{
		Listeners: []envoytest.Listener{{Name: "probe", Cluster: "keyed", PluginConfig: `{
		  "upstreams": [{"name": "keyed", "provider": "openai", "hosts": ["*"],
		    "auth": {"strategy": "priority", "keys": [{"name": "primary", "env": "EG_E2E_KEY_A"}, {"name": "secondary", "env": "EG_E2E_KEY_B"}]}}]}`}},
		Clusters:    map[string]string{"keyed": ln.Addr().String()},
		HostEnvKeys: secrets.envKeys(),
		Env:         secrets.environ(),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Stop()

	// One request discovers that the primary key is over quota and cools it.
	resp, body := postURL(t, e.URL("probe")+"/v1/chat/completions", `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}`)
	if resp.StatusCode != 429 || toPrimary.Load() != 1 {
		t.Fatalf("first request: %d %s (primary used %d times), want the provider's 429", resp.StatusCode, body, toPrimary.Load())
	}
	toPrimary.Store(0)

	const clients, run = 16, 6 * time.Second
	var ok, limited, other atomic.Int64
	var wg sync.WaitGroup
	deadline := time.Now().Add(run)
	client := &http.Client{Timeout: 10 * time.Second}
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				resp, err := client.Post(e.URL("probe")+"/v1/chat/completions", "application/json",
					bytes.NewBufferString(`{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}`))
				if err != nil {
					other.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body) // drained for connection reuse; the status decides
				resp.Body.Close()
				switch resp.StatusCode {
				case 200:
					ok.Add(1)
				case 429:
					limited.Add(1)
				default:
					other.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	// Each cooldown (Retry-After 1 s) ends at most once per 1.3 s (the cooldown plus the
	// probe's 300 ms round trip), so the run holds at most run/1.3 s + 1 re-probes.
	maxProbes := int64(run/(1300*time.Millisecond)) + 1
	t.Logf("%d requests: %d ok via the secondary key, %d client 429s from %d requests with the primary key (at most %d re-probes), %d other",
		ok.Load()+limited.Load()+other.Load(), ok.Load(), limited.Load(), toPrimary.Load(), maxProbes, other.Load())
	if other.Load() != 0 {
		t.Errorf("%d requests failed otherwise", other.Load())
	}
	if limited.Load() != toPrimary.Load() {
		t.Errorf("clients saw %d 429s, the primary key was used %d times", limited.Load(), toPrimary.Load())
	}
	if toPrimary.Load() < 2 {
		t.Errorf("the primary key was re-probed %d times in %v, want at least 2", toPrimary.Load(), run)
	}
	if toPrimary.Load() > maxProbes {
		t.Errorf("%d requests went to the over-quota key in %v: more than one per re-probe (at most %d)", toPrimary.Load(), run, maxProbes)
	}
}
