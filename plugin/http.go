package main

import (
	"github.com/egressguard/egressguard/hostcalls"
	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/flow"
	"github.com/egressguard/egressguard/internal/moderation"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

// httpContext is one exchange: flow.Exchange plus the live moderation and redaction state.
type httpContext struct {
	types.DefaultHttpContext
	p         *pluginContext
	x         flow.Exchange
	gate      *flow.OutputGate // streamed output moderation (nil: off)
	respSent  bool             // the response headers have left (Stream mode)
	buffering bool             // the last response body callback paused: Envoy buffers the body
}

// OnHttpRequestHeaders does everything that needs only headers (see package flow);
// inspected requests then have their body held until the decision.
func (h *httpContext) OnHttpRequestHeaders(_ int, endOfStream bool) (a types.Action) {
	defer h.recoverPanic(&a)
	x := &h.x
	now := hostcalls.WallClock()
	plan := h.p.flow.RequestHeaders(x, flow.Head{Header: hostcalls.RequestHeaders().Get,
		Cluster: hostcalls.Cluster, EndOfStream: endOfStream}, now)
	testHook(x, "request_headers")
	note(plan.Notes)
	if plan.Reject != nil {
		return h.reject(plan.Reject, plan.RejectHeaders...)
	}
	if err := hostcalls.ApplyRequest(plan.Remove, plan.Set, plan.State); err != nil { // never forward a credential because a call failed
		return h.reject(hostFailure("the guard could not rewrite the request headers", err))
	}
	if !plan.Inspect {
		x.Held(flow.DecisionPassthrough, "", now)
		return types.ActionContinue
	}
	if plan.Hold {
		return types.ActionPause
	}
	return types.ActionContinue
}

// OnHttpRequestBody holds the body until its end, then decides.
func (h *httpContext) OnHttpRequestBody(bodySize int, endOfStream bool) (a types.Action) {
	if h.x.Done || !h.x.Inspected() {
		return types.ActionContinue // nothing that could panic: no deferred recovery
	}
	defer h.recoverPanic(&a)
	if bodySize > h.p.flow.Policy.MaxBodyBytes() {
		return h.reject(h.p.flow.Policy.TooLarge())
	}
	if !endOfStream {
		return types.ActionPause // buffer: nothing leaves before the decision
	}
	return h.decide(bodySize)
}

// OnHttpRequestTrailers: a body that ends in trailers (HTTP/2, HTTP/1 chunked with
// trailers enabled) ends here and is decided like any other; credential trailers are
// removed like credential headers.
func (h *httpContext) OnHttpRequestTrailers(int) (a types.Action) {
	defer h.recoverPanic(&a)
	if h.x.Done {
		return types.ActionContinue
	}
	if err := hostcalls.RemoveRequestTrailers(h.p.flow.TrailerNames(&h.x)); err != nil {
		return h.reject(hostFailure("the guard could not remove a credential trailer", err))
	}
	if !h.x.Inspected() {
		return types.ActionContinue
	}
	return h.decide(h.p.flow.Policy.MaxBodyBytes() + 1) // the whole buffered body
}

// decide reads the complete body (at most max bytes) and applies the policy's
// decision, the rate limits and input moderation.
func (h *httpContext) decide(max int) types.Action {
	x, pl := &h.x, h.p.flow
	testHook(x, "request_body")
	body, err := hostcalls.RequestBody(max)
	if err != nil {
		return h.reject(hostFailure("the guard could not read the request body", err))
	}
	plan := pl.Decide(x, body, hostcalls.WallClock())
	note(plan.Notes)
	if plan.Reject != nil {
		return h.reject(plan.Reject, plan.RejectHeaders...)
	}
	if plan.Body != nil {
		err = hostcalls.ReplaceRequestBody(plan.Body)
	}
	if err == nil {
		err = hostcalls.ApplyRequest(plan.Remove, plan.Set, plan.State)
	}
	if err != nil {
		return h.reject(hostFailure("the guard could not rewrite the request", err))
	}
	if h.p.mod.On(moderation.Input) {
		return h.moderateInput(x.Req)
	}
	x.Held(flow.DecisionForwarded, "", hostcalls.WallClock())
	return types.ActionContinue
}

// reject answers with a JSON error (with the request id) and logs it, never the
// content. Once the response headers have left, Envoy resets the stream instead.
func (h *httpContext) reject(e *apierr.Error, extra ...[2]string) types.Action {
	headers, n := h.x.Rejected(e, extra, hostcalls.WallClock())
	note(n)
	if err := hostcalls.SendJSON(e.Status, e.JSON(), headers); err != nil {
		hostcalls.LogError("egressguard: sending local response failed: " + err.Error())
	}
	return types.ActionPause
}

// hostFailure is the 500 for a host call that failed where going on would forward
// something unchecked.
func hostFailure(msg string, err error) *apierr.Error {
	hostcalls.LogError("egressguard: " + msg + ": " + err.Error())
	return apierr.New(500, apierr.TypeUnavailable, "guard_host_error", "%s", msg)
}
