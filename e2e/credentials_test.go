package e2e

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tidwall/gjson"
)

// suiteSecrets are this run's keys: random, so a hit in the secrets grep can only come
// from the guard (or Envoy) leaking what it was given.
type suiteSecrets struct {
	upstream map[string]string // VM environment variable → provider key
	tenant   string            // the tenant API key of listener "keys"
}

var secrets = newSuiteSecrets()

func newSuiteSecrets() suiteSecrets {
	r := func(prefix string) string {
		b := make([]byte, 16)
		rand.Read(b)
		return prefix + hex.EncodeToString(b)
	}
	return suiteSecrets{
		upstream: map[string]string{
			"EG_E2E_KEY_A":       r("sk-e2e-primary-"),
			"EG_E2E_KEY_B":       r("sk-e2e-secondary-"),
			"EG_E2E_KEY_C":       r("sk-e2e-routed-"),
			"EG_E2E_MISTRAL_KEY": r("e2e-mistral-"),
		},
		tenant: r("tk-e2e-tenant-"),
	}
}

func (s suiteSecrets) envKeys() []string {
	var ks []string
	for k := range s.upstream {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func (s suiteSecrets) environ() []string {
	var env []string
	for _, k := range s.envKeys() {
		env = append(env, k+"="+s.upstream[k])
	}
	return env
}

// all lists every credential the suite hands to Envoy or sends as a client.
func (s suiteSecrets) all() map[string]string {
	m := map[string]string{"tenant key": s.tenant, "SDK client key": "sk-client-test"}
	for k, v := range s.upstream {
		m[k] = v
	}
	return m
}

func sha256Hex(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }

// keyedUpstream fronts fakellm for listener "keys": it records the credential of every
// request and answers 429 (Retry-After: 30) for keys marked as over quota, as a provider does.
type keyedUpstream struct {
	mu      sync.Mutex
	seen    []string        // authorization header values, in arrival order
	limited map[string]bool // authorization values answered with 429
}

var keyed = &keyedUpstream{limited: map[string]bool{}}

func (k *keyedUpstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Only a complete request counts as reaching the provider: in the default flow a
	// request the guard refuses on its body has already started here and is reset.
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	auth := r.Header.Get("authorization")
	k.mu.Lock()
	k.seen = append(k.seen, auth)
	limited := k.limited[auth]
	k.mu.Unlock()
	if leaked := clientCredential(r); leaked != "" {
		http.Error(w, `{"error":{"message":"client credential leaked upstream: `+leaked+`","type":"test"}}`, 400)
		return
	}
	if r.URL.Path == "/v1/echo-key" {
		// A provider error that echoes the credential it got, in a header and the body.
		w.Header().Set("content-type", "application/json")
		w.Header().Set("x-debug-credential", auth)
		w.WriteHeader(403)
		fmt.Fprintf(w, `{"error":{"message":"key %s has no access to this resource","type":"invalid_request_error"}}`, strings.TrimPrefix(auth, "Bearer "))
		return
	}
	if r.URL.Path == "/v1/files" {
		// A passthrough path whose 401 says nothing about the key (a provider answers
		// 401 for many reasons: a file of another organisation, a missing scope).
		w.Header().Set("content-type", "application/json")
		w.WriteHeader(401)
		fmt.Fprint(w, `{"error":{"message":"no access to files","type":"invalid_request_error","code":"invalid_api_key"}}`)
		return
	}
	if limited {
		w.Header().Set("content-type", "application/json")
		w.Header().Set("retry-after", "30")
		w.WriteHeader(429)
		fmt.Fprint(w, `{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}`)
		return
	}
	upstream.ServeHTTP(w, r)
}

// clientCredentialHeaders and clientCredentialParams are where clients put provider
// keys; the guard must remove them all before a keyed upstream.
var (
	clientCredentialHeaders = []string{"x-api-key", "api-key", "x-goog-api-key", "anthropic-api-key",
		"ocp-apim-subscription-key", "x-auth-token", "x-access-token", "cookie", "proxy-authorization"}
	clientCredentialParams = []string{"key", "api-key", "api_key", "apikey", "access_token", "token", "subscription-key"}
)

// clientCredential names the first client credential a request carries ("" when none).
func clientCredential(r *http.Request) string {
	for _, h := range clientCredentialHeaders {
		if r.Header.Get(h) != "" {
			return h
		}
	}
	q := r.URL.Query()
	for _, p := range clientCredentialParams {
		for k := range q {
			if strings.EqualFold(k, p) {
				return "?" + p
			}
		}
	}
	return ""
}

func (k *keyedUpstream) last() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.seen) == 0 {
		return ""
	}
	return k.seen[len(k.seen)-1]
}

func (k *keyedUpstream) count() int { k.mu.Lock(); defer k.mu.Unlock(); return len(k.seen) }

func (k *keyedUpstream) limit(key string) {
	k.mu.Lock()
	k.limited["Bearer "+key] = true
	k.mu.Unlock()
}

// keysPost sends a chat request through listener "keys" with the given headers.
func keysPost(t *testing.T, hdr map[string]string, model string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("POST", envoy.URL(lnKeys)+"/v1/chat/completions",
		strings.NewReader(`{"model":"`+model+`","messages":[{"role":"user","content":"hello `+model+`"}]}`))
	req.Header.Set("content-type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return do(t, req)
}

func TestCredentials(t *testing.T) {
	primary, secondary := "Bearer "+secrets.upstream["EG_E2E_KEY_A"], "Bearer "+secrets.upstream["EG_E2E_KEY_B"]
	tenant := map[string]string{"authorization": "Bearer " + secrets.tenant, "x-api-key": "sk-personal", "cookie": "sso=abc"}

	t.Run("official SDKs: tenant key in, provider key out", func(t *testing.T) {
		for _, sdk := range []string{"openai", "mistral"} {
			spec := sdkSpec(sdk, "chat", lnKeys, sdk == "mistral", map[string]any{
				"model": "small-latest", "messages": []any{map[string]any{"role": "user", "content": "hi from " + sdk}}})
			spec["apiKey"] = secrets.tenant
			if r := runSDK(t, spec); !r.OK {
				t.Fatalf("%s: %+v", sdk, r.Error)
			}
			if got := keyed.last(); got != primary {
				t.Errorf("%s: upstream saw authorization %q, want the injected primary key", sdk, redactForLog(got))
			}
		}
	})

	t.Run("mistral upstream gets its key from the host environment", func(t *testing.T) {
		m := uniq(t)
		req, _ := http.NewRequest("POST", envoy.URL(lnMistral)+"/v1/chat/completions",
			strings.NewReader(`{"model":"mistral-small-latest","messages":[{"role":"user","content":"`+m+`"}]}`))
		req.Header.Set("content-type", "application/json")
		req.Header.Set("authorization", "Bearer sk-client-test")
		if resp, body := do(t, req); resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		if got := lastUpstream(t, m).Headers.Get("authorization"); got != "Bearer "+secrets.upstream["EG_E2E_MISTRAL_KEY"] {
			t.Errorf("upstream saw %s, want the key from EG_E2E_MISTRAL_KEY", redactForLog(got))
		}
	})

	t.Run("tenant authentication", func(t *testing.T) {
		before := keyed.count()
		resp, body := keysPost(t, nil, "small-1")
		assertAPIError(t, resp, body, 401, "missing_api_key")
		resp, body = keysPost(t, map[string]string{"authorization": "Bearer tk-wrong"}, "small-1")
		assertAPIError(t, resp, body, 401, "invalid_api_key")
		if resp.Header.Get("www-authenticate") == "" {
			t.Error("401 without WWW-Authenticate")
		}
		if keyed.count() != before {
			t.Error("an unauthenticated request reached the upstream")
		}
	})

	t.Run("tenant may only use its allowed models", func(t *testing.T) {
		before := keyed.count()
		resp, body := keysPost(t, tenant, "large-1")
		assertAPIError(t, resp, body, 403, "model_not_allowed")
		if keyed.count() != before {
			t.Error("a disallowed model reached the upstream")
		}
	})

	t.Run("429 on key A moves to key B; all keys cooling gives 503", func(t *testing.T) {
		keyed.limit(secrets.upstream["EG_E2E_KEY_A"])
		resp, _ := keysPost(t, tenant, "small-1")
		if resp.StatusCode != 429 || keyed.last() != primary {
			t.Fatalf("first request: status %d via %q, want the provider's 429 for key A", resp.StatusCode, redactForLog(keyed.last()))
		}
		for i := 0; i < 3; i++ {
			resp, body := keysPost(t, tenant, "small-1")
			if resp.StatusCode != 200 || keyed.last() != secondary {
				t.Fatalf("after A's 429: status %d via %q (%s), want 200 via key B", resp.StatusCode, redactForLog(keyed.last()), body)
			}
		}
		keyed.limit(secrets.upstream["EG_E2E_KEY_B"])
		if resp, _ := keysPost(t, tenant, "small-1"); resp.StatusCode != 429 {
			t.Fatalf("key B limited: status %d", resp.StatusCode)
		}
		before := keyed.count()
		resp, body := keysPost(t, tenant, "small-1")
		assertAPIError(t, resp, body, 503, "upstream_keys_exhausted")
		if ra, err := strconv.Atoi(resp.Header.Get("retry-after")); err != nil || ra < 1 || ra > 30 {
			t.Errorf("retry-after = %q, want 1..30 s from the provider's Retry-After", resp.Header.Get("retry-after"))
		}
		if keyed.count() != before {
			t.Error("the guard hammered the provider while every key was cooling down")
		}
	})
}

// redactForLog shows which key a header carried without printing it.
func redactForLog(v string) string {
	for name, k := range secrets.upstream {
		if strings.Contains(v, k) {
			return "<" + name + ">"
		}
	}
	if v == "" {
		return "<none>"
	}
	return "<other>"
}

// secretsGrep runs after the whole suite: no key may appear in Envoy's logs (stdout and
// stderr, which include the access log), /stats, /stats/prometheus or /config_dump.
func secretsGrep(e interface {
	AdminGet(string) ([]byte, error)
	Logs() []byte
}) int {
	sources := map[string][]byte{"envoy stdout/stderr and access log": e.Logs()}
	for _, p := range []string{"/stats", "/stats/prometheus", "/config_dump", "/config_dump?include_eds", "/clusters"} {
		b, err := e.AdminGet(p)
		if err != nil {
			fmt.Fprintf(os.Stderr, "e2e: FAIL: secrets grep: admin %s: %v\n", p, err)
			return 1
		}
		sources["admin "+p] = b
	}
	hits := 0
	for src, b := range sources {
		for name, v := range secrets.all() {
			if strings.Contains(string(b), v) {
				fmt.Fprintf(os.Stderr, "e2e: FAIL: secrets grep: %s found in %s\n", name, src)
				hits++
			}
		}
	}
	// Non-vacuity: the dump must hold the wasm configuration that names the variables.
	dump := sources["admin /config_dump"]
	if !gjson.ValidBytes(dump) || !strings.Contains(string(dump), "EG_E2E_KEY_A") || len(sources["envoy stdout/stderr and access log"]) == 0 {
		fmt.Fprintln(os.Stderr, "e2e: FAIL: secrets grep: sources are empty or unreadable")
		return 1
	}
	if hits > 0 {
		return 1
	}
	fmt.Fprintf(os.Stderr, "e2e: secrets grep: %d credentials × %d sources, 0 hits\n", len(secrets.all()), len(sources))
	return 0
}
