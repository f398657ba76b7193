package credentials

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

func sha(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }

func headers(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(h string) string { return m[h] }
}

const (
	keyA = "eg-tenant-a-Zm9vYmFyYmF6cXV4"
	keyB = "eg-tenant-b-cXV1eHF1dXhxdXV4"
)

func apiKeyAuth(t *testing.T, header string) *Authenticator {
	t.Helper()
	a, err := NewAuthenticator(completed(ClientAuth{Mode: "api_key", APIKeyHeader: header, Tenants: []Tenant{
		{Name: "team-a", KeySHA256: []string{sha("old-rotated-key"), sha(keyA)}, AllowedModels: []string{"mistral-small-*", "codestral-latest"}, MaxTokensCap: 512},
		{Name: "team-b", KeySHA256: []string{strings.ToUpper(sha(keyB))}},
	}}))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAuthenticateAPIKey(t *testing.T) {
	bearer := apiKeyAuth(t, "")
	raw := apiKeyAuth(t, "X-Gateway-Key")
	cases := []struct {
		name   string
		a      *Authenticator
		get    func(string) string
		tenant string
		status int
		code   string
	}{
		{"bearer tenant a", bearer, headers("authorization", "Bearer "+keyA), "team-a", 0, ""},
		{"bearer case-insensitive scheme, upper-case hash", bearer, headers("authorization", "bearer  "+keyB+" "), "team-b", 0, ""},
		{"missing", bearer, headers(), "", 401, "missing_api_key"},
		{"empty bearer", bearer, headers("authorization", "Bearer "), "", 401, "missing_api_key"},
		{"wrong key", bearer, headers("authorization", "Bearer "+keyA+"x"), "", 401, "invalid_api_key"},
		{"basic scheme", bearer, headers("authorization", "Basic "+keyA), "", 401, "invalid_api_key"},
		{"bare key in authorization", bearer, headers("authorization", keyA), "", 401, "invalid_api_key"},
		{"key in another header is ignored", bearer, headers("x-api-key", keyA), "", 401, "missing_api_key"},
		{"huge key", bearer, headers("authorization", "Bearer "+strings.Repeat("k", 5000)), "", 401, "invalid_api_key"},
		{"raw header", raw, headers("x-gateway-key", keyB), "team-b", 0, ""},
		{"raw header missing", raw, headers("authorization", "Bearer "+keyB), "", 401, "missing_api_key"},
		{"hash itself is not a key", bearer, headers("authorization", "Bearer "+sha(keyA)), "", 401, "invalid_api_key"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tenant, err := c.a.Authenticate(c.get)
			if c.status == 0 {
				if err != nil || tenant == nil || tenant.Name != c.tenant {
					t.Fatalf("got %v, %v; want tenant %s", tenant, err, c.tenant)
				}
				return
			}
			if tenant != nil || err == nil || err.Status != c.status || err.Code != c.code {
				t.Fatalf("got %v, %v; want %d %s", tenant, err, c.status, c.code)
			}
			body := string(err.APIError().JSON())
			for _, out := range []string{err.Error(), err.Message, body} {
				for _, secret := range []string{keyA, keyB, "kkkkkkkk"} {
					if strings.Contains(out, secret) {
						t.Errorf("error echoes the credential: %s", out)
					}
				}
			}
			if !strings.Contains(body, `"type":"authentication_error"`) || !strings.Contains(body, c.code) {
				t.Errorf("JSON = %s", body)
			}
			if h := err.Headers(); len(h) != 1 || h[0][0] != "www-authenticate" {
				t.Errorf("401 headers = %v", h)
			}
		})
	}
}

// Every configured hash is compared whatever matches: timing does not depend on which
// tenant (or whether any) the key belongs to.
func TestAPIKeyComparisonIsExhaustive(t *testing.T) {
	a := apiKeyAuth(t, "")
	calls := 0
	ctCompare = func(x, y []byte) int { calls++; return subtleCompare(x, y) }
	defer func() { ctCompare = subtleCompare }()
	for _, key := range []string{"old-rotated-key", keyA, keyB, "nope"} {
		calls = 0
		_, _ = a.Authenticate(headers("authorization", "Bearer "+key)) // only the digest calls count here
		if calls != 3 {
			t.Errorf("key %d chars: %d comparisons, want all 3", len(key), calls)
		}
	}
}

var subtleCompare = ctCompare

func TestAuthenticateIdentityHeader(t *testing.T) {
	mapped, err := NewAuthenticator(completed(ClientAuth{Mode: "header", IdentityHeader: "X-JWT-Sub",
		IdentityMap: map[string]string{"alice@example.com": "team-a", "bob@example.com": "team-a"},
		Tenants:     []Tenant{{Name: "team-a", AllowedModels: []string{"gpt-4o-mini"}}}}))
	if err != nil {
		t.Fatal(err)
	}
	direct, err := NewAuthenticator(completed(ClientAuth{Mode: "header", IdentityHeader: "x-tenant", Tenants: []Tenant{{Name: "team-a"}}}))
	if err != nil {
		t.Fatal(err)
	}
	open, err := NewAuthenticator(completed(ClientAuth{Mode: "header", IdentityHeader: "x-tenant", AllowUnlistedTenants: true, Tenants: []Tenant{{Name: "team-a", MaxTokensCap: 5}}}))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		a      *Authenticator
		get    func(string) string
		tenant string
		status int
		code   string
	}{
		{"mapped", mapped, headers("x-jwt-sub", "alice@example.com"), "team-a", 0, ""},
		{"mapped other", mapped, headers("x-jwt-sub", " bob@example.com "), "team-a", 0, ""},
		{"unmapped", mapped, headers("x-jwt-sub", "mallory@example.com"), "", 403, "unknown_tenant"},
		{"missing", mapped, headers(), "", 401, "missing_identity"},
		{"value is tenant", direct, headers("x-tenant", "team-a"), "team-a", 0, ""},
		{"unlisted denied", direct, headers("x-tenant", "team-z"), "", 403, "unknown_tenant"},
		{"unlisted allowed", open, headers("x-tenant", "team-z"), "team-z", 0, ""},
		{"listed keeps overrides", open, headers("x-tenant", "team-a"), "team-a", 0, ""},
		{"unlisted with unsafe characters", open, headers("x-tenant", "team z\" level=admin"), "", 403, "invalid_identity"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tenant, err := c.a.Authenticate(c.get)
			if c.status == 0 {
				if err != nil || tenant == nil || tenant.Name != c.tenant {
					t.Fatalf("got %v, %v; want tenant %s", tenant, err, c.tenant)
				}
				return
			}
			if tenant != nil || err == nil || err.Status != c.status || err.Code != c.code {
				t.Fatalf("got %v, %v; want %d %s", tenant, err, c.status, c.code)
			}
			if strings.Contains(err.Message, "mallory") || strings.Contains(err.Message, "level=admin") {
				t.Errorf("message echoes the identity: %s", err.Message)
			}
		})
	}
	if tn, _ := open.Authenticate(headers("x-tenant", "team-a")); tn.MaxTokensCap != 5 {
		t.Error("listed tenant lost its overrides under allow_unlisted_tenants")
	}
}

func TestModeNone(t *testing.T) {
	a, err := NewAuthenticator(completed(ClientAuth{}))
	if err != nil {
		t.Fatal(err)
	}
	tenant, aerr := a.Authenticate(headers("authorization", "Bearer x"))
	if tenant != nil || aerr != nil || a.Mode() != "none" {
		t.Errorf("mode none: %v %v", tenant, aerr)
	}
	// A nil tenant has no restrictions.
	if !tenant.AllowsModel("anything") || tenant.CheckModel("x") != nil || tenant.TokenCap(4096) != 4096 {
		t.Error("nil tenant restricts")
	}
	if _, err := NewAuthenticator(completed(ClientAuth{Mode: "api_key"})); err == nil || !strings.Contains(err.Error(), "clients.tenants") {
		t.Errorf("invalid config error = %v", err)
	}
}

func TestTenantOverrides(t *testing.T) {
	tn := &Tenant{Name: "a", AllowedModels: []string{"mistral-small-*", "codestral-latest", "*-free"}, MaxTokensCap: 512}
	cases := []struct {
		model string
		ok    bool
	}{
		{"mistral-small-latest", true},
		{"mistral-small-", true},
		{"mistral-small", false},
		{"codestral-latest", true},
		{"codestral-latest-2", false},
		{"mistral-large-latest", false},
		{"", false},
		{"*-free", true}, // "*-free" is an exact name: '*' is only special at the end
	}
	for _, c := range cases {
		if got := tn.AllowsModel(c.model); got != c.ok {
			t.Errorf("AllowsModel(%q) = %v", c.model, got)
		}
	}
	e := tn.CheckModel("mistral-large-latest")
	if e == nil || e.Status != 403 || e.Code != "model_not_allowed" || e.Param != "model" {
		t.Errorf("CheckModel = %+v", e)
	}
	if all := (&Tenant{Name: "b"}); !all.AllowsModel("x") {
		t.Error("empty allowed_models must allow everything")
	}
	if tn.TokenCap(4096) != 512 || tn.TokenCap(100) != 100 {
		t.Error("TokenCap")
	}
}

func TestStripHeaders(t *testing.T) {
	withKeys := &UpstreamAuth{Header: "X-Provider-Key", Keys: []KeyRef{{Env: "K"}}, StripHeaders: []string{"OpenAI-Organization", "cookie"}}
	passThrough := &UpstreamAuth{StripHeaders: []string{"x-internal"}}
	apiKey := &ClientAuth{Mode: "api_key", APIKeyHeader: "X-Gateway-Key"}
	ident := &ClientAuth{Mode: "header", IdentityHeader: "x-jwt-sub"}
	defaults := strings.Join(DefaultStripHeaders, ",")
	cases := []struct {
		name string
		a    *UpstreamAuth
		c    *ClientAuth
		want string
	}{
		{"keys", withKeys, nil, defaults + ",x-provider-key,openai-organization"},
		{"keys and client key", withKeys, apiKey, defaults + ",x-provider-key,openai-organization,x-gateway-key"},
		{"default header", &UpstreamAuth{Keys: []KeyRef{{Env: "K"}}}, ident, defaults + ",x-jwt-sub"},
		{"pass-through keeps client provider keys", passThrough, nil, "x-internal"},
		{"pass-through still strips the gateway key", nil, &ClientAuth{Mode: "api_key"}, "authorization"},
		{"nothing", nil, &ClientAuth{}, ""},
	}
	for _, c := range cases {
		if c.a != nil {
			c.a.ApplyDefaults()
		}
		if c.c != nil {
			c.c.ApplyDefaults()
		}
		if got := strings.Join(StripHeaders(c.a, c.c), ","); got != c.want {
			t.Errorf("%s: %s\n want %s", c.name, got, c.want)
		}
	}
}
