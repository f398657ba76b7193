package globalrl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/egressguard/egressguard/internal/envoytest"
)

// freshWindow waits for the next minute when the current fixed window (the ratelimit
// service counts per calendar minute) has under 15s left, so a test never straddles a
// reset.
func freshWindow(t *testing.T) {
	now := time.Now()
	if left := now.Truncate(time.Minute).Add(time.Minute).Sub(now); left < 15*time.Second {
		t.Logf("waiting %v for a fresh rate limit window", left.Round(time.Millisecond))
		time.Sleep(left + 200*time.Millisecond)
	}
}

type result struct {
	status int
	header http.Header
	body   string
}

// call sends one chat request through e as tenant (the trusted identity header). The
// plugin publishes the tenant and its admission estimate; usage, when > 0, is the total
// the upstream reports (1 prompt token + usage-1 completion tokens), which the plugin
// publishes at the end of the response for the stream-done charge. cost is unused: the
// plugin computes its own estimate.
func call(t *testing.T, e *envoytest.Envoy, tenant string, cost, usage int, stream bool) result {
	t.Helper()
	_ = cost
	marker := ""
	if usage > 0 {
		marker = fmt.Sprintf(" [[tokens:1,%d]]", usage-1)
	}
	opts := ""
	if stream {
		opts = `,"stream_options":{"include_usage":true}`
	}
	body := fmt.Sprintf(`{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello there%s"}],"stream":%v%s}`, marker, stream, opts)
	req, _ := http.NewRequest("POST", e.URL("guard")+"/v1/chat/completions", strings.NewReader(body))
	req.Header.Set("content-type", "application/json")
	req.Header.Set("x-tenant", tenant)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return result{resp.StatusCode, resp.Header, string(b)}
}

func assertRateLimited(t *testing.T, r result) {
	t.Helper()
	if r.status != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429; body %s", r.status, r.body)
	}
	var e struct {
		Error struct {
			Type, Code string
			Param      *string
		}
	}
	if err := json.Unmarshal([]byte(r.body), &e); err != nil || e.Error.Type != "rate_limit_error" ||
		e.Error.Code != "rate_limit_exceeded" || e.Error.Param != nil {
		t.Errorf("429 body %q (%v), want the guard's JSON error", r.body, err)
	}
	if ct := r.header.Get("content-type"); ct != "application/json" {
		t.Errorf("429 content-type %q", ct)
	}
	if r.header.Get("x-envoy-ratelimited") != "true" || r.header.Get("x-ratelimit-reset") == "" {
		t.Errorf("429 headers %v", r.header)
	}
}

func upstreamCalls() int { return len(upstream.RequestsTo("/v1/chat/completions")) }

// One request budget, alternating between the two Envoys.
func TestRequestBudgetSharedAcrossEnvoys(t *testing.T) {
	freshWindow(t)
	tenant := fmt.Sprintf("rq-%d", time.Now().UnixNano())
	before := upstreamCalls()
	for i := 0; i < requestsPerMinute; i++ {
		e := []*envoytest.Envoy{envoyA, envoyB}[i%2]
		if r := call(t, e, tenant, 0, 0, false); r.status != 200 {
			t.Fatalf("request %d: status %d body %s", i+1, r.status, r.body)
		}
	}
	for _, e := range []*envoytest.Envoy{envoyA, envoyB} {
		assertRateLimited(t, call(t, e, tenant, 0, 0, false))
	}
	if got := upstreamCalls() - before; got != requestsPerMinute {
		t.Errorf("upstream saw %d requests, want %d", got, requestsPerMinute)
	}
	// Another tenant has its own budget.
	if r := call(t, envoyB, tenant+"-other", 0, 0, false); r.status != 200 {
		t.Fatalf("other tenant: %d %s", r.status, r.body)
	}
}

// Tokens are charged with the real usage when each stream completes, whichever Envoy
// served it; once the shared budget is spent, both Envoys refuse the tenant.
func TestTokenBudgetChargedOnStreamDone(t *testing.T) {
	for _, stream := range []bool{false, true} {
		t.Run(fmt.Sprintf("stream=%v", stream), func(t *testing.T) {
			freshWindow(t)
			tenant := fmt.Sprintf("tk-%v-%d", stream, time.Now().UnixNano())
			if r := call(t, envoyA, tenant, 1024, 600, stream); r.status != 200 {
				t.Fatalf("first: %d %s", r.status, r.body)
			}
			time.Sleep(300 * time.Millisecond) // the stream-done charge is fire-and-forget
			if r := call(t, envoyB, tenant, 1024, 350, stream); r.status != 200 {
				t.Fatalf("second (950 of 1000 spent after it): %d %s", r.status, r.body)
			}
			time.Sleep(300 * time.Millisecond)
			// 950 spent: still admitted (usage accounting admits while the budget is not
			// exhausted), and this one overshoots to 1050.
			if r := call(t, envoyA, tenant, 1024, 100, stream); r.status != 200 {
				t.Fatalf("third: %d %s", r.status, r.body)
			}
			time.Sleep(300 * time.Millisecond)
			before := upstreamCalls()
			assertRateLimited(t, call(t, envoyB, tenant, 1024, 100, stream))
			assertRateLimited(t, call(t, envoyA, tenant, 1024, 100, stream))
			if got := upstreamCalls() - before; got != 0 {
				t.Errorf("upstream saw %d refused requests", got)
			}
		})
	}
}

// Without the trusted identity the guard answers 401 itself: no descriptor, no upstream
// call, no budget spent (the plugin publishes a tenant for every request it forwards).
func TestNoIdentityRefusedByGuard(t *testing.T) {
	before := upstreamCalls()
	for i := 0; i < 3; i++ {
		req, _ := http.NewRequest("POST", envoyA.URL("guard")+"/v1/chat/completions",
			bytes.NewReader([]byte(`{"model":"m","messages":[{"role":"user","content":"hi"}]}`)))
		req.Header.Set("content-type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body) // drained for connection reuse; the status decides
		resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Fatalf("request %d without identity: %d, want the guard's 401", i, resp.StatusCode)
		}
	}
	if got := upstreamCalls() - before; got != 0 {
		t.Errorf("upstream saw %d unauthenticated requests", got)
	}
}
