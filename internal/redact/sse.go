package redact

import (
	"bytes"
	"sort"
	"strconv"
	"strings"
	"unsafe"

	"github.com/egressguard/egressguard/internal/jsonstr"
	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
)

// SSETransformer redacts a streamed chat completion (text/event-stream,
// OpenAI and Mistral chunk shapes) fed as raw network chunks split anywhere.
//
// It reassembles lines and events, keeps one Stream per choice for
// choices[i].delta.content and one per tool call for
// delta.tool_calls[j].function.arguments, and re-emits every event as
// "data: <json>\n\n" with the delta replaced by what the Stream released
// (possibly ""). Text a Stream still holds is flushed into the event that
// carries the choice's finish_reason, or, when that event has no such field,
// into synthesised events placed just before it; at "data: [DONE]" and at
// Close the rest is flushed into synthesised events. A synthesised event is
// the latest event's envelope (id, object, created, model, ...) with
// "choices" replaced by one choice carrying the text and "usage" removed.
// Usage-only chunks, comments and other fields pass through unchanged.
// Non-JSON data other than [DONE] is redacted as plain text.
type SSETransformer struct {
	r       *Redactor
	rc      *RequestContext
	line    []byte // partial line
	afterCR bool   // the last line ended with '\r': a '\n' right after it belongs to it
	data    []byte // data lines of the current event
	hasData bool
	post    []byte // non-data lines after the first data line of the current event
	streams map[sseKey]*Stream
	env     []byte // latest JSON event (the envelope of synthesised events)
	rep     Report
	out     []byte

	// per-event scratch, reused
	payload  string // the event being rewritten (aliases env)
	edits    []sseEdit
	raw      []byte // JSON strings of the edits
	before   []string
	choiceFn func(gjson.Result, gjson.Result) bool
	toolFn   func(gjson.Result, gjson.Result) bool
	fieldFn  func(gjson.Result, gjson.Result) bool
	fields   sseFields
	choice   int  // choice of the tool calls being visited
	finish   bool // that choice has a finish_reason
	unesc    []byte
	tmpl     []byte    // the last event fully scanned by the fast path that had content
	tmplEv   fastEvent // its scan
	general  bool      // tests: always take the general (gjson) path
	fastN    int       // events handled by the fast path (tests)
	last     *Stream   // the stream of lastKey (saves a map lookup per event)
	lastKey  sseKey
}

// sseKey names a stream: a choice index and a tool-call index (-1 for content).
type sseKey struct{ choice, tool int }

// NewSSE starts a transformer for one response; rc may be nil. The bound on
// held-back text is the Redactor's Config.Window (see Stream).
func NewSSE(r *Redactor, rc *RequestContext) *SSETransformer {
	t := &SSETransformer{r: r, rc: rc, streams: map[sseKey]*Stream{}}
	t.choiceFn, t.toolFn, t.fieldFn = t.visitChoice, t.visitToolCall, t.visitField
	return t
}

// Write consumes a raw upstream chunk and returns the bytes to send downstream.
// Lines end with "\n", "\r\n" or a lone "\r" (the SSE specification allows all
// three), split anywhere across chunks.
func (t *SSETransformer) Write(chunk []byte) []byte {
	t.out = t.out[:0]
	t.write(chunk)
	if len(t.out) == 0 {
		return nil
	}
	return bytes.Clone(t.out)
}

// AppendWrite is Write appending the output to dst (which it may grow and
// return), so that a caller can reuse one buffer for every chunk.
func (t *SSETransformer) AppendWrite(dst, chunk []byte) []byte {
	own := t.out
	t.out = dst
	t.write(chunk)
	dst, t.out = t.out, own[:0]
	return dst
}

func (t *SSETransformer) write(chunk []byte) {
	cr := bytes.IndexByte(chunk, '\r') >= 0 // else lines end only at '\n'
	for len(chunk) > 0 {
		if t.afterCR {
			t.afterCR = false
			if chunk[0] == '\n' {
				chunk = chunk[1:]
				continue
			}
		}
		var i int
		if cr {
			i = indexEOL(chunk)
		} else {
			i = bytes.IndexByte(chunk, '\n')
		}
		if i < 0 {
			t.line = append(t.line, chunk...)
			break
		}
		line := chunk[:i]
		if len(t.line) > 0 {
			t.line = append(t.line, line...)
			line = t.line
		}
		t.afterCR = chunk[i] == '\r'
		chunk = chunk[i+1:]
		t.processLine(line)
		t.line = t.line[:0]
	}
}

// indexEOL returns the index of the first '\n' or '\r' in b, or -1.
func indexEOL(b []byte) int {
	for i, c := range b {
		if c == '\n' || c == '\r' {
			return i
		}
	}
	return -1
}

// Close ends the stream: a last unterminated line and event are processed
// and all held-back text is flushed.
func (t *SSETransformer) Close() []byte {
	t.out = t.out[:0]
	t.close()
	return bytes.Clone(t.out)
}

// AppendClose is Close appending the output to dst.
func (t *SSETransformer) AppendClose(dst []byte) []byte {
	own := t.out
	t.out = dst
	t.close()
	dst, t.out = t.out, own[:0]
	return dst
}

func (t *SSETransformer) close() {
	if len(t.line) > 0 {
		t.processLine(t.line)
		t.line = t.line[:0]
	}
	t.afterCR = false
	if t.hasData {
		t.dispatch()
	}
	t.flushAll()
}

// Report returns what was redacted so far.
func (t *SSETransformer) Report() Report {
	rep := t.rep
	for _, s := range t.streams {
		rep.Merge(s.Report())
	}
	return rep
}

func (t *SSETransformer) processLine(line []byte) {
	switch {
	case len(line) == 0:
		if t.hasData {
			t.dispatch()
		} else {
			t.out = append(t.out, '\n')
		}
	case bytes.HasPrefix(line, []byte("data:")):
		v := line[5:]
		if len(v) > 0 && v[0] == ' ' {
			v = v[1:]
		}
		if t.hasData {
			t.data = append(t.data, '\n')
		}
		t.data, t.hasData = append(t.data, v...), true
	case t.hasData:
		t.post = append(append(t.post, line...), '\n')
	default:
		t.out = append(append(t.out, line...), '\n')
	}
}

// dispatch handles a complete event.
func (t *SSETransformer) dispatch() {
	t.hasData = false
	// payload aliases t.data, which is not modified until the event is done;
	// nothing keeps a reference to it (Streams copy what they are given).
	payload := unsafe.String(unsafe.SliceData(t.data), len(t.data))
	switch {
	case payload == "[DONE]":
		t.flushAll()
		t.emit(payload)
	case t.fastEvent(payload):
	case !gjson.Valid(payload) || duplicateKey(payload) != "":
		// not the provider's event shape: redact it whole, as text
		red, rep := t.r.Redact(payload, t.rc)
		t.rep.Merge(rep)
		t.emit(red)
	default:
		t.data, t.env = t.env, t.data // the latest JSON event is the new envelope
		t.rewrite()
	}
	t.data = t.data[:0]
	t.out = append(t.out, t.post...)
	t.post = t.post[:0]
}

// fastEvent handles the usual chunk shape (see ssefast.go) in place of
// rewrite; it returns false, having done nothing, for any other event.
func (t *SSETransformer) fastEvent(payload string) bool {
	if t.general {
		return false
	}
	ev, ok := t.matchTemplate(payload)
	if !ok {
		if ev, ok = scanFastEvent(payload); !ok {
			return false
		}
		if ev.content {
			t.tmpl, t.tmplEv = append(t.tmpl[:0], payload...), ev
		}
	}
	text := ""
	if ev.content {
		lit := payload[ev.cStart:ev.cEnd]
		if ev.cEsc {
			if t.unesc, ok = unescapeJSON(t.unesc[:0], lit); !ok {
				return false
			}
			text = unsafe.String(unsafe.SliceData(t.unesc), len(t.unesc))
		} else {
			text = lit[1 : len(lit)-1]
		}
	}
	t.data, t.env = t.env, t.data // the latest JSON event is the new envelope
	t.payload = t.envelope()
	t.edits, t.raw, t.before = t.edits[:0], t.raw[:0], t.before[:0]
	if ev.choice {
		t.choice, t.finish = ev.index, ev.finish
		if ev.content {
			t.streamText(text, ev.cStart, ev.cEnd, sseKey{ev.index, -1})
		}
		if t.finish {
			t.before = t.flushChoice(ev.index, t.payload, t.before)
		}
	}
	t.emitEdited()
	t.fastN++
	return true
}

// matchTemplate recognises an event that differs from the last fully
// scanned one (t.tmpl) only in its content string: the bytes before and
// after that string are equal, and the new string is one valid JSON string
// literal. Such an event is valid JSON with the same structure, so the scan
// result carries over. Upstreams repeat the same envelope in every chunk,
// so this is the usual case: two memory compares and a scan of the string.
func (t *SSETransformer) matchTemplate(payload string) (fastEvent, bool) {
	ev := t.tmplEv
	if !ev.content {
		return ev, false
	}
	tm := unsafe.String(unsafe.SliceData(t.tmpl), len(t.tmpl))
	pre, suf := tm[:ev.cStart], tm[ev.cEnd:]
	end := len(payload) - len(suf)
	if end < len(pre)+2 || payload[len(pre)] != '"' || payload[:len(pre)] != pre || payload[end:] != suf {
		return ev, false
	}
	e, esc := strEnd(payload, len(pre))
	if e != end {
		return ev, false
	}
	ev.cEnd, ev.cEsc = end, esc
	return ev, true
}

// envelope returns the latest JSON event (valid until the next one).
func (t *SSETransformer) envelope() string {
	return unsafe.String(unsafe.SliceData(t.env), len(t.env))
}

func (t *SSETransformer) emit(payload string) {
	t.out = append(t.out, "data: "...)
	t.out = appendData(t.out, payload)
	t.out = append(t.out, '\n', '\n')
}

// appendData appends part of an event's data, continuing it on a new
// "data:" line after each '\n' (an event whose data came in several lines,
// such as pretty-printed JSON, is re-emitted in as many lines).
func appendData(out []byte, s string) []byte {
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			return append(out, s...)
		}
		out = append(out, s[:i]...)
		out = append(out, "\ndata: "...)
		s = s[i+1:]
	}
}

// rewrite emits the event in t.env with its streamed texts replaced, after
// any synthesised events that must precede it.
func (t *SSETransformer) rewrite() {
	t.payload = t.envelope()
	t.edits, t.raw, t.before = t.edits[:0], t.raw[:0], t.before[:0]
	gjson.Get(t.payload, "choices").ForEach(t.choiceFn)
	t.emitEdited()
}

// emitEdited emits the synthesised events in t.before, then t.payload with t.edits applied.
func (t *SSETransformer) emitEdited() {
	for _, ev := range t.before {
		t.emit(ev)
	}
	// splice the edits in payload order (insertion sort: there are few, and
	// "tool_calls" may come before "content")
	for i := 1; i < len(t.edits); i++ {
		for j := i; j > 0 && t.edits[j].start < t.edits[j-1].start; j-- {
			t.edits[j], t.edits[j-1] = t.edits[j-1], t.edits[j]
		}
	}
	t.out = append(t.out, "data: "...)
	last := 0
	for _, e := range t.edits {
		t.out = appendData(t.out, t.payload[last:e.start])
		t.out = append(t.out, t.raw[e.rawStart:e.rawEnd]...)
		last = e.end
	}
	t.out = appendData(t.out, t.payload[last:])
	t.out = append(t.out, '\n', '\n')
}

// visitChoice handles one element of "choices". Its fields are picked in
// one pass (fieldFn) rather than by one gjson.Get each: every Get rescans
// the object, and parsing JSON dominates the cost of an event in wasm.
func (t *SSETransformer) visitChoice(_, ch gjson.Result) bool {
	t.fields = sseFields{}
	ch.ForEach(t.fieldFn)
	ci := int(t.fields.index.Int())
	t.choice, t.finish = ci, t.fields.finish.Type == gjson.String
	t.fields.content, t.fields.toolCalls, t.fields.seen = gjson.Result{}, gjson.Result{}, t.fields.seen&^(seenContent|seenToolCalls)
	t.fields.delta.ForEach(t.fieldFn)
	t.streamField(t.fields.content, sseKey{ci, -1})
	t.fields.toolCalls.ForEach(t.toolFn)
	if t.finish {
		t.before = t.flushChoice(ci, t.payload, t.before)
	}
	return true
}

// sseFields are the fields of a choice and of its delta, as gjson.Get
// would find them (the first occurrence of each key).
type sseFields struct {
	index, delta, finish, content, toolCalls gjson.Result
	seen                                     uint8
}

const (
	seenIndex = 1 << iota
	seenDelta
	seenFinish
	seenContent
	seenToolCalls
)

// visitField records a field of a choice or delta object (ForEach gives
// array elements and scalars an empty key, which matches nothing).
func (t *SSETransformer) visitField(k, v gjson.Result) bool {
	f := &t.fields
	var bit uint8
	var dst *gjson.Result
	switch k.Str {
	case "index":
		bit, dst = seenIndex, &f.index
	case "delta":
		bit, dst = seenDelta, &f.delta
	case "finish_reason":
		bit, dst = seenFinish, &f.finish
	case "content":
		bit, dst = seenContent, &f.content
	case "tool_calls":
		bit, dst = seenToolCalls, &f.toolCalls
	default:
		return true
	}
	if f.seen&bit == 0 && k.Type == gjson.String {
		f.seen |= bit
		*dst = v
	}
	return true
}

func (t *SSETransformer) visitToolCall(j, tc gjson.Result) bool {
	ti := int(j.Int())
	if x := tc.Get("index"); x.Exists() {
		ti = int(x.Int())
	}
	t.streamField(tc.Get("function.arguments"), sseKey{t.choice, ti})
	return true
}

// streamField feeds a string field to its stream and records the edit; when
// the choice finishes, the stream is flushed into the same field.
func (t *SSETransformer) streamField(v gjson.Result, key sseKey) {
	if v.Type != gjson.String || v.Index <= 0 {
		return
	}
	t.streamText(v.Str, v.Index, v.Index+len(v.Raw), key)
}

// streamText feeds text, the value of the string literal at
// payload[start:end], to its stream and records the edit.
func (t *SSETransformer) streamText(text string, start, end int, key sseKey) {
	s := t.stream(key)
	out := s.Write(text)
	rs := len(t.raw)
	if t.finish {
		t.raw = appendJSONString2(t.raw, out, s.Flush())
	} else {
		t.raw = appendJSONString2(t.raw, out, "")
	}
	t.edits = append(t.edits, sseEdit{start, end, rs, len(t.raw)})
}

// sseEdit replaces payload[start:end] with raw[rawStart:rawEnd].
type sseEdit struct{ start, end, rawStart, rawEnd int }

func (t *SSETransformer) stream(key sseKey) *Stream {
	if t.last != nil && key == t.lastKey {
		return t.last // the usual case: one choice, no tools
	}
	s := t.streams[key]
	if s == nil {
		if key.tool < 0 {
			s = t.r.NewStream(t.rc)
		} else {
			s = t.r.newRequestStream()
		}
		t.streams[key] = s
	}
	t.last, t.lastKey = s, key
	return s
}

// flushChoice flushes the streams of choice ci into synthesised events, appended to evs.
func (t *SSETransformer) flushChoice(ci int, envelope string, evs []string) []string {
	for _, key := range t.keys() {
		if key.choice == ci {
			if text := t.streams[key].Flush(); text != "" {
				evs = append(evs, synthesise(envelope, key, text))
			}
		}
	}
	return evs
}

// flushAll emits synthesised events for every stream's held text.
func (t *SSETransformer) flushAll() {
	for _, key := range t.keys() {
		if text := t.streams[key].Flush(); text != "" {
			t.emit(synthesise(t.envelope(), key, text))
		}
	}
}

func (t *SSETransformer) keys() []sseKey {
	keys := make([]sseKey, 0, len(t.streams))
	for k := range t.streams {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].choice < keys[j].choice || keys[i].choice == keys[j].choice && keys[i].tool < keys[j].tool
	})
	return keys
}

// synthesise builds a chunk carrying text for key on the given envelope.
func synthesise(envelope string, key sseKey, text string) string {
	var ch []byte
	ch = append(ch, `{"index":`...)
	ch = strconv.AppendInt(ch, int64(key.choice), 10)
	if key.tool < 0 {
		ch = append(ch, `,"delta":{"content":`...)
		ch = jsonstr.Append(ch, text)
		ch = append(ch, '}')
	} else {
		ch = append(ch, `,"delta":{"tool_calls":[{"index":`...)
		ch = strconv.AppendInt(ch, int64(key.tool), 10)
		ch = append(ch, `,"function":{"arguments":`...)
		ch = jsonstr.Append(ch, text)
		ch = append(ch, `}}]}`...)
	}
	ch = append(ch, `,"finish_reason":null}]`...)
	out, err := sjson.SetRaw(envelope, "choices", "["+string(ch))
	if err != nil {
		return `{"choices":[` + string(ch) + `}`
	}
	if gjson.Get(out, "usage").Exists() {
		if o, err := sjson.Delete(out, "usage"); err == nil {
			out = o
		}
	}
	return out
}
