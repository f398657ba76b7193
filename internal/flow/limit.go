package flow

import (
	"time"

	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/audit"
	"github.com/egressguard/egressguard/internal/config"
	"github.com/egressguard/egressguard/internal/credentials"
	"github.com/egressguard/egressguard/internal/llmreq"
	"github.com/egressguard/egressguard/internal/metrics"
	"github.com/egressguard/egressguard/internal/ratelimit"
	"github.com/egressguard/egressguard/internal/shareddata"
)

// Limits is the compiled rate-limit gate of one plugin instance.
type Limits struct{ gate *ratelimit.Gate }

// Admission is one request's rate-limit bookkeeping.
type Admission = ratelimit.Ticket

// newLimits returns nil when no limit is configured anywhere and global publishing is
// off; warn is a start-up message ("" when none).
func newLimits(cfg *config.Config, store shareddata.Store) (l *Limits, warn string) {
	g, err := ratelimit.NewGate(cfg.RateLimits, cfg.Clients.Tenants, store)
	if err != nil {
		warn = "rate-limit shared state unavailable, using worker-local state: " + err.Error()
	}
	if g == nil {
		return nil, warn
	}
	return &Limits{gate: g}, warn
}

// Tenant picks the request's bucket (known from the request headers) and publishes it
// for the global rate limit filter, which runs on the request headers in Stream mode.
func (l *Limits) Tenant(a *Admission, t *credentials.Tenant) Ops {
	p := l.gate.Tenant(a, t)
	return Ops{State: p.FilterState, Set: p.RequestHeaders}
}

// Usage is the provider's usage for Envoy's ratelimit filter (charged with
// apply_on_stream_done), for upstream 2xx answers that reported it.
func (pl *Planner) Usage(x *Exchange) Ops {
	if pl.limits == nil {
		return Ops{}
	}
	return Ops{State: pl.limits.gate.UsageFilterState(&x.adm, cost(&x.Out))}
}

// Done settles the exchange's rate limits and returns its audit record and its metrics
// appended to samples.
func (pl *Planner) Done(x *Exchange, models *metrics.Cardinality, now time.Time, samples []Sample) (audit.Record, []Sample) {
	if pl.limits != nil {
		pl.limits.gate.Settle(&x.adm, cost(&x.Out), now)
	}
	return x.AuditRecord(x.adm.Estimate, x.adm.Bucket, now), x.AppendSamples(samples, models)
}

// cost is how the exchange ended, for charging.
func cost(o *Outcome) ratelimit.Outcome {
	return ratelimit.Outcome{Status: o.Status, UsageSeen: o.UsageSeen, Tokens: int(o.PromptTok + o.ComplTok),
		Refused: o.Decision == DecisionRejected}
}

// Refusal is a rate-limit 429: the error and its headers, the metric to count and the
// audit reason.
type Refusal struct {
	Err     *apierr.Error
	Headers [][2]string
	Metric  string
	Reason  string
}

// Admit estimates the request's token cost, publishes it (request headers only in
// HoldHeaders mode: in Stream mode the request headers have left) and applies the local
// limits. A non-nil Refusal is the 429 to answer.
func (l *Limits) Admit(a *Admission, t *credentials.Tenant, mode Mode, req *llmreq.Request, maxTokens int, now time.Time) (pub Ops, r *Refusal) {
	d := l.gate.Admit(a, t, promptEstimate(req), maxTokens, now)
	pub.State = d.FilterState
	if mode == HoldHeaders {
		pub.Set = d.RequestHeaders
	}
	if d.Refusal != nil {
		r = &Refusal{Err: d.Refusal, Headers: d.Headers,
			Metric: metrics.Name(metrics.RateLimited, "tenant", a.Bucket, "limit", d.Reason), Reason: "ratelimit:" + d.Reason}
	}
	return pub, r
}

// promptEstimate estimates the prompt tokens from every text the model reads.
func promptEstimate(req *llmreq.Request) int {
	texts := make([]string, len(req.Segments))
	for i, s := range req.Segments {
		texts[i] = s.Text
	}
	return ratelimit.EstimatePrompt(texts, req.Messages)
}
