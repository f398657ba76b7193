package flow

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/audit"
	"github.com/egressguard/egressguard/internal/llmreq"
	"github.com/egressguard/egressguard/internal/metrics"
	"github.com/egressguard/egressguard/internal/redact"
)

// Decisions recorded per request (metric tag "decision").
const (
	DecisionForwarded   = "forwarded"   // inspected and forwarded (possibly rewritten)
	DecisionRejected    = "rejected"    // answered locally with an error
	DecisionPassthrough = "passthrough" // not an inspected API path
)

// Outcome is what one exchange did, gathered across the phases and emitted once when
// the stream is done: metrics, and the audit line with the same fields. Metadata only.
type Outcome struct {
	Start        time.Time
	HeldUs       int64  // how long the guard held the request before forwarding or answering
	Decision     string // DecisionForwarded, …
	Code         string // error code of a rejection
	Status       int    // response status seen by the guard
	RejectStatus int    // status of the guard's own error reply
	Redactions   redact.Report
	PromptTok    int64
	ComplTok     int64
	UsageSeen    bool
	Moderation   []string // "<stage>:<outcome>" per moderation decision
	Reasons      []string // other audit reasons, e.g. "ratelimit:tokens_per_minute"
}

// Held marks the moment the guard stops holding the request.
func (x *Exchange) Held(decision, code string, now time.Time) {
	x.Out.Decision, x.Out.Code = decision, code
	if !x.Out.Start.IsZero() {
		x.Out.HeldUs = now.Sub(x.Out.Start).Microseconds()
	}
}

// Rejected records the guard's own error reply and returns the headers to send with it
// (the request id added) and its log line (status and code, never content).
func (x *Exchange) Rejected(e *apierr.Error, headers [][2]string, now time.Time) ([][2]string, Notes) {
	x.Done = true
	x.Out.RejectStatus = e.Status
	x.Held(DecisionRejected, e.Code, now)
	if x.RequestID != "" {
		headers = append(headers[:len(headers):len(headers)], [2]string{"x-request-id", x.RequestID})
	}
	var n Notes
	n.warn("egressguard: rejected request_id=" + x.RequestID + " kind=" + x.Route.API.String() +
		" status=" + strconv.Itoa(e.Status) + " code=" + e.Code)
	return headers, n
}

// TenantName is the authenticated tenant ("" without client auth).
func (x *Exchange) TenantName() string {
	if x.Tenant == nil {
		return ""
	}
	return x.Tenant.Name
}

// AuditRecord is the exchange's audit line. estimate and bucket are the rate limiter's
// admission estimate and tenant bucket ("" when not limited).
func (x *Exchange) AuditRecord(estimate int, bucket string, now time.Time) audit.Record {
	o := &x.Out
	rec := audit.Record{
		Time: o.Start, RequestID: x.RequestID, Tenant: x.TenantName(), Model: x.Model,
		Path: auditPath(x.Route.API), Status: o.Status, KeyName: x.KeyName,
		PromptTokens: int(o.PromptTok), CompletionTokens: int(o.ComplTok), EstimatedTokens: estimate,
		LatencyMs: max(now.Sub(o.Start).Milliseconds(), 0), // a wall clock may step back
	}
	if bucket != "" && rec.Tenant == "" {
		rec.Tenant = bucket
	}
	if x.Upstream != nil {
		rec.Upstream = x.Upstream.Name
	}
	if r := x.Req; r != nil {
		rec.Stream, rec.MessageCount, rec.PromptChars = r.Stream, r.Messages, r.PromptChars
	}
	flagged := x.Injection != nil && x.Injection.Flagged
	switch o.Decision {
	case DecisionRejected:
		rec.Decision, rec.Status = audit.DecisionRejected, o.RejectStatus
		rec.Reasons = append(rec.Reasons, "error:"+o.Code)
	case DecisionForwarded:
		rec.Decision = audit.DecisionForwarded
		if flagged {
			rec.Decision = audit.DecisionFlagged
		}
	default:
		rec.Decision = audit.DecisionForwarded
	}
	if flagged {
		for _, r := range x.Injection.Rules {
			rec.Reasons = append(rec.Reasons, "injection:"+r)
		}
	}
	for _, m := range o.Moderation {
		rec.Reasons = append(rec.Reasons, "moderation:"+m)
	}
	if len(o.Redactions.Counts) > 0 {
		for t, n := range o.Redactions.Counts {
			rec.Reasons = append(rec.Reasons, "redaction:"+t+"="+strconv.Itoa(n))
		}
	}
	rec.Reasons = append(rec.Reasons, o.Reasons...)
	if len(rec.Reasons) > 1 {
		sort.Strings(rec.Reasons)
	}
	return rec
}

// Sample is one metric update: a counter increment or a histogram value.
type Sample struct {
	Name      string
	Value     uint64
	Histogram bool
}

// Samples are the exchange's metrics. models caps the distinct model labels per VM.
func (x *Exchange) Samples(models *metrics.Cardinality) []Sample { return x.AppendSamples(nil, models) }

// AppendSamples is Samples appended to dst: with a buffer kept across requests, an
// exchange without flagged rules, redactions or usage allocates nothing.
func (x *Exchange) AppendSamples(dst []Sample, models *metrics.Cardinality) []Sample {
	o := &x.Out
	out := append(dst, Sample{Name: requestsName(o.Decision, o.Code), Value: 1})
	if o.Decision != DecisionPassthrough {
		out = append(out, Sample{Name: addedLatencyName, Value: uint64(max(o.HeldUs, 0)), Histogram: true})
	}
	if v := x.Injection; v != nil && v.Flagged {
		for _, r := range v.Rules {
			out = append(out, Sample{Name: metrics.Name(metrics.Injection, "rule", r, "action", v.Action), Value: 1})
		}
	}
	if len(o.Redactions.Counts) > 0 { // ranging over even an empty map sets up an iterator
		for t, n := range o.Redactions.Counts {
			out = append(out, Sample{Name: metrics.Name(metrics.Redactions, "type", t), Value: uint64(n)})
		}
	}
	if o.Redactions.Leak {
		out = append(out, Sample{Name: metrics.Name(metrics.Redactions, "type", "SYSTEM_PROMPT_LEAK"), Value: 1})
	}
	if o.Redactions.Unsafe {
		out = append(out, Sample{Name: metrics.Name(metrics.Redactions, "type", "UNSAFE_MARKUP"), Value: 1})
	}
	if o.UsageSeen {
		prompt, completion := models.TokenNames(x.TenantName(), x.Model)
		out = append(out, Sample{Name: prompt, Value: uint64(o.PromptTok)}, Sample{Name: completion, Value: uint64(o.ComplTok)})
	}
	return out
}

// The stat names every request counts, built once.
var (
	addedLatencyName = metrics.Name(metrics.AddedLatencyUs)
	requestsNoCode   = [...]string{
		metrics.Name(metrics.Requests, "decision", DecisionForwarded, "code", ""),
		metrics.Name(metrics.Requests, "decision", DecisionPassthrough, "code", ""),
	}
)

// requestsName is the requests counter's name for a decision and error code.
func requestsName(decision, code string) string {
	if code == "" {
		switch decision {
		case DecisionForwarded:
			return requestsNoCode[0]
		case DecisionPassthrough:
			return requestsNoCode[1]
		}
	}
	return metrics.Name(metrics.Requests, "decision", decision, "code", code)
}

// auditPath is the API's name, or PathOther for requests forwarded uninspected.
func auditPath(a llmreq.API) string {
	if a == llmreq.None {
		return audit.PathOther
	}
	return a.String()
}

// InjectionLogLine records an inspection outcome that did not block (what monitor mode
// would have blocked, what flag/sanitize mode let through): rule names, never text. ""
// when nothing was flagged.
func (x *Exchange) InjectionLogLine() string {
	v := x.Injection
	if v == nil || !v.Flagged {
		return ""
	}
	return "egressguard: injection request_id=" + x.RequestID + " action=" + v.Action +
		" score=" + strconv.FormatFloat(v.Score, 'f', 2, 64) + " rules=" + strings.Join(v.Rules, ",")
}

// Redacted records the response's redactions and returns their log line: entity counts
// by type, never the matched text.
func (x *Exchange) Redacted(rep redact.Report) (n Notes) {
	x.Out.Redactions = rep
	if rep.Total() == 0 && !rep.Leak && !rep.Unsafe {
		return n
	}
	types := make([]string, 0, len(rep.Counts))
	for t, n := range rep.Counts {
		types = append(types, t+":"+strconv.Itoa(n))
	}
	sort.Strings(types)
	n.info("egressguard: redacted request_id=" + x.RequestID + " counts=" + strings.Join(types, ",") +
		" leak=" + strconv.FormatBool(rep.Leak) + " unsafe=" + strconv.FormatBool(rep.Unsafe))
	return n
}
