package ratelimit

import (
	"strconv"
	"time"

	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/credentials"
	"github.com/egressguard/egressguard/internal/shareddata"
)

// Gate applies one plugin instance's rate-limit configuration to requests: Admit decides
// a request against the local limits and says what to publish for Envoy's global rate
// limit filter; Settle charges what the request really cost once its response ended.
// Both return what to do; the plugin carries it out. Safe for concurrent use.
type Gate struct {
	cfg   Config
	lm    *Limiter
	store shareddata.Store
}

// NewGate compiles cfg (complete, as config.Parse returns it) over store (nil: worker-
// local state only). It returns nil when no limit is configured, neither as the default
// nor on any of tenants, and global publishing is off. The error is worth a warning only:
// the shared records could not be created, and the limiter falls back to worker-local
// state whenever the store fails.
func NewGate(cfg Config, tenants []credentials.Tenant, store shareddata.Store) (*Gate, error) {
	if !cfg.Active(tenants) {
		return nil, nil
	}
	names := make([]string, 0, len(tenants)+1)
	for _, t := range tenants {
		names = append(names, t.Name)
	}
	g := &Gate{cfg: cfg, lm: NewLimiter(), store: store}
	return g, g.lm.Prepare(store, append(names, cfg.AnonymousTenant))
}

// Ticket is one request's rate-limit bookkeeping, from Admit to Settle. The zero value
// is a request that was never admitted.
type Ticket struct {
	Bucket   string // the tenant's bucket ("" until admitted)
	Limits   Limits // its effective local limits
	Estimate int    // the admission token estimate (AdmissionCost)
	reserved bool   // the local limiter reserved Estimate tokens: Settle corrects them
	settled  bool
}

// Admission is what to do with a request.
type Admission struct {
	// FilterState are (name, value) pairs to publish as Envoy filter state before the
	// request continues, for the global rate limit filter (see GlobalConfig).
	FilterState [][2]string
	// RequestHeaders are request headers to set (GlobalConfig.Headers).
	RequestHeaders [][2]string
	// Refusal is the 429 to answer instead of forwarding (nil: admitted); Reason names
	// the exhausted limit.
	Refusal *apierr.Error
	Reason  string
	// Headers are the OpenAI-style x-ratelimit-* headers of the limited dimensions, plus
	// retry-after on a refusal: send them with the refusal.
	Headers [][2]string
}

// Tenant fills t with the bucket and limits of tenant (nil: the anonymous bucket) and
// says what to publish for it while the request headers can still change: the global
// rate limit filter reads the tenant when they pass, which may be before the body is
// decided. Admit publishes it again with the cost.
func (g *Gate) Tenant(t *Ticket, tenant *credentials.Tenant) Admission {
	t.Bucket, t.Limits = g.cfg.LimitsFor(tenant)
	var a Admission
	if gc := g.cfg.Global; gc.Enabled {
		a.FilterState = [][2]string{{gc.TenantProperty, t.Bucket}}
		if gc.Headers {
			a.RequestHeaders = [][2]string{{gc.TenantHeader, t.Bucket}}
		}
	}
	return a
}

// Admit decides a request of tenant (nil: the anonymous bucket) estimated at
// promptTokens plus maxTokens (the effective, capped completion budget), reserving it in
// the local limits, and fills t for Settle.
func (g *Gate) Admit(t *Ticket, tenant *credentials.Tenant, promptTokens, maxTokens int, now time.Time) Admission {
	a := g.Tenant(t, tenant)
	t.Estimate = AdmissionCost(promptTokens, maxTokens)
	if gc := g.cfg.Global; gc.Enabled {
		cost := strconv.Itoa(t.Estimate)
		a.FilterState = append(a.FilterState, [2]string{gc.CostProperty, cost})
		if gc.Headers {
			a.RequestHeaders = append(a.RequestHeaders, [2]string{gc.CostHeader, cost})
		}
	}
	if t.Limits.Unlimited() {
		return a
	}
	d := g.lm.Admit(g.store, t.Bucket, t.Limits, t.Estimate, now)
	a.Headers = d.Headers
	if !d.Allowed {
		a.Refusal, a.Reason = d.Error(t.Bucket, t.Limits, t.Estimate), d.Reason
		return a
	}
	t.reserved = true
	return a
}

// Outcome is how a request ended, as far as its cost goes.
type Outcome struct {
	Status    int  // the response status (0: no response)
	UsageSeen bool // the provider reported usage
	Tokens    int  // the prompt plus completion tokens it reported
	// Refused: the guard answered the request itself after admitting it (e.g. input
	// moderation), so the provider never saw it.
	Refused bool
}

func (o Outcome) ok() bool { return o.Status >= 200 && o.Status < 300 }

// Settle charges an admitted request once: an upstream 2xx with usage is charged its
// real tokens instead of the estimate; a request the provider did not answer with a 2xx,
// or that the guard refused, is refunded; a 2xx without usage keeps the estimate. Later
// calls do nothing.
func (g *Gate) Settle(t *Ticket, o Outcome, now time.Time) {
	if t.settled || !t.reserved {
		return
	}
	t.settled = true
	switch {
	case o.UsageSeen && o.ok():
		g.lm.Charge(g.store, t.Bucket, t.Limits, o.Tokens, t.Estimate, now)
	case !o.ok() || o.Refused:
		g.lm.Charge(g.store, t.Bucket, t.Limits, 0, t.Estimate, now)
	}
}

// UsageFilterState is what to publish as filter state when the response ended, for the
// global limit's stream-done charge (GlobalConfig.UsageProperty and ExcessProperty):
// only with global publishing, for an upstream 2xx that reported usage.
func (g *Gate) UsageFilterState(t *Ticket, o Outcome) [][2]string {
	gc := g.cfg.Global
	if !gc.Enabled || !o.UsageSeen || !o.ok() {
		return nil
	}
	return [][2]string{
		{gc.UsageProperty, strconv.Itoa(o.Tokens)},
		{gc.ExcessProperty, strconv.Itoa(max(0, o.Tokens-t.Estimate))},
	}
}
