package credentials

import (
	"fmt"
	"strings"
)

// Strategies for choosing among several upstream keys.
const (
	StrategyRoundRobin = "round_robin"
	StrategyPriority   = "priority"
)

// Client authentication modes.
const (
	ModeNone   = "none"
	ModeAPIKey = "api_key"
	ModeHeader = "header"
)

// SchemeRaw as UpstreamAuth.Scheme sends the key as the whole header value.
const SchemeRaw = "raw"

// Cooldown defaults and bounds (seconds).
const (
	DefaultRateLimitedSeconds  = 60
	DefaultUnauthorizedSeconds = 300
	DefaultMaxCooldownSeconds  = 3600
	maxCooldownLimit           = 86400
	maxTokensCapLimit          = 10_000_000
	maxNameLen                 = 64
	maxTenantNameLen           = 128
)

// UpstreamAuth configures the API keys the guard injects into requests to one upstream
// (embedded per upstream as "auth"). With no keys the upstream is pass-through: client
// credential headers are forwarded untouched (only StripHeaders extras and the client
// authentication header are removed). Zero values mean the documented defaults.
type UpstreamAuth struct {
	// Header is the request header carrying the key. Default "authorization".
	// Case-insensitive; e.g. "x-api-key" (Anthropic), "api-key" (Azure OpenAI).
	Header string `json:"header"`
	// Scheme prefixes the key ("Bearer" => "Bearer <key>"). Default: "Bearer" when Header
	// is authorization, otherwise "raw". "raw" sends the key as the whole value.
	Scheme string `json:"scheme"`
	// Keys are the upstream keys, in priority order. At least one enables injection.
	Keys []KeyRef `json:"keys"`
	// Strategy is "round_robin" (default: spread requests over the usable keys, the
	// position shared across workers) or "priority" (always the first usable key).
	Strategy string `json:"strategy" jsonschema:"enum=,enum=round_robin,enum=priority"`
	// Cooldown says how long a key is skipped after the upstream rejects it.
	Cooldown CooldownConfig `json:"cooldown"`
	// StripHeaders are extra request headers to remove before forwarding to this
	// upstream (e.g. "openai-organization"), in addition to DefaultStripHeaders.
	StripHeaders []string `json:"strip_headers"`
	// StripQueryParams are extra query parameter names (case-insensitive, matched after
	// percent-decoding) removed from the request path before forwarding to this
	// upstream, in addition to DefaultStripQueryParams.
	StripQueryParams []string `json:"strip_query_params"`
}

// KeyRef is one upstream key: exactly one of Env or Value.
type KeyRef struct {
	// Name identifies the key in logs, metrics and shared state (letters, digits, '.',
	// '_', '-'; at most 64). Default: Env when set, else "key<index>". Must be unique.
	Name string `json:"name"`
	// Env is the name of a VM environment variable holding the key (Envoy
	// vm_config.environment_variables.host_env_keys, Istio vmConfig.env valueFrom HOST).
	Env string `json:"env"`
	// Value is an inline key, for development only: it appears in Envoy config dumps
	// and in the WasmPlugin object, so NewKeyring warns about it. It marshals as
	// "[REDACTED]".
	Value Secret `json:"value"`
}

// CooldownConfig is how long a rejected key is skipped. Zero fields take the defaults.
type CooldownConfig struct {
	// RateLimitedSeconds (default 60) applies to a 429 without a usable Retry-After.
	// A 429 with Retry-After (seconds or HTTP-date) uses that, at least 1 second.
	RateLimitedSeconds int `json:"rate_limited_seconds"`
	// UnauthorizedSeconds (default 300) applies to 401 and 403.
	UnauthorizedSeconds int `json:"unauthorized_seconds"`
	// MaxSeconds (default 3600, at most 86400) caps every cooldown, Retry-After included.
	MaxSeconds int `json:"max_seconds"`
}

// Enabled reports whether keys are configured, i.e. the guard injects credentials.
func (a *UpstreamAuth) Enabled() bool { return a != nil && len(a.Keys) > 0 }

// ApplyDefaults fills zero fields with their defaults (header, scheme, strategy,
// cooldowns, key names) and lower-cases header names. config.Parse applies it once;
// Validate, NewKeyring and StripHeaders expect a configuration it completed. Without
// keys only the strip headers are normalised (the other fields stay unset).
func (a *UpstreamAuth) ApplyDefaults() {
	if len(a.StripHeaders) > 0 {
		hs := make([]string, len(a.StripHeaders))
		for i, h := range a.StripHeaders {
			hs[i] = strings.ToLower(strings.TrimSpace(h))
		}
		a.StripHeaders = hs
	}
	if !a.Enabled() {
		return
	}
	a.Header = strings.ToLower(strings.TrimSpace(a.Header))
	if a.Header == "" {
		a.Header = "authorization"
	}
	if a.Scheme == "" {
		if a.Header == "authorization" || a.Header == "proxy-authorization" {
			a.Scheme = "Bearer"
		} else {
			a.Scheme = SchemeRaw
		}
	}
	if a.Strategy == "" {
		a.Strategy = StrategyRoundRobin
	}
	c := &a.Cooldown
	if c.MaxSeconds == 0 {
		c.MaxSeconds = DefaultMaxCooldownSeconds
	}
	if c.RateLimitedSeconds == 0 {
		c.RateLimitedSeconds = min(DefaultRateLimitedSeconds, max(c.MaxSeconds, 1))
	}
	if c.UnauthorizedSeconds == 0 {
		c.UnauthorizedSeconds = min(DefaultUnauthorizedSeconds, max(c.MaxSeconds, 1))
	}
	if len(a.Keys) > 0 {
		a.Keys = append([]KeyRef(nil), a.Keys...)
	}
	for i := range a.Keys {
		if a.Keys[i].Name == "" {
			if a.Keys[i].Env != "" {
				a.Keys[i].Name = a.Keys[i].Env
			} else {
				a.Keys[i].Name = fmt.Sprintf("key%d", i)
			}
		}
	}
}

// Validate checks the configuration, completed by ApplyDefaults. field is the path of
// this object, e.g. "upstreams[0].auth"; each message is "<field>.<sub>: <problem>" and
// never contains a key value.
func (a *UpstreamAuth) Validate(field string) []string {
	var fe []string
	add := func(sub, format string, args ...any) {
		fe = append(fe, field+sub+": "+fmt.Sprintf(format, args...))
	}
	for i, h := range a.StripHeaders {
		if !validHeaderName(h) {
			add(fmt.Sprintf(".strip_headers[%d]", i), "must be an HTTP header name (no pseudo-headers), got %q", h)
		}
	}
	for i, q := range a.StripQueryParams {
		if strings.TrimSpace(q) == "" || strings.ContainsAny(q, "&;=?#") {
			add(fmt.Sprintf(".strip_query_params[%d]", i), "must be a query parameter name (no '&', ';', '=', '?', '#'), got %q", q)
		}
	}
	if len(a.Keys) == 0 {
		if a.Header != "" || a.Scheme != "" || a.Strategy != "" || a.Cooldown != (CooldownConfig{}) {
			add(".keys", "at least one key is required when header, scheme, strategy or cooldown is set")
		}
		return fe
	}
	if !validHeaderName(a.Header) {
		add(".header", "must be an HTTP header name (no pseudo-headers), got %q", a.Header)
	}
	if a.Scheme != SchemeRaw && !isToken(a.Scheme) {
		add(".scheme", "must be an HTTP auth scheme token such as \"Bearer\", or \"raw\", got %q", a.Scheme)
	}
	if a.Strategy != StrategyRoundRobin && a.Strategy != StrategyPriority {
		add(".strategy", `must be "round_robin" or "priority", got %q`, a.Strategy)
	}
	c := a.Cooldown
	if c.MaxSeconds < 1 || c.MaxSeconds > maxCooldownLimit {
		add(".cooldown.max_seconds", "must be between 1 and %d, got %d", maxCooldownLimit, c.MaxSeconds)
	}
	if c.RateLimitedSeconds < 1 || c.RateLimitedSeconds > c.MaxSeconds {
		add(".cooldown.rate_limited_seconds", "must be between 1 and max_seconds (%d), got %d", c.MaxSeconds, c.RateLimitedSeconds)
	}
	if c.UnauthorizedSeconds < 1 || c.UnauthorizedSeconds > c.MaxSeconds {
		add(".cooldown.unauthorized_seconds", "must be between 1 and max_seconds (%d), got %d", c.MaxSeconds, c.UnauthorizedSeconds)
	}
	names := map[string]int{}
	for i, k := range a.Keys {
		kf := fmt.Sprintf(".keys[%d]", i)
		switch {
		case !validName(k.Name, maxNameLen):
			add(kf+".name", "must be 1-%d letters, digits, '.', '_' or '-', got %q", maxNameLen, k.Name)
		case names[k.Name] > 0:
			add(kf+".name", "duplicate key name %q (also keys[%d]; a missing name defaults to env, else key<index>)", k.Name, names[k.Name]-1)
		default:
			names[k.Name] = i + 1
		}
		switch {
		case k.Env != "" && !k.Value.IsZero():
			add(kf, "set exactly one of env and value, not both")
		case k.Env == "" && k.Value.IsZero():
			add(kf, "set exactly one of env (name of a VM environment variable) and value (inline, development only)")
		case k.Env != "" && !validEnvName(k.Env):
			add(kf+".env", "must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*), got %q", k.Env)
		case !k.Value.IsZero():
			if msg := checkKeyValue(k.Value.Reveal()); msg != "" {
				add(kf+".value", "%s", msg)
			}
		}
	}
	return fe
}

// checkKeyValue describes what is wrong with a key value, without quoting it.
func checkKeyValue(v string) string {
	if v == Redacted {
		return "is the redaction placeholder " + Redacted + " (copied from a configuration dump?); set the real key or use env"
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x21 || c == 0x7f {
			return fmt.Sprintf("contains a space or control character at byte %d; keys must be printable ASCII without spaces", i)
		}
	}
	return ""
}

// ClientAuth configures how clients authenticate to the guard (top-level "clients").
// The zero value is mode "none": no client authentication, no tenant overrides.
type ClientAuth struct {
	// Mode is "none" (default), "api_key" (tenant keys, matched by SHA-256) or "header"
	// (a trusted identity header set by an earlier filter, e.g. jwt_authn claim_to_headers).
	Mode string `json:"mode" jsonschema:"enum=,enum=none,enum=api_key,enum=header"`
	// APIKeyHeader (mode api_key) carries the tenant key. Default "authorization", where
	// the value must be "Bearer <key>"; any other header carries the bare key.
	APIKeyHeader string `json:"api_key_header"`
	// IdentityHeader (mode header, required) carries the authenticated identity.
	IdentityHeader string `json:"identity_header"`
	// IdentityMap (mode header, optional) maps identity header values to tenant names.
	// When empty the header value itself is the tenant name.
	IdentityMap map[string]string `json:"identity_map"`
	// AllowUnlistedTenants (mode header, default false) accepts identities that name no
	// configured tenant, as a tenant of that name without overrides. When false such
	// requests get 403.
	AllowUnlistedTenants bool `json:"allow_unlisted_tenants"`
	// Tenants are the known clients and their overrides.
	Tenants []Tenant `json:"tenants"`
}

// Tenant is one client of the guard and its overrides.
type Tenant struct {
	// Name identifies the tenant in logs and metrics (required, unique; letters, digits
	// and . _ - @ : / +; at most 128).
	Name string `json:"name"`
	// KeySHA256 (mode api_key, at least one) are the hex SHA-256 digests of the tenant's
	// API keys: printf %s "$KEY" | sha256sum. The keys themselves are never configured.
	KeySHA256 []string `json:"key_sha256"`
	// AllowedModels restricts the request "model" (exact, or a prefix with a trailing
	// "*"). Empty allows every model.
	AllowedModels []string `json:"allowed_models"`
	// MaxTokensCap lowers the completion-token cap for this tenant (0 = global cap only).
	MaxTokensCap int `json:"max_tokens_cap"`
	// RequestsPerMinute limits the tenant's requests (0 = rate_limits.default applies).
	RequestsPerMinute int `json:"requests_per_minute"`
	// TokensPerMinute limits the tenant's tokens (0 = rate_limits.default applies).
	TokensPerMinute int `json:"tokens_per_minute"`
}

// ApplyDefaults fills Mode and APIKeyHeader and lower-cases header names. config.Parse
// applies it once; Validate, NewAuthenticator and StripHeaders expect a configuration it
// completed.
func (c *ClientAuth) ApplyDefaults() {
	if c.Mode == "" {
		c.Mode = ModeNone
	}
	c.APIKeyHeader = strings.ToLower(strings.TrimSpace(c.APIKeyHeader))
	c.IdentityHeader = strings.ToLower(strings.TrimSpace(c.IdentityHeader))
	if c.Mode == ModeAPIKey && c.APIKeyHeader == "" {
		c.APIKeyHeader = "authorization"
	}
}

// Validate checks the configuration, completed by ApplyDefaults. field is the path of
// this object, e.g. "clients"; each message is "<field>.<sub>: <problem>".
func (c *ClientAuth) Validate(field string) []string {
	var fe []string
	add := func(sub, format string, args ...any) {
		fe = append(fe, field+sub+": "+fmt.Sprintf(format, args...))
	}
	switch c.Mode {
	case ModeNone:
		if len(c.Tenants) > 0 {
			add(".tenants", `tenants only apply with mode "api_key" or "header"`)
		}
	case ModeAPIKey:
		if !validHeaderName(c.APIKeyHeader) {
			add(".api_key_header", "must be an HTTP header name (no pseudo-headers), got %q", c.APIKeyHeader)
		}
		if len(c.Tenants) == 0 {
			add(".tenants", `mode "api_key" needs at least one tenant with key_sha256`)
		}
	case ModeHeader:
		if c.IdentityHeader == "" {
			add(".identity_header", `is required with mode "header"`)
		} else if !validHeaderName(c.IdentityHeader) {
			add(".identity_header", "must be an HTTP header name (no pseudo-headers), got %q", c.IdentityHeader)
		}
		if len(c.Tenants) == 0 && len(c.IdentityMap) == 0 && !c.AllowUnlistedTenants {
			add(".tenants", `mode "header" needs tenants, identity_map or allow_unlisted_tenants`)
		}
	default:
		add(".mode", `must be "none", "api_key" or "header", got %q`, c.Mode)
	}
	if c.Mode != ModeAPIKey && c.APIKeyHeader != "" {
		add(".api_key_header", `only applies with mode "api_key"`)
	}
	if c.Mode != ModeHeader {
		if c.IdentityHeader != "" {
			add(".identity_header", `only applies with mode "header"`)
		}
		if len(c.IdentityMap) > 0 {
			add(".identity_map", `only applies with mode "header"`)
		}
		if c.AllowUnlistedTenants {
			add(".allow_unlisted_tenants", `only applies with mode "header"`)
		}
	}
	names := map[string]int{}
	hashes := map[string]string{}
	for i, t := range c.Tenants {
		tf := fmt.Sprintf(".tenants[%d]", i)
		switch {
		case !validTenantName(t.Name):
			add(tf+".name", "must be 1-%d letters, digits or . _ - @ : / +, got %q", maxTenantNameLen, t.Name)
		case names[t.Name] > 0:
			add(tf+".name", "duplicate tenant name %q (also tenants[%d])", t.Name, names[t.Name]-1)
		default:
			names[t.Name] = i + 1
		}
		if c.Mode == ModeAPIKey && len(t.KeySHA256) == 0 {
			add(tf+".key_sha256", `at least one key hash is required with mode "api_key"`)
		}
		if c.Mode != ModeAPIKey && len(t.KeySHA256) > 0 {
			add(tf+".key_sha256", `only applies with mode "api_key"`)
		}
		for j, h := range t.KeySHA256 {
			hf := fmt.Sprintf("%s.key_sha256[%d]", tf, j)
			lh := strings.ToLower(h)
			switch {
			case !isSHA256Hex(lh):
				add(hf, "must be 64 hexadecimal characters (printf %%s \"$KEY\" | sha256sum), got %d characters", len(h))
			case hashes[lh] != "":
				add(hf, "duplicate of %s", hashes[lh])
			default:
				hashes[lh] = strings.TrimPrefix(field+hf, ".")
			}
		}
		for j, m := range t.AllowedModels {
			if m == "" || strings.Contains(strings.TrimSuffix(m, "*"), "*") {
				add(fmt.Sprintf("%s.allowed_models[%d]", tf, j), "model name must be non-empty with '*' only as the last character, got %q", m)
			}
		}
		if t.MaxTokensCap < 0 || t.MaxTokensCap > maxTokensCapLimit {
			add(tf+".max_tokens_cap", "must be between 0 (global cap) and %d, got %d", maxTokensCapLimit, t.MaxTokensCap)
		}
		if t.RequestsPerMinute < 0 {
			add(tf+".requests_per_minute", "must be 0 (unlimited) or positive, got %d", t.RequestsPerMinute)
		}
		if t.TokensPerMinute < 0 {
			add(tf+".tokens_per_minute", "must be 0 (unlimited) or positive, got %d", t.TokensPerMinute)
		}
	}
	for id, name := range c.IdentityMap {
		mf := fmt.Sprintf(".identity_map[%q]", id)
		switch {
		case id == "":
			add(mf, "identity must be non-empty")
		case !validTenantName(name):
			add(mf, "must be a tenant name (1-%d letters, digits or . _ - @ : / +), got %q", maxTenantNameLen, name)
		case names[name] == 0 && !c.AllowUnlistedTenants:
			add(mf, "tenant %q is not in tenants (list it or set allow_unlisted_tenants)", name)
		}
	}
	return fe
}

func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// isToken reports whether s is a non-empty RFC 9110 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			continue
		}
		if !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return false
		}
	}
	return true
}

func validHeaderName(s string) bool { return isToken(s) }

func validEnvName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9' {
			continue
		}
		return false
	}
	return s != ""
}

func validName(s string, maxLen int) bool {
	if s == "" || len(s) > maxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// validTenantName accepts names safe to print in a key=value log line or a metric tag.
func validTenantName(s string) bool {
	if s == "" || len(s) > maxTenantNameLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("._-@:/+", c) >= 0) {
			return false
		}
	}
	return true
}
