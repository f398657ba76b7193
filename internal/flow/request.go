package flow

import (
	"strconv"
	"strings"
	"time"

	"github.com/egressguard/egressguard/internal/ablate"
	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/config"
	"github.com/egressguard/egressguard/internal/credentials"
	"github.com/egressguard/egressguard/internal/llmreq"
	"github.com/egressguard/egressguard/internal/llmresp"
	"github.com/egressguard/egressguard/internal/metrics"
	"github.com/egressguard/egressguard/internal/policy"
	"github.com/egressguard/egressguard/internal/redact"
)

// Exchange is the guard's state for one request/response exchange, filled in phase by
// phase. It never holds content, only what the later phases and the audit line need.
type Exchange struct {
	RequestID string
	Route     policy.Route // the API (None: forwarded uninspected) and canonical path
	Upstream  *config.Upstream
	Tenant    *credentials.Tenant // nil without client auth
	Ring      *credentials.Keyring
	KeyName   string
	keyed     bool  // a key was injected into the request
	keyDone   bool  // the key ring was told how the exchange ended
	length    int64 // the request's content-length (-1: none)
	// Done is set once the guard answered locally: later phases leave the stream alone.
	Done bool
	// Resp is how the response body is handled.
	Resp RespMode
	// respAdd are headers added to the response (decisions taken after the request
	// headers left in Stream mode, moderation failing open, …).
	respAdd   [][2]string
	Model     string
	Injection *policy.Injection
	Req       *llmreq.Request // the parsed request (moderation context, usage estimate)
	Out       Outcome
	adm       Admission
	// reqCtx is the request's system prompt (leak detection); stripUsage: the guard
	// added stream_options.include_usage itself (see llmresp.Request.StripUsage).
	reqCtx     *redact.RequestContext
	stripUsage bool
	// The response model of this exchange (see ResponseHeaders); whole: a streamed
	// plan held whole; closed: its stream has ended; cut: its failure was logged; buf
	// is reused per chunk; respv backs resp (no allocation per response).
	resp               *llmresp.Response
	respv              llmresp.Response
	whole, closed, cut bool
	buf                []byte
	// setBuf backs the headers set by a plan of this exchange (each plan is applied
	// before the next phase is planned), so the usual few allocate nothing.
	setBuf [3][2]string
}

// Head is what the request headers phase knows.
type Head struct {
	// Header reads a request header, pseudo-headers included ("" when absent).
	Header func(name string) string
	// Cluster returns the Envoy cluster the route sends the request to ("" when
	// unknown); called only when an upstream is chosen by cluster (nil: unknown).
	Cluster     func() string
	EndOfStream bool // headers-only request
}

// HeadPlan is what to do with the request headers: apply Ops (Set may rewrite :path to
// remove credential query parameters), then hold or continue. Reject means answer it
// and nothing else.
type HeadPlan struct {
	Ops
	Notes
	Reject        *apierr.Error
	RejectHeaders [][2]string
	// Hold pauses the headers until the body is decided (HoldHeaders mode only).
	Hold bool
	// Inspect: the body is buffered and decided (an inspected API path).
	Inspect bool
}

// RequestHeaders plans the request headers phase and records routing, tenant and key in x.
func (pl *Planner) RequestHeaders(x *Exchange, h Head, now time.Time) HeadPlan {
	x.Out.Start = now
	x.RequestID = h.Header("x-request-id")
	path := h.Header(":path")
	x.length = contentLength(h.Header("content-length"))
	head := policy.RequestHead{Method: h.Header(":method"), Path: path, ContentType: h.Header("content-type"),
		ContentLength: x.length, EndOfStream: h.EndOfStream}
	var e *apierr.Error
	if x.Route, e = pl.Policy.Head(head); e != nil {
		return HeadPlan{Reject: e}
	}
	var cluster string
	if pl.byCluster && h.Cluster != nil {
		cluster = h.Cluster()
	}
	up, e := pl.Policy.UpstreamFor(h.Header(":authority"), cluster)
	if e != nil {
		return HeadPlan{Reject: e}
	}
	x.Upstream = up
	tenant, aerr := pl.auth.Authenticate(h.Header)
	if aerr != nil {
		return HeadPlan{Reject: aerr.APIError(), RejectHeaders: aerr.Headers()}
	}
	x.Tenant = tenant
	uc := pl.creds(up)
	plan := HeadPlan{Ops: Ops{Remove: uc.headers, Set: x.setBuf[:0]}, Inspect: x.Inspected()}
	if p, removed := credentials.StripQuery(path, uc.query); removed != nil {
		plan.Set = append(plan.Set, [2]string{":path", p})
		plan.info("egressguard: removed credential query parameters " + strings.Join(removed, ",") + " request_id=" + x.RequestID)
	}
	if uc.ring != nil {
		key, name, retryAfter, ok := uc.ring.Pick(pl.store, now)
		if !ok {
			e, hdrs := credentials.KeysExhausted(retryAfter)
			plan = HeadPlan{Reject: e, RejectHeaders: hdrs}
			plan.warn("egressguard: all keys cooling down upstream=" + up.Name + " request_id=" + x.RequestID)
			plan.Samples = []Sample{{Name: metrics.Name(metrics.KeysExhausted, "upstream", up.Name), Value: 1}}
			return plan
		}
		hn, hv := uc.ring.HeaderValue(key)
		plan.Set = append(plan.Set, [2]string{hn, hv})
		x.Ring, x.KeyName, x.keyed = uc.ring, name, true
	}
	if !plan.Inspect {
		if x.keyed && pl.Policy.SecretRedactor() != nil {
			// An error body may echo the key: it is redacted, so it must arrive uncompressed.
			plan.Set = append(plan.Set, [2]string{"accept-encoding", "identity"})
		}
		return plan
	}
	if pl.limits != nil {
		plan.Ops = plan.Join(pl.limits.Tenant(&x.adm, x.Tenant))
	}
	if pl.inspectResponses {
		// Compressed responses could not be redacted: ask for identity encoding.
		plan.Set = append(plan.Set, [2]string{"accept-encoding", "identity"})
	}
	if pl.Mode == HoldHeaders {
		plan.Hold = true
	} else {
		// The headers leave before the body is decided, and the body may change.
		if len(plan.Remove) == len(uc.headers) {
			plan.Remove = uc.headersCL
		} else { // rate-limit headers joined in
			plan.Remove = append(plan.Remove[:len(plan.Remove):len(plan.Remove)], "content-length")
		}
	}
	return plan
}

// contentLength parses the header; -1 when absent or malformed.
func contentLength(v string) int64 {
	if n, ok := shortDigits(v); ok {
		return n
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// shortDigits parses 1 to 18 decimal digits (no sign), which cannot overflow: what a
// content-length is, without strconv's general path.
func shortDigits(v string) (int64, bool) {
	if v == "" || len(v) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// Inspected reports whether the request goes to an LLM API path the guard inspects
// (else it is forwarded untouched, credentials aside).
func (x *Exchange) Inspected() bool { return x.Route.API != llmreq.None }

// TrailerNames are the request trailers removed like the credential headers: a trailer
// is a header that arrives late.
func (pl *Planner) TrailerNames(x *Exchange) []string { return pl.creds(x.Upstream).headers }

// BodyPlan is what to do once the request body is decided: replace the body, then
// apply Ops (request headers only in HoldHeaders mode). Reject means answer it.
type BodyPlan struct {
	Ops
	Notes
	Reject        *apierr.Error
	RejectHeaders [][2]string
	Body          []byte // non-nil: replace the body
}

// Decide checks a complete request body with the policy and plans what follows (see
// Decided).
func (pl *Planner) Decide(x *Exchange, body []byte, now time.Time) BodyPlan {
	if ablate.Decide {
		return BodyPlan{} // the benchmark's ablation build: forwarded unparsed
	}
	d := pl.Policy.CheckBodyFor(x.Route, x.Upstream, x.Tenant, body)
	return pl.Decided(x, &d, now)
}

// Decided turns the policy's body decision into a plan for the current mode and records
// it in x. Headers a decision wants on the request (flag mode's verdict) go to the
// response and to filter state in both modes, and to the request only in HoldHeaders
// mode: in Stream mode the request headers have left.
// Rate limits are applied here: a refusal is the plan's Reject.
func (pl *Planner) Decided(x *Exchange, d *policy.Decision, now time.Time) BodyPlan {
	x.Injection = d.Injection
	x.Req = d.Request
	if d.Request != nil {
		x.Model = d.Request.Model
		x.reqCtx = policy.RequestContext(d.Request)
	}
	x.stripUsage = d.UsageAdded
	p := BodyPlan{Body: d.Body}
	p.warn(x.InjectionLogLine())
	if d.Reject != nil {
		p.Reject, p.Body = d.Reject, nil
		return p
	}
	if l := pl.limits; l != nil {
		pub, r := l.Admit(&x.adm, x.Tenant, pl.Mode, d.Request, d.MaxTokens, now)
		if r != nil {
			x.Out.Reasons = append(x.Out.Reasons, r.Reason)
			p.Reject, p.RejectHeaders, p.Body = r.Err, r.Headers, nil
			p.Samples = append(p.Samples, Sample{Name: r.Metric, Value: 1})
			return p
		}
		p.Ops = pub
	}
	for _, hv := range d.Headers {
		if hv[0] == policy.HeaderInjection {
			p.State = append(p.State, [2]string{StateInjection, hv[1]})
		}
		if pl.Mode == HoldHeaders {
			p.Set = append(p.Set, hv)
		}
		x.AddResponseHeader(hv[0], hv[1])
	}
	if pl.Mode == HoldHeaders && d.Body != nil && x.length >= 0 {
		// Fixed only when the request declared one: a chunked or HTTP/2 body (maybe with
		// trailers) stays that way.
		p.Set = append(p.Set, [2]string{"content-length", strconv.Itoa(len(d.Body))})
	}
	return p
}

// AddResponseHeader adds a header to the response the client gets (set when the
// response headers pass; ignored for the guard's own replies).
func (x *Exchange) AddResponseHeader(name, value string) {
	x.respAdd = append(x.respAdd, [2]string{name, value})
}
