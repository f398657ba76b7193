package flow

import "github.com/egressguard/egressguard/internal/moderation"

// GateHost is what output moderation of a stream needs from the plugin.
type GateHost interface {
	// Moderate sends a call of the output stage; done gets its decision (already
	// recorded) in a later callback. An error means the call was not sent.
	Moderate(c *moderation.Call, done func(moderation.Decision)) error
	// Record counts and logs a decision taken without a call.
	Record(d moderation.Decision)
	// Resume puts body into the paused response and resumes it.
	Resume(body []byte)
}

// OutputGate moderates a streamed response as it passes: it is fed what redaction
// releases (moderation.StreamGate) and says what Envoy's buffered body becomes. No
// unmoderated text beyond the hold-back window reaches the client.
type OutputGate struct {
	g      *moderation.StreamGate
	m      *moderation.Moderator
	host   GateHost
	paused bool // the response waits for a window's verdict
}

// OutputGate starts output moderation of a streamed 2xx response (nil when the
// output stage is off or the body is not streamed).
func (m *Moderation) OutputGate(x *Exchange, host GateHost) *OutputGate {
	if !m.On(moderation.Output) || x.Resp != RespStream || x.Out.Status < 200 || x.Out.Status > 299 {
		return nil
	}
	return &OutputGate{g: m.M.NewStreamGateFor(x.API(), m.M.LastUserContext(x.Req)), m: m.M, host: host}
}

// GateStep is what to do with the response body after the gate took a chunk.
type GateStep struct {
	Body    []byte // Envoy's buffered body becomes Body (when Set)
	Set     bool
	Pause   bool
	Dropped int // bytes the stream's trailers left no room for (never sent)
}

// Feed gives the gate a stream's redacted output; end: the stream ended; trailers: it
// ended in trailers, when the body takes bytes only if Envoy buffers it (buffering).
// Envoy's buffer is always drained: only released bytes go back.
func (o *OutputGate) Feed(out []byte, end, trailers, buffering bool) GateStep {
	g := o.g
	g.Write(out)
	if end {
		g.Close()
	}
	o.pump()
	switch {
	case trailers && (!g.Paused() || !buffering):
		rel := g.Release()
		if !buffering {
			return GateStep{Dropped: len(rel) + g.Held()}
		}
		return GateStep{Body: rel, Set: len(rel) > 0, Dropped: g.Held()}
	case g.Paused():
		o.paused = true
		return GateStep{Set: !trailers, Pause: true}
	}
	return GateStep{Body: g.Release(), Set: true}
}

// pump dispatches the gate's next window, if one is due; its verdict releases or ends
// the stream and resumes a paused response.
func (o *OutputGate) pump() {
	for c := o.g.Call(); c != nil; c = o.g.Call() {
		err := o.host.Moderate(c, func(d moderation.Decision) {
			o.g.Resolve(d)
			o.pump()
			if o.paused && (!o.g.Ended() || o.g.Done()) {
				o.paused = false
				o.host.Resume(o.g.Release())
			}
		})
		if err == nil {
			return
		}
		d := o.m.Decide(moderation.Output, moderation.Verdict{}, moderation.Unavailable(moderation.ReasonDispatch))
		o.host.Record(d)
		o.g.Resolve(d)
	}
}
