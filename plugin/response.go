package main

import (
	"strconv"
	"time"

	"github.com/egressguard/egressguard/hostcalls"
	"github.com/egressguard/egressguard/internal/flow"
	"github.com/egressguard/egressguard/internal/moderation"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

// OnHttpResponseHeaders adds the request id (and other decided headers), scrubs an
// echoed key and chooses how the body is handled: no body byte leaves before redaction.
func (h *httpContext) OnHttpResponseHeaders(_ int, endOfStream bool) (a types.Action) {
	defer h.recoverPanic(&a)
	x, p := &h.x, h.p
	testHook(x, "response_headers")
	plan := p.flow.ResponseHeaders(x, flow.RespHead{Header: hostcalls.ResponseHeader, All: hostcalls.ResponseHeaders,
		EndOfStream: endOfStream}, time.Now())
	note(plan.Notes)
	if plan.Reject != nil {
		return h.reject(plan.Reject)
	}
	if err := hostcalls.ApplyResponse(plan.Remove, plan.Set, plan.State); err != nil {
		return h.reject(hostFailure("the guard could not rewrite the response headers", err))
	}
	if x.Resp == flow.RespSSE && p.mod.On(moderation.Output) {
		h.gate = p.mod.M.NewStreamGate(p.mod.M.LastUserContext(x.Req))
	}
	if plan.Hold {
		return types.ActionPause // until the body is complete: a failed body can still be a 5xx
	}
	h.respSent = true
	return types.ActionContinue
}

// OnHttpResponseBody redacts JSON at the end of the body and SSE per chunk.
func (h *httpContext) OnHttpResponseBody(bodySize int, endOfStream bool) (a types.Action) {
	defer h.recoverPanic(&a)
	switch h.x.Resp {
	case flow.RespJSON, flow.RespScrub:
		if !endOfStream {
			return types.ActionPause // buffer: nothing leaves before redaction
		}
		return h.finishBody(bodySize)
	case flow.RespSSE:
		testHook(&h.x, "response_body")
		chunk, err := hostcalls.ResponseBody(bodySize)
		if err != nil {
			return h.reject(hostFailure("the guard could not read the response", err))
		}
		return h.streamChunk(chunk, endOfStream)
	}
	return types.ActionContinue
}

// OnHttpResponseTrailers: a response body that ends in trailers ends here.
func (h *httpContext) OnHttpResponseTrailers(int) (a types.Action) {
	defer h.recoverPanic(&a)
	switch h.x.Resp {
	case flow.RespJSON, flow.RespScrub:
		return h.finishBody(1 << 30) // the whole buffered body
	case flow.RespSSE:
		// The last chunk has passed: what the redactor still holds back cannot be
		// appended to it any more, so it is dropped rather than released unchecked.
		tail, n := h.x.StreamEnd()
		note(n)
		h.publishUsage()
		if len(tail) > 0 {
			hostcalls.LogWarn("egressguard: response ended in trailers; dropped " + strconv.Itoa(len(tail)) +
				" held-back bytes request_id=" + h.x.RequestID)
		}
	}
	return types.ActionContinue
}

// finishBody handles a complete buffered response: key scrubbing, usage, redaction,
// output moderation.
func (h *httpContext) finishBody(size int) types.Action {
	x := &h.x
	testHook(x, "response_body")
	body, err := hostcalls.ResponseBody(size)
	if err != nil {
		return h.reject(hostFailure("the guard could not read the response", err))
	}
	out, n := x.Body(body)
	note(n)
	h.publishUsage()
	if string(out) != string(body) && !h.replaceResponse(out) {
		return types.ActionPause
	}
	if x.Resp == flow.RespJSON && h.p.mod.On(moderation.Output) {
		return h.moderateJSON(out)
	}
	return types.ActionContinue
}

// streamChunk redacts one SSE chunk and passes it through the moderation gate.
func (h *httpContext) streamChunk(chunk []byte, endOfStream bool) types.Action {
	out, n := h.x.Chunk(chunk, endOfStream)
	note(n)
	if endOfStream {
		h.publishUsage()
	}
	if h.gate != nil {
		return h.gateSSE(out, endOfStream)
	}
	if string(out) != string(chunk) && !h.replaceResponse(out) {
		return types.ActionPause
	}
	return types.ActionContinue
}

// replaceResponse swaps the buffered response body; when the host refuses, nothing
// unchecked may follow, so the response is answered with an error (or reset).
func (h *httpContext) replaceResponse(b []byte) bool {
	if err := hostcalls.ReplaceResponseBody(b); err != nil {
		h.reject(hostFailure("the guard could not replace the response body", err))
		return false
	}
	return true
}

// publishUsage hands the provider's usage to Envoy's ratelimit filter.
func (h *httpContext) publishUsage() {
	if err := hostcalls.ApplyRequest(nil, nil, h.p.flow.Usage(&h.x).State); err != nil {
		hostcalls.LogWarn("egressguard: publishing usage failed: " + err.Error())
	}
}
