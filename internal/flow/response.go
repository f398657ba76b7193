package flow

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/credentials"
	"github.com/egressguard/egressguard/internal/metrics"
	"github.com/egressguard/egressguard/internal/redact"
	"github.com/tidwall/gjson"
)

// RespMode is how a response body is handled.
type RespMode uint8

// Response body modes.
const (
	RespPass  RespMode = iota // untouched: other paths, provider errors, other content types
	RespJSON                  // buffered to the end, then redacted/moderated
	RespSSE                   // transformed event by event with a bounded hold-back
	RespScrub                 // buffered to the end, the injected key replaced (keyed errors)
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
	// Hold pauses the headers until the body is complete (HoldHeaders mode, JSON).
	Hold bool
}

// ResponseHeaders plans the response headers phase and sets x.Resp.
func (pl *Planner) ResponseHeaders(x *Exchange, r RespHead, now time.Time) RespPlan {
	status, _ := strconv.Atoi(r.Header(":status"))
	x.Out.Status = status
	var p RespPlan
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
	if x.key != "" {
		p.Set = append(p.Set, credentials.ScrubHeaders(r.All(), x.key)...)
	}
	// Only the provider's answer to an inspected call cools a key or shows it works again
	// (a 401 to a passthrough path says nothing about the key); any answer frees its probe.
	if x.Inspected() {
		pl.reportStatus(x, status, r.Header("retry-after"), now, &p.Notes)
	} else {
		pl.reportStatus(x, 0, "", now, &p.Notes)
	}
	x.Resp = RespPass
	ok2xx := status >= 200 && status <= 299
	switch {
	case r.EndOfStream:
		return p
	case !ok2xx || !x.Inspected() || !pl.inspectResponses:
		if x.key != "" && !ok2xx {
			// An error body may echo the key the guard injected: buffer it and scrub.
			x.Resp = RespScrub
			p.Remove = append(p.Remove, "content-length")
		}
		return p
	}
	if enc := r.Header("content-encoding"); enc != "" && !strings.EqualFold(enc, "identity") {
		// accept-encoding: identity was sent; an upstream that compresses anyway cannot
		// be redacted, so its body is never passed on.
		p.Reject = apierr.New(502, apierr.TypeUnavailable, "upstream_encoded",
			"the upstream compressed its response (%s); the guard cannot inspect it", enc)
		return p
	}
	ct := strings.ToLower(r.Header("content-type"))
	switch {
	case strings.HasPrefix(ct, "text/event-stream"):
		x.Resp = RespSSE
		if x.redactor != nil {
			x.sse = redact.NewSSE(x.redactor, x.reqCtx)
		}
	case strings.HasPrefix(ct, "application/json"):
		x.Resp = RespJSON
		p.Hold = pl.Mode == HoldHeaders
	default:
		return p
	}
	p.Remove = append(p.Remove, "content-length")
	return p
}

// reportStatus tells the key ring, once per exchange, how the provider answered the
// request made with its key, for every worker: 401/403/429 cool the key down, other
// answers show a recovering key works again. Status 0 (no answer from the provider, e.g.
// the guard's own reply) only frees the key's probe for another request.
func (pl *Planner) reportStatus(x *Exchange, status int, retryAfter string, now time.Time, n *Notes) {
	if x.Ring == nil || x.keyDone {
		return
	}
	x.keyDone = true
	if !x.Ring.ReportStatus(pl.store, x.KeyName, status, retryAfter, now) {
		return
	}
	up := x.Ring.Upstream()
	n.Samples = append(n.Samples, Sample{Name: metrics.Name(metrics.KeyCooldowns, "upstream", up, "key", x.KeyName), Value: 1})
	n.warn("egressguard: key cooled down upstream=" + up + " key=" + x.KeyName + " status=" + strconv.Itoa(status) +
		" request_id=" + x.RequestID)
}

// Body handles a complete buffered response body (RespJSON, RespScrub): the injected
// key scrubbed, usage read, the completion redacted (a body that is not the JSON
// expected is redacted as text rather than passed raw). out is what to send.
func (x *Exchange) Body(body []byte) (out []byte, n Notes) {
	out = body
	if x.key != "" && bytes.Contains(body, []byte(x.key)) {
		out = bytes.ReplaceAll(body, []byte(x.key), []byte(credentials.Redacted))
	}
	if x.Resp != RespJSON {
		return out, n
	}
	x.ReadUsage(body, false)
	if x.redactor == nil {
		return out, n
	}
	red, rep, err := x.pol.RedactResponseJSON(x.Route.API, out, x.reqCtx)
	if err != nil {
		var text string
		text, rep = x.redactor.Redact(string(out), x.reqCtx)
		red = []byte(text)
		n.warn("egressguard: " + err.Error() + "; redacting the response as text")
	}
	n.Info = append(n.Info, x.Redacted(rep).Info...)
	return red, n
}

// Chunk redacts one chunk of an event stream (RespSSE) and reads its usage. At the end
// of the stream it adds what the redactor held back.
func (x *Exchange) Chunk(chunk []byte, end bool) (out []byte, n Notes) {
	x.ReadUsage(chunk, true)
	out = chunk
	if x.sse != nil {
		out = x.sse.Write(chunk)
	}
	if end {
		tail, tn := x.StreamEnd()
		out, n = append(out, tail...), tn
	}
	return out, n
}

// StreamEnd closes the stream's redactor and returns what it still held back.
func (x *Exchange) StreamEnd() ([]byte, Notes) {
	if x.sse == nil {
		return nil, Notes{}
	}
	tail := x.sse.Close()
	return tail, x.Redacted(x.sse.Report())
}

// ReadUsage records the provider-reported token usage of a JSON response or an SSE
// chunk (the final chunk of a stream carries it when stream_options.include_usage is
// set; Mistral always sends it). Only the last usage object seen counts.
func (x *Exchange) ReadUsage(b []byte, sse bool) {
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
	}{{"prompt_tokens", &x.Out.PromptTok}, {"completion_tokens", &x.Out.ComplTok},
		{"input_tokens", &x.Out.PromptTok}, {"output_tokens", &x.Out.ComplTok}} { // Responses, Anthropic
		if v := u.Get(f.name); v.Exists() {
			*f.dst, seen = v.Int(), true
		}
	}
	x.Out.UsageSeen = x.Out.UsageSeen || seen
}
