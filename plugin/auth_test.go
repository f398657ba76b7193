package main

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/proxytest"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
	"github.com/tidwall/gjson"
)

func sha(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }

// credConfig has two inline upstream keys (priority order) and one API-key tenant.
var credConfig = `{"upstreams":[{"name":"llm","provider":"openai","hosts":["*"],
  "auth":{"strategy":"priority","keys":[{"name":"key-a","value":"sk-upstream-a"},{"name":"key-b","value":"sk-upstream-b"}],
          "cooldown":{"rate_limited_seconds":60}}}],
  "clients":{"mode":"api_key","tenants":[{"name":"team-a","key_sha256":["` + sha("tenant-secret-1") + `"],
    "allowed_models":["small-*"]}]}}`

// sendChat sends one chat request with the given extra headers and returns its context id.
func sendChat(host proxytest.HostEmulator, extra [][2]string) uint32 {
	body := `{"model":"small-1","messages":[{"role":"user","content":"hi"}]}`
	id := host.InitializeHttpContext()
	h := append(headers("/v1/chat/completions", "application/json", len(body)), extra...)
	host.CallOnRequestHeaders(id, h, false)
	if host.GetSentLocalResponse(id) == nil {
		host.CallOnRequestBody(id, []byte(body), true)
	}
	return id
}

func TestCredentials(t *testing.T) {
	tenant := [2]string{"authorization", "Bearer tenant-secret-1"}
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		host := harness(t, vm, credConfig)
		if logs := strings.Join(host.GetInfoLogs(), "\n"); !strings.Contains(logs, "posture: ") || !strings.Contains(logs, "client_auth=api_key") || strings.Contains(logs, "sk-upstream") {
			t.Errorf("start-up must log the posture line without keys: %q", logs)
		}
		if logs := strings.Join(host.GetWarnLogs(), "\n"); !strings.Contains(logs, "inline") || strings.Contains(logs, "sk-upstream") {
			t.Errorf("start-up must warn about inline keys without printing them: %q", logs)
		}

		t.Run("tenant key swapped for the upstream key; client credentials stripped", func(t *testing.T) {
			id := sendChat(host, [][2]string{tenant, {"x-api-key", "personal"}, {"cookie", "sso=1"}})
			if r := host.GetSentLocalResponse(id); r != nil {
				t.Fatalf("rejected: %d %s", r.StatusCode, r.Data)
			}
			hs := host.GetCurrentRequestHeaders(id)
			if got := header(hs, "authorization"); got != "Bearer sk-upstream-a" {
				t.Errorf("authorization = %q, want the injected primary key", got)
			}
			for _, n := range []string{"x-api-key", "cookie"} {
				if header(hs, n) != "" {
					t.Errorf("client header %s forwarded", n)
				}
			}
		})

		for _, c := range []struct {
			name   string
			extra  [][2]string
			status int
			code   string
		}{
			{"missing tenant key", nil, 401, "missing_api_key"},
			{"wrong tenant key", [][2]string{{"authorization", "Bearer tenant-secret-2"}}, 401, "invalid_api_key"},
		} {
			t.Run(c.name, func(t *testing.T) {
				r := host.GetSentLocalResponse(sendChat(host, c.extra))
				if r == nil || int(r.StatusCode) != c.status || gjson.GetBytes(r.Data, "error.code").String() != c.code {
					t.Fatalf("got %+v, want %d %s", r, c.status, c.code)
				}
				if header(r.Headers, "www-authenticate") == "" || strings.Contains(string(r.Data), "tenant-secret") {
					t.Errorf("401 without WWW-Authenticate or echoing the key: %v %s", r.Headers, r.Data)
				}
			})
		}

		t.Run("429 fails over to the next key, all cooling gives 503", func(t *testing.T) {
			for _, want := range []string{"Bearer sk-upstream-a", "Bearer sk-upstream-b"} {
				id := sendChat(host, [][2]string{tenant})
				if got := header(host.GetCurrentRequestHeaders(id), "authorization"); got != want {
					t.Fatalf("authorization = %q, want %q", got, want)
				}
				host.CallOnResponseHeaders(id, [][2]string{{":status", "429"}, {"retry-after", "30"}}, true)
			}
			r := host.GetSentLocalResponse(sendChat(host, [][2]string{tenant}))
			if r == nil || r.StatusCode != 503 || gjson.GetBytes(r.Data, "error.code").String() != "upstream_keys_exhausted" {
				t.Fatalf("all keys cooling: got %+v", r)
			}
			if ra := header(r.Headers, "retry-after"); ra != "30" && ra != "29" {
				t.Errorf("retry-after = %q, want the upstream's 30 s", ra)
			}
			if n, _ := host.GetCounterMetric("egressguard.key_cooldowns.upstream.llm.key.key-a"); n != 1 {
				t.Errorf("key_cooldowns for key-a = %d, want 1", n)
			}
			if logs := strings.Join(host.GetWarnLogs(), "\n"); strings.Contains(logs, "sk-upstream") || strings.Contains(logs, "tenant-secret") {
				t.Errorf("a key appears in the logs: %q", logs)
			}
		})
	})
}

func TestRateLimitAndAudit(t *testing.T) {
	vmTest(t, func(t *testing.T, vm types.VMContext) {
		host := harness(t, vm, `{"rate_limits":{"default":{"requests_per_minute":2}}}`)
		for i := 0; i < 2; i++ {
			id := sendChat(host, nil)
			if r := host.GetSentLocalResponse(id); r != nil {
				t.Fatalf("request %d refused: %d %s", i, r.StatusCode, r.Data)
			}
			host.CompleteHttpContext(id)
		}
		r := host.GetSentLocalResponse(sendChat(host, nil))
		if r == nil || r.StatusCode != 429 || gjson.GetBytes(r.Data, "error.code").String() != "rate_limit_exceeded" {
			t.Fatalf("third request in the minute: %+v", r)
		}
		if header(r.Headers, "retry-after") == "" || header(r.Headers, "x-ratelimit-limit-requests") != "2" {
			t.Errorf("429 headers: %v", r.Headers)
		}
		var audits []string
		for _, l := range host.GetInfoLogs() {
			if strings.HasPrefix(l, "egressguard.audit ") {
				audits = append(audits, l)
			}
		}
		if len(audits) != 2 {
			t.Fatalf("want one audit line per completed request, got %q", audits)
		}
		a := strings.TrimPrefix(audits[0], "egressguard.audit ")
		if gjson.Get(a, "tenant").String() != "anonymous" || gjson.Get(a, "model").String() != "small-1" ||
			gjson.Get(a, "decision").String() != "forwarded" || strings.Contains(a, `"hi"`) {
			t.Errorf("audit line: %s", a)
		}
	})
}
