package flow

import (
	"errors"
	"fmt"
	"time"

	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/config"
	"github.com/egressguard/egressguard/internal/credentials"
	"github.com/egressguard/egressguard/internal/metrics"
	"github.com/egressguard/egressguard/internal/moderation"
	"github.com/egressguard/egressguard/internal/shareddata"
)

// Moderation is the compiled moderation client of one plugin instance: the moderator
// and the moderation API's key ring.
type Moderation struct {
	M     *moderation.Moderator
	ring  *credentials.Keyring // nil: no key injected
	store shareddata.Store
}

// NewModeration builds moderation (nil when off) and resolves its key once.
func NewModeration(cfg *config.Config, env credentials.Env, store shareddata.Store) (*Moderation, []string, error) {
	m, err := moderation.New(cfg.Moderation)
	if err != nil {
		return nil, nil, fmt.Errorf("moderation: %w", err)
	}
	if m == nil {
		return nil, nil, nil
	}
	mod := &Moderation{M: m, store: store}
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

// secrets are the moderation API's keys (none when the guard injects none).
func (m *Moderation) secrets() []credentials.Secret {
	if m == nil || m.ring == nil {
		return nil
	}
	return m.ring.Secrets()
}

// On reports whether a stage calls the moderation API at all.
func (m *Moderation) On(k moderation.StageKind) bool {
	return m != nil && m.M.Stage(k).Mode != moderation.ModeOff
}

var errKeysCooling = errors.New("every moderation key is cooling down")

// Request returns the headers of a moderation call, the key injected, and the key's
// name for Answer. An error means the call cannot be sent.
func (m *Moderation) Request(call *moderation.Call, now time.Time) ([][2]string, string, error) {
	hdrs := m.M.Headers(call)
	if m.ring == nil {
		return hdrs, "", nil
	}
	key, name, _, ok := m.ring.Pick(m.store, now)
	if !ok {
		return nil, "", errKeysCooling
	}
	hn, hv := m.ring.HeaderValue(key)
	return append(hdrs, [2]string{hn, hv}), name, nil
}

// Reply is what came back from a moderation call.
type Reply struct {
	Answered   bool // headers arrived (false: a timeout or a connection failure)
	Status     int
	RetryAfter string
	Body       []byte
	// FromService: the answer passed Envoy's router from the service (it carries
	// x-envoy-upstream-service-time); Envoy's own 503/504 replies do not.
	FromService bool
}

// Answer turns what came back from a moderation call into a verdict or a failure:
// no headers (connection failure or timeout), Envoy's own 503/504 (see
// moderation.LocalReply), or the moderation API's answer (which also cools its key on
// 401/403/429). When the service never judged the key, its probe is freed for another
// call.
func (m *Moderation) Answer(call *moderation.Call, keyName string, r Reply, elapsed time.Duration, now time.Time) (moderation.Verdict, *moderation.Failure) {
	f := moderation.LocalReply(r.Status, r.FromService, r.Body)
	if !r.Answered {
		f = m.M.NoResponse(elapsed)
	}
	if f != nil {
		m.report(keyName, 0, "", now)
		return moderation.Verdict{}, f
	}
	m.report(keyName, r.Status, r.RetryAfter, now)
	return m.M.Finish(call, r.Status, r.Body, m.store, now)
}

// report tells the moderation key ring how the service answered a call made with
// keyName; status 0 (no answer) only frees the key's probe for another call.
func (m *Moderation) report(keyName string, status int, retryAfter string, now time.Time) {
	if m.ring != nil {
		m.ring.ReportStatus(m.store, keyName, status, retryAfter, now)
	}
}

// RecordModeration adds a moderation decision to the outcome and returns its metrics
// and log line: categories only, never content.
func (x *Exchange) RecordModeration(d moderation.Decision) Notes {
	stage, o := d.Stage.String(), &x.Out
	s := []Sample{{Name: metrics.Name(metrics.Moderation, "stage", stage, "verdict", d.Outcome), Value: 1}}
	o.Moderation = append(o.Moderation, stage+":"+d.Outcome)
	for _, c := range d.Categories {
		o.Moderation = append(o.Moderation, stage+":category:"+c)
	}
	if d.Failure != nil {
		s = append(s, Sample{Name: metrics.Name(metrics.ModerationFailures, "stage", stage, "reason", d.Failure.Reason.String()), Value: 1})
		o.Moderation = append(o.Moderation, stage+":failure:"+d.Failure.Reason.String())
	}
	n := Notes{Samples: s}
	n.warn(d.LogLine(x.RequestID))
	return n
}

// InputModerated applies an input moderation decision: the error to answer (the
// request is never forwarded), else the request goes on, with the header a failed-open
// call adds to the response.
func (x *Exchange) InputModerated(d moderation.Decision, now time.Time) *apierr.Error {
	if e := d.Error(); e != nil {
		return e
	}
	if name, value, ok := d.Header(); ok {
		x.AddResponseHeader(name, value)
	}
	x.Held(DecisionForwarded, "", now)
	return nil
}

// OutputVerdict is what an output moderation decision does to a whole response.
type OutputVerdict struct {
	Body   []byte        // non-nil: the refusal that replaces the body
	Reject *apierr.Error // non-nil: answer it (fail closed; a reset once the headers left)
	Header [2]string     // set when Header[0] != "": failed open, headers still held
}

// OutputModerated turns an output moderation decision on a whole response (body, as
// the client would get it) into what to do; sent: its headers have left, so a failed
// open call is only in the audit line.
func (x *Exchange) OutputModerated(d moderation.Decision, body []byte, refusal string, sent bool) (v OutputVerdict) {
	switch d.Action {
	case moderation.ActionRefuse:
		v.Body = x.RefusalBody(body, refusal)
	case moderation.ActionFailClosed:
		v.Reject = d.Error()
	case moderation.ActionFailOpen:
		if name, value, ok := d.Header(); ok && !sent {
			v.Header = [2]string{name, value}
		}
	}
	return v
}

// Store is the shared-data store of the verdict cache and the key ring.
func (m *Moderation) Store() shareddata.Store { return m.store }
