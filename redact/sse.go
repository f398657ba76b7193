package redact

import (
	"bytes"
	"sort"
	"strconv"
	"unsafe"

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
	for len(chunk) > 0 {
		if t.afterCR {
			t.afterCR = false
			if chunk[0] == '\n' {
				chunk = chunk[1:]
				continue
			}
		}
		i := indexEOL(chunk)
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
	if len(t.out) == 0 {
		return nil
	}
	return bytes.Clone(t.out)
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
	if len(t.line) > 0 {
		t.processLine(t.line)
		t.line = t.line[:0]
	}
	t.afterCR = false
	if t.hasData {
		t.dispatch()
	}
	t.flushAll()
	return bytes.Clone(t.out)
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
	case !gjson.Valid(payload):
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

// envelope returns the latest JSON event (valid until the next one).
func (t *SSETransformer) envelope() string {
	return unsafe.String(unsafe.SliceData(t.env), len(t.env))
}

func (t *SSETransformer) emit(payload string) {
	t.out = append(t.out, "data: "...)
	t.out = append(t.out, payload...)
	t.out = append(t.out, '\n', '\n')
}

// rewrite emits the event in t.env with its streamed texts replaced, after
// any synthesised events that must precede it.
func (t *SSETransformer) rewrite() {
	t.payload = t.envelope()
	t.edits, t.raw, t.before = t.edits[:0], t.raw[:0], t.before[:0]
	gjson.Get(t.payload, "choices").ForEach(t.choiceFn)
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
		t.out = append(t.out, t.payload[last:e.start]...)
		t.out = append(t.out, t.raw[e.rawStart:e.rawEnd]...)
		last = e.end
	}
	t.out = append(t.out, t.payload[last:]...)
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
	s := t.stream(key)
	out := s.Write(v.Str)
	rs := len(t.raw)
	if t.finish {
		t.raw = appendJSONString2(t.raw, out, s.Flush())
	} else {
		t.raw = appendJSONString2(t.raw, out, "")
	}
	t.edits = append(t.edits, sseEdit{v.Index, v.Index + len(v.Raw), rs, len(t.raw)})
}

// sseEdit replaces payload[start:end] with raw[rawStart:rawEnd].
type sseEdit struct{ start, end, rawStart, rawEnd int }

func (t *SSETransformer) stream(key sseKey) *Stream {
	s := t.streams[key]
	if s == nil {
		if key.tool < 0 {
			s = t.r.NewStream(t.rc)
		} else {
			s = t.r.newRequestStream()
		}
		t.streams[key] = s
	}
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
		ch = appendJSONString(ch, text)
		ch = append(ch, '}')
	} else {
		ch = append(ch, `,"delta":{"tool_calls":[{"index":`...)
		ch = strconv.AppendInt(ch, int64(key.tool), 10)
		ch = append(ch, `,"function":{"arguments":`...)
		ch = appendJSONString(ch, text)
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
