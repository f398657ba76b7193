package ratelimit

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/egressguard/egressguard/internal/credentials"
)

func TestConfigZeroValueIsOff(t *testing.T) {
	var c Config
	c.ApplyDefaults()
	if errs := c.Validate("rate_limits"); errs != nil {
		t.Fatal(errs)
	}
	bucket, l := c.LimitsFor(nil)
	if bucket != "anonymous" || !l.Unlimited() || c.Global.Enabled {
		t.Fatalf("%s %+v %+v", bucket, l, c.Global)
	}
	g := c.Global
	if g.TenantHeader != DefaultTenantHeader || g.CostHeader != DefaultCostHeader || g.TenantProperty != DefaultTenantProperty ||
		g.CostProperty != DefaultCostProperty || g.UsageProperty != DefaultUsageProperty || g.ExcessProperty != DefaultExcessProperty {
		t.Fatalf("defaults %+v", g)
	}
}

func TestConfigJSON(t *testing.T) {
	var c Config
	in := `{"default":{"requests_per_minute":60,"tokens_per_minute":90000},"anonymous_tenant":"anon",
	  "global":{"enabled":true,"headers":true,"tenant_header":"X-Tenant","cost_header":"x-cost"}}`
	if err := json.Unmarshal([]byte(in), &c); err != nil {
		t.Fatal(err)
	}
	c.ApplyDefaults()
	if errs := c.Validate("rate_limits"); errs != nil {
		t.Fatal(errs)
	}
	if c.Global.TenantHeader != "x-tenant" || c.Default.TokensPerMinute != 90000 || c.AnonymousTenant != "anon" {
		t.Fatalf("%+v", c)
	}
}

func TestConfigValidate(t *testing.T) {
	c := Config{
		Default:         Limits{RequestsPerMinute: -1, TokensPerMinute: MaxPerMinute + 1},
		AnonymousTenant: "bad name",
		Global: GlobalConfig{TenantHeader: "x-same", CostHeader: "x-same", UsageProperty: "Bad-Prop",
			TenantProperty: "p", CostProperty: "p"},
	}
	c.ApplyDefaults()
	errs := c.Validate("rate_limits")
	want := []string{
		"rate_limits.default.requests_per_minute: must be 0 (unlimited) … 1000000000, got -1",
		"rate_limits.default.tokens_per_minute: must be 0 (unlimited) … 1000000000, got 1000000001",
		"rate_limits.anonymous_tenant: must be 1…128 of letters, digits and . _ - @ : / +",
		"rate_limits.global.cost_header: must differ from global.tenant_header",
		"rate_limits.global.cost_property: must differ from global.tenant_property",
		"rate_limits.global.usage_property: must be 1…64 of lower-case letters, digits and _",
	}
	if !reflect.DeepEqual(errs, want) {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(errs, "\n"), strings.Join(want, "\n"))
	}
	for _, h := range []string{"host", ":path", "x tenant", "Content-Length"} {
		c := Config{Global: GlobalConfig{TenantHeader: h}}
		c.ApplyDefaults()
		if errs := c.Validate("r"); len(errs) != 1 || !strings.HasPrefix(errs[0], "r.global.tenant_header: ") {
			t.Errorf("%q: %v", h, errs)
		}
	}
	// An incomplete configuration is reported, not completed.
	if errs := (&Config{}).Validate("r"); len(errs) == 0 {
		t.Error("a configuration without defaults must not validate")
	}
}

func TestLimitsFor(t *testing.T) {
	c := Config{Default: Limits{RequestsPerMinute: 10, TokensPerMinute: 1000}}
	c.ApplyDefaults()
	for _, tc := range []struct {
		t    *credentials.Tenant
		name string
		want Limits
	}{
		{nil, "anonymous", Limits{10, 1000}},
		{&credentials.Tenant{Name: "a"}, "a", Limits{10, 1000}},
		{&credentials.Tenant{Name: "b", RequestsPerMinute: 50}, "b", Limits{50, 1000}},
		{&credentials.Tenant{Name: "c", RequestsPerMinute: 1, TokensPerMinute: 5}, "c", Limits{1, 5}},
	} {
		name, l := c.LimitsFor(tc.t)
		if name != tc.name || l != tc.want {
			t.Errorf("%+v: %s %+v, want %s %+v", tc.t, name, l, tc.name, tc.want)
		}
	}
}
