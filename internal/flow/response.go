package flow

import (
	"strconv"
	"strings"
	"time"

	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/credentials"
	"github.com/egressguard/egressguard/internal/llmreq"
	"github.com/egressguard/egressguard/internal/llmresp"
	"github.com/egressguard/egressguard/internal/metrics"
	"github.com/egressguard/egressguard/internal/redact"
)

// RespMode is how a response body is handled.
type RespMode uint8

// Response body modes.
const (
	RespPass   RespMode = iota // untouched: passthrough paths, bodies nothing reads
	RespBuffer                 // held to the end, then Body gives what to send
	RespStream                 // Chunk per network chunk, StreamEnd at trailers
)

// RespHead is what the response headers phase knows.
type RespHead struct {
	// Header reads a response header ("" when absent); All lists them all.
	Header      func(name string) string
	All         func() [][2]string
	EndOfStream bool
}

// RespPlan is what to do with the response headers: apply Ops, then hold or continue.
// Reject means answer with it (before any byte left: the response is replaced).
type RespPlan struct {
	Ops
	Notes
	Reject *apierr.Error
	// Hold pauses the headers until the body decides them (HoldHeaders mode only):
	// until a held body is complete, or until a streamed body of unknown type shows
	// whether it is refused.
	Hold bool
}

// ResponseHeaders plans the response headers phase: the request id, decided headers,
// echoed keys scrubbed, the key ring told, and how the response model
// (llmresp.NewResponse) handles the body. now is read only when a key ring is told:
// most responses need no clock.
func (pl *Planner) ResponseHeaders(x *Exchange, r RespHead, now func() time.Time) RespPlan {
	status, _ := strconv.Atoi(r.Header(":status"))
	x.Out.Status = status
	p := RespPlan{Ops: Ops{Set: x.setBuf[:0]}}
	if x.RequestID != "" {
		// The audit line's id on every response; a provider's own id stays available.
		if up := r.Header("x-request-id"); up != "" && up != x.RequestID && !x.Done {
			p.Set = append(p.Set, [2]string{"x-upstream-request-id", up})
		}
		p.Set = append(p.Set, [2]string{"x-request-id", x.RequestID})
	}
	if x.Done {
		pl.reportStatus(x, 0, "", now, &p.Notes) // the guard's own reply: no answer from the provider
		return p
	}
	p.Set = append(p.Set, x.respAdd...)
	if x.keyed {
		p.Set = append(p.Set, credentials.ScrubHeaders(r.All(), revealAll(pl.injected)...)...)
	}
	// Only the provider's answer to an inspected call cools a key or shows it works again
	// (a 401 to a passthrough path says nothing about the key); any answer frees its probe.
	if x.Inspected() {
		retry := ""
		if x.Ring != nil && !x.keyDone { // read only when a key ring is told
			retry = r.Header("retry-after")
		}
		pl.reportStatus(x, status, retry, now, &p.Notes)
	} else {
		pl.reportStatus(x, 0, "", now, &p.Notes)
	}
	x.Resp = RespPass
	red, req, opts, ok := pl.responseModel(x, status)
	if !ok || r.EndOfStream {
		return p
	}
	ct := r.Header("content-type")
	rs := &x.respv
	plan := rs.Init(red, req, status, ct, r.Header("content-encoding"), opts)
	switch plan.Mode {
	case llmresp.Pass:
		return p
	case llmresp.Reject:
		p.Reject = plan.Error
		return p
	case llmresp.Buffer:
		x.Resp, p.Hold = RespBuffer, pl.Mode == HoldHeaders
	case llmresp.Stream:
		x.Resp, p.Hold = RespStream, plan.HoldHeaders && pl.Mode == HoldHeaders
		if req.Texts && !isEventStream(ct) {
			// Moderation reads event streams as they pass; any other body is moderated whole.
			x.Resp, x.whole, p.Hold = RespBuffer, true, pl.Mode == HoldHeaders
		}
	}
	x.resp = rs
	if len(p.Remove) == 0 {
		p.Remove = removeContentLength[:1:1] // capped: an append copies
	} else {
		p.Remove = append(p.Remove, "content-length")
	}
	return p
}

// responseModel picks the redactor, the request facts and the options the response
// model gets; ok false means the body passes untouched. An inspected call's response
// is redacted as configured, and the injected keys are redacted from it in any case
// (also with response redaction off, or error bodies left unredacted). A passthrough
// path's error body only has the injected keys redacted (as data).
func (pl *Planner) responseModel(x *Exchange, status int) (red *redact.Redactor, req llmresp.Request, o llmresp.Options, ok bool) {
	ok2xx := status >= 200 && status <= 299
	secrets, o := pl.Policy.SecretRedactor(), pl.respOpts
	if !x.Inspected() {
		if !x.keyed || secrets == nil || ok2xx {
			return nil, req, o, false
		}
		o.PassErrorBodies = false
		return secrets, llmresp.Request{API: llmresp.Chat}, o, true // error bodies share one model
	}
	if !pl.inspectResponses {
		return nil, req, o, false
	}
	red = pl.Policy.ResponseRedactor()
	if (red == nil || !ok2xx && o.PassErrorBodies) && secrets != nil {
		red, o.PassErrorBodies = secrets, false
	}
	req = llmresp.Request{API: ResponseAPI(x.Route.API), Context: x.reqCtx, StripUsage: x.stripUsage,
		Texts: pl.moderatedOutput && ok2xx}
	return red, req, o, true
}

// removeContentLength: a body the guard may change loses its length (a shared array,
// read only).
var removeContentLength = []string{"content-length"}

// ResponseAPI is the response shape of a request API.
func ResponseAPI(a llmreq.API) llmresp.API {
	switch a {
	case llmreq.Chat, llmreq.FIM, llmreq.Agents:
		return llmresp.Chat
	case llmreq.Completions:
		return llmresp.Completions
	case llmreq.Embeddings:
		return llmresp.Embeddings
	case llmreq.Responses:
		return llmresp.Responses
	case llmreq.Messages:
		return llmresp.Messages
	case llmreq.Conversations:
		return llmresp.Conversations
	}
	return llmresp.None
}

// API is the response shape of the exchange's path.
func (x *Exchange) API() llmresp.API { return ResponseAPI(x.Route.API) }

func isEventStream(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "text/event-stream")
}

func revealAll(ss []credentials.Secret) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Reveal()
	}
	return out
}

// reportStatus tells the key ring, once per exchange, how the provider answered the
// request made with its key, for every worker: 401/403/429 cool the key down, other
// answers show a recovering key works again. Status 0 (no answer from the provider, e.g.
// the guard's own reply) only frees the key's probe for another request.
func (pl *Planner) reportStatus(x *Exchange, status int, retryAfter string, now func() time.Time, n *Notes) {
	if x.Ring == nil || x.keyDone {
		return
	}
	x.keyDone = true
	if !x.Ring.ReportStatus(pl.store, x.KeyName, status, retryAfter, now()) {
		return
	}
	up := x.Ring.Upstream()
	n.Samples = append(n.Samples, Sample{Name: metrics.Name(metrics.KeyCooldowns, "upstream", up, "key", x.KeyName), Value: 1})
	n.warn("egressguard: key cooled down upstream=" + up + " key=" + x.KeyName + " status=" + strconv.Itoa(status) +
		" request_id=" + x.RequestID)
}

// Whole is the outcome of a complete buffered body (RespBuffer).
type Whole struct {
	Notes
	Body  []byte        // what to send
	Texts []string      // the model output per choice, for output moderation (2xx only)
	Err   *apierr.Error // non-nil: answer it instead (nothing of the body was sent)
}

// Body handles a complete buffered response body (RespBuffer): redacted by the
// response model, its usage and redactions recorded.
func (x *Exchange) Body(body []byte) Whole {
	rs := x.resp
	if rs == nil {
		return Whole{Body: body}
	}
	if !x.whole {
		res := rs.Body(body)
		w := Whole{Body: res.Body, Texts: res.Texts, Notes: x.Redacted(res.Report)}
		x.usage(res.Usage)
		return w
	}
	out := rs.AppendClose(rs.AppendWrite(nil, body))
	x.closed = true
	w := Whole{Body: out, Notes: x.Redacted(rs.Report())}
	x.usage(rs.Usage())
	if w.Err = x.streamErr(&w.Notes); w.Err != nil {
		return w
	}
	w.Texts = llmresp.Texts(x.API(), out)
	return w
}

// Chunk redacts one network chunk of a streamed body (RespStream); at the end of the
// stream it adds the last bytes and records usage and redactions. out is what may go
// now (it is reused by the next call). A non-nil error means nothing of the body may
// go: answer it (a 502 while the headers are held, else a reset).
func (x *Exchange) Chunk(chunk []byte, end bool) (out []byte, e *apierr.Error, n Notes) {
	rs := x.resp
	out = rs.AppendWrite(x.buf[:0], chunk)
	if end {
		out = rs.AppendClose(out)
		x.closed = true
		n = x.Redacted(rs.Report())
		x.usage(rs.Usage())
	}
	x.buf = out[:0]
	return out, x.streamErr(&n), n
}

// StreamEnd ends a streamed body whose last chunk did not say so (it ended in
// trailers) and returns the bytes still to send.
func (x *Exchange) StreamEnd() (tail []byte, n Notes) {
	if x.resp == nil || x.closed {
		return nil, n
	}
	tail, _, n = x.Chunk(nil, true)
	return tail, n
}

// streamErr turns the response model's failure into what the plugin does: an event
// over the limit already ended the stream with an error event of the API's shape
// (logged only); any other failure sent nothing and is answered.
func (x *Exchange) streamErr(n *Notes) *apierr.Error {
	e := x.resp.Err()
	if e == nil {
		return nil
	}
	if !x.cut {
		x.cut = true
		n.warn("egressguard: response cut request_id=" + x.RequestID + " code=" + e.Code)
	}
	if e.Code == "response_event_too_large" {
		return nil
	}
	return e
}

// Decided reports whether a body whose headers are held is known to pass (its type
// is known and it is not refused) and the error to answer when it is refused.
func (x *Exchange) Decided() (bool, *apierr.Error) {
	if x.resp == nil || x.Resp != RespStream {
		return true, nil
	}
	return x.resp.Decided()
}

// RefusalBody is the body that replaces a whole response refused by output moderation.
func (x *Exchange) RefusalBody(body []byte, refusal string) []byte {
	return llmresp.RefusalBody(x.API(), body, refusal)
}

// usage records the provider-reported token usage (the last seen counts).
func (x *Exchange) usage(u llmresp.Usage) {
	if u.Seen {
		x.Out.PromptTok, x.Out.ComplTok, x.Out.UsageSeen = u.Input, u.Output, true
	}
}
