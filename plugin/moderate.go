package main

import (
	"time"

	"github.com/egressguard/egressguard/hostcalls"
	"github.com/egressguard/egressguard/internal/flow"
	"github.com/egressguard/egressguard/internal/llmreq"
	"github.com/egressguard/egressguard/internal/metrics"
	"github.com/egressguard/egressguard/internal/moderation"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

// dispatch sends one moderation call; done gets the verdict or the failure (a panic in
// it fails this request like one in any callback). An error means the call was not sent.
func (h *httpContext) dispatch(call *moderation.Call, done func(moderation.Verdict, *moderation.Failure)) error {
	mod := h.p.mod
	hdrs, keyName, err := mod.Request(call, time.Now())
	if err != nil {
		return err
	}
	start, stage := time.Now(), call.Stage.String()
	return hostcalls.DispatchHTTP(mod.M.Cluster(), hdrs, call.Body, uint32(mod.M.Timeout().Milliseconds()), func(ok bool, status int, retryAfter string, body []byte) {
		defer h.recoverAsync()
		elapsed := time.Since(start)
		hostcalls.Record(metrics.Name(metrics.ModerationMs, "stage", stage), uint64(elapsed.Milliseconds()))
		r := flow.Reply{Answered: ok, Status: status, RetryAfter: retryAfter, Body: body,
			FromService: ok && hostcalls.CallResponseHeader("x-envoy-upstream-service-time") != ""}
		done(mod.Answer(call, keyName, r, elapsed, time.Now()))
	})
}

// record counts and logs a moderation decision (categories only, never content).
func (h *httpContext) record(d moderation.Decision) { note(h.x.RecordModeration(d)) }

// decideOn resolves a moderation stage: a cached verdict at once, else a call whose
// answer arrives later (then resumed). The failure to send a call is decided at once.
func (h *httpContext) decideOn(k moderation.StageKind, call *moderation.Call, cached moderation.Verdict, apply func(moderation.Decision, bool) types.Action) types.Action {
	m := h.p.mod.M
	if call == nil {
		return apply(m.Decide(k, cached, nil), false)
	}
	err := h.dispatch(call, func(v moderation.Verdict, f *moderation.Failure) { apply(m.Decide(k, v, f), true) })
	if err != nil {
		hostcalls.LogWarn("egressguard: moderation call not sent request_id=" + h.x.RequestID + ": " + err.Error())
		return apply(m.Decide(k, moderation.Verdict{}, moderation.Unavailable(moderation.ReasonDispatch)), false)
	}
	return types.ActionPause
}

// moderateInput holds the request until the new user texts and tool results are
// moderated (cached verdicts are reused), then forwards or rejects it.
func (h *httpContext) moderateInput(req *llmreq.Request) types.Action {
	call, cached := h.p.mod.M.PlanInput(req, h.p.mod.Store(), time.Now())
	if cached.Flagged {
		call = nil
	}
	return h.decideOn(moderation.Input, call, cached, func(d moderation.Decision, resume bool) types.Action {
		h.record(d)
		if e := d.Error(); e != nil {
			return h.reject(e)
		}
		if name, value, ok := d.Header(); ok {
			h.x.AddResponseHeader(name, value)
		}
		h.x.Held(flow.DecisionForwarded, "", time.Now())
		if resume {
			hostcalls.ResumeRequest()
		}
		return types.ActionContinue
	})
}

// moderateJSON moderates a complete (already redacted) JSON completion while the body
// is held, then releases it, replaces it with the refusal, or answers 503 (a reset once
// the headers have left).
func (h *httpContext) moderateJSON(body []byte) types.Action {
	m := h.p.mod.M
	call := m.PlanOutput(moderation.ResponseTexts(body), m.LastUserContext(h.x.Req))
	if call == nil {
		return types.ActionContinue
	}
	return h.decideOn(moderation.Output, call, moderation.Verdict{}, func(d moderation.Decision, resume bool) types.Action {
		h.record(d)
		switch d.Action {
		case moderation.ActionRefuse:
			if !h.replaceResponse(moderation.RefusalJSON(body, m.Refusal())) {
				return types.ActionPause
			}
		case moderation.ActionFailClosed:
			return h.reject(d.Error())
		case moderation.ActionFailOpen:
			if name, value, _ := d.Header(); !h.respSent { // else the audit line says it
				hostcalls.SetResponseHeader(name, value)
			}
		}
		if resume {
			hostcalls.ResumeResponse()
		}
		return types.ActionContinue
	})
}

// gateSSE passes redacted SSE output through the moderation gate: Envoy's buffer is
// always drained and only what the gate released goes back, so no unmoderated text
// beyond the hold-back window reaches the client.
func (h *httpContext) gateSSE(out []byte, endOfStream bool) types.Action {
	g := h.gate
	g.Write(out)
	if endOfStream {
		g.Close()
	}
	h.pump()
	if g.Paused() {
		h.respPaused = true
		h.replaceResponse(nil)
		return types.ActionPause
	}
	if !h.replaceResponse(g.Release()) {
		return types.ActionPause
	}
	return types.ActionContinue
}

// pump dispatches the gate's next window, if one is due.
func (h *httpContext) pump() {
	m := h.p.mod.M
	for c := h.gate.Call(); c != nil; c = h.gate.Call() {
		err := h.dispatch(c, func(v moderation.Verdict, f *moderation.Failure) {
			d := m.Decide(moderation.Output, v, f)
			h.record(d)
			h.gate.Resolve(d)
			h.pump()
			if h.respPaused && (!h.gate.Ended() || h.gate.Done()) && h.replaceResponse(h.gate.Release()) {
				h.respPaused = false
				hostcalls.ResumeResponse()
			}
		})
		if err == nil {
			return
		}
		d := m.Decide(moderation.Output, moderation.Verdict{}, moderation.Unavailable(moderation.ReasonDispatch))
		h.record(d)
		h.gate.Resolve(d)
	}
}
