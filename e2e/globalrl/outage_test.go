package globalrl

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/egressguard/egressguard/internal/envoytest"
)

// localRequestsPerMinute is the guard's own per-gateway limit in the outage test: the
// fallback budget that still holds while the global service is unreachable.
const localRequestsPerMinute = 30

// outageGuardConfig is guardConfig plus the local limit.
const outageGuardConfig = `{"clients": {"mode": "header", "identity_header": "x-tenant", "allow_unlisted_tenants": true},
  "rate_limits": {"default": {"requests_per_minute": 30}, "global": {"enabled": true}},
  "max_tokens": {"default": 100, "cap": 1024}}`

// outcome is one answer seen by the load.
type outcome struct {
	at      time.Time
	gateway string
	status  int
	ctype   string
	body    string
	global  bool // the global service refused it (x-envoy-ratelimited)
	latency time.Duration
}

// TestGlobalServiceOutage takes Redis and then the ratelimit service down for 20 s under
// load and checks what docs/deploy.md promises:
//
//   - gateway A (failure_mode_deny: false) keeps serving, bounded by the guard's local
//     limit: over the run a tenant is admitted at most its global budget per calendar
//     minute touched plus, on A, one local bucket and its refill (L·(1 + T/60 s));
//   - gateway B (failure_mode_deny: true, status_on_error 503) answers a JSON 503 with
//     Retry-After while the service is unreachable;
//   - no client ever gets an empty-bodied 5xx; every refusal is an OpenAI-style JSON error;
//   - Redis with an append-only file restores the counters on restart, so a tenant whose
//     budget was spent before the outage stays refused after it (same minute).
func TestGlobalServiceOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("outage test skipped in -short mode")
	}
	dir := t.TempDir()
	redisPort, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	redisAddr := fmt.Sprintf("127.0.0.1:%d", redisPort)
	var rlsPorts [3]int
	for i := range rlsPorts {
		if rlsPorts[i], err = freePort(); err != nil {
			t.Fatal(err)
		}
	}
	// appendfsync always: the test kills Redis right after the last write it checks.
	persistence := []string{"--appendonly", "yes", "--appendfsync", "always"}
	redis, err := startRedisAt(dir, redisPort, persistence...)
	if err != nil {
		t.Fatal(err)
	}
	rls, err := startRatelimitAt(dir, redisAddr, rlsPorts)
	if err != nil {
		redis.Stop()
		t.Fatal(err)
	}
	defer func() { rls.Stop(); redis.Stop() }()

	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	// Gateway A fails open, B fails closed; both start at once.
	gateways := map[string]*envoytest.Envoy{}
	var startMu sync.Mutex
	var startWG sync.WaitGroup
	var startErr error
	for name, deny := range map[string]bool{"A": false, "B": true} {
		startWG.Add(1)
		go func() {
			defer startWG.Done()
			e, err := envoytest.Start(ctx, envoytest.Options{
				Listeners: []envoytest.Listener{{Name: "guard", PluginConfig: outageGuardConfig}},
				Clusters:  map[string]string{"llm": upstreamAddr},
				RateLimit: &envoytest.RateLimitOptions{
					ServiceAddr:     fmt.Sprintf("127.0.0.1:%d", rlsPorts[1]),
					RateLimits:      RouteRateLimits(),
					JSONErrors:      true,
					FailureModeDeny: deny,
					Timeout:         "0.1s", // as deploy/ratelimit/envoy-ratelimit.yaml
				},
			})
			startMu.Lock()
			defer startMu.Unlock()
			if err != nil {
				startErr = err
				return
			}
			gateways[name] = e
		}()
	}
	startWG.Wait()
	for _, e := range gateways {
		defer e.Stop()
	}
	if startErr != nil {
		t.Fatal(startErr)
	}

	// Spend the probe tenant's global budget just before the outage, in a minute with room
	// for the whole outage, so the probe after it falls in the same fixed window.
	if left := time.Until(time.Now().Truncate(time.Minute).Add(time.Minute)); left < 40*time.Second {
		t.Logf("waiting %v for a fresh rate limit window", left.Round(time.Millisecond))
		time.Sleep(left + 200*time.Millisecond)
	}
	probe := fmt.Sprintf("probe-%d", time.Now().UnixNano())
	for i := 0; i < requestsPerMinute; i++ {
		if r := call(t, gateways["A"], probe, 0, 0, false); r.status != 200 {
			t.Fatalf("probe request %d: %d %s", i+1, r.status, r.body)
		}
	}
	assertRateLimited(t, call(t, gateways["A"], probe, 0, 0, false))

	// Load: three clients per gateway for one tenant.
	tenant := fmt.Sprintf("load-%d", time.Now().UnixNano())
	var mu sync.Mutex
	var seen []outcome
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second}
	for name, e := range gateways {
		for w := 0; w < 3; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					o := loadCall(client, e, name, tenant)
					mu.Lock()
					seen = append(seen, o)
					mu.Unlock()
					time.Sleep(50 * time.Millisecond)
				}
			}()
		}
	}
	start := time.Now()
	time.Sleep(3 * time.Second)
	outageStart := time.Now()
	redis.Kill()
	t.Log("redis killed")
	time.Sleep(10 * time.Second)
	rls.Kill()
	t.Log("ratelimit service killed")
	time.Sleep(10 * time.Second)
	if redis, err = startRedisAt(dir, redisPort, persistence...); err != nil {
		t.Fatal(err)
	}
	if rls, err = startRatelimitAt(dir, redisAddr, rlsPorts); err != nil {
		t.Fatal(err)
	}
	outageEnd := time.Now()
	t.Logf("redis and ratelimit service back after %v", outageEnd.Sub(outageStart).Round(time.Millisecond))
	time.Sleep(2 * time.Second)
	close(stop)
	wg.Wait()
	end := time.Now()

	// The probe tenant's spent budget survived the restart (append-only file).
	var after result
	for i := 0; i < 5; i++ {
		if after = call(t, gateways["B"], probe, 0, 0, false); after.status != 503 {
			break // 503: the filter's timeout while the service warms up; try again
		}
		time.Sleep(500 * time.Millisecond)
	}
	if after.status == 200 {
		t.Errorf("the probe tenant was admitted after the restart: Redis lost its counter")
	} else {
		assertRateLimited(t, after)
	}

	var admitted, globalRefused, localRefused, unavailable int
	var bLatencies []time.Duration
	for _, o := range seen {
		switch {
		case o.status == 200:
			admitted++
			continue
		case o.status >= 500 && strings.TrimSpace(o.body) == "":
			t.Errorf("gateway %s answered %d with an empty body at %v", o.gateway, o.status, o.at.Sub(start).Round(time.Millisecond))
			continue
		}
		var e struct{ Error struct{ Type, Code string } }
		if err := json.Unmarshal([]byte(o.body), &e); err != nil || e.Error.Type == "" || !strings.HasPrefix(o.ctype, "application/json") {
			t.Errorf("gateway %s answered %d with %q (%s), want an OpenAI-style JSON error", o.gateway, o.status, o.body, o.ctype)
			continue
		}
		switch {
		case o.status == 429 && o.global:
			globalRefused++
		case o.status == 429:
			localRefused++
		case o.status == 503 && e.Error.Code == "rate_limit_unavailable":
			unavailable++
			if o.gateway != "B" {
				t.Errorf("fail-open gateway %s answered 503 rate_limit_unavailable", o.gateway)
			}
			bLatencies = append(bLatencies, o.latency)
		default:
			t.Errorf("gateway %s: unexpected %d %s", o.gateway, o.status, o.body)
		}
	}
	// The documented bound over the run: the global budget once per calendar minute it
	// touched, plus the fail-open gateway's local bucket and refill.
	windows := int(end.Truncate(time.Minute).Sub(start.Truncate(time.Minute))/time.Minute) + 1
	run := end.Sub(start)
	bound := windows*requestsPerMinute + int(float64(localRequestsPerMinute)*(1+run.Minutes()))
	sort.Slice(bLatencies, func(i, j int) bool { return bLatencies[i] < bLatencies[j] })
	median := time.Duration(0)
	if len(bLatencies) > 0 {
		median = bLatencies[len(bLatencies)/2]
	}
	t.Logf("%d requests in %v: %d admitted (bound %d), %d refused by the global service, %d by the guard's local limit, "+
		"%d JSON 503 from the fail-closed gateway (median latency %v)", len(seen), run.Round(time.Millisecond), admitted, bound,
		globalRefused, localRefused, unavailable, median.Round(time.Millisecond))
	if admitted > bound {
		t.Errorf("admitted %d requests of one tenant over %v, above the documented bound %d", admitted, run.Round(time.Second), bound)
	}
	if unavailable == 0 {
		t.Error("the fail-closed gateway never answered 503 rate_limit_unavailable during the outage")
	}
	if localRefused == 0 {
		t.Error("the guard's local limit never refused during the outage: the fallback budget did not bind")
	}
}

// loadCall sends one chat request as tenant and records the answer.
func loadCall(client *http.Client, e *envoytest.Envoy, gateway, tenant string) outcome {
	body := `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello there"}]}`
	req, _ := http.NewRequest("POST", e.URL("guard")+"/v1/chat/completions", strings.NewReader(body))
	req.Header.Set("content-type", "application/json")
	req.Header.Set("x-tenant", tenant)
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return outcome{at: start, gateway: gateway, status: -1, body: err.Error()}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return outcome{at: start, gateway: gateway, status: resp.StatusCode, ctype: resp.Header.Get("content-type"),
		body: string(b), global: resp.Header.Get("x-envoy-ratelimited") == "true", latency: time.Since(start)}
}
