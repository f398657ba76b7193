package main

import (
	"strconv"
	"strings"
	"time"

	"github.com/egressguard/egressguard/hostcalls"
	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/config"
	"github.com/egressguard/egressguard/internal/credentials"
	"github.com/egressguard/egressguard/internal/llmreq"
	"github.com/egressguard/egressguard/internal/moderation"
	"github.com/egressguard/egressguard/internal/policy"
	"github.com/egressguard/egressguard/internal/redact"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

// httpContext is one request/response exchange.
type httpContext struct {
	types.DefaultHttpContext
	policy  *policy.Policy
	creds   *credentialSet
	mod     *moderator
	limiter *limiter
	adm     admission
	// rejectStatus is the status of the guard's own error reply.
	rejectStatus int
	route        policy.Route
	upstream     *config.Upstream
	requestID    string
	done         bool // a local response was sent; ignore further callbacks

	// Credentials: the authenticated tenant (nil without client auth) and the key used.
	tenant  *credentials.Tenant
	ring    *credentials.Keyring
	keyName string

	// Observations for metrics and the audit line (never content).
	out       outcome
	model     string
	injection *policy.Injection

	// Moderation state.
	req         *llmreq.Request        // the parsed request (output moderation context)
	respHeaders [][2]string            // response headers to add (e.g. moderation failed open)
	gate        *moderation.StreamGate // SSE output moderation (nil: off)
	respPaused  bool                   // the response is held for a moderation call

	// Response redaction state.
	redactor *redact.Redactor       // nil: responses pass through
	reqCtx   *redact.RequestContext // the request's system prompt, for leak detection
	resp     respMode
	sse      *redact.SSETransformer
}

// OnHttpRequestHeaders routes the request and, for the LLM APIs, holds the headers
// until the whole body has been checked: nothing is forwarded before the decision.
func (h *httpContext) OnHttpRequestHeaders(_ int, endOfStream bool) types.Action {
	h.out.start = time.Now()
	h.requestID = hostcalls.RequestHeader("x-request-id")
	head := policy.RequestHead{
		Method:        hostcalls.RequestHeader(":method"),
		Path:          hostcalls.RequestHeader(":path"),
		ContentType:   hostcalls.RequestHeader("content-type"),
		ContentLength: contentLength(hostcalls.RequestHeader("content-length")),
		EndOfStream:   endOfStream,
	}
	var err *apierr.Error
	if h.route, err = h.policy.Head(head); err != nil {
		return h.reject(err)
	}
	h.upstream = h.policy.Upstream(hostcalls.RequestHeader(":authority"))
	if err, hdrs := h.applyCredentials(); err != nil {
		return h.reject(err, hdrs...)
	}
	if h.route.API == llmreq.None {
		h.held(decisionPassthrough, "")
		return types.ActionContinue
	}
	if h.redactor = h.policy.ResponseRedactor(); h.redactor != nil || h.mod.on(moderation.Output) || h.limiter != nil {
		// Compressed responses could not be redacted: ask for identity encoding.
		hostcalls.SetRequestHeader("accept-encoding", "identity")
	}
	return types.ActionPause
}

// OnHttpRequestBody buffers until the end of the body, then applies the decision.
func (h *httpContext) OnHttpRequestBody(bodySize int, endOfStream bool) types.Action {
	if h.done || h.route.API == llmreq.None {
		return types.ActionContinue
	}
	if bodySize > h.policy.MaxBodyBytes() {
		return h.reject(h.policy.TooLarge())
	}
	if !endOfStream {
		return types.ActionPause
	}
	body, err := hostcalls.RequestBody(bodySize)
	if err != nil {
		return h.reject(apierr.New(500, apierr.TypeUnavailable, "body_unreadable", "the guard could not read the request body"))
	}
	d := h.policy.CheckBodyFor(h.route, h.upstream, h.tenant, body)
	h.logVerdict(&d)
	h.injection = d.Injection
	if d.Request != nil {
		h.model = d.Request.Model
	}
	if d.Reject != nil {
		return h.reject(d.Reject)
	}
	h.reqCtx = policy.RequestContext(d.Request)
	for _, hv := range d.Headers {
		hostcalls.SetRequestHeader(hv[0], hv[1])
	}
	if d.Rewritten() {
		if err := hostcalls.ReplaceRequestBody(d.Body); err != nil {
			return h.reject(apierr.New(500, apierr.TypeUnavailable, "rewrite_failed", "the guard could not rewrite the request body"))
		}
	}
	h.req = d.Request
	if h.limiter != nil {
		if e, hdrs := h.admit(d.Request, d.MaxTokens); e != nil {
			return h.reject(e, hdrs...)
		}
	}
	if h.mod.on(moderation.Input) {
		return h.moderateInput(d.Request)
	}
	h.held(decisionForwarded, "")
	return types.ActionContinue
}

// reject answers with a JSON error and logs it with the request id, never the content.
func (h *httpContext) reject(e *apierr.Error, extra ...[2]string) types.Action {
	h.done = true
	h.held(decisionRejected, e.Code)
	h.rejectStatus = e.Status
	hostcalls.LogWarn("egressguard: rejected request_id=" + h.requestID + " kind=" + h.route.API.String() +
		" status=" + strconv.Itoa(e.Status) + " code=" + e.Code)
	headers := extra
	if h.requestID != "" {
		headers = append(headers, [2]string{"x-request-id", h.requestID})
	}
	if err := hostcalls.SendJSON(e.Status, e.JSON(), headers); err != nil {
		hostcalls.LogError("egressguard: sending local response failed: " + err.Error())
	}
	return types.ActionPause
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
func (h *httpContext) logVerdict(d *policy.Decision) {
	v := d.Injection
	if v == nil || !v.Flagged {
		return
	}
	hostcalls.LogWarn("egressguard: injection request_id=" + h.requestID + " action=" + v.Action +
		" score=" + strconv.FormatFloat(v.Score, 'f', 2, 64) + " rules=" + strings.Join(v.Rules, ","))
}
