package main

import (
	"bytes"
	"sort"
	"strconv"
	"strings"

	"github.com/egressguard/egressguard/hostcalls"
	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/moderation"
	"github.com/egressguard/egressguard/internal/redact"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
	"github.com/tidwall/gjson"
)

// respMode is how a response body is handled.
type respMode uint8

const (
	respPass respMode = iota // not redacted: other paths, non-2xx, other content types
	respJSON                 // buffered to the end, then rewritten
	respSSE                  // transformed chunk by chunk with a bounded hold-back
)

// OnHttpResponseHeaders chooses how to redact the body. Headers go out at once (minus
// content-length, which redaction changes); no body byte leaves before redaction.
func (h *httpContext) OnHttpResponseHeaders(_ int, endOfStream bool) types.Action {
	h.out.status, _ = strconv.Atoi(hostcalls.ResponseHeader(":status"))
	h.reportKeyStatus()
	for _, hv := range h.respHeaders {
		hostcalls.SetResponseHeader(hv[0], hv[1])
	}
	moderated := h.mod.on(moderation.Output)
	if h.done || (h.redactor == nil && !moderated && h.limiter == nil) || endOfStream {
		return types.ActionContinue
	}
	if h.out.status < 200 || h.out.status > 299 { // provider errors pass through unchanged
		return types.ActionContinue
	}
	if enc := hostcalls.ResponseHeader("content-encoding"); enc != "" && !strings.EqualFold(enc, "identity") {
		// accept-encoding: identity was sent; an upstream that compresses anyway cannot
		// be redacted, so its body is never passed on.
		return h.reject(apierr.New(502, apierr.TypeUnavailable, "upstream_encoded",
			"the upstream compressed its response (%s); the guard cannot inspect it", enc))
	}
	ct := strings.ToLower(hostcalls.ResponseHeader("content-type"))
	switch {
	case strings.HasPrefix(ct, "text/event-stream"):
		h.resp = respSSE
		if h.redactor != nil {
			h.sse = redact.NewSSE(h.redactor, h.reqCtx)
		}
		if moderated {
			h.gate = h.mod.m.NewStreamGate(h.mod.m.LastUserContext(h.req))
		}
	case strings.HasPrefix(ct, "application/json"):
		h.resp = respJSON
	default:
		return types.ActionContinue
	}
	hostcalls.RemoveResponseHeader("content-length")
	if h.resp == respJSON && moderated {
		// Held until the completion is moderated: a failure can still be a 503.
		return types.ActionPause
	}
	return types.ActionContinue
}

// OnHttpResponseBody redacts JSON at the end of the body and SSE per chunk.
func (h *httpContext) OnHttpResponseBody(bodySize int, endOfStream bool) types.Action {
	switch h.resp {
	case respJSON:
		if !endOfStream {
			return types.ActionPause // buffer: nothing leaves before redaction
		}
		body, err := hostcalls.ResponseBody(bodySize)
		if err != nil {
			hostcalls.LogError("egressguard: reading response body failed: " + err.Error())
			return types.ActionContinue
		}
		h.readUsage(body, false)
		h.publishUsage()
		out := body
		if h.redactor != nil {
			var rep redact.Report
			out, rep, err = h.policy.RedactResponseJSON(h.route.API, body, h.reqCtx)
			if err != nil { // not the JSON we expect: redact it as text rather than pass it raw
				hostcalls.LogWarn("egressguard: " + err.Error() + "; redacting the response as text")
				var text string
				text, rep = h.redactor.Redact(string(body), h.reqCtx)
				out = []byte(text)
			}
			h.replaceResponse(body, out, rep)
		}
		if h.mod.on(moderation.Output) {
			return h.moderateJSON(out)
		}
	case respSSE:
		chunk, err := hostcalls.ResponseBody(bodySize)
		if err != nil {
			hostcalls.LogError("egressguard: reading response chunk failed: " + err.Error())
		}
		h.readUsage(chunk, true)
		if endOfStream {
			h.publishUsage()
		}
		out := chunk
		if h.sse != nil {
			out = h.sse.Write(chunk)
			if endOfStream {
				out = append(out, h.sse.Close()...)
				h.out.redactions = h.sse.Report()
				h.logRedactions(h.out.redactions)
			}
		}
		if h.gate != nil {
			return h.gateSSE(out, endOfStream)
		}
		if string(out) != string(chunk) {
			hostcalls.ReplaceResponseBody(out)
		}
	}
	return types.ActionContinue
}

func (h *httpContext) replaceResponse(orig, out []byte, rep redact.Report) {
	if string(out) != string(orig) {
		if err := hostcalls.ReplaceResponseBody(out); err != nil {
			hostcalls.LogError("egressguard: replacing response body failed: " + err.Error())
		}
	}
	h.out.redactions = rep
	h.logRedactions(rep)
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
	hostcalls.LogInfo("egressguard: redacted request_id=" + h.requestID + " counts=" + strings.Join(types, ",") +
		" leak=" + strconv.FormatBool(rep.Leak) + " unsafe=" + strconv.FormatBool(rep.Unsafe))
}

// readUsage picks the provider-reported token usage out of a JSON response or an SSE
// chunk (the final chunk of a stream carries it when stream_options.include_usage is
// set; Mistral always sends it). Only the last usage object seen counts.
func (h *httpContext) readUsage(b []byte, sse bool) {
	i := bytes.LastIndex(b, []byte(`"usage"`))
	if i < 0 {
		return
	}
	// The usage object belongs to the enclosing JSON document: the whole body, or the
	// data line of one SSE event (an event split across chunks is skipped; the final
	// usage event is small and arrives whole in practice).
	doc := b
	if start := bytes.LastIndex(b[:i], []byte("data:")); sse && start >= 0 {
		doc = b[start+5:]
		if end := bytes.IndexByte(doc, '\n'); end >= 0 {
			doc = doc[:end]
		}
	}
	u := gjson.GetBytes(doc, "usage")
	for _, p := range []string{"message.usage", "response.usage"} { // Anthropic message_start, Responses events
		if !u.IsObject() {
			u = gjson.GetBytes(doc, p)
		}
	}
	if !u.IsObject() {
		return
	}
	seen := false
	for _, f := range [...]struct {
		name string
		dst  *int64
	}{{"prompt_tokens", &h.out.promptTok}, {"completion_tokens", &h.out.complTok},
		{"input_tokens", &h.out.promptTok}, {"output_tokens", &h.out.complTok}} { // Responses, Anthropic
		if v := u.Get(f.name); v.Exists() {
			*f.dst, seen = v.Int(), true
		}
	}
	h.out.usageSeen = h.out.usageSeen || seen
}
