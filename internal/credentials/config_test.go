package credentials

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestUpstreamAuthValidate(t *testing.T) {
	cases := []struct {
		name string
		json string
		want []string // substrings, one per expected message; nil = valid
	}{
		{"absent", `{}`, nil},
		{"minimal env", `{"keys":[{"env":"MISTRAL_API_KEY"}]}`, nil},
		{"full", `{"header":"x-api-key","scheme":"raw","strategy":"priority","keys":[{"name":"p","env":"A"},{"name":"s","value":"dev-key"}],
		  "cooldown":{"rate_limited_seconds":30,"unauthorized_seconds":600,"max_seconds":900},"strip_headers":["OpenAI-Organization"]}`, nil},
		{"strip only", `{"strip_headers":["x-foo"]}`, nil},
		{"settings without keys", `{"header":"x-api-key"}`, []string{"up.auth.keys: at least one key is required"}},
		{"both env and value", `{"keys":[{"env":"A","value":"v"}]}`, []string{"up.auth.keys[0]: set exactly one of env and value, not both"}},
		{"neither", `{"keys":[{"name":"x"}]}`, []string{"up.auth.keys[0]: set exactly one of env"}},
		{"bad env name", `{"keys":[{"env":"1BAD-NAME"}]}`, []string{"up.auth.keys[0].env: must be an environment variable name"}},
		{"duplicate names", `{"keys":[{"env":"A"},{"name":"A","value":"v"}]}`, []string{`up.auth.keys[1].name: duplicate key name "A" (also keys[0]`}},
		{"bad name", `{"keys":[{"name":"a b","env":"A"}]}`, []string{"up.auth.keys[0].name: must be 1-64"}},
		{"value with newline", `{"keys":[{"value":"sk-abc\nx: y"}]}`, []string{"up.auth.keys[0].value: contains a space or control character at byte 6"}},
		{"redacted placeholder", `{"keys":[{"value":"[REDACTED]"}]}`, []string{"up.auth.keys[0].value: is the redaction placeholder"}},
		{"bad header", `{"header":":authority","keys":[{"env":"A"}]}`, []string{"up.auth.header: must be an HTTP header name"}},
		{"bad scheme", `{"scheme":"Bear er","keys":[{"env":"A"}]}`, []string{"up.auth.scheme: must be an HTTP auth scheme token"}},
		{"bad strategy", `{"strategy":"random","keys":[{"env":"A"}]}`, []string{`up.auth.strategy: must be "round_robin" or "priority", got "random"`}},
		{"cooldown above max", `{"cooldown":{"rate_limited_seconds":100,"max_seconds":50},"keys":[{"env":"A"}]}`, []string{"up.auth.cooldown.rate_limited_seconds: must be between 1 and max_seconds (50), got 100"}},
		{"negative cooldown", `{"cooldown":{"unauthorized_seconds":-1},"keys":[{"env":"A"}]}`, []string{"up.auth.cooldown.unauthorized_seconds"}},
		{"max too large", `{"cooldown":{"max_seconds":100000},"keys":[{"env":"A"}]}`, []string{"up.auth.cooldown.max_seconds: must be between 1 and 86400"}},
		{"bad strip header", `{"strip_headers":["bad header"]}`, []string{"up.auth.strip_headers[0]"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var a UpstreamAuth
			if err := json.Unmarshal([]byte(c.json), &a); err != nil {
				t.Fatal(err)
			}
			a.ApplyDefaults()
			got := a.Validate("up.auth")
			if len(got) != len(c.want) {
				t.Fatalf("Validate = %q, want %d messages like %q", got, len(c.want), c.want)
			}
			for i, w := range c.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("message %q lacks %q", got[i], w)
				}
			}
			if strings.Contains(strings.Join(got, " "), "sk-abc") {
				t.Error("validation message leaks a key value")
			}
		})
	}
}

func TestUpstreamAuthDefaults(t *testing.T) {
	a := UpstreamAuth{Keys: []KeyRef{{Env: "A"}, {Value: NewSecret("v")}}}
	a.ApplyDefaults()
	want := CooldownConfig{RateLimitedSeconds: 60, UnauthorizedSeconds: 300, MaxSeconds: 3600}
	if a.Header != "authorization" || a.Scheme != "Bearer" || a.Strategy != "round_robin" || a.Cooldown != want ||
		a.Keys[0].Name != "A" || a.Keys[1].Name != "key1" {
		t.Errorf("defaults = %+v", a)
	}
	b := UpstreamAuth{Header: "X-API-Key", Keys: []KeyRef{{Env: "A"}}, Cooldown: CooldownConfig{MaxSeconds: 30}}
	b.ApplyDefaults()
	if b.Header != "x-api-key" || b.Scheme != SchemeRaw || b.Cooldown.RateLimitedSeconds != 30 || b.Cooldown.UnauthorizedSeconds != 30 {
		t.Errorf("x-api-key defaults = %+v", b)
	}
	again := a
	again.ApplyDefaults()
	if fmt.Sprint(again) != fmt.Sprint(a) {
		t.Errorf("ApplyDefaults is not idempotent: %+v, then %+v", a, again)
	}
	none := UpstreamAuth{StripHeaders: []string{" X-Foo "}}
	none.ApplyDefaults()
	if none.Header != "" || none.Scheme != "" || none.Strategy != "" || none.Cooldown != (CooldownConfig{}) || none.StripHeaders[0] != "x-foo" {
		t.Errorf("without keys only strip headers are normalised: %+v", none)
	}
}

func TestClientAuthValidate(t *testing.T) {
	h1 := strings.Repeat("a", 64)
	h2 := strings.Repeat("B", 64)
	cases := []struct {
		name string
		json string
		want []string
	}{
		{"absent", `{}`, nil},
		{"api_key", `{"mode":"api_key","tenants":[{"name":"team-a","key_sha256":["` + h1 + `"],"allowed_models":["mistral-*","gpt-4o"],"max_tokens_cap":512,"requests_per_minute":60,"tokens_per_minute":10000}]}`, nil},
		{"header with map", `{"mode":"header","identity_header":"x-jwt-sub","identity_map":{"alice@example.com":"team-a"},"tenants":[{"name":"team-a"}]}`, nil},
		{"header unlisted", `{"mode":"header","identity_header":"x-jwt-sub","allow_unlisted_tenants":true}`, nil},
		{"bad mode", `{"mode":"jwt"}`, []string{`clients.mode: must be "none", "api_key" or "header", got "jwt"`}},
		{"tenants with none", `{"tenants":[{"name":"a"}]}`, []string{`clients.tenants: tenants only apply with mode`}},
		{"api_key no tenants", `{"mode":"api_key"}`, []string{"clients.tenants: mode \"api_key\" needs at least one tenant"}},
		{"api_key tenant without hash", `{"mode":"api_key","tenants":[{"name":"a"}]}`, []string{"clients.tenants[0].key_sha256: at least one key hash"}},
		{"bad hash", `{"mode":"api_key","tenants":[{"name":"a","key_sha256":["sk-plaintext-key"]}]}`, []string{"clients.tenants[0].key_sha256[0]: must be 64 hexadecimal characters (printf %s \"$KEY\" | sha256sum), got 16 characters"}},
		{"duplicate hash across tenants (case-insensitive)", `{"mode":"api_key","tenants":[{"name":"a","key_sha256":["` + h2 + `"]},{"name":"b","key_sha256":["` + strings.ToLower(h2) + `"]}]}`, []string{"clients.tenants[1].key_sha256[0]: duplicate of clients.tenants[0].key_sha256[0]"}},
		{"duplicate tenant", `{"mode":"header","identity_header":"x","tenants":[{"name":"a"},{"name":"a"}]}`, []string{`clients.tenants[1].name: duplicate tenant name "a"`}},
		{"bad tenant name", `{"mode":"header","identity_header":"x","tenants":[{"name":"a b"}]}`, []string{"clients.tenants[0].name"}},
		{"hash in header mode", `{"mode":"header","identity_header":"x","tenants":[{"name":"a","key_sha256":["` + h1 + `"]}]}`, []string{"clients.tenants[0].key_sha256: only applies"}},
		{"header mode without header", `{"mode":"header","tenants":[{"name":"a"}]}`, []string{"clients.identity_header: is required"}},
		{"header mode nothing to match", `{"mode":"header","identity_header":"x"}`, []string{"clients.tenants: mode \"header\" needs"}},
		{"map to unknown tenant", `{"mode":"header","identity_header":"x","identity_map":{"bob":"ghost"},"tenants":[{"name":"a"}]}`, []string{`clients.identity_map["bob"]: tenant "ghost" is not in tenants`}},
		{"identity fields in api_key mode", `{"mode":"api_key","identity_header":"x","tenants":[{"name":"a","key_sha256":["` + h1 + `"]}]}`, []string{"clients.identity_header: only applies"}},
		{"bad model pattern and limits", `{"mode":"header","identity_header":"x","tenants":[{"name":"a","allowed_models":["gpt-*-mini"],"max_tokens_cap":-1,"requests_per_minute":-2,"tokens_per_minute":-3}]}`,
			[]string{"clients.tenants[0].allowed_models[0]", "clients.tenants[0].max_tokens_cap", "clients.tenants[0].requests_per_minute", "clients.tenants[0].tokens_per_minute"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var ca ClientAuth
			if err := json.Unmarshal([]byte(c.json), &ca); err != nil {
				t.Fatal(err)
			}
			ca.ApplyDefaults()
			got := ca.Validate("clients")
			if len(got) != len(c.want) {
				t.Fatalf("Validate = %q, want %d messages like %q", got, len(c.want), c.want)
			}
			for i, w := range c.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("message %q lacks %q", got[i], w)
				}
			}
			if strings.Contains(strings.Join(got, " "), "sk-plaintext") {
				t.Error("message echoes a key-like value")
			}
		})
	}
}

// The documented example parses and validates as the lead's config would embed it.
func TestDocumentedExample(t *testing.T) {
	doc := `{
	  "upstreams": [{"name": "mistral", "auth": {
	      "strategy": "priority",
	      "keys": [{"name": "primary", "env": "MISTRAL_API_KEY"}, {"name": "backup", "env": "MISTRAL_API_KEY_2"}],
	      "cooldown": {"rate_limited_seconds": 60, "unauthorized_seconds": 300, "max_seconds": 3600},
	      "strip_headers": ["openai-organization"]}}],
	  "clients": {"mode": "api_key", "tenants": [{"name": "team-a",
	      "key_sha256": ["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
	      "allowed_models": ["mistral-small-*", "codestral-latest"], "max_tokens_cap": 2048}]}
	}`
	var cfg struct {
		Upstreams []struct {
			Name string       `json:"name"`
			Auth UpstreamAuth `json:"auth"`
		} `json:"upstreams"`
		Clients ClientAuth `json:"clients"`
	}
	if err := json.Unmarshal([]byte(doc), &cfg); err != nil {
		t.Fatal(err)
	}
	cfg.Upstreams[0].Auth.ApplyDefaults()
	cfg.Clients.ApplyDefaults()
	if msgs := append(cfg.Upstreams[0].Auth.Validate("upstreams[0].auth"), cfg.Clients.Validate("clients")...); len(msgs) > 0 {
		t.Fatal(msgs)
	}
	k, _, err := NewKeyring("mistral", cfg.Upstreams[0].Auth, MapEnv{"MISTRAL_API_KEY": "k1", "MISTRAL_API_KEY_2": "k2"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := NewAuthenticator(cfg.Clients)
	if err != nil {
		t.Fatal(err)
	}
	tenant, aerr := a.Authenticate(func(h string) string { return map[string]string{"authorization": "Bearer test"}[h] })
	if aerr != nil || tenant.Name != "team-a" || k.Names()[1] != "backup" {
		t.Errorf("tenant %v err %v", tenant, aerr)
	}
}
