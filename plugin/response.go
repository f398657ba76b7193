package main

import (
	"strconv"
	"time"

	"github.com/egressguard/egressguard/hostcalls"
	"github.com/egressguard/egressguard/internal/flow"
	"github.com/egressguard/egressguard/internal/moderation"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

// OnHttpResponseHeaders adds the request id (and other decided headers), scrubs echoed
// keys and chooses how the body is handled: no body byte leaves before redaction.
func (h *httpContext) OnHttpResponseHeaders(_ int, endOfStream bool) (a types.Action) {
	defer h.recoverPanic(&a)
	x, p := &h.x, h.p
	testHook(x, "response_headers")
	hs := hostcalls.ResponseHeaders()
	plan := p.flow.ResponseHeaders(x, flow.RespHead{Header: hs.Get, All: hs.All, EndOfStream: endOfStream}, time.Now) // a key's cooldown is kept as a wall time
	note(plan.Notes)
	if plan.Reject != nil {
		return h.reject(plan.Reject)
	}
	if err := hostcalls.ApplyResponse(plan.Remove, plan.Set, plan.State); err != nil {
		return h.reject(hostFailure("the guard could not rewrite the response headers", err))
	}
	h.gate = p.mod.OutputGate(x, h)
	if plan.Hold {
		return types.ActionPause // until the body decides: a failed or refused body can still be a 5xx
	}
	h.respSent = true
	return types.ActionContinue
}

// OnHttpResponseBody holds a buffered body to its end and redacts a streamed one per
// chunk. Whether it paused is remembered: only a paused body can still take bytes when
// trailers end it.
func (h *httpContext) OnHttpResponseBody(bodySize int, endOfStream bool) (a types.Action) {
	if h.x.Resp == flow.RespPass {
		h.buffering = false
		return types.ActionContinue // nothing that could panic: no deferred recovery
	}
	defer func() { h.buffering = a == types.ActionPause }()
	defer h.recoverPanic(&a)
	switch h.x.Resp {
	case flow.RespBuffer:
		if !endOfStream {
			return types.ActionPause // buffer: nothing leaves before redaction
		}
		return h.finishBody(bodySize)
	case flow.RespStream:
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
	case flow.RespBuffer:
		return h.finishBody(1 << 30) // the whole buffered body
	case flow.RespStream:
		tail, n := h.x.StreamEnd()
		note(n)
		h.publishUsage()
		if h.gate != nil {
			return h.applyGate(h.gate.Feed(tail, true, true, h.buffering))
		}
		h.sendTail(tail, 0)
	}
	return types.ActionContinue
}

// finishBody handles a complete buffered response: redaction, usage, output
// moderation.
func (h *httpContext) finishBody(size int) types.Action {
	x := &h.x
	testHook(x, "response_body")
	body, err := hostcalls.ResponseBody(size)
	if err != nil {
		return h.reject(hostFailure("the guard could not read the response", err))
	}
	w := x.Body(body)
	note(w.Notes)
	h.publishUsage()
	if w.Err != nil {
		return h.reject(w.Err)
	}
	if string(w.Body) != string(body) && !h.replaceResponse(w.Body) {
		return types.ActionPause
	}
	if len(w.Texts) > 0 && h.p.mod.On(moderation.Output) {
		return h.moderateWhole(w.Body, w.Texts)
	}
	return types.ActionContinue
}

// streamChunk redacts one chunk of a streamed body and passes it through the
// moderation gate. Envoy's buffer is always drained; when nothing may go yet the body
// pauses (headers held until its type is known stay held).
func (h *httpContext) streamChunk(chunk []byte, end bool) types.Action {
	out, e, n := h.x.Chunk(chunk, end)
	note(n)
	if end {
		h.publishUsage()
	}
	if e != nil {
		return h.reject(e)
	}
	if h.gate != nil {
		return h.applyGate(h.gate.Feed(out, end, false, h.buffering))
	}
	if string(out) != string(chunk) && !h.replaceResponse(out) {
		return types.ActionPause
	}
	if len(out) == 0 && !end {
		return types.ActionPause
	}
	return types.ActionContinue
}

// sendTail puts a stream's last bytes before its trailers. Envoy takes them only while
// it buffers the body (the last chunk paused); otherwise they are dropped, never sent
// unchecked, like the held bytes moderation never cleared.
func (h *httpContext) sendTail(tail []byte, held int) {
	if len(tail) > 0 && (!h.buffering || !h.replaceResponse(tail)) {
		held += len(tail)
	}
	if held > 0 {
		hostcalls.LogWarn("egressguard: response ended in trailers; dropped " + strconv.Itoa(held) +
			" held-back bytes request_id=" + h.x.RequestID)
	}
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
