package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/egressguard/egressguard/hostcalls"
	"github.com/egressguard/egressguard/internal/config"
	"github.com/egressguard/egressguard/internal/credentials"
	"github.com/egressguard/egressguard/internal/llmreq"
	"github.com/egressguard/egressguard/internal/metrics"
	"github.com/egressguard/egressguard/internal/moderation"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

// moderator is the compiled moderation configuration of one plugin instance.
type moderator struct {
	m     *moderation.Moderator
	ring  *credentials.Keyring // the moderation API's key (nil: none injected)
	store credentials.SharedStore
}

// newModerator builds moderation (nil when off) and resolves its key once.
func newModerator(cfg *config.Config, env credentials.Env, store credentials.SharedStore) (*moderator, []string, error) {
	m, err := moderation.New(cfg.Moderation)
	if err != nil || m == nil {
		return nil, nil, err
	}
	mod := &moderator{m: m, store: store}
	var warns []string
	if cfg.Moderation.Auth.Enabled() {
		ring, w, err := credentials.NewKeyring("moderation", cfg.Moderation.Auth, env)
		if err != nil {
			return nil, nil, fmt.Errorf("moderation.auth: %w", err)
		}
		if err := ring.Prepare(store); err != nil {
			w = append(w, "moderation: shared key state unavailable, using worker-local state: "+err.Error())
		}
		mod.ring, warns = ring, w
	}
	return mod, warns, nil
}

// on reports whether a stage calls the moderation API at all.
func (mod *moderator) on(k moderation.StageKind) bool {
	return mod != nil && mod.m.Stage(k).Mode != moderation.ModeOff
}

var errKeysCooling = errors.New("every moderation key is cooling down")

// dispatch sends one moderation call; done gets the verdict or the failure. An error
// means the call was not sent (done is not called).
func (h *httpContext) dispatch(call *moderation.Call, done func(moderation.Verdict, *moderation.Failure)) error {
	mod := h.mod
	hdrs := mod.m.Headers(call)
	keyName := ""
	if mod.ring != nil {
		key, name, _, ok := mod.ring.Pick(mod.store, time.Now())
		if !ok {
			return errKeysCooling
		}
		hn, hv := mod.ring.HeaderValue(key)
		hdrs, keyName = append(hdrs, [2]string{hn, hv}), name
	}
	start := time.Now()
	stage := call.Stage.String()
	return hostcalls.DispatchHTTP(mod.m.Cluster(), hdrs, call.Body, uint32(mod.m.Timeout().Milliseconds()), func(numHeaders, bodySize int) {
		hostcalls.Record(metrics.Name(metrics.ModerationMs, "stage", stage), uint64(time.Since(start).Milliseconds()))
		if numHeaders == 0 {
			done(moderation.Verdict{}, mod.m.NoResponse(time.Since(start)))
			return
		}
		status, retryAfter, body := hostcalls.CallResponse(bodySize)
		if elapsed := time.Since(start); status == 504 && elapsed >= mod.m.Timeout()-10*time.Millisecond {
			// Envoy answers its own call timeout with a 504.
			done(moderation.Verdict{}, moderation.Unavailable(moderation.ReasonTimeout))
			return
		}
		if mod.ring != nil {
			mod.ring.ReportStatus(mod.store, keyName, status, retryAfter, time.Now())
		}
		v, f := mod.m.Finish(call, status, body, mod.store, time.Now())
		done(v, f)
	})
}

// record counts and logs a moderation decision (categories only, never content).
func (h *httpContext) record(d moderation.Decision) {
	stage := d.Stage.String()
	hostcalls.Count(metrics.Name(metrics.Moderation, "stage", stage, "verdict", d.Outcome), 1)
	if d.Failure != nil {
		hostcalls.Count(metrics.Name(metrics.ModerationFailures, "stage", stage, "reason", d.Failure.Reason.String()), 1)
	}
	if line := d.LogLine(h.requestID); line != "" {
		hostcalls.LogWarn(line)
	}
	h.out.moderation = append(h.out.moderation, stage+":"+d.Outcome)
	for _, c := range d.Categories {
		h.out.moderation = append(h.out.moderation, stage+":category:"+c)
	}
	if d.Failure != nil {
		h.out.moderation = append(h.out.moderation, stage+":failure:"+d.Failure.Reason.String())
	}
}

// moderateInput holds the request until the new user texts and tool results are
// moderated (cached verdicts are reused), then forwards or rejects it.
func (h *httpContext) moderateInput(req *llmreq.Request) types.Action {
	m := h.mod.m
	call, cached := m.PlanInput(req, h.mod.store, time.Now())
	if call == nil || cached.Flagged {
		return h.applyInput(m.Decide(moderation.Input, cached, nil), false)
	}
	err := h.dispatch(call, func(v moderation.Verdict, f *moderation.Failure) {
		h.applyInput(m.Decide(moderation.Input, v, f), true)
	})
	if err != nil {
		hostcalls.LogWarn("egressguard: moderation call not sent request_id=" + h.requestID + ": " + err.Error())
		return h.applyInput(m.Decide(moderation.Input, moderation.Verdict{}, moderation.Unavailable(moderation.ReasonDispatch)), false)
	}
	return types.ActionPause
}

// applyInput carries out an input decision; resume is set when the request is paused
// waiting for the call.
func (h *httpContext) applyInput(d moderation.Decision, resume bool) types.Action {
	h.record(d)
	if e := d.Error(); e != nil {
		return h.reject(e)
	}
	if name, value, ok := d.Header(); ok {
		h.respHeaders = append(h.respHeaders, [2]string{name, value})
	}
	h.held(decisionForwarded, "")
	if resume {
		hostcalls.ResumeRequest()
	}
	return types.ActionContinue
}

// moderateJSON moderates a complete (already redacted) JSON completion while the
// response is held, then releases it, replaces it with the refusal, or answers 503.
func (h *httpContext) moderateJSON(body []byte) types.Action {
	m := h.mod.m
	call := m.PlanOutput(moderation.ResponseTexts(body), m.LastUserContext(h.req))
	if call == nil {
		return h.releaseResponse(false)
	}
	apply := func(d moderation.Decision, async bool) types.Action {
		h.record(d)
		switch d.Action {
		case moderation.ActionRefuse:
			hostcalls.ReplaceResponseBody(moderation.RefusalJSON(body, m.Refusal()))
		case moderation.ActionFailClosed:
			return h.reject(d.Error())
		case moderation.ActionFailOpen:
			name, value, _ := d.Header()
			hostcalls.SetResponseHeader(name, value)
		}
		return h.releaseResponse(async)
	}
	err := h.dispatch(call, func(v moderation.Verdict, f *moderation.Failure) {
		apply(m.Decide(moderation.Output, v, f), true)
	})
	if err != nil {
		return apply(m.Decide(moderation.Output, moderation.Verdict{}, moderation.Unavailable(moderation.ReasonDispatch)), false)
	}
	return types.ActionPause
}

// releaseResponse lets a held JSON response go.
func (h *httpContext) releaseResponse(resume bool) types.Action {
	if resume {
		hostcalls.ResumeResponse()
	}
	return types.ActionContinue
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
		hostcalls.ReplaceResponseBody(nil)
		h.respPaused = true
		return types.ActionPause
	}
	hostcalls.ReplaceResponseBody(g.Release())
	return types.ActionContinue
}

// pump dispatches the gate's next window, if one is due.
func (h *httpContext) pump() {
	m := h.mod.m
	for {
		c := h.gate.Call()
		if c == nil {
			return
		}
		err := h.dispatch(c, func(v moderation.Verdict, f *moderation.Failure) {
			d := m.Decide(moderation.Output, v, f)
			h.record(d)
			h.gate.Resolve(d)
			h.pump()
			if h.respPaused && (!h.gate.Ended() || h.gate.Done()) {
				hostcalls.ReplaceResponseBody(h.gate.Release())
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
