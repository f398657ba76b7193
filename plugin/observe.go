package main

import (
	"github.com/egressguard/egressguard/hostcalls"
	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/flow"
	"github.com/egressguard/egressguard/internal/metrics"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

// modelLabels caps the distinct client-supplied model names per VM.
var modelLabels = metrics.Cardinality{Max: 64}

// samples gathers the stream-end metrics, reused (one VM serves one thread).
var samples []flow.Sample

// OnHttpStreamDone settles the rate limits and emits the request's metrics and audit
// line once.
func (h *httpContext) OnHttpStreamDone() {
	defer func() {
		if r := recover(); r != nil {
			hostcalls.LogError("egressguard: panic at stream end request_id=" + h.x.RequestID + ": " + flow.PanicText(r))
		}
	}()
	x := &h.x
	if x.Out.Decision == "" {
		return // never reached a decision (e.g. the plugin failed to start)
	}
	rec, s := h.p.flow.Done(x, &modelLabels, hostcalls.WallClock(), samples[:0]) // wall clock: one host call
	samples = s
	hostcalls.LogAudit(&rec)
	note(flow.Notes{Samples: samples})
	hostcalls.FinishCollection() // the exchange is over: let an open mark phase finish
}

// note logs and counts what a phase asked for.
func note(n flow.Notes) {
	for _, l := range n.Warn {
		hostcalls.LogWarn(l)
	}
	for _, l := range n.Info {
		hostcalls.LogInfo(l)
	}
	for _, s := range n.Samples {
		if s.Histogram {
			hostcalls.Record(s.Name, s.Value)
		} else {
			hostcalls.Count(s.Name, s.Value)
		}
	}
}

// recoverPanic turns a Go panic in a callback into a failure of this request alone: a
// JSON 500 when nothing was sent downstream yet, else a reset stream (Envoy resets when
// the response headers have left). Nothing unchecked is forwarded and the VM keeps
// serving. Deferred, with the callback's named result.
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
	hostcalls.LogError("egressguard: internal error request_id=" + h.x.RequestID + ": " + flow.PanicText(r))
	if h.x.Done {
		return types.ActionPause
	}
	return h.reject(apierr.New(500, apierr.TypeUnavailable, "internal_error",
		"the guard failed on this request; it was not forwarded"))
}
