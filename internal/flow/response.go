package flow

import (
	"bytes"
	"strings"

	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/chatreq"
	"github.com/egressguard/egressguard/internal/credentials"
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
	Status                       int
	ContentType, ContentEncoding string
	EndOfStream                  bool
	// Headers are all response headers; only read when a key was injected.
	Headers [][2]string
	// Inspect: the response body of an inspected call is redacted, moderated or metered.
	Inspect bool
}

// RespPlan is what to do with the response headers: set, remove, then hold or continue.
// Reject means answer with it (before any byte left: the response is replaced).
type RespPlan struct {
	Reject *apierr.Error
	Set    [][2]string
	Remove []string
	// Hold pauses the headers until the body is complete (HoldHeaders mode, JSON).
	Hold bool
	// CoolKey reports the status to the key ring: only the provider's answer to an
	// inspected call does (a 401 to a passthrough path says nothing about the key).
	CoolKey bool
}

// ResponseHeaders plans the response headers phase and sets x.Resp.
func (pl *Planner) ResponseHeaders(x *Exchange, r RespHead) RespPlan {
	x.Out.Status = r.Status
	var p RespPlan
	if x.RequestID != "" {
		p.Set = append(p.Set, [2]string{"x-request-id", x.RequestID})
	}
	if x.Done {
		return p // the guard's own reply
	}
	p.Set = append(p.Set, x.respAdd...)
	if x.key != "" {
		p.Set = append(p.Set, credentials.ScrubHeaders(r.Headers, x.key)...)
	}
	p.CoolKey = x.Ring != nil && x.Kind != chatreq.KindNone
	x.Resp = RespPass
	ok2xx := r.Status >= 200 && r.Status <= 299
	switch {
	case r.EndOfStream:
		return p
	case !ok2xx || x.Kind == chatreq.KindNone || !r.Inspect:
		if x.key != "" && !ok2xx {
			// An error body may echo the key the guard injected: buffer it and scrub.
			x.Resp = RespScrub
			p.Remove = append(p.Remove, "content-length")
		}
		return p
	}
	if enc := r.ContentEncoding; enc != "" && !strings.EqualFold(enc, "identity") {
		// accept-encoding: identity was sent; an upstream that compresses anyway cannot
		// be redacted, so its body is never passed on.
		p.Reject = apierr.New(502, apierr.TypeUnavailable, "upstream_encoded",
			"the upstream compressed its response (%s); the guard cannot inspect it", enc)
		return p
	}
	ct := strings.ToLower(r.ContentType)
	switch {
	case strings.HasPrefix(ct, "text/event-stream"):
		x.Resp = RespSSE
	case strings.HasPrefix(ct, "application/json"):
		x.Resp = RespJSON
		p.Hold = pl.Mode == HoldHeaders
	default:
		return p
	}
	p.Remove = append(p.Remove, "content-length")
	return p
}

// Scrub replaces the injected key in a buffered body (nil when it does not occur).
func (x *Exchange) Scrub(body []byte) []byte {
	if x.key == "" || !bytes.Contains(body, []byte(x.key)) {
		return nil
	}
	return bytes.ReplaceAll(body, []byte(x.key), []byte(credentials.Redacted))
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
	if !u.IsObject() {
		return
	}
	x.Out.PromptTok = u.Get("prompt_tokens").Int()
	x.Out.ComplTok = u.Get("completion_tokens").Int()
	x.Out.UsageSeen = true
}
