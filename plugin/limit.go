package main

import (
	"time"

	"github.com/egressguard/egressguard/hostcalls"
	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/chatreq"
	"github.com/egressguard/egressguard/internal/config"
	"github.com/egressguard/egressguard/internal/metrics"
	"github.com/egressguard/egressguard/internal/ratelimit"
	"github.com/egressguard/egressguard/internal/shareddata"
)

// limiter is the compiled rate-limit configuration of one plugin instance (nil: no rate
// limits and no global publishing); admission is one request's bookkeeping.
type (
	limiter   = ratelimit.Gate
	admission = ratelimit.Ticket
)

// newLimiter builds the gate; shared-data trouble is a warning (worker-local state).
func newLimiter(cfg *config.Config, store shareddata.Store) *limiter {
	g, err := ratelimit.NewGate(cfg.RateLimits, cfg.Clients.Tenants, store)
	if err != nil {
		hostcalls.LogWarn("egressguard: rate-limit shared state unavailable, using worker-local state: " + err.Error())
	}
	return g
}

// admit publishes the request's tenant and cost for Envoy's global rate limit filter and
// applies the local limits. It returns the 429 to send, if any, with its headers.
func (h *httpContext) admit(req *chatreq.Request, maxTokens int) (*apierr.Error, [][2]string) {
	a := h.limiter.Admit(&h.adm, h.tenant, promptEstimate(req), maxTokens, time.Now())
	for _, kv := range a.FilterState {
		hostcalls.SetFilterState(kv[0], kv[1])
	}
	for _, kv := range a.RequestHeaders {
		hostcalls.SetRequestHeader(kv[0], kv[1])
	}
	if a.Refusal == nil {
		return nil, nil
	}
	hostcalls.Count(metrics.Name(metrics.RateLimited, "tenant", h.adm.Bucket, "limit", a.Reason), 1)
	h.out.reasons = append(h.out.reasons, "ratelimit:"+a.Reason)
	return a.Refusal, a.Headers
}

// cost is how the request ended, for charging.
func (h *httpContext) cost() ratelimit.Outcome {
	return ratelimit.Outcome{Status: h.out.status, UsageSeen: h.out.usageSeen,
		Tokens: int(h.out.promptTok + h.out.complTok), Refused: h.out.decision == decisionRejected}
}

// settle charges the request's real usage once the stream is done.
func (h *httpContext) settle() {
	if h.limiter != nil {
		h.limiter.Settle(&h.adm, h.cost(), time.Now())
	}
}

// publishUsage hands the provider's usage to Envoy's ratelimit filter (charged with
// apply_on_stream_done) when the response ends.
func (h *httpContext) publishUsage() {
	if h.limiter == nil {
		return
	}
	for _, kv := range h.limiter.UsageFilterState(&h.adm, h.cost()) {
		hostcalls.SetFilterState(kv[0], kv[1])
	}
}

// promptEstimate estimates the prompt tokens from every text the model reads.
func promptEstimate(req *chatreq.Request) int {
	texts := make([]string, len(req.Segments))
	for i, s := range req.Segments {
		texts[i] = s.Text
	}
	return ratelimit.EstimatePrompt(texts, req.Messages)
}
