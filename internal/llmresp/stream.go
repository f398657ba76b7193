package llmresp

import (
	"bytes"
	"strconv"
	"strings"
	"sync/atomic"
	"unsafe"

	"github.com/egressguard/egressguard/internal/jsonscan"
	"github.com/egressguard/egressguard/internal/jsonstr"
	"github.com/egressguard/egressguard/internal/redact"
	"github.com/egressguard/egressguard/internal/sse"
)

// streamState is one text being streamed: its redact.Stream and the last event that
// fed it, from which an event carrying its held-back text is built.
type streamState struct {
	key   Key
	s     *redact.Stream
	token bool
	parts bool // chat content sent as text parts rather than a string
	// template: the last event that fed the text, and the spans in its payload of the
	// piece, of the event's "delta" string and of its "logprobs" array (-1: none)
	tmpl, name     []byte
	start, end     int
	dStart, dEnd   int
	lpStart, lpEnd int
	closedNow      bool // flushed into the current event
}

// closer says which texts an event ends.
type closer struct {
	all     bool
	choices []int32 // chat: the choices that finish
	kind    string  // Responses: texts whose kind starts with it ("" any)
	a, b    int32
	useA    bool
	useB    bool
	other   bool // Conversations: the texts not at (a[, b])
}

func (c *closer) match(k Key) bool {
	switch {
	case c.all:
		return true
	case c.choices != nil:
		for _, ci := range c.choices {
			if k.A == ci {
				return true
			}
		}
		return false
	case c.other:
		return k.A != c.a || c.useB && k.B != c.b
	case !c.useA:
		return false
	}
	if c.kind != "" && (len(k.Kind) < len(c.kind) || k.Kind[:len(c.kind)] != c.kind) {
		return false
	}
	return k.A == c.a && (!c.useB || k.B == c.b)
}

// transformer rewrites an SSE stream event by event (see Response.Write).
type transformer struct {
	api    API
	w      *rewriter
	rd     sse.Reader
	ndjson bool   // lines of JSON rather than SSE events
	line   []byte // NDJSON: the pending line
	out    []byte
	strip  bool // drop the usage-only chunk and "usage":null members (see Request.StripUsage)

	streams   []*streamState
	last      *streamState
	cl        closer
	usage     Usage
	env       []byte         // chat: the latest JSON event (envelope of built events)
	et        *jsonscan.Tape // scratch tape for envelopes
	payload   []byte         // scratch: the rewritten payload
	lines     sse.LineFunc   // rewrites comment and unknown-field lines
	emitFn    func(*sse.Event)
	evName    []byte // the current event's name
	failed    bool
	pieces    int       // streamed pieces in the current event
	closedAny bool      // the current event ended a text
	fast      fastEvent // the shape of the last plain delta event
	fastOff   bool      // tests: always take the full path
	fastN     int       // events handled by the fast path (tests)
}

func newTransformer(r *redact.Redactor, rc *redact.RequestContext, api API, max int, strip bool) *transformer {
	x := &transformer{api: api, w: &rewriter{r: r, rc: rc, m: modelFor(api)}, strip: strip && (api == Chat || api == Completions)}
	if k := spareScratch.Swap(nil); k != nil {
		k.give(x)
	} else {
		x.ready()
	}
	x.rd.Max = max
	x.w.onString = x.onStream
	x.lines = x.redactLine
	x.emitFn = x.event
	return x
}

// scratch is what a transformer only needs while its stream runs: the tapes and
// buffers that grow to a stream's events. A stream that ended leaves them in
// spareScratch for the next one, so that a short stream does not grow a dozen
// buffers from nothing (each growth an allocation, dear in wasm). One slot, as for
// the whole-body rewriter (see spare).
type scratch struct {
	t, et        *jsonscan.Tape
	stack        []int32
	edits        []edit
	arena, scr   []byte
	group        []piece
	env, payload []byte
	fdata, fname []byte
	fvars        []fastVar
	fedits       []fastEdit
	fseg         []int
	fspan        [][2]int
}

var spareScratch atomic.Pointer[scratch]

// give hands k's buffers to x (a new transformer).
func (k *scratch) give(x *transformer) {
	w, f := x.w, &x.fast
	w.t, x.et = k.t, k.et
	w.stack, w.edits, w.arena, w.scr, w.group = k.stack, k.edits, k.arena, k.scr, k.group
	x.env, x.payload = k.env, k.payload
	f.data, f.name, f.vars, f.edits, f.seg, f.span = k.fdata, k.fname, k.fvars, k.fedits, k.fseg, k.fspan
}

// reap keeps x's scratch for the next stream once x's stream ended. Only report,
// usage and the collected texts are read after that; a write after the end (which
// the plugin never makes) gets new tapes.
func (x *transformer) reap() {
	w, f := x.w, &x.fast
	if w.t == nil || len(w.t.Nodes) > 1<<16 || cap(w.arena) > maxPooled || cap(w.scr) > maxPooled ||
		cap(x.env) > maxPooled || cap(x.payload) > maxPooled || cap(f.data) > maxPooled {
		return // a stream of huge events keeps its buffers to itself
	}
	spareScratch.Store(&scratch{t: w.t, et: x.et, stack: w.stack[:0], edits: w.edits[:0], arena: w.arena[:0],
		scr: w.scr[:0], group: w.group[:0], env: x.env[:0], payload: x.payload[:0],
		fdata: f.data[:0], fname: f.name[:0], fvars: f.vars[:0], fedits: f.edits[:0], fseg: f.seg[:0], fspan: f.span[:0]})
	w.t, x.et = nil, nil
	w.stack, w.edits, w.arena, w.scr, w.group = nil, nil, nil, nil, nil
	x.env, x.payload = nil, nil
	f.ok = false
	f.data, f.name, f.vars, f.edits, f.seg, f.span = nil, nil, nil, nil, nil, nil
}

// ready gives x tapes when it has none (new, or reaped).
func (x *transformer) ready() {
	if x.w.t == nil {
		x.w.t, x.et = new(jsonscan.Tape), new(jsonscan.Tape)
	}
}

// write consumes a network chunk and appends the bytes to send to dst.
func (x *transformer) write(dst, chunk []byte) []byte {
	x.ready()
	x.out = dst
	switch {
	case x.failed:
	case x.ndjson:
		x.writeLines(chunk)
	default:
		if err := x.rd.Feed(chunk, x.emitFn); err != nil {
			x.overflow()
		}
	}
	dst, x.out = x.out, nil
	return dst
}

// writeLines feeds NDJSON: each line is one document, handled as an event's data.
func (x *transformer) writeLines(chunk []byte) {
	for len(chunk) > 0 {
		i := bytes.IndexByte(chunk, '\n')
		if i < 0 {
			if len(x.line)+len(chunk) > x.maxEvent() {
				x.overflow()
				return
			}
			x.line = append(x.line, chunk...)
			return
		}
		line := chunk[:i+1]
		if len(x.line) > 0 {
			x.line = append(x.line, line...)
			line = x.line
		}
		x.ndLine(line, true)
		x.line = x.line[:0]
		chunk = chunk[i+1:]
	}
}

func (x *transformer) maxEvent() int {
	if x.rd.Max > 0 {
		return x.rd.Max
	}
	return sse.DefaultMax
}

// ndLine handles one NDJSON line (terminator included when ended).
func (x *transformer) ndLine(line []byte, ended bool) {
	data := bytes.TrimRight(line, "\r\n")
	if len(bytes.TrimSpace(data)) == 0 {
		x.out = append(x.out, line...)
		return
	}
	ev := sse.Event{Raw: line, Data: data, HasData: true, DataLines: 1, DataEnd: len(data), Retry: -1, Ended: ended}
	x.event(&ev)
}

// close ends the stream and appends the last bytes to dst.
func (x *transformer) close(dst []byte) []byte {
	x.ready()
	x.out = dst
	switch {
	case x.failed:
	case x.ndjson:
		if len(x.line) > 0 {
			x.ndLine(x.line, false)
			x.line = x.line[:0]
		}
		x.flush(&closer{all: true})
	default:
		if err := x.rd.Close(x.emitFn); err != nil {
			x.overflow()
		} else {
			x.flush(&closer{all: true})
		}
	}
	dst, x.out = x.out, nil
	x.reap()
	return dst
}

func (x *transformer) report() redact.Report {
	rep := x.w.rep
	for _, s := range x.streams {
		if s.s != nil {
			rep.Merge(s.s.Report())
		}
	}
	return rep
}

// redactLine redacts a comment line or a line with an unknown field as text.
func (x *transformer) redactLine(dst, line []byte) []byte {
	head := 0
	if line[0] == ':' {
		head = 1
	}
	s := unsafe.String(unsafe.SliceData(line[head:]), len(line)-head)
	return append(append(dst, line[:head]...), x.w.redactText(s, mText)...)
}

// event handles one event of the stream.
func (x *transformer) event(ev *sse.Event) {
	if !ev.Ended && ev.HasData {
		defer x.terminate() // a cut-off event, then what follows it
	}
	if !ev.HasData || string(ev.Data) == "[DONE]" {
		if ev.HasData {
			x.flush(&closer{all: true})
		}
		x.emit(ev, ev.Data)
		return
	}
	if x.fastPath(ev) {
		return
	}
	if err := x.w.scan(ev.Data); err != nil {
		x.notJSON(ev, err)
		x.fast.ok = false
		return
	}
	t := x.w.t
	x.evName = ev.Name
	readUsage(t, x.api, &x.usage)
	if x.strip && usageOnly(t) {
		x.flush(&closer{all: true})
		return // the usage chunk the guard asked for: read, not sent
	}
	x.cl = x.closes(t, ev)
	for _, s := range x.streams {
		s.closedNow = false
	}
	x.pieces, x.closedAny = 0, false
	if x.api == Chat || x.api == Completions {
		x.env = append(x.env[:0], ev.Data...)
	}
	x.w.walk()
	if x.strip {
		x.stripUsageNull()
	}
	x.flushUnfed(&x.cl)
	x.learn(ev)
	payload := ev.Data
	if len(x.w.edits) > 0 {
		x.payload = x.w.apply(x.payload[:0])
		payload = x.payload
	}
	x.emit(ev, payload)
}

// terminate ends the output with a blank line, so that an event cut off by the end
// of the upstream stream cannot run into the events built after it.
func (x *transformer) terminate() {
	if x.ndjson {
		if n := len(x.out); n > 0 && x.out[n-1] != '\n' {
			x.out = append(x.out, '\n')
		}
		return
	}
	switch n := len(x.out); {
	case n == 0, n >= 2 && x.out[n-1] == '\n' && x.out[n-2] == '\n':
	case x.out[n-1] == '\n':
		x.out = append(x.out, '\n')
	default:
		x.out = append(x.out, "\n\n"...)
	}
}

// emit appends ev with its data replaced by payload and its comments redacted.
func (x *transformer) emit(ev *sse.Event, payload []byte) {
	var fn sse.LineFunc
	if ev.Comments+ev.Unknown > 0 {
		fn = x.lines
	}
	if fn == nil && (!ev.HasData || len(payload) == len(ev.Data) && (len(payload) == 0 || &payload[0] == &ev.Data[0] || bytes.Equal(payload, ev.Data))) {
		x.out = append(x.out, ev.Raw...)
		return
	}
	if fn == nil && ev.DataLines == 1 {
		// a payload built from one data line is one line: JSON strings are escaped,
		// and redaction adds no line end
		x.out = sse.AppendReplaced(x.out, ev, payload)
		return
	}
	x.out = sse.AppendRewrite(x.out, ev, unsafe.String(unsafe.SliceData(payload), len(payload)), fn)
}

// notJSON handles an event whose data is not a JSON document: nested too deep, it
// is redacted string by string; any other data is a piece of one text per stream
// (plain-text events).
func (x *transformer) notJSON(ev *sse.Event, err *jsonscan.Error) {
	data := unsafe.String(unsafe.SliceData(ev.Data), len(ev.Data))
	if err.Kind == jsonscan.ErrTooDeep {
		x.payload = x.w.redactLexical(x.payload[:0], data)
		x.emit(ev, x.payload)
		return
	}
	st := x.stream(Key{Kind: "raw"}, mText, false)
	out := st.s.Write(data)
	st.tmpl, st.name = st.tmpl[:0], append(st.name[:0], ev.Name...)
	st.start = -1
	x.payload = append(x.payload[:0], out...)
	x.emit(ev, x.payload)
}

// onStream takes a piece of a streamed text found by the walk.
func (x *transformer) onStream(i int, c class) bool {
	w := x.w
	st := x.stream(c.key, c.mode, c.token)
	text := w.text(i)
	if st.s == nil { // redaction off: read only
		w.addText(c, i, text)
		x.pieces++
		x.fast.node, x.fast.st, x.fast.c = i, st, c
		return true
	}
	out := st.s.Write(text)
	if x.cl.match(c.key) {
		out += st.s.Flush()
		st.closedNow, x.closedAny = true, true
	}
	if out != text {
		w.replace(i, out)
		if c.token {
			w.tokenBytes(i, out)
		}
	}
	w.addText(c, i, out)
	x.template(st, i)
	x.pieces++
	x.fast.node, x.fast.st, x.fast.c = i, st, c
	return true
}

// template records the current event as the one to copy for st's held-back text.
func (x *transformer) template(st *streamState, i int) {
	t := x.w.t
	if x.api == Chat || x.api == Completions {
		if st.key.Kind == kContent {
			st.parts = t.Nodes[t.Nodes[i].Parent].Kind == jsonscan.Object && !t.KeyIs(int(t.Nodes[i].Parent), "delta") && !t.KeyIs(int(t.Nodes[i].Parent), "message")
		}
		return
	}
	st.tmpl = append(st.tmpl[:0], x.w.src...)
	st.name = append(st.name[:0], x.evName...)
	st.start, st.end = int(t.Nodes[i].Start), int(t.Nodes[i].End)
	st.dStart, st.lpStart = -1, -1
	if d := lastMember(t, 0, "delta"); d >= 0 && t.Nodes[d].Kind == jsonscan.String && d != i {
		st.dStart, st.dEnd = int(t.Nodes[d].Start), int(t.Nodes[d].End)
	}
	if lp := lastMember(t, 0, "logprobs"); lp >= 0 && t.Nodes[lp].Kind == jsonscan.Array {
		st.lpStart, st.lpEnd = int(t.Nodes[lp].Start), int(t.Nodes[lp].End)
	}
}

// stream returns the state of the text named k, creating it.
func (x *transformer) stream(k Key, m mode, token bool) *streamState {
	if x.last != nil && x.last.key == k {
		return x.last
	}
	for _, s := range x.streams {
		if s.key == k {
			x.last = s
			return s
		}
	}
	k.Kind = strings.Clone(k.Kind) // it may alias the event, which the reader reuses
	s := &streamState{key: k, token: token, start: -1}
	switch {
	case x.w.r == nil:
	case m == mData:
		s.s = x.w.r.NewDataStream()
	default:
		s.s = x.w.r.NewStream(x.w.rc)
	}
	x.streams = append(x.streams, s)
	x.last = s
	return s
}

// flushUnfed emits, before the current event, the held-back text of every text the
// event ends that had no piece in it.
func (x *transformer) flushUnfed(c *closer) {
	if !c.all && c.choices == nil && !c.useA && !c.other {
		return
	}
	for _, s := range x.streams {
		if !s.closedNow && c.match(s.key) {
			x.flushOne(s)
			x.closedAny = true
		}
	}
}

// flush emits the held-back text of every text c ends.
func (x *transformer) flush(c *closer) {
	for _, s := range x.streams {
		if c.match(s.key) {
			x.flushOne(s)
		}
	}
}

func (x *transformer) flushOne(s *streamState) {
	if s.s == nil {
		return
	}
	text := s.s.Flush()
	if text == "" {
		return
	}
	x.w.addText(class{out: true, unit: s.key.A}, 1<<31-1, text)
	switch {
	case s.start < 0 && s.key.Kind == "raw": // plain-text events
		x.frame(string(s.name), []byte(text))
	case x.api == Chat || x.api == Completions:
		x.frame("", x.chatEvent(s, text))
	default:
		x.frame(string(s.name), templateEvent(s, text))
	}
}

// frame appends a built event: an SSE event, or an NDJSON line.
func (x *transformer) frame(name string, payload []byte) {
	if x.ndjson {
		x.out = append(append(x.out, payload...), '\n')
		return
	}
	x.out = sse.AppendEvent(x.out, name, string(payload))
}

// templateEvent copies the last event that fed s with s's piece replaced by text
// (and, for a logprob text, the event's delta emptied and its logprobs replaced by
// one entry carrying text; for another text, the event's logprobs emptied: they
// were sent with it already).
func templateEvent(s *streamState, text string) []byte {
	type rep struct {
		start, end int
		raw        []byte
	}
	reps := []rep{{s.start, s.end, jsonstr.Append(nil, text)}}
	if s.token {
		if s.dStart >= 0 {
			reps = append(reps, rep{s.dStart, s.dEnd, []byte(`""`)})
		}
		if s.lpStart >= 0 {
			entry := append(jsonstr.Append([]byte(`[{"token":`), text), `,"logprob":0,"top_logprobs":[]}]`...)
			reps[0] = rep{s.lpStart, s.lpEnd, entry}
		}
	} else if s.lpStart >= 0 {
		reps = append(reps, rep{s.lpStart, s.lpEnd, []byte("[]")})
	}
	if len(reps) == 2 && reps[1].start < reps[0].start {
		reps[0], reps[1] = reps[1], reps[0]
	}
	var out []byte
	last := 0
	for _, r := range reps {
		out = append(out, s.tmpl[last:r.start]...)
		out = append(out, r.raw...)
		last = r.end
	}
	return append(out, s.tmpl[last:]...)
}

// chatEvent builds a chunk carrying text for s: the latest chunk's envelope (id,
// object, created, model, …) with one choice holding the text and no usage.
func (x *transformer) chatEvent(s *streamState, text string) []byte {
	k := s.key
	var ch []byte
	ch = append(ch, `{"index":`...)
	ch = strconv.AppendInt(ch, int64(k.A), 10)
	switch k.Kind {
	case kText:
		ch = jsonstr.Append(append(ch, `,"text":`...), text)
		ch = append(ch, `,"logprobs":null`...)
	case kContent:
		if s.parts {
			ch = jsonstr.Append(append(ch, `,"delta":{"content":[{"type":"text","text":`...), text)
			ch = append(ch, "}]}"...)
		} else {
			ch = jsonstr.Append(append(ch, `,"delta":{"content":`...), text)
			ch = append(ch, '}')
		}
	case kThinking:
		ch = jsonstr.Append(append(ch, `,"delta":{"content":[{"type":"thinking","thinking":[{"type":"text","text":`...), text)
		ch = append(ch, "}]}]}"...)
	case kToolArgs:
		ch = append(ch, `,"delta":{"tool_calls":[{"index":`...)
		ch = strconv.AppendInt(ch, int64(k.B), 10)
		ch = jsonstr.Append(append(ch, `,"function":{"arguments":`...), text)
		ch = append(ch, "}}]}"...)
	case kFuncArgs:
		ch = jsonstr.Append(append(ch, `,"delta":{"function_call":{"arguments":`...), text)
		ch = append(ch, "}}"...)
	case kTranscr:
		ch = jsonstr.Append(append(ch, `,"delta":{"audio":{"transcript":`...), text)
		ch = append(ch, "}}"...)
	case kLPContent, kLPRefusal:
		ch = append(ch, `,"delta":{},"logprobs":{"`...)
		ch = append(ch, k.Kind[len("logprobs."):]...)
		ch = jsonstr.Append(append(ch, `":[{"token":`...), text)
		ch = appendBytes(append(ch, `,"logprob":0,"bytes":`...), text)
		ch = append(ch, `,"top_logprobs":[]}]}`...)
	case kLPTokens:
		ch = jsonstr.Append(append(ch, `,"text":"","logprobs":{"tokens":[`...), text)
		ch = append(ch, `],"token_logprobs":[0],"top_logprobs":[{}],"text_offset":[0]}`...)
	default: // field.<name>
		ch = jsonstr.Append(append(ch, `,"delta":{`...), k.Kind[len(kField):])
		ch = jsonstr.Append(append(ch, ':'), text)
		ch = append(ch, '}')
	}
	ch = append(ch, `,"finish_reason":null}`...)
	return x.envelopeWith(ch)
}

// envelopeWith returns the latest chunk with "choices" holding the one choice ch and
// without "usage" (a chunk of its own, or a minimal one when there is none).
func (x *transformer) envelopeWith(ch []byte) []byte {
	t := x.et
	if len(x.env) == 0 || t.Scan(x.env, MaxDepth) != nil || t.Nodes[0].Kind != jsonscan.Object {
		return append(append([]byte(`{"object":"chat.completion.chunk","choices":[`), ch...), "]}"...)
	}
	env := unsafe.String(unsafe.SliceData(x.env), len(x.env))
	var out []byte
	last := 0
	put := false
	for j := t.First(0); j >= 0; j = t.Next(j) {
		n := &t.Nodes[j]
		switch {
		case t.KeyIs(j, "choices") && !put:
			out = append(out, env[last:n.Start]...)
			out = append(append(append(out, '['), ch...), ']')
			last, put = int(n.End), true
		case t.KeyIs(j, "usage") || t.KeyIs(j, "choices"):
			s, e := memberSpan(t, j)
			out = append(out, env[last:s]...)
			last = e
		}
	}
	out = append(out, env[last:]...)
	if !put {
		return append(append([]byte(`{"object":"chat.completion.chunk","choices":[`), ch...), "]}"...)
	}
	return out
}

// memberSpan returns the bytes to delete to remove member j from its object: from
// the end of the previous member (its comma included), or for the first member up
// to the next member's key.
func memberSpan(t *jsonscan.Tape, j int) (start, end int) {
	n := &t.Nodes[j]
	par := int(n.Parent)
	if n.Index > 0 {
		prev := t.First(par)
		for k := t.Next(prev); k >= 0 && k != j; k = t.Next(k) {
			prev = k
		}
		return int(t.Nodes[prev].End), int(n.End)
	}
	if next := t.Next(j); next >= 0 {
		return int(n.KeyStart), int(t.Nodes[next].KeyStart)
	}
	return int(n.KeyStart), int(n.End)
}

func appendBytes(dst []byte, s string) []byte {
	dst = append(dst, '[')
	for i := 0; i < len(s); i++ {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = strconv.AppendInt(dst, int64(s[i]), 10)
	}
	return append(dst, ']')
}

// usageOnly reports whether a chat chunk is the usage chunk of
// stream_options.include_usage: an empty choices array and a usage object.
func usageOnly(t *jsonscan.Tape) bool {
	if t.Nodes[0].Kind != jsonscan.Object {
		return false
	}
	c, u := lastMember(t, 0, "choices"), lastMember(t, 0, "usage")
	return c >= 0 && t.Nodes[c].Kind == jsonscan.Array && t.Len(c) == 0 && u >= 0 && t.Nodes[u].Kind == jsonscan.Object
}

// stripUsageNull removes the "usage":null members include_usage adds to every chunk.
func (x *transformer) stripUsageNull() {
	w := x.w
	t := w.t
	if t.Nodes[0].Kind != jsonscan.Object {
		return
	}
	for j := t.First(0); j >= 0; j = t.Next(j) {
		if t.KeyIs(j, "usage") && t.Nodes[j].Kind == jsonscan.Null {
			s, e := memberSpan(t, j)
			w.edits = append(w.edits, edit{s, e, len(w.arena), len(w.arena)})
		}
	}
}

// overflow ends a stream whose event exceeded the limit: held-back text (already
// redacted) is released, then an error event in the API's shape; nothing of the
// event or after it is sent.
func (x *transformer) overflow() {
	x.failed = true
	x.flush(&closer{all: true})
	x.out = append(x.out, errorEvent(x.api, "response_event_too_large",
		"egressguard: an event of the upstream stream exceeds the inspection limit; the stream was ended")...)
}

// errorEvent is an error event a client of api reports as an API error.
func errorEvent(api API, code, msg string) []byte {
	var b []byte
	switch api {
	case Messages:
		b = jsonstr.Append([]byte(`{"type":"error","error":{"type":"api_error","message":`), msg)
		return sse.AppendEvent(nil, "error", string(append(b, "}}"...)))
	case Responses:
		b = jsonstr.Append([]byte(`{"type":"error","code":`), code)
		b = jsonstr.Append(append(b, `,"message":`...), msg)
		return sse.AppendEvent(nil, "error", string(append(b, `,"param":null}`...)))
	case Conversations:
		b = jsonstr.Append([]byte(`{"type":"conversation.response.error","message":`), msg)
		return sse.AppendEvent(nil, "conversation.response.error", string(append(b, `,"code":502}`...)))
	}
	b = jsonstr.Append([]byte(`{"error":{"message":`), msg)
	b = jsonstr.Append(append(b, `,"type":"upstream_error","code":`...), code)
	return sse.AppendEvent(nil, "", string(append(b, "}}"...)))
}
