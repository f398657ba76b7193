package flow

import (
	"strconv"
	"time"

	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/audit"
	"github.com/egressguard/egressguard/internal/chatreq"
	"github.com/egressguard/egressguard/internal/config"
	"github.com/egressguard/egressguard/internal/credentials"
	"github.com/egressguard/egressguard/internal/metrics"
	"github.com/egressguard/egressguard/internal/ratelimit"
)

// Limits is the compiled rate-limit configuration of one plugin instance.
type Limits struct {
	cfg   ratelimit.Config // defaults applied
	lm    *ratelimit.Limiter
	store credentials.SharedStore
}

// newLimits returns nil when no limit is configured anywhere and global publishing is
// off; warn is a start-up message ("" when none).
func newLimits(cfg *config.Config, store credentials.SharedStore) (l *Limits, warn string) {
	rc := cfg.RateLimits
	rc.ApplyDefaults()
	if !rc.Active(cfg.Clients.Tenants) {
		return nil, ""
	}
	names := []string{rc.AnonymousTenant}
	for _, t := range cfg.Clients.Tenants {
		names = append(names, t.Name)
	}
	l = &Limits{cfg: rc, lm: ratelimit.NewLimiter(), store: store}
	if err := l.lm.Prepare(store, names); err != nil {
		warn = "rate-limit shared state unavailable, using worker-local state: " + err.Error()
	}
	return l, warn
}

// Admission is one request's rate-limit bookkeeping.
type Admission struct {
	Bucket   string
	limits   ratelimit.Limits
	Estimate int
	admitted bool // tokens were reserved locally and must be charged or refunded
	charged  bool
}

// Tenant picks the request's bucket (known from the request headers) and publishes it
// for the global rate limit filter, which runs on the request headers in Stream mode.
// What to hand Envoy's global rate limit filter: filter state always, request headers
// when configured and still possible.
func (l *Limits) Tenant(a *Admission, t *credentials.Tenant) Ops {
	a.Bucket, a.limits = l.cfg.LimitsFor(t)
	g := l.cfg.Global
	if !g.Enabled {
		return Ops{}
	}
	p := Ops{State: [][2]string{{g.TenantProperty, a.Bucket}}}
	if g.Headers {
		p.Set = [][2]string{{g.TenantHeader, a.Bucket}}
	}
	return p
}

// Usage is the provider's usage for Envoy's ratelimit filter (charged with
// apply_on_stream_done), for upstream 2xx answers that reported it.
func (pl *Planner) Usage(x *Exchange) Ops {
	if pl.limits == nil {
		return Ops{}
	}
	return pl.limits.Usage(&x.adm, &x.Out)
}

// Done settles the exchange's rate limits and returns its audit record and metrics.
func (pl *Planner) Done(x *Exchange, models *metrics.Cardinality, now time.Time) (audit.Record, []Sample) {
	if pl.limits != nil && x.adm.Bucket != "" {
		pl.limits.Settle(&x.adm, &x.Out, now)
	}
	return x.AuditRecord(x.adm.Estimate, x.adm.Bucket, now), x.Samples(models)
}

// Refusal is a rate-limit 429: the error and its headers, the metric to count and the
// audit reason.
type Refusal struct {
	Err     *apierr.Error
	Headers [][2]string
	Metric  string
	Reason  string
}

// Admit estimates the request's token cost, publishes it (the cost header only in
// HoldHeaders mode: in Stream mode the request headers have left) and applies the
// local limits. A non-nil Refusal is the 429 to answer.
func (l *Limits) Admit(a *Admission, mode Mode, req *chatreq.Request, maxTokens int, now time.Time) (pub Ops, r *Refusal) {
	a.Estimate = ratelimit.AdmissionCost(promptEstimate(req), maxTokens)
	if g := l.cfg.Global; g.Enabled {
		pub.State = [][2]string{{g.CostProperty, strconv.Itoa(a.Estimate)}}
		if g.Headers && mode == HoldHeaders {
			pub.Set = [][2]string{{g.TenantHeader, a.Bucket}, {g.CostHeader, strconv.Itoa(a.Estimate)}}
		}
	}
	if a.limits.Unlimited() {
		return pub, nil
	}
	d := l.lm.Admit(l.store, a.Bucket, a.limits, a.Estimate, now)
	if !d.Allowed {
		return pub, &Refusal{Err: d.Error(a.Bucket, a.limits, a.Estimate), Headers: d.Headers,
			Metric: metrics.Name(metrics.RateLimited, "tenant", a.Bucket, "limit", d.Reason), Reason: "ratelimit:" + d.Reason}
	}
	a.admitted = true
	return pub, nil
}

// Settle replaces the local reservation with the provider's usage (or refunds it when
// the provider never answered 2xx). Once per exchange, when the stream is done.
func (l *Limits) Settle(a *Admission, o *Outcome, now time.Time) {
	if a.charged {
		return
	}
	a.charged = true
	used := int(o.PromptTok + o.ComplTok)
	ok2xx := o.Status >= 200 && o.Status < 300
	if a.admitted {
		switch {
		case o.UsageSeen && ok2xx:
			l.lm.Charge(l.store, a.Bucket, a.limits, used, a.Estimate, now)
		case !ok2xx || o.Decision == DecisionRejected:
			l.lm.Charge(l.store, a.Bucket, a.limits, 0, a.Estimate, now)
		} // 2xx without usage: the estimate stands
	}
}

// Usage is the provider's usage for Envoy's ratelimit filter (charged with
// apply_on_stream_done), for upstream 2xx answers that reported it.
func (l *Limits) Usage(a *Admission, o *Outcome) Ops {
	g := l.cfg.Global
	if !g.Enabled || !o.UsageSeen || o.Status < 200 || o.Status > 299 {
		return Ops{}
	}
	used := int(o.PromptTok + o.ComplTok)
	return Ops{State: [][2]string{{g.UsageProperty, strconv.Itoa(used)}, {g.ExcessProperty, strconv.Itoa(max(0, used-a.Estimate))}}}
}

// promptEstimate estimates the prompt tokens from every text the model reads.
func promptEstimate(req *chatreq.Request) int {
	texts := make([]string, len(req.Segments))
	for i, s := range req.Segments {
		texts[i] = s.Text
	}
	return ratelimit.EstimatePrompt(texts, req.Messages)
}
