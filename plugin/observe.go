package main

import (
	"fmt"
	"time"

	"github.com/egressguard/egressguard/hostcalls"
	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/audit"
	"github.com/egressguard/egressguard/internal/metrics"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

// modelLabels caps the distinct client-supplied model names per VM.
var modelLabels = metrics.Cardinality{Max: 64}

// OnHttpStreamDone settles the rate limits and emits the request's metrics and audit
// line once.
func (h *httpContext) OnHttpStreamDone() {
	defer func() {
		if r := recover(); r != nil {
			hostcalls.LogError("egressguard: panic at stream end request_id=" + h.x.RequestID + ": " + panicText(r))
		}
	}()
	x := &h.x
	if x.Out.Decision == "" {
		return // never reached a decision (e.g. the plugin failed to start)
	}
	now := time.Now()
	if l := h.p.limits; l != nil && h.adm.Bucket != "" {
		l.Settle(&h.adm, &x.Out, now)
	}
	rec := x.AuditRecord(h.adm.Estimate, h.adm.Bucket, now)
	hostcalls.LogInfo(string(audit.Marshal(&rec)))
	for _, s := range x.Samples(&modelLabels) {
		if s.Histogram {
			hostcalls.Record(s.Name, s.Value)
		} else {
			hostcalls.Count(s.Name, s.Value)
		}
	}
}

// recoverPanic turns a Go panic in a callback into a failure of this request alone: a
// JSON 500 when nothing was sent downstream yet, else a reset stream (Envoy resets
// when the response headers have left). Nothing unchecked is forwarded, and the VM
// keeps serving the other requests. Use it deferred, with the callback's named result.
func (h *httpContext) recoverPanic(a *types.Action) {
	if r := recover(); r != nil {
		*a = h.failInternal(r)
	}
}

// recoverAsync is recoverPanic for callbacks without a result (dispatched calls).
func (h *httpContext) recoverAsync() {
	if r := recover(); r != nil {
		h.failInternal(r)
	}
}

func (h *httpContext) failInternal(r any) types.Action {
	hostcalls.LogError("egressguard: internal error request_id=" + h.x.RequestID + ": " + panicText(r))
	if h.x.Done {
		return types.ActionPause
	}
	return h.reject(apierr.New(500, apierr.TypeUnavailable, "internal_error",
		"the guard failed on this request; it was not forwarded"))
}

func panicText(r any) string {
	s := fmt.Sprint(r)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
