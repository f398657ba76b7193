package ratelimit

import (
	"fmt"
	"strings"

	"github.com/egressguard/egressguard/internal/credentials"
)

// Defaults and bounds.
const (
	DefaultAnonymousTenant = "anonymous"
	DefaultTenantHeader    = "x-egressguard-tenant"
	DefaultCostHeader      = "x-egressguard-token-cost"
	// Filter state names the plugin sets with proxy_set_property; Envoy stores each as
	// filter state "wasm.<name>" (see GlobalConfig).
	DefaultTenantProperty = "egressguard_tenant"
	DefaultCostProperty   = "egressguard_token_cost"
	DefaultUsageProperty  = "egressguard_usage_tokens"
	DefaultExcessProperty = "egressguard_usage_excess"
	// MaxPerMinute bounds every limit (10^9 per minute; larger is "unlimited" in effect).
	MaxPerMinute = 1_000_000_000
	maxNameLen   = 128
)

// Limits are one tenant's local limits. Zero means unlimited in that dimension.
type Limits struct {
	RequestsPerMinute int `json:"requests_per_minute"`
	TokensPerMinute   int `json:"tokens_per_minute"`
}

// Unlimited reports whether neither dimension is limited.
func (l Limits) Unlimited() bool { return l.RequestsPerMinute <= 0 && l.TokensPerMinute <= 0 }

// Config is the top-level "rate_limits" configuration. The zero value is off: no local
// limits (unless tenants carry their own) and no global rate limit publishing.
type Config struct {
	// Default applies, per dimension, to tenants whose own RequestsPerMinute /
	// TokensPerMinute is 0, and to requests without a tenant (the anonymous bucket).
	Default Limits `json:"default"`
	// AnonymousTenant (default "anonymous") is the bucket name of requests without an
	// authenticated tenant (client auth mode "none"). All such requests share it.
	AnonymousTenant string `json:"anonymous_tenant"`
	// Global publishes the tenant and token cost for Envoy's ratelimit filter.
	Global GlobalConfig `json:"global"`
}

// GlobalConfig makes the plugin publish, for Envoy's envoy.filters.http.ratelimit
// (placed after the wasm filter) and a global rate limit service (envoyproxy/ratelimit),
// per request:
//
//   - filter state wasm.<TenantProperty>: the bucket name (tenant or AnonymousTenant),
//     set in the request phase before the plugin lets the request continue;
//   - filter state wasm.<CostProperty>: the admission estimate (AdmissionCost), same phase;
//   - filter state wasm.<UsageProperty>: the provider-reported total tokens, set when the
//     response (JSON, or the final SSE usage chunk) ends, only for upstream answers;
//   - filter state wasm.<ExcessProperty>: max(0, usage − estimate), same moment;
//   - with Headers, also the request headers TenantHeader and CostHeader (tenant, estimate),
//     always overwriting any client-sent value.
//
// See deploy/ratelimit for the matching Envoy configuration: descriptors read the filter
// state with FilterStateInput and %FILTER_STATE(wasm.<name>:PLAIN)%; usage is charged with
// apply_on_stream_done.
type GlobalConfig struct {
	Enabled bool `json:"enabled"`
	// Headers also sets TenantHeader and CostHeader on the request (default false: filter
	// state only). Headers reach the ratelimit filter's request_headers actions, but are
	// forwarded upstream unless the route removes them, and a route that removes them
	// (request_headers_to_remove) also hides them from apply_on_stream_done descriptors.
	Headers        bool   `json:"headers"`
	TenantHeader   string `json:"tenant_header"`
	CostHeader     string `json:"cost_header"`
	TenantProperty string `json:"tenant_property"`
	CostProperty   string `json:"cost_property"`
	UsageProperty  string `json:"usage_property"`
	ExcessProperty string `json:"excess_property"`
}

// ApplyDefaults fills empty names and lower-cases header names. config.Parse applies it
// once; Validate and LimitsFor expect a configuration it completed.
func (c *Config) ApplyDefaults() {
	if c.AnonymousTenant == "" {
		c.AnonymousTenant = DefaultAnonymousTenant
	}
	g := &c.Global
	g.TenantHeader = strings.ToLower(strings.TrimSpace(g.TenantHeader))
	g.CostHeader = strings.ToLower(strings.TrimSpace(g.CostHeader))
	for _, f := range []struct {
		p   *string
		def string
	}{
		{&g.TenantHeader, DefaultTenantHeader}, {&g.CostHeader, DefaultCostHeader},
		{&g.TenantProperty, DefaultTenantProperty}, {&g.CostProperty, DefaultCostProperty},
		{&g.UsageProperty, DefaultUsageProperty}, {&g.ExcessProperty, DefaultExcessProperty},
	} {
		if *f.p == "" {
			*f.p = f.def
		}
	}
}

// Validate checks the configuration, completed by ApplyDefaults. field is the path of
// this object, e.g. "rate_limits"; each message is "<field>.<sub>: <problem>".
func (c *Config) Validate(field string) []string {
	cc := c
	var errs []string
	add := func(sub, format string, args ...any) {
		errs = append(errs, field+"."+sub+": "+fmt.Sprintf(format, args...))
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"default.requests_per_minute", cc.Default.RequestsPerMinute}, {"default.tokens_per_minute", cc.Default.TokensPerMinute}} {
		if f.v < 0 || f.v > MaxPerMinute {
			add(f.name, "must be 0 (unlimited) … %d, got %d", MaxPerMinute, f.v)
		}
	}
	if !ValidTenantName(cc.AnonymousTenant) {
		add("anonymous_tenant", "must be 1…%d of letters, digits and . _ - @ : / +", maxNameLen)
	}
	g := cc.Global
	for _, h := range []struct{ name, v string }{{"global.tenant_header", g.TenantHeader}, {"global.cost_header", g.CostHeader}} {
		if p := headerProblem(h.v); p != "" {
			add(h.name, "%s", p)
		}
	}
	if g.TenantHeader == g.CostHeader {
		add("global.cost_header", "must differ from global.tenant_header")
	}
	props := map[string]string{}
	for _, p := range []struct{ name, v string }{
		{"global.tenant_property", g.TenantProperty}, {"global.cost_property", g.CostProperty},
		{"global.usage_property", g.UsageProperty}, {"global.excess_property", g.ExcessProperty},
	} {
		if !validProperty(p.v) {
			add(p.name, "must be 1…64 of lower-case letters, digits and _")
		} else if other, dup := props[p.v]; dup {
			add(p.name, "must differ from %s", other)
		}
		props[p.v] = p.name
	}
	return errs
}

// LimitsFor returns the bucket name and the effective limits of a request's tenant
// (nil: no client authentication, the anonymous bucket with the default limits). A
// tenant's own non-zero values win per dimension; zero takes the default.
func (c *Config) LimitsFor(t *credentials.Tenant) (bucket string, l Limits) {
	l = c.Default
	if t == nil {
		return c.AnonymousTenant, l
	}
	if t.RequestsPerMinute > 0 {
		l.RequestsPerMinute = t.RequestsPerMinute
	}
	if t.TokensPerMinute > 0 {
		l.TokensPerMinute = t.TokensPerMinute
	}
	return t.Name, l
}

// ValidTenantName reports whether s is a usable bucket name: 1…128 of letters, digits
// and . _ - @ : / + (the credentials.Tenant name alphabet).
func ValidTenantName(s string) bool {
	if s == "" || len(s) > maxNameLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("._-@:/+", c) >= 0:
		default:
			return false
		}
	}
	return true
}

func validProperty(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// reservedHeaders must not be used to publish rate limit inputs.
var reservedHeaders = map[string]bool{
	"host": true, "content-length": true, "content-type": true, "transfer-encoding": true,
	"connection": true, "authorization": true, "te": true, "upgrade": true, "cookie": true,
	"x-request-id": true,
}

func headerProblem(h string) string {
	if h == "" {
		return "must not be empty"
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+.^_`|~-", c) >= 0) {
			return fmt.Sprintf("%q is not a valid header name", h)
		}
	}
	if reservedHeaders[h] {
		return fmt.Sprintf("%q is reserved", h)
	}
	return ""
}

// Active reports whether any limit is configured (the default or a tenant's own) or
// global publishing is on; when not, the plugin skips rate limiting entirely.
func (c *Config) Active(tenants []credentials.Tenant) bool {
	if c.Global.Enabled || !c.Default.Unlimited() {
		return true
	}
	for _, t := range tenants {
		if t.RequestsPerMinute > 0 || t.TokensPerMinute > 0 {
			return true
		}
	}
	return false
}
