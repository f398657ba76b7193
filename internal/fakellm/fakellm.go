// Package fakellm is a deterministic stand-in for the OpenAI and Mistral
// HTTP APIs, used as the upstream behind the egress guard in tests and demos.
// It speaks the providers' wire formats closely enough that the official
// SDKs (openai-node, @mistralai/mistralai with its zod response schemas)
// parse every response, and it records every request it receives so tests
// can assert what the guard let through.
//
// # Endpoints
//
//	POST /v1/chat/completions     OpenAI / Mistral chat (JSON, or SSE when "stream": true)
//	POST /v1/fim/completions      Mistral fill-in-the-middle ("model", "prompt", "suffix")
//	POST /v1/agents/completions   Mistral agents ("agent_id", "messages")
//	POST /v1/responses            OpenAI Responses (JSON; SSE events response.created, response.in_progress,
//	                              response.output_item.added, response.content_part.added,
//	                              response.output_text.delta, response.output_text.done,
//	                              response.content_part.done, response.output_item.done, response.completed)
//	POST /v1/messages             Anthropic Messages (JSON; SSE events message_start, content_block_start,
//	                              ping, content_block_delta, content_block_stop, message_delta, message_stop)
//	POST /v1/conversations[/{id}[/restart]]
//	                              Mistral Conversations (JSON; SSE events conversation.response.started,
//	                              message.output.delta, conversation.response.done)
//	POST /v1/completions          legacy completions (JSON; SSE chunks of object text_completion, [DONE])
//	POST /v1/embeddings           embeddings (float or base64 vectors of 8 dimensions)
//	GET  /v1/models               model list (fields satisfy both SDKs)
//	POST /v1/moderations          OpenAI or Mistral moderation ("input": string | [string])
//	POST /v1/chat/moderations     Mistral chat moderation ("input": [messages] | [[messages]])
//	GET  /_fakellm/requests       recorded requests as a JSON array (control; not recorded)
//	POST /_fakellm/reset          clear the recorder (control; not recorded)
//	GET  /_fakellm/health         "ok" (control; not recorded)
//
// # Dialect
//
// Chat-shaped endpoints answer in the OpenAI or the Mistral dialect. The
// dialect is [Options.Flavor] when set; otherwise /v1/fim and /v1/agents are
// Mistral, and /v1/chat/completions is Mistral when the model name contains
// "stral" or "mixtral" (mistral-*, codestral-*, ministral-*, pixtral-*,
// devstral-*, magistral-*, open-mixtral-*, ...), else OpenAI. The dialects
// differ in error bodies, id formats, OpenAI-only fields (system_fingerprint,
// logprobs, refusal, usage details) and in where streaming usage goes:
//
//   - OpenAI: a separate final chunk with "choices": [] and "usage", sent only
//     when "stream_options": {"include_usage": true}; all earlier chunks then
//     carry "usage": null.
//   - Mistral: always; usage rides in the last chunk, the one with
//     finish_reason (this is what api.mistral.ai does).
//
// Both end the stream with "data: [DONE]".
//
// Moderation answers in the OpenAI format (flagged, OpenAI categories) or the
// Mistral format (Mistral categories, no "flagged"): [Options.ModerationFormat]
// when set, else OpenAI for models named omni-moderation* / text-moderation*
// (or no model at all, as OpenAI allows) on /v1/moderations, else Mistral.
// /v1/chat/moderations is Mistral unless the format is forced to "openai". It
// classifies the last message of each conversation (the earlier messages are
// context): markers in the context do not count.
//
// Every request is recorded; [Server.RequestsTo] and [ModerationInputs] let a
// test assert exactly which texts the guard sent for moderation (e.g. that the
// second turn of a conversation sends only the new message).
//
// # Markers
//
// Test control is by markers in the LAST user message's text (string content
// or the "text" of content parts); for FIM, in prompt or suffix; for
// moderation, in the input texts; for Responses, conversations, completions and
// embeddings, in any text of input, inputs or prompt; for Anthropic Messages, in
// the last message. Markers are not stripped from anything.
//
//	[[reply:TEXT]]      reply with TEXT (anything up to the next "]]"; may be
//	                    multi-line, may contain UTF-8). Default reply:
//	                    "Hello from <Name> (model <model>). You said N characters."
//	                    where N is the rune count of the last user message.
//	[[status:CODE]]     answer with HTTP CODE (400-599) and the dialect's JSON
//	                    error body; 401, 403, 404, 429, 500, 503 get the
//	                    provider's usual message/type/code, 429 adds
//	                    retry-after (and x-ratelimit-* for OpenAI).
//	[[slow:DUR]]        sleep DUR before answering (Go duration like 1500ms or
//	                    2s; a bare number is milliseconds; capped at 60s;
//	                    cancelled when the client goes away).
//	[[garbage]]         200 whose body is not JSON: non-streaming it is labelled
//	                    application/json anyway; streaming it is an event
//	                    stream whose data line is not JSON, then [DONE].
//	[[sse-split:N]]     write the response body in N-byte network writes with a
//	                    flush after each (splits land inside "data:" lines,
//	                    JSON and UTF-8 sequences). Applies to JSON bodies too.
//	[[sse-gap:DUR]]     sleep DUR after each flushed write, so the client really
//	                    sees the separate pieces (capped at 5s).
//	[[sse-delta:N]]     stream the reply as deltas of N runes each (default: one
//	                    delta per word, the space attached to the next word).
//	[[tokens:N]]        force usage.completion_tokens = N;
//	[[tokens:P,C]]      force prompt_tokens = P and completion_tokens = C.
//	                    total_tokens is always their sum.
//	[[finish:REASON]]   finish_reason to report (default "stop").
//	[[abort]]           drop the connection: streaming, after half the content
//	                    deltas (no finish chunk, no [DONE]); non-streaming,
//	                    before any response bytes.
//	[[abort-once:ID]]   (non-streaming) like abort, for the first request that
//	                    carries ID only; a retry of it is answered normally (a
//	                    keep-alive connection closed under a request).
//	[[cut]]             (non-streaming) send the headers with the full
//	                    content-length and half the body, then drop the
//	                    connection (HTTP/2: reset the stream).
//	[[resp-trailers]]   end the body with the trailer X-Fakellm-Trailer: done
//	                    (HTTP/1.1: chunked; streams: chat only).
//	[[shape:NAME]]      (chat) put the reply in another field or form a client
//	                    reads: reasoning, refusal, thinking, content-array,
//	                    logprobs, function-call, audio, no-choices, sse-error,
//	                    comment, usage-extra, ndjson, deep (see shapes.go).
//	[[ctype:TYPE]]      label the 200 response with content-type TYPE instead
//	                    (none: no content-type header at all).
//	[[error-echo]]      with [[status:CODE]], the error message quotes the
//	                    reply text (providers echo the offending input).
//	[[echo-key]]        (chat) "{KEY}" in the reply becomes the API key the
//	                    request carried (bearer token, x-api-key or api-key).
//	[[json-escape]]     every '@', '.' and ' ' inside a JSON string of the
//	                    response is sent as a \u escape (what a client decodes
//	                    is unchanged).
//	[[sse-eol:EOL]]     end every line of an event stream with EOL: cr or crlf
//	                    (default LF; JSON never holds a raw newline).
//	[[gzip]]            (non-streaming) gzip the body and say so in
//	                    content-encoding, whatever the request accepted.
//	[[stall:DUR]]       (non-streaming) send the headers, then nothing for DUR
//	                    (capped at 60s; default 60s), then drop the connection.
//	[[mod-status:CODE]] (moderation only) like status, slow, garbage and
//	[[mod-slow:DUR]]    abort, but honoured only by the moderation endpoints,
//	[[mod-garbage]]     so a test can fault the guard's moderation call while
//	[[mod-abort]]       the chat upstream, which sees the same text, answers
//	                    normally.
//	[[mod-results:N]]   (moderation only) answer with exactly N results
//	                    whatever the number of inputs (a wrong result count).
//	MODERATE:CAT        (moderation only) score category CAT 0.99 and flag it.
//	MODERATE:CAT=0.42   score CAT with the given value (flagged when >= 0.5).
//	                    Names may be given in either vocabulary: violence <->
//	                    violence_and_threats, hate <-> hate_and_discrimination,
//	                    self-harm <-> selfharm, sexual, ... are translated.
//	                    All other categories score low (below 0.01).
//
// Usage numbers: prompt_tokens = ceil(runes/4) of all message text (system,
// user, assistant, tool; for FIM prompt+suffix), completion_tokens =
// ceil(runes/4) of the reply, total_tokens = the sum.
//
// Responses carry content-type application/json or text/event-stream and an
// x-request-id (plus x-fakellm-name when [Options.Name] is set). Ids are
// counters, so a fresh Server gives the same ids every run.
package fakellm

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	pathpkg "path"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options configures a Server. The zero value is usable.
type Options struct {
	// Name appears in the default reply and, when non-empty, in an
	// x-fakellm-name response header (to tell upstreams apart). Default
	// "fakellm" (no header then).
	Name string
	// Flavor forces the chat dialect: "openai" or "mistral". Empty picks
	// it per request (see package doc).
	Flavor string
	// ModerationFormat forces the moderation format: "openai" or
	// "mistral". Empty (or "auto") picks it per request by model name.
	ModerationFormat string
	// APIKey, when non-empty, makes every /v1/ endpoint demand
	// "Authorization: Bearer <APIKey>" and answer 401 otherwise.
	APIKey string
	// MaxRecorded caps the recorder; the oldest requests are dropped
	// beyond it. Default 10000.
	MaxRecorded int
	// MaxBodyBytes caps how much request body is read. Default 32 MiB.
	MaxBodyBytes int64
	// Now is the clock for "created" fields and recorded times. Default
	// time.Now.
	Now func() time.Time
}

// Server is the fake LLM API. It implements http.Handler and is safe for
// concurrent use.
type Server struct {
	opts Options
	name string
	rec  recorder
	seq  atomic.Uint64
	// abortedOnce are the abort-once IDs already used.
	abortedOnce sync.Map
	mux         *http.ServeMux
}

// New returns a Server with the given options.
func New(opts Options) *Server {
	s := &Server{opts: opts, name: opts.Name}
	if s.name == "" {
		s.name = "fakellm"
	}
	if s.opts.Now == nil {
		s.opts.Now = time.Now
	}
	if s.opts.MaxRecorded <= 0 {
		s.opts.MaxRecorded = 10000
	}
	if s.opts.MaxBodyBytes <= 0 {
		s.opts.MaxBodyBytes = 32 << 20
	}
	s.rec.max = s.opts.MaxRecorded
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/chat/completions", s.api(http.MethodPost, s.handleChat(kindChat)))
	mux.HandleFunc("/v1/fim/completions", s.api(http.MethodPost, s.handleChat(kindFIM)))
	mux.HandleFunc("/v1/agents/completions", s.api(http.MethodPost, s.handleChat(kindAgents)))
	mux.HandleFunc("/v1/responses", s.api(http.MethodPost, s.handleResponses))
	mux.HandleFunc("/v1/messages", s.api(http.MethodPost, s.handleMessages))
	mux.HandleFunc("/v1/conversations", s.api(http.MethodPost, s.handleConversations))
	mux.HandleFunc("/v1/conversations/", s.api(http.MethodPost, s.handleConversations))
	mux.HandleFunc("/v1/completions", s.api(http.MethodPost, s.handleCompletions))
	mux.HandleFunc("/v1/embeddings", s.api(http.MethodPost, s.handleEmbeddings))
	mux.HandleFunc("/v1/models", s.api(http.MethodGet, s.handleModels))
	mux.HandleFunc("/v1/moderations", s.api(http.MethodPost, s.handleModeration(false)))
	mux.HandleFunc("/v1/chat/moderations", s.api(http.MethodPost, s.handleModeration(true)))
	mux.HandleFunc("/_fakellm/requests", s.handleRecorded)
	mux.HandleFunc("/_fakellm/reset", s.handleReset)
	mux.HandleFunc("/_fakellm/health", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("content-type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("/", s.api("", nil))
	s.mux = mux
	return s
}

// ServeHTTP implements http.Handler. A path the mux would only redirect (an
// unclean path such as "/v1//chat/completions") is recorded and answered 404, so
// tests see what reached the upstream whatever its spelling.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	clean := pathpkg.Clean(p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	if clean != p {
		s.api("", nil)(w, r)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// Requests returns a copy of every recorded request, oldest first. Control
// endpoints (/_fakellm/...) are not recorded.
func (s *Server) Requests() []Recorded { return s.rec.all() }

// RequestsTo returns the recorded requests whose path is path, oldest first
// (e.g. "/v1/moderations": what the guard sent for moderation; see
// ModerationInputs).
func (s *Server) RequestsTo(path string) []Recorded { return s.rec.to(path) }

// Last returns the most recent recorded request; ok is false when there is
// none.
func (s *Server) Last() (r Recorded, ok bool) { return s.rec.last() }

// Reset forgets all recorded requests.
func (s *Server) Reset() { s.rec.reset() }

// call is one API request being answered.
type call struct {
	s       *Server
	w       http.ResponseWriter
	r       *http.Request
	body    []byte
	n       uint64 // per-server sequence number, drives ids
	reqID   string
	mistral bool // dialect for errors and shapes
}

type apiHandler func(c *call)

// api wraps an endpoint: records the request, checks the method and the
// API key, then calls h (nil h: 404).
func (s *Server) api(method string, h apiHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, s.opts.MaxBodyBytes))
		n := s.seq.Add(1)
		rec := Recorded{
			Seq:     n,
			Time:    s.opts.Now(),
			Method:  r.Method,
			Path:    r.URL.Path,
			Query:   r.URL.RawQuery,
			Host:    r.Host,
			Headers: r.Header.Clone(),
			Body:    body,
			Proto:   r.Proto,
		}
		if err != nil {
			rec.Incomplete, rec.BodyError = true, err.Error()
		}
		if len(r.Trailer) > 0 {
			rec.Trailers = r.Trailer.Clone()
		}
		s.rec.add(rec)
		c := &call{s: s, w: w, r: r, body: body, n: n, reqID: fmt.Sprintf("req_%024x", n)}
		c.mistral = s.opts.Flavor == "mistral" ||
			strings.HasPrefix(r.URL.Path, "/v1/fim/") || strings.HasPrefix(r.URL.Path, "/v1/agents/")
		hdr := w.Header()
		hdr.Set("x-request-id", c.reqID)
		if s.opts.Name != "" {
			hdr.Set("x-fakellm-name", s.opts.Name)
		}
		if err != nil {
			c.errorStatus(http.StatusBadRequest, "could not read request body: "+err.Error())
			return
		}
		if method == "" || h == nil {
			c.errorStatus(http.StatusNotFound, "")
			return
		}
		if r.Method != method {
			w.Header().Set("allow", method)
			c.errorStatus(http.StatusMethodNotAllowed, "")
			return
		}
		if s.opts.APIKey != "" && r.Header.Get("authorization") != "Bearer "+s.opts.APIKey {
			c.errorStatus(http.StatusUnauthorized, "")
			return
		}
		h(c)
	}
}

// writeJSON writes v as the complete response with the given status,
// honouring sse-split/sse-gap.
func (c *call) writeJSON(status int, v any, d *directives) {
	b := marshal(v)
	c.label(d, "application/json")
	c.writeBody(status, b, d)
}

func (c *call) writeBody(status int, b []byte, d *directives) {
	b = d.wire(b)
	if d != nil && d.gzip {
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		if _, err := zw.Write(b); err != nil || zw.Close() != nil {
			panic("gzip into memory failed") // a bytes.Buffer takes every write
		}
		b = z.Bytes()
		c.w.Header().Set("content-encoding", "gzip")
	}
	if d != nil && (d.cut || d.stall > 0) {
		// An upstream that dies after its headers: the content-length promises the
		// whole body, then the connection (or HTTP/2 stream) goes away.
		c.w.Header().Set("content-length", fmt.Sprint(len(b)))
		c.w.WriteHeader(status)
		rc := http.NewResponseController(c.w)
		if d.cut {
			_, _ = c.w.Write(b[:len(b)/2])
		}
		_ = rc.Flush()
		if d.stall > 0 {
			_ = sleepCtx(c.r.Context(), d.stall)
		}
		panic(http.ErrAbortHandler)
	}
	if d != nil && d.respTrailers {
		c.w.Header().Set("Trailer", "X-Fakellm-Trailer")
		c.w.WriteHeader(status)
		_, _ = c.w.Write(b)
		c.w.Header().Set("X-Fakellm-Trailer", "done")
		return
	}
	if d == nil || d.split <= 0 {
		c.w.Header().Set("content-length", fmt.Sprint(len(b)))
		c.w.WriteHeader(status)
		_, _ = c.w.Write(b)
		return
	}
	c.w.WriteHeader(status)
	sw := newStreamWriter(c.w, c.r.Context(), d)
	sw.d = nil // b is already on the wire's terms
	_ = sw.write(b)
}

// wire rewrites bytes about to be sent as the json-escape and sse-eol markers ask;
// each write is whole JSON documents or events, so it starts outside any string.
func (d *directives) wire(b []byte) []byte {
	if d == nil || !d.jsonEscape && d.eol == "" {
		return b
	}
	out := make([]byte, 0, len(b)+len(b)/4)
	in, esc := false, false
	for _, c := range b {
		switch {
		case in && esc:
			esc = false
		case in && c == '\\':
			esc = true
		case c == '"':
			in = !in
		case in && d.jsonEscape && (c == '@' || c == '.' || c == ' '):
			out = fmt.Appendf(out, `\u%04x`, c)
			continue
		case !in && c == '\n' && d.eol != "":
			out = append(out, d.eol...)
			continue
		}
		out = append(out, c)
	}
	return out
}

// label sets the response's content-type: def, or what a ctype marker says (none:
// no content-type at all, not even a sniffed one).
func (c *call) label(d *directives, def string) {
	switch {
	case d == nil || d.ctype == nil:
		c.w.Header().Set("content-type", def)
	case *d.ctype == "":
		c.w.Header()["Content-Type"] = nil
	default:
		c.w.Header().Set("content-type", *d.ctype)
	}
}

// marshal encodes v like the providers do: no HTML escaping, no trailing
// newline.
func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("fakellm: marshal: %v", err))
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// streamWriter writes to the client, flushing after every piece; with
// split > 0 pieces are at most split bytes.
type streamWriter struct {
	w     http.ResponseWriter
	rc    *http.ResponseController
	ctx   context.Context
	split int
	gap   time.Duration
	err   error
	d     *directives // the wire rewriting of each write
}

func newStreamWriter(w http.ResponseWriter, ctx context.Context, d *directives) *streamWriter {
	sw := &streamWriter{w: w, rc: http.NewResponseController(w), ctx: ctx, d: d}
	if d != nil {
		sw.split, sw.gap = d.split, d.gap
	}
	return sw
}

// write sends b (split and paced as the directives ask). After the first failure it
// writes nothing more and returns that failure: the client is gone, so callers drop
// the error of a write after which the handler ends anyway, as they do for
// ResponseWriter.Write.
func (sw *streamWriter) write(b []byte) error {
	b = sw.d.wire(b)
	for len(b) > 0 && sw.err == nil {
		piece := b
		if sw.split > 0 && len(piece) > sw.split {
			piece = b[:sw.split]
		}
		b = b[len(piece):]
		if _, err := sw.w.Write(piece); err != nil {
			sw.err = err
			break
		}
		if err := sw.rc.Flush(); err != nil {
			sw.err = err
			break
		}
		if sw.gap > 0 {
			if err := sleepCtx(sw.ctx, sw.gap); err != nil {
				sw.err = err
			}
		}
	}
	return sw.err
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
