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

// Record counts and logs a moderation decision (categories only, never content).
func (h *httpContext) Record(d moderation.Decision) { note(h.x.RecordModeration(d)) }

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
		h.Record(d)
		if e := h.x.InputModerated(d, time.Now()); e != nil {
			return h.reject(e)
		}
		if resume {
			hostcalls.ResumeRequest()
		}
		return types.ActionContinue
	})
}

// moderateWhole moderates the texts of a complete (already redacted) response while the
// body is held, then releases it, replaces it with the refusal in the API's shape, or
// answers 503 (a reset once the headers have left).
func (h *httpContext) moderateWhole(body []byte, texts []string) types.Action {
	m := h.p.mod.M
	call := m.PlanOutput(texts, m.LastUserContext(h.x.Req))
	if call == nil {
		return types.ActionContinue
	}
	return h.decideOn(moderation.Output, call, moderation.Verdict{}, func(d moderation.Decision, resume bool) types.Action {
		h.Record(d)
		v := h.x.OutputModerated(d, body, m.Refusal(), h.respSent)
		switch {
		case v.Reject != nil:
			return h.reject(v.Reject)
		case v.Body != nil && !h.replaceResponse(v.Body):
			return types.ActionPause
		case v.Header[0] != "":
			hostcalls.SetResponseHeader(v.Header[0], v.Header[1])
		}
		if resume {
			hostcalls.ResumeResponse()
		}
		return types.ActionContinue
	})
}

// Moderate implements flow.GateHost: one window of the output stage, recorded.
func (h *httpContext) Moderate(c *moderation.Call, done func(moderation.Decision)) error {
	m := h.p.mod.M
	return h.dispatch(c, func(v moderation.Verdict, f *moderation.Failure) {
		d := m.Decide(moderation.Output, v, f)
		h.Record(d)
		done(d)
	})
}

// Resume implements flow.GateHost.
func (h *httpContext) Resume(body []byte) {
	if h.replaceResponse(body) {
		hostcalls.ResumeResponse()
	}
}

// applyGate applies what the output gate decided for the response body.
func (h *httpContext) applyGate(s flow.GateStep) types.Action {
	if s.Set && !h.replaceResponse(s.Body) {
		return types.ActionPause
	}
	h.sendTail(nil, s.Dropped)
	if s.Pause {
		return types.ActionPause
	}
	return types.ActionContinue
}
