package llmresp

import (
	"strings"
	"unsafe"

	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/jsonscan"
	"github.com/egressguard/egressguard/internal/redact"
)

// DefaultMaxBody bounds a body the model buffers itself (Options.MaxBody).
const DefaultMaxBody = 16 << 20

// Options are the operator's choices (config.Redaction).
type Options struct {
	// PassErrorBodies leaves non-2xx bodies unredacted. By default they are redacted
	// as data: providers echo the offending request in them.
	PassErrorBodies bool
	// RefuseText answers 502 instead of redacting a 2xx body that is neither JSON nor
	// SSE (whatever its label says).
	RefuseText bool
	// MaxEvent bounds one SSE event in bytes (0: sse.DefaultMax). A longer event ends
	// the stream with an error event; nothing of it is sent.
	MaxEvent int
	// MaxBody bounds a body of unknown type found to be JSON, which must be held
	// whole (0: DefaultMaxBody). A longer one ends the response unsent.
	MaxBody int
}

// Request is what the request phase tells the response phase.
type Request struct {
	// API is the response shape of the routed path (None: pass through).
	API API
	// Context carries the request's system prompt for leak detection (may be nil).
	Context *redact.RequestContext
	// Texts asks for the model output of whole bodies (Result.Texts), for output
	// moderation.
	Texts bool
	// StripUsage is set when the guard itself added stream_options.include_usage
	// (for token accounting) and the client did not ask for it: the usage-only chunk
	// is read but not sent, and the "usage":null members the option adds to every
	// chunk are removed, so the client gets the stream it asked for.
	StripUsage bool
}

// Mode is how the plugin handles a response body.
type Mode uint8

// Modes.
const (
	// Pass sends the body as it is.
	Pass Mode = iota
	// Buffer holds the whole body, then sends Response.Body's result.
	Buffer
	// Stream sends the output of Response.Write for each chunk and of Close at the end.
	Stream
	// Reject answers Plan.Error instead of the response.
	Reject
)

// Plan is the decision taken at the response headers.
type Plan struct {
	Mode  Mode
	Error *apierr.Error // Reject: the answer (502)
	// HoldHeaders (Stream only) asks the plugin to keep the headers until Decided
	// reports the body's type: a body that is neither JSON nor SSE is refused
	// (Options.RefuseText) with a 502 that replaces the whole response.
	HoldHeaders bool
}

// bodyKind is what the bytes of a streamed body turned out to be.
type bodyKind uint8

const (
	kindUnknown bodyKind = iota // not enough bytes yet
	kindSSE
	kindNDJSON
	kindJSON // held whole, redacted at Close
	kindText
	kindRefused
)

// Response is the handling of one response body, created at its headers (see
// NewResponse). It is not safe for concurrent use.
type Response struct {
	req   Request
	r     *redact.Redactor
	o     Options
	api   API  // the model applied (genericModel for error bodies)
	isErr bool // a non-2xx body: redacted as data, no texts
	label string

	kind   bodyKind
	ndjson bool // the label says application/x-ndjson
	held   []byte
	x      *transformer
	text   *redact.Stream
	failed *apierr.Error
	result Result // Buffer and held JSON: the outcome
}

// NewResponse plans the handling of a response from its status and headers. r nil
// means redaction is off: bodies are still read for usage and moderation texts.
func NewResponse(r *redact.Redactor, req Request, status int, contentType, contentEncoding string, o Options) (*Response, Plan) {
	rs := new(Response)
	return rs, rs.Init(r, req, status, contentType, contentEncoding, o)
}

// Init is NewResponse into rs, which it resets: a caller that keeps one Response per
// exchange allocates none.
func (rs *Response) Init(r *redact.Redactor, req Request, status int, contentType, contentEncoding string, o Options) Plan {
	*rs = Response{req: req, r: r, o: o, api: req.API, label: mediaType(contentType)}
	if req.API == None || status == 204 || status == 304 || status >= 100 && status < 200 {
		return Plan{Mode: Pass}
	}
	ok := status >= 200 && status < 300
	if !ok {
		if o.PassErrorBodies || r == nil {
			return Plan{Mode: Pass}
		}
		rs.isErr = true
	}
	if enc := strings.TrimSpace(contentEncoding); enc != "" && !strings.EqualFold(enc, "identity") {
		// the request asks for identity; an upstream that compresses anyway cannot be inspected
		return Plan{Mode: Reject, Error: apierr.New(502, apierr.TypeUnavailable, "upstream_encoded",
			"the upstream compressed its response (%s); the guard cannot inspect it", enc)}
	}
	switch rs.label {
	case "text/event-stream":
		rs.kind = kindSSE
		rs.x = rs.newTransformer(false)
		return Plan{Mode: Stream}
	case "application/json":
		return Plan{Mode: Buffer}
	}
	if strings.HasSuffix(rs.label, "+json") {
		return Plan{Mode: Buffer}
	}
	rs.ndjson = rs.label == "application/x-ndjson" || rs.label == "application/jsonl"
	return Plan{Mode: Stream, HoldHeaders: o.RefuseText && ok && r != nil}
}

// mediaType returns the lower-case media type of a content-type header.
func mediaType(ct string) string {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.ToLower(strings.TrimSpace(ct))
}

func (rs *Response) model() API {
	if rs.isErr {
		return errorAPI
	}
	return rs.api
}

func (rs *Response) newTransformer(ndjson bool) *transformer {
	x := newTransformer(rs.r, rs.req.Context, rs.model(), rs.o.MaxEvent, rs.req.StripUsage)
	x.ndjson = ndjson
	return x
}

// Result is the outcome of a whole body.
type Result struct {
	// Body is the body to send (the input itself when nothing changed).
	Body []byte
	// Report says what was redacted (never the matched text).
	Report redact.Report
	// Usage is the token usage the body reports.
	Usage Usage
	// Texts are the redacted model output per choice (one per choice index, in
	// order, empty ones left out), for output moderation.
	Texts []string
}

// Body redacts a whole body (Mode Buffer): JSON walked by the API's model, and bytes
// that are SSE, NDJSON, nested deeper than MaxDepth or not JSON handled as such.
func (rs *Response) Body(body []byte) Result {
	if rs.req.API == Embeddings && !rs.isErr {
		w := newRewriter(nil, nil, None)
		var u Usage
		if w.scan(body) == nil {
			readUsage(w.t, Embeddings, &u)
		}
		return Result{Body: body, Usage: u}
	}
	switch sniff(body, true) {
	case kindSSE:
		return rs.whole(body, false)
	case kindText:
		if rs.ndjson {
			return rs.whole(body, true)
		}
		return rs.textBody(body)
	}
	w := getRewriter(rs.r, rs.req.Context, rs.model())
	res := rs.walkBody(w, body)
	w.release() // not deferred: a panic leaves w to the collector, never half-used in the slot
	return res
}

// walkBody redacts a whole body that is not SSE or text with w.
func (rs *Response) walkBody(w *rewriter, body []byte) Result {
	w.collect = !rs.isErr && rs.req.Texts
	err := w.scan(body)
	switch {
	case err == nil:
		w.walk()
		res := Result{Body: body, Report: w.rep}
		if len(w.edits) > 0 {
			res.Body = w.apply(make([]byte, 0, len(body)+64))
		}
		readUsage(w.t, rs.req.API, &res.Usage)
		res.Texts = w.unitTexts()
		return res
	case err.Kind == jsonscan.ErrSyntax && strings.Contains(err.Detail, "after the top-level value") || rs.ndjson:
		return rs.whole(body, true) // NDJSON: one document per line
	}
	out := w.redactLexical(make([]byte, 0, len(body)+64), unsafe.String(unsafe.SliceData(body), len(body)))
	res := Result{Body: out, Report: w.rep}
	if !rs.isErr && rs.req.Texts {
		res.Texts = []string{string(out)}
	}
	return res
}

// whole runs a whole body through a stream transformer.
func (rs *Response) whole(body []byte, ndjson bool) Result {
	x := rs.newTransformer(ndjson)
	x.w.collect = !rs.isErr && rs.req.Texts
	out := x.write(make([]byte, 0, len(body)+64), body)
	out = x.close(out)
	return Result{Body: out, Report: x.report(), Usage: x.usage, Texts: x.w.unitTexts()}
}

// textBody redacts a body that is neither JSON nor SSE as text.
func (rs *Response) textBody(body []byte) Result {
	if rs.r == nil {
		return Result{Body: body}
	}
	s := unsafe.String(unsafe.SliceData(body), len(body))
	out, rep := rs.r.Redact(s, rs.req.Context)
	if rs.isErr {
		out, rep = rs.r.RedactData(s)
	}
	res := Result{Body: body, Report: rep}
	if out != s {
		res.Body = []byte(out)
	}
	if !rs.isErr && rs.req.Texts && out != "" {
		res.Texts = []string{out}
	}
	return res
}

// sniff says what a body (or its first bytes) is: JSON when it starts with '{' or
// '[' (after a BOM and whitespace); SSE when its first line (after a BOM and blank
// lines) is a comment or an event, data, id or retry field; text otherwise; unknown
// while more bytes are needed to tell (never when whole).
func sniff(b []byte, whole bool) bodyKind {
	more := kindUnknown
	if whole {
		more = kindText
	}
	i := 0
	for i < 3 && i < len(b) && b[i] == "\xEF\xBB\xBF"[i] {
		i++
	}
	switch {
	case i < 3 && i == len(b):
		return more
	case i > 0 && i < 3:
		return kindText // a partial BOM is text
	}
	b = b[i:]
	j := 0
	for j < len(b) && (b[j] == ' ' || b[j] == '\t' || b[j] == '\n' || b[j] == '\r') {
		j++
	}
	if j == len(b) {
		return more
	}
	if b[j] == '{' || b[j] == '[' {
		return kindJSON
	}
	k := 0
	for k < len(b) && (b[k] == '\n' || b[k] == '\r') {
		k++
	}
	if k < j {
		return kindText // the first line starts with a space
	}
	line := b[k:]
	eol := indexEOL(line)
	if eol >= 0 {
		line = line[:eol]
	}
	if line[0] == ':' {
		return kindSSE
	}
	name, _, colon := strings.Cut(string(line), ":")
	switch name {
	case "data", "event", "id", "retry":
		if colon || eol >= 0 || whole {
			return kindSSE
		}
	}
	if !colon && eol < 0 && !whole && len(line) < len("retry") {
		for _, f := range [...]string{"data", "event", "id", "retry"} {
			if strings.HasPrefix(f, name) {
				return kindUnknown
			}
		}
	}
	if !colon && eol < 0 && !whole && (name == "data" || name == "event" || name == "id" || name == "retry") {
		return kindUnknown
	}
	return kindText
}

func indexEOL(b []byte) int {
	for i, c := range b {
		if c == '\n' || c == '\r' {
			return i
		}
	}
	return -1
}

// Write takes a chunk of a streamed body (Mode Stream) and returns the bytes to send
// now (nil when nothing may go yet).
func (rs *Response) Write(chunk []byte) []byte { return rs.AppendWrite(nil, chunk) }

// AppendWrite is Write appending to dst, so that the caller can reuse one buffer.
func (rs *Response) AppendWrite(dst, chunk []byte) []byte {
	if rs.failed != nil {
		return dst
	}
	if rs.kind == kindUnknown {
		rs.held = append(rs.held, chunk...)
		rs.decide(false)
		if rs.kind == kindUnknown {
			return dst
		}
		chunk, rs.held = rs.held, nil
		if rs.kind == kindJSON {
			rs.held, chunk = chunk, nil
		}
	}
	switch rs.kind {
	case kindSSE, kindNDJSON:
		return rs.x.write(dst, chunk)
	case kindText:
		if rs.text == nil {
			return append(dst, chunk...)
		}
		return append(dst, rs.text.Write(string(chunk))...)
	case kindJSON:
		if len(rs.held)+len(chunk) > rs.maxBody() {
			rs.failed = apierr.New(502, apierr.TypeUnavailable, "response_too_large",
				"the upstream response is larger than the %d bytes the guard can inspect", rs.maxBody())
			rs.held = nil
			return dst
		}
		rs.held = append(rs.held, chunk...)
	}
	return dst
}

func (rs *Response) maxBody() int {
	if rs.o.MaxBody > 0 {
		return rs.o.MaxBody
	}
	return DefaultMaxBody
}

// decide sniffs the held bytes of a streamed body of unknown type.
func (rs *Response) decide(whole bool) {
	k := sniff(rs.held, whole)
	switch k {
	case kindUnknown:
		return
	case kindJSON:
		if rs.ndjson {
			k = kindNDJSON
		}
	case kindText:
		if rs.o.RefuseText && !rs.isErr {
			rs.kind, rs.held = kindRefused, nil
			rs.failed = apierr.New(502, apierr.TypeUnavailable, "upstream_unrecognised",
				"the upstream answered with a body that is neither JSON nor server-sent events (%s); the guard refuses to pass it", labelOr(rs.label))
			return
		}
		if rs.r != nil {
			rs.text = rs.r.NewStream(rs.req.Context)
			if rs.isErr {
				rs.text = rs.r.NewDataStream()
			}
		}
	}
	rs.kind = k
	if k == kindSSE || k == kindNDJSON {
		rs.x = rs.newTransformer(k == kindNDJSON)
	}
}

func labelOr(l string) string {
	if l == "" {
		return "no content type"
	}
	return l
}

// Decided reports, for a Stream plan with HoldHeaders, whether the body's type is
// known yet, and the error to answer instead when the body is refused.
func (rs *Response) Decided() (bool, *apierr.Error) {
	if rs.kind == kindRefused {
		return true, rs.failed
	}
	return rs.kind != kindUnknown, nil
}

// Close ends a streamed body and returns its last bytes.
func (rs *Response) Close() []byte { return rs.AppendClose(nil) }

// AppendClose is Close appending to dst.
func (rs *Response) AppendClose(dst []byte) []byte {
	if rs.failed != nil {
		return dst
	}
	if rs.kind == kindUnknown {
		rs.decide(true)
		if rs.failed != nil {
			return dst
		}
		held := rs.held
		rs.held = nil
		if rs.kind != kindJSON {
			dst = rs.AppendWrite(dst, held)
		} else {
			rs.held = held
		}
	}
	switch rs.kind {
	case kindSSE, kindNDJSON:
		return rs.x.close(dst)
	case kindText:
		if rs.text != nil {
			return append(dst, rs.text.Flush()...)
		}
	case kindJSON:
		rs.result = rs.Body(rs.held)
		rs.held = nil
		return append(dst, rs.result.Body...)
	}
	return dst
}

// Err returns the failure that ended a streamed body early (an event or a held body
// over the limit, a refused body), or nil. What was sent before it was redacted.
func (rs *Response) Err() *apierr.Error {
	if rs.failed == nil && rs.x != nil && rs.x.failed {
		return apierr.New(502, apierr.TypeUnavailable, "response_event_too_large",
			"an event of the upstream stream exceeds the inspection limit")
	}
	return rs.failed
}

// Report returns what a streamed body's redaction replaced so far.
func (rs *Response) Report() redact.Report {
	switch {
	case rs.x != nil:
		return rs.x.report()
	case rs.text != nil:
		return rs.text.Report()
	}
	return rs.result.Report
}

// Usage returns the token usage a streamed body reported so far.
func (rs *Response) Usage() Usage {
	if rs.x != nil {
		return rs.x.usage
	}
	return rs.result.Usage
}
