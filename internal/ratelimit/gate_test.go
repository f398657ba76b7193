package ratelimit

import (
	"testing"
	"time"

	"github.com/egressguard/egressguard/internal/credentials"
)

func completeConfig(c Config) Config { c.ApplyDefaults(); return c }

func headerValue(hs [][2]string, name string) string {
	for _, h := range hs {
		if h[0] == name {
			return h[1]
		}
	}
	return ""
}

func TestNewGateOnlyWhenSomethingIsLimited(t *testing.T) {
	limited := []credentials.Tenant{{Name: "a", TokensPerMinute: 10}}
	for _, tc := range []struct {
		name    string
		cfg     Config
		tenants []credentials.Tenant
		want    bool
	}{
		{"nothing configured", Config{}, nil, false},
		{"tenants without limits", Config{}, []credentials.Tenant{{Name: "a"}}, false},
		{"default limit", Config{Default: Limits{RequestsPerMinute: 5}}, nil, true},
		{"a tenant's own limit", Config{}, limited, true},
		{"global publishing only", Config{Global: GlobalConfig{Enabled: true}}, nil, true},
	} {
		store := newFakeStore()
		g, err := NewGate(completeConfig(tc.cfg), tc.tenants, store)
		if err != nil || (g != nil) != tc.want {
			t.Errorf("%s: gate %v, err %v; want a gate: %v", tc.name, g, err, tc.want)
		}
		if tc.want && store.Value(SharedKeyPrefix+DefaultAnonymousTenant) == "" {
			t.Errorf("%s: the anonymous bucket's shared record was not created", tc.name)
		}
	}
}

func TestAdmitPublishesAndRefuses(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	cfg := completeConfig(Config{Default: Limits{RequestsPerMinute: 2},
		Global: GlobalConfig{Enabled: true, Headers: true}})
	g, _ := NewGate(cfg, nil, newFakeStore())
	team := &credentials.Tenant{Name: "team-a", RequestsPerMinute: 1}
	var first Ticket
	a := g.Admit(&first, team, 40, 60, now)
	if a.Refusal != nil || first.Bucket != "team-a" || first.Estimate != AdmissionCost(40, 60) || !first.reserved {
		t.Fatalf("first request: %+v, ticket %+v", a, first)
	}
	want := [][2]string{{DefaultTenantProperty, "team-a"}, {DefaultCostProperty, "100"}}
	if len(a.FilterState) != 2 || a.FilterState[0] != want[0] || a.FilterState[1] != want[1] {
		t.Errorf("filter state %v, want %v", a.FilterState, want)
	}
	if headerValue(a.RequestHeaders, DefaultTenantHeader) != "team-a" || headerValue(a.RequestHeaders, DefaultCostHeader) != "100" {
		t.Errorf("request headers %v", a.RequestHeaders)
	}
	var second Ticket
	a = g.Admit(&second, team, 40, 60, now)
	if a.Refusal == nil || a.Refusal.Status != 429 || a.Reason != ReasonRequests || second.reserved {
		t.Fatalf("second request of a 1-per-minute tenant: %+v", a)
	}
	if headerValue(a.Headers, "retry-after") != "60" || headerValue(a.Headers, "x-ratelimit-limit-requests") != "1" {
		t.Errorf("refusal headers %v", a.Headers)
	}
	if len(a.FilterState) != 2 {
		t.Error("a refused request still publishes its tenant (the global filter never sees it, the access log does)")
	}
	// The anonymous bucket has the default limit; nothing is reserved without a limit.
	var anon Ticket
	if a := g.Admit(&anon, nil, 1, 1, now); a.Refusal != nil || anon.Bucket != DefaultAnonymousTenant {
		t.Errorf("anonymous: %+v %+v", a, anon)
	}
	open, _ := NewGate(completeConfig(Config{Global: GlobalConfig{Enabled: true}}), nil, newFakeStore())
	var free Ticket
	if a := open.Admit(&free, nil, 1, 1, now); a.Refusal != nil || free.reserved || len(a.RequestHeaders) != 0 {
		t.Errorf("unlimited bucket: %+v %+v", a, free)
	}
}

// Tenant publishes the bucket alone (the request headers may leave before the body is
// decided) and reserves nothing.
func TestTenantPublishesTheBucketOnly(t *testing.T) {
	cfg := completeConfig(Config{Default: Limits{RequestsPerMinute: 1}, Global: GlobalConfig{Enabled: true, Headers: true}})
	g, _ := NewGate(cfg, nil, newFakeStore())
	var tk Ticket
	a := g.Tenant(&tk, &credentials.Tenant{Name: "team-a", RequestsPerMinute: 5})
	if tk.Bucket != "team-a" || tk.Limits.RequestsPerMinute != 5 || tk.Estimate != 0 || tk.reserved || a.Refusal != nil {
		t.Errorf("ticket %+v, admission %+v", tk, a)
	}
	if len(a.FilterState) != 1 || a.FilterState[0] != [2]string{DefaultTenantProperty, "team-a"} {
		t.Errorf("filter state %v, want the tenant only", a.FilterState)
	}
	if len(a.RequestHeaders) != 1 || headerValue(a.RequestHeaders, DefaultTenantHeader) != "team-a" {
		t.Errorf("request headers %v, want the tenant only", a.RequestHeaders)
	}
	local, _ := NewGate(completeConfig(Config{Default: Limits{RequestsPerMinute: 1}}), nil, newFakeStore())
	var anon Ticket
	if a := local.Tenant(&anon, nil); len(a.FilterState)+len(a.RequestHeaders) != 0 || anon.Bucket != DefaultAnonymousTenant {
		t.Errorf("without global publishing: %+v, bucket %q", a, anon.Bucket)
	}
}

func TestSettleChargesOnce(t *testing.T) {
	start := time.Unix(1_700_000_000, 0)
	for _, tc := range []struct {
		name string
		out  Outcome
		// remaining tokens reported when a second request of 100 is admitted right after
		want string
	}{
		{"2xx with usage: the real count", Outcome{Status: 200, UsageSeen: true, Tokens: 30}, "870"},
		{"2xx with usage above the estimate: a debt", Outcome{Status: 200, UsageSeen: true, Tokens: 300}, "600"},
		{"2xx without usage: the estimate stands", Outcome{Status: 200}, "800"},
		{"provider error: refunded", Outcome{Status: 500, UsageSeen: true, Tokens: 30}, "900"},
		{"no response: refunded", Outcome{}, "900"},
		{"refused by the guard after admission: refunded", Outcome{Status: 503, Refused: true}, "900"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, _ := NewGate(completeConfig(Config{Default: Limits{TokensPerMinute: 1000}}), nil, newFakeStore())
			var tk Ticket
			if a := g.Admit(&tk, nil, 40, 60, start); a.Refusal != nil {
				t.Fatal(a.Refusal)
			}
			g.Settle(&tk, tc.out, start)
			g.Settle(&tk, Outcome{Status: 200, UsageSeen: true, Tokens: 1}, start) // once only
			var next Ticket
			a := g.Admit(&next, nil, 40, 60, start)
			if got := headerValue(a.Headers, "x-ratelimit-remaining-tokens"); a.Refusal == nil && got != tc.want {
				t.Errorf("remaining after the next request = %s, want %s", got, tc.want)
			}
		})
	}
	// A refused request was never reserved: settling it changes nothing.
	g, _ := NewGate(completeConfig(Config{Default: Limits{TokensPerMinute: 100}}), nil, newFakeStore())
	var big Ticket
	if a := g.Admit(&big, nil, 100, 100, start); a.Refusal == nil || a.Reason != ReasonTooLarge {
		t.Fatalf("an estimate above the limit must be refused: %+v", a)
	}
	g.Settle(&big, Outcome{Status: 200, UsageSeen: true, Tokens: 100}, start)
	var small Ticket
	if a := g.Admit(&small, nil, 10, 10, start); a.Refusal != nil || headerValue(a.Headers, "x-ratelimit-remaining-tokens") != "80" {
		t.Errorf("after settling a refused request: %+v", a)
	}
}

func TestUsageFilterState(t *testing.T) {
	global, _ := NewGate(completeConfig(Config{Global: GlobalConfig{Enabled: true}}), nil, newFakeStore())
	local, _ := NewGate(completeConfig(Config{Default: Limits{TokensPerMinute: 10}}), nil, newFakeStore())
	tk := &Ticket{Estimate: 100}
	for _, tc := range []struct {
		name string
		g    *Gate
		out  Outcome
		want [][2]string
	}{
		{"usage below the estimate", global, Outcome{Status: 200, UsageSeen: true, Tokens: 30},
			[][2]string{{DefaultUsageProperty, "30"}, {DefaultExcessProperty, "0"}}},
		{"usage above the estimate", global, Outcome{Status: 201, UsageSeen: true, Tokens: 130},
			[][2]string{{DefaultUsageProperty, "130"}, {DefaultExcessProperty, "30"}}},
		{"no usage reported", global, Outcome{Status: 200}, nil},
		{"provider error", global, Outcome{Status: 429, UsageSeen: true, Tokens: 5}, nil},
		{"global publishing off", local, Outcome{Status: 200, UsageSeen: true, Tokens: 30}, nil},
	} {
		got := tc.g.UsageFilterState(tk, tc.out)
		if len(got) != len(tc.want) || (len(got) == 2 && (got[0] != tc.want[0] || got[1] != tc.want[1])) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
