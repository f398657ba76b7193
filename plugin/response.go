package main

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/egressguard/egressguard/hostcalls"
	"github.com/egressguard/egressguard/internal/flow"
	"github.com/egressguard/egressguard/internal/metrics"
	"github.com/egressguard/egressguard/internal/moderation"
	"github.com/egressguard/egressguard/internal/redact"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

// OnHttpResponseHeaders sets the request id and other added headers, scrubs an echoed
// key and chooses how the body is handled. No body byte leaves before redaction.
func (h *httpContext) OnHttpResponseHeaders(_ int, endOfStream bool) (a types.Action) {
	defer h.recoverPanic(&a)
	x, p := &h.x, h.p
	testHook(x, "response_headers")
	status, _ := strconv.Atoi(hostcalls.ResponseHeader(":status"))
	in := flow.RespHead{Status: status, ContentType: hostcalls.ResponseHeader("content-type"),
		ContentEncoding: hostcalls.ResponseHeader("content-encoding"), EndOfStream: endOfStream,
		Inspect: h.redactor != nil || p.mod.on(moderation.Output) || p.limits != nil}
	if x.Key() != "" {
		in.Headers = hostcalls.ResponseHeaders()
	}
	plan := p.flow.ResponseHeaders(x, in)
	if plan.CoolKey {
		h.reportKeyStatus(status)
	}
	if plan.Reject != nil {
		return h.reject(plan.Reject)
	}
	for _, n := range plan.Remove {
		if err := hostcalls.RemoveResponseHeader(n); err != nil {
			return h.reject(hostFailure("the guard could not rewrite the response headers", err))
		}
	}
	for _, hv := range plan.Set {
		if err := hostcalls.SetResponseHeader(hv[0], hv[1]); err != nil {
			return h.reject(hostFailure("the guard could not rewrite the response headers", err))
		}
	}
	switch x.Resp {
	case flow.RespSSE:
		if h.redactor != nil {
			h.sse = redact.NewSSE(h.redactor, h.reqCtx)
		}
		if p.mod.on(moderation.Output) {
			h.gate = p.mod.m.NewStreamGate(p.mod.m.LastUserContext(x.Req))
		}
	}
	if plan.Hold {
		return types.ActionPause // held until the body is complete
	}
	h.respSent = true
	return types.ActionContinue
}

// reportKeyStatus tells the key ring how the provider answered the request made with
// its key, so 401/403/429 cool that key down for every worker.
func (h *httpContext) reportKeyStatus(status int) {
	x := &h.x
	if x.Ring.ReportStatus(h.p.flow.Store(), x.KeyName, status, hostcalls.ResponseHeader("retry-after"), time.Now()) {
		hostcalls.Count(metrics.Name(metrics.KeyCooldowns, "upstream", x.Ring.Upstream(), "key", x.KeyName), 1)
		hostcalls.LogWarn("egressguard: key cooled down upstream=" + x.Ring.Upstream() + " key=" + x.KeyName +
			" status=" + strconv.Itoa(status) + " request_id=" + x.RequestID)
	}
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
		return h.finishBody(maxBody)
	case flow.RespSSE:
		// The last chunk has passed; what the redactor still holds back cannot be
		// appended to it any more, so it is dropped rather than released unchecked.
		if tail := h.streamEnd(); len(tail) > 0 {
			hostcalls.LogWarn("egressguard: response ended in trailers; dropped " + strconv.Itoa(len(tail)) +
				" held-back bytes request_id=" + h.x.RequestID)
		}
	}
	return types.ActionContinue
}

// maxBody bounds a buffered response read (Envoy's buffer limit is far below it).
const maxBody = 1 << 30

// finishBody handles a complete buffered response: usage, key scrubbing, redaction,
// output moderation.
func (h *httpContext) finishBody(size int) types.Action {
	x := &h.x
	testHook(x, "response_body")
	body, err := hostcalls.ResponseBody(size)
	if err != nil {
		return h.reject(hostFailure("the guard could not read the response", err))
	}
	out := body
	if s := x.Scrub(body); s != nil {
		out = s
	}
	if x.Resp == flow.RespScrub {
		return h.release(body, out)
	}
	x.ReadUsage(body, false)
	h.publishUsage()
	if h.redactor != nil {
		in, rep := out, redact.Report{}
		if out, rep, err = h.redactor.RedactChatJSON(in, h.reqCtx); err != nil {
			// not the JSON we expect: redact it as text rather than pass it raw
			hostcalls.LogWarn("egressguard: " + err.Error() + "; redacting the response as text")
			var text string
			text, rep = h.redactor.Redact(string(in), h.reqCtx)
			out = []byte(text)
		}
		x.Out.Redactions = rep
		h.logRedactions(rep)
	}
	if a := h.release(body, out); a != types.ActionContinue || !h.p.mod.on(moderation.Output) {
		return a
	}
	return h.moderateJSON(out)
}

// release replaces the buffered body when it changed.
func (h *httpContext) release(orig, out []byte) types.Action {
	if string(out) != string(orig) && !h.replaceResponse(out) {
		return types.ActionPause
	}
	return types.ActionContinue
}

// streamChunk redacts one SSE chunk and passes it through the moderation gate.
func (h *httpContext) streamChunk(chunk []byte, endOfStream bool) types.Action {
	h.x.ReadUsage(chunk, true)
	out := chunk
	if h.sse != nil {
		out = h.sse.Write(chunk)
	}
	if endOfStream {
		out = append(out, h.streamEnd()...)
	}
	if h.gate != nil {
		return h.gateSSE(out, endOfStream)
	}
	if string(out) != string(chunk) && !h.replaceResponse(out) {
		return types.ActionPause
	}
	return types.ActionContinue
}

// streamEnd closes the SSE redactor and returns what it still held back.
func (h *httpContext) streamEnd() []byte {
	h.publishUsage()
	if h.sse == nil {
		return nil
	}
	tail := h.sse.Close()
	h.x.Out.Redactions = h.sse.Report()
	h.logRedactions(h.x.Out.Redactions)
	return tail
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
	if l := h.p.limits; l != nil {
		if err := publish(flow.Publish{State: l.Usage(&h.adm, &h.x.Out)}); err != nil {
			hostcalls.LogWarn("egressguard: publishing usage failed: " + err.Error())
		}
	}
}

// logRedactions logs entity counts by type; never the matched text.
func (h *httpContext) logRedactions(rep redact.Report) {
	if rep.Total() == 0 && !rep.Leak && !rep.Unsafe {
		return
	}
	types := make([]string, 0, len(rep.Counts))
	for t, n := range rep.Counts {
		types = append(types, t+":"+strconv.Itoa(n))
	}
	sort.Strings(types)
	hostcalls.LogInfo("egressguard: redacted request_id=" + h.x.RequestID + " counts=" + strings.Join(types, ",") +
		" leak=" + strconv.FormatBool(rep.Leak) + " unsafe=" + strconv.FormatBool(rep.Unsafe))
}
