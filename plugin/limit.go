package main

import (
	"strconv"
	"time"

	"github.com/egressguard/egressguard/hostcalls"
	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/config"
	"github.com/egressguard/egressguard/internal/credentials"
	"github.com/egressguard/egressguard/internal/llmreq"
	"github.com/egressguard/egressguard/internal/metrics"
	"github.com/egressguard/egressguard/internal/ratelimit"
)

// limiter is the compiled rate-limit configuration of one plugin instance.
type limiter struct {
	cfg   ratelimit.Config // defaults applied
	lm    *ratelimit.Limiter
	store credentials.SharedStore
}

// newLimiter returns nil when no limit is configured anywhere and global publishing is off.
func newLimiter(cfg *config.Config, store credentials.SharedStore) *limiter {
	rc := cfg.RateLimits
	rc.ApplyDefaults()
	if !rc.Active(cfg.Clients.Tenants) {
		return nil
	}
	var names []string
	for _, t := range cfg.Clients.Tenants {
		names = append(names, t.Name)
	}
	l := &limiter{cfg: rc, lm: ratelimit.NewLimiter(), store: store}
	names = append(names, rc.AnonymousTenant)
	if err := l.lm.Prepare(store, names); err != nil {
		hostcalls.LogWarn("egressguard: rate-limit shared state unavailable, using worker-local state: " + err.Error())
	}
	return l
}

// admission is one request's rate-limit bookkeeping.
type admission struct {
	bucket   string
	limits   ratelimit.Limits
	estimate int
	admitted bool // tokens were reserved locally and must be charged or refunded
	charged  bool
}

// admit estimates the request's token cost, publishes tenant and cost for Envoy's
// global rate limit filter, and applies the local limits. It returns the 429 to send.
func (h *httpContext) admit(req *llmreq.Request, maxTokens int) (*apierr.Error, [][2]string) {
	l := h.limiter
	a := &h.adm
	a.bucket, a.limits = l.cfg.LimitsFor(h.tenant)
	a.estimate = ratelimit.AdmissionCost(promptEstimate(req), maxTokens)
	if g := l.cfg.Global; g.Enabled {
		hostcalls.SetFilterState(g.TenantProperty, a.bucket)
		hostcalls.SetFilterState(g.CostProperty, strconv.Itoa(a.estimate))
		if g.Headers {
			hostcalls.SetRequestHeader(g.TenantHeader, a.bucket)
			hostcalls.SetRequestHeader(g.CostHeader, strconv.Itoa(a.estimate))
		}
	}
	if a.limits.Unlimited() {
		return nil, nil
	}
	d := l.lm.Admit(l.store, a.bucket, a.limits, a.estimate, time.Now())
	if !d.Allowed {
		hostcalls.Count(metrics.Name(metrics.RateLimited, "tenant", a.bucket, "limit", d.Reason), 1)
		h.out.reasons = append(h.out.reasons, "ratelimit:"+d.Reason)
		return d.Error(a.bucket, a.limits, a.estimate), d.Headers
	}
	a.admitted = true
	return nil, nil
}

// settle replaces the local reservation with the provider's usage (or refunds it when
// the provider never answered 2xx) and publishes the usage for global limits. Called
// once, when the stream is done.
func (h *httpContext) settle() {
	a, l := &h.adm, h.limiter
	if l == nil || a.charged {
		return
	}
	a.charged = true
	used := int(h.out.promptTok + h.out.complTok)
	ok2xx := h.out.status >= 200 && h.out.status < 300
	if a.admitted {
		switch {
		case h.out.usageSeen && ok2xx:
			l.lm.Charge(l.store, a.bucket, a.limits, used, a.estimate, time.Now())
		case !ok2xx || h.out.decision == decisionRejected:
			l.lm.Charge(l.store, a.bucket, a.limits, 0, a.estimate, time.Now())
		} // 2xx without usage: the estimate stands
	}
}

// publishUsage hands the provider's usage to Envoy's ratelimit filter (charged with
// apply_on_stream_done). Only for upstream 2xx answers.
func (h *httpContext) publishUsage() {
	l := h.limiter
	if l == nil || !l.cfg.Global.Enabled || !h.out.usageSeen || h.out.status < 200 || h.out.status > 299 {
		return
	}
	used := int(h.out.promptTok + h.out.complTok)
	hostcalls.SetFilterState(l.cfg.Global.UsageProperty, strconv.Itoa(used))
	hostcalls.SetFilterState(l.cfg.Global.ExcessProperty, strconv.Itoa(max(0, used-h.adm.estimate)))
}

// promptEstimate estimates the prompt tokens from every text the model reads.
func promptEstimate(req *llmreq.Request) int {
	texts := make([]string, len(req.Segments))
	for i, s := range req.Segments {
		texts[i] = s.Text
	}
	return ratelimit.EstimatePrompt(texts, req.Messages)
}
