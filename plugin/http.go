package main

import (
	"strconv"
	"strings"
	"time"

	"github.com/egressguard/egressguard/hostcalls"
	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/chatreq"
	"github.com/egressguard/egressguard/internal/flow"
	"github.com/egressguard/egressguard/internal/metrics"
	"github.com/egressguard/egressguard/internal/moderation"
	"github.com/egressguard/egressguard/internal/policy"
	"github.com/egressguard/egressguard/internal/redact"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

// httpContext is one request/response exchange: flow.Exchange plus the live state of
// moderation and redaction.
type httpContext struct {
	types.DefaultHttpContext
	p   *pluginContext
	x   flow.Exchange
	adm flow.Admission
	// Moderation state.
	gate       *moderation.StreamGate // SSE output moderation (nil: off)
	respPaused bool                   // the response is held for a moderation call
	// Response redaction state.
	redactor *redact.Redactor       // nil: responses pass through
	reqCtx   *redact.RequestContext // the request's system prompt, for leak detection
	sse      *redact.SSETransformer
	respSent bool // response headers have left: a late error resets the stream
}

// OnHttpRequestHeaders routes, authenticates, strips client credentials and injects the
// key; for inspected paths the body is then held until the decision (see package flow
// for what the mode changes).
func (h *httpContext) OnHttpRequestHeaders(_ int, endOfStream bool) (a types.Action) {
	defer h.recoverPanic(&a)
	x := &h.x
	x.RequestID = hostcalls.RequestHeader("x-request-id")
	testHook(x, "request_headers")
	plan := h.p.flow.RequestHeaders(x, flow.Head{
		Method: hostcalls.RequestHeader(":method"), Path: hostcalls.RequestHeader(":path"),
		Authority: hostcalls.RequestHeader(":authority"), Cluster: hostcalls.Property("xds", "cluster_name"),
		ContentType: hostcalls.RequestHeader("content-type"), ContentLength: contentLength(hostcalls.RequestHeader("content-length")),
		EndOfStream: endOfStream, Header: hostcalls.RequestHeader,
	}, time.Now())
	if plan.Exhausted {
		hostcalls.LogWarn("egressguard: all keys cooling down request_id=" + x.RequestID)
		hostcalls.Count(metrics.Name(metrics.KeysExhausted, "upstream", x.Upstream.Name), 1)
	}
	if plan.Reject != nil {
		return h.reject(plan.Reject, plan.RejectHeaders...)
	}
	if err := applyHead(plan); err != nil {
		return h.reject(hostFailure("the guard could not rewrite the request headers", err))
	}
	if !plan.Inspect {
		x.Held(flow.DecisionPassthrough, "", time.Now())
		return types.ActionContinue
	}
	if l := h.p.limits; l != nil {
		if err := publish(l.Tenant(&h.adm, x.Tenant)); err != nil {
			return h.reject(hostFailure("the guard could not publish the tenant", err))
		}
	}
	h.redactor = h.p.flow.Policy.ResponseRedactor()
	if plan.Hold {
		return types.ActionPause
	}
	return types.ActionContinue
}

// applyHead removes and sets request headers and rewrites :path; any failure is an
// error, so a credential is never forwarded because a host call failed.
func applyHead(p flow.HeadPlan) error {
	for _, n := range p.Remove {
		if err := hostcalls.RemoveRequestHeader(n); err != nil {
			return err
		}
	}
	for _, hv := range p.Set {
		if err := hostcalls.SetRequestHeader(hv[0], hv[1]); err != nil {
			return err
		}
	}
	if p.Path != "" {
		hostcalls.LogInfo("egressguard: removed credential query parameters " + strings.Join(p.StrippedQuery, ","))
		return hostcalls.SetRequestHeader(":path", p.Path)
	}
	return nil
}

// OnHttpRequestBody holds the body until its end, then decides.
func (h *httpContext) OnHttpRequestBody(bodySize int, endOfStream bool) (a types.Action) {
	defer h.recoverPanic(&a)
	if h.x.Done || h.x.Kind == chatreq.KindNone {
		return types.ActionContinue
	}
	if bodySize > h.p.flow.Policy.MaxBodyBytes() {
		return h.reject(h.p.flow.Policy.TooLarge())
	}
	if !endOfStream {
		return types.ActionPause // buffer: nothing leaves before the decision
	}
	return h.decide(bodySize)
}

// OnHttpRequestTrailers: a body that ends in trailers (HTTP/2, or HTTP/1 chunked with
// trailers enabled) ends here, and is decided like any other. Credential trailers are
// removed like credential headers.
func (h *httpContext) OnHttpRequestTrailers(int) (a types.Action) {
	defer h.recoverPanic(&a)
	if h.x.Done {
		return types.ActionContinue
	}
	for _, n := range h.p.flow.TrailerNames(&h.x) {
		if err := hostcalls.RemoveRequestTrailer(n); err != nil {
			return h.reject(hostFailure("the guard could not remove a credential trailer", err))
		}
	}
	if h.x.Kind == chatreq.KindNone {
		return types.ActionContinue
	}
	return h.decide(h.p.flow.Policy.MaxBodyBytes() + 1) // the whole buffered body
}

// decide reads the complete buffered body (at most max bytes), applies the policy's
// decision, the rate limits and input moderation.
func (h *httpContext) decide(max int) types.Action {
	x := &h.x
	testHook(x, "request_body")
	body, err := hostcalls.RequestBody(max)
	if err != nil {
		return h.reject(hostFailure("the guard could not read the request body", err))
	}
	d := h.p.flow.Policy.CheckBodyFor(x.Kind, x.Upstream, x.Tenant, body)
	logVerdict(x.RequestID, d.Injection)
	plan := h.p.flow.Decided(x, &d)
	if plan.Reject != nil {
		return h.reject(plan.Reject)
	}
	h.reqCtx = policy.RequestContext(d.Request)
	if err := applyBody(plan); err != nil {
		return h.reject(hostFailure("the guard could not rewrite the request", err))
	}
	if l := h.p.limits; l != nil {
		pub, refusal := l.Admit(&h.adm, h.p.flow.Mode, d.Request, d.MaxTokens, time.Now())
		if err := publish(pub); err != nil {
			return h.reject(hostFailure("the guard could not publish the token cost", err))
		}
		if refusal != nil {
			hostcalls.Count(refusal.Metric, 1)
			x.Out.Reasons = append(x.Out.Reasons, refusal.Reason)
			return h.reject(refusal.Err, refusal.Headers...)
		}
	}
	if h.p.mod.on(moderation.Input) {
		return h.moderateInput(d.Request)
	}
	x.Held(flow.DecisionForwarded, "", time.Now())
	return types.ActionContinue
}

func applyBody(p flow.BodyPlan) error {
	if p.Body != nil {
		if err := hostcalls.ReplaceRequestBody(p.Body); err != nil {
			return err
		}
	}
	for _, hv := range p.Set {
		if err := hostcalls.SetRequestHeader(hv[0], hv[1]); err != nil {
			return err
		}
	}
	for _, kv := range p.State {
		if err := hostcalls.SetFilterState(kv[0], kv[1]); err != nil {
			return err
		}
	}
	return nil
}

// publish hands the rate-limit inputs to Envoy.
func publish(p flow.Publish) error {
	return applyBody(flow.BodyPlan{Set: p.Headers, State: p.State})
}

// reject answers with a JSON error (with the request id) and logs it, never the
// content. After the response headers have left, Envoy resets the stream instead.
func (h *httpContext) reject(e *apierr.Error, extra ...[2]string) types.Action {
	x := &h.x
	x.Rejected(e.Status, e.Code, time.Now())
	hostcalls.LogWarn("egressguard: rejected request_id=" + x.RequestID + " kind=" + x.Kind.String() +
		" status=" + strconv.Itoa(e.Status) + " code=" + e.Code)
	headers := extra
	if x.RequestID != "" {
		headers = append(headers, [2]string{"x-request-id", x.RequestID})
	}
	if err := hostcalls.SendJSON(e.Status, e.JSON(), headers); err != nil {
		hostcalls.LogError("egressguard: sending local response failed: " + err.Error())
	}
	return types.ActionPause
}

// hostFailure is the 500 for a host call that failed where failing open would forward
// something unchecked.
func hostFailure(msg string, err error) *apierr.Error {
	hostcalls.LogError("egressguard: " + msg + ": " + err.Error())
	return apierr.New(500, apierr.TypeUnavailable, "guard_host_error", "%s", msg)
}

// contentLength parses the header; -1 when absent or malformed.
func contentLength(v string) int64 {
	if v == "" {
		return -1
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// logVerdict records inspection outcomes that did not block: what monitor mode would
// have blocked, and what flag/sanitize mode let through. Rule names only, never text.
func logVerdict(requestID string, v *policy.Injection) {
	if v == nil || !v.Flagged {
		return
	}
	hostcalls.LogWarn("egressguard: injection request_id=" + requestID + " action=" + v.Action +
		" score=" + strconv.FormatFloat(v.Score, 'f', 2, 64) + " rules=" + strings.Join(v.Rules, ","))
}
