package main

import (
	"sort"
	"strconv"
	"time"

	"github.com/egressguard/egressguard/hostcalls"
	"github.com/egressguard/egressguard/internal/audit"
	"github.com/egressguard/egressguard/internal/llmreq"
	"github.com/egressguard/egressguard/internal/metrics"
	"github.com/egressguard/egressguard/internal/redact"
)

// Decisions recorded per request (metric tag "decision").
const (
	decisionForwarded   = "forwarded"   // inspected and forwarded (possibly rewritten)
	decisionRejected    = "rejected"    // answered locally with an error
	decisionPassthrough = "passthrough" // not an inspected API path
)

// outcome is what one request did, gathered across the phases and emitted once when the
// stream is done: metrics now, the audit line with the same fields. Metadata only.
type outcome struct {
	start      time.Time
	heldUs     int64  // how long the guard held the request before forwarding or answering
	decision   string // decisionForwarded, …
	code       string // error code of a rejection
	status     int    // final response status seen by the guard
	redactions redact.Report
	promptTok  int64
	complTok   int64
	usageSeen  bool
	moderation []string // "<stage>:<outcome>" per moderation decision
	reasons    []string // other audit reasons, e.g. "ratelimit:tokens_per_minute"
}

// modelLabels caps the distinct client-supplied model names per VM.
var modelLabels = metrics.Cardinality{Max: 64}

// held marks the moment the guard stops holding the request.
func (h *httpContext) held(decision, code string) {
	h.out.decision, h.out.code = decision, code
	if !h.out.start.IsZero() {
		h.out.heldUs = time.Since(h.out.start).Microseconds()
	}
}

// OnHttpStreamDone emits the request's metrics once.
func (h *httpContext) OnHttpStreamDone() {
	o := &h.out
	if o.decision == "" {
		return // never reached a decision (e.g. the plugin failed to start)
	}
	h.settle()
	h.audit()
	hostcalls.Count(metrics.Name(metrics.Requests, "decision", o.decision, "code", o.code), 1)
	if o.decision != decisionPassthrough {
		hostcalls.Record(metrics.Name(metrics.AddedLatencyUs), uint64(max(o.heldUs, 0)))
	}
	if v := h.injection; v != nil && v.Flagged {
		for _, r := range v.Rules {
			hostcalls.Count(metrics.Name(metrics.Injection, "rule", r, "action", v.Action), 1)
		}
	}
	for t, n := range o.redactions.Counts {
		hostcalls.Count(metrics.Name(metrics.Redactions, "type", t), uint64(n))
	}
	if o.redactions.Leak {
		hostcalls.Count(metrics.Name(metrics.Redactions, "type", "SYSTEM_PROMPT_LEAK"), 1)
	}
	if o.redactions.Unsafe {
		hostcalls.Count(metrics.Name(metrics.Redactions, "type", "UNSAFE_MARKUP"), 1)
	}
	if o.usageSeen {
		tenant, model := h.tenantName(), modelLabels.Value(h.model)
		hostcalls.Count(metrics.Name(metrics.Tokens, "direction", "prompt", "tenant", tenant, "model", model), uint64(o.promptTok))
		hostcalls.Count(metrics.Name(metrics.Tokens, "direction", "completion", "tenant", tenant, "model", model), uint64(o.complTok))
	}
}

func (h *httpContext) tenantName() string {
	if h.tenant == nil {
		return ""
	}
	return h.tenant.Name
}

// audit writes the request's audit line: metadata only, never content or keys.
func (h *httpContext) audit() {
	o := &h.out
	rec := audit.Record{
		Time: o.start, RequestID: h.requestID, Tenant: h.tenantName(), Model: h.model,
		Path: auditPath(h.route.API), Status: o.status, KeyName: h.keyName,
		PromptTokens: int(o.promptTok), CompletionTokens: int(o.complTok), EstimatedTokens: h.adm.estimate,
		LatencyMs: time.Since(o.start).Milliseconds(),
	}
	if h.adm.bucket != "" && rec.Tenant == "" {
		rec.Tenant = h.adm.bucket
	}
	if h.upstream != nil {
		rec.Upstream = h.upstream.Name
	}
	if r := h.req; r != nil {
		rec.Stream, rec.MessageCount, rec.PromptChars = r.Stream, r.Messages, r.PromptChars
	}
	switch o.decision {
	case decisionRejected:
		rec.Decision = audit.DecisionRejected
		rec.Reasons = append(rec.Reasons, "error:"+o.code)
	case decisionPassthrough:
		rec.Decision = audit.DecisionForwarded
	default:
		rec.Decision = audit.DecisionForwarded
		if v := h.injection; v != nil && v.Flagged {
			rec.Decision = audit.DecisionFlagged
		}
	}
	if v := h.injection; v != nil && v.Flagged {
		for _, r := range v.Rules {
			rec.Reasons = append(rec.Reasons, "injection:"+r)
		}
	}
	for _, m := range o.moderation {
		rec.Reasons = append(rec.Reasons, "moderation:"+m)
	}
	for t, n := range o.redactions.Counts {
		rec.Reasons = append(rec.Reasons, "redaction:"+t+"="+strconv.Itoa(n))
	}
	rec.Reasons = append(rec.Reasons, o.reasons...)
	sort.Strings(rec.Reasons)
	if o.decision == decisionRejected {
		rec.Status = h.rejectStatus
	}
	hostcalls.LogInfo(string(audit.Marshal(&rec)))
}

func auditPath(a llmreq.API) string {
	if a == llmreq.None {
		return audit.PathOther
	}
	return a.String()
}
