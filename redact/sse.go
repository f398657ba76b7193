package redact

import (
	"bytes"
	"sort"
	"strconv"

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
	r        *Redactor
	rc       *RequestContext
	line     []byte // partial line
	data     []byte // data lines of the current event
	hasData  bool
	post     []byte // non-data lines after the first data line of the current event
	streams  map[sseKey]*Stream
	envelope string // latest JSON event
	rep      Report
	out      []byte
}

// sseKey names a stream: a choice index and a tool-call index (-1 for content).
type sseKey struct{ choice, tool int }

// NewSSE starts a transformer for one response; rc may be nil. The bound on
// held-back text is the Redactor's Config.Window (see Stream).
func NewSSE(r *Redactor, rc *RequestContext) *SSETransformer {
	return &SSETransformer{r: r, rc: rc, streams: map[sseKey]*Stream{}}
}

// Write consumes a raw upstream chunk and returns the bytes to send downstream.
func (t *SSETransformer) Write(chunk []byte) []byte {
	t.out = t.out[:0]
	for len(chunk) > 0 {
		i := bytes.IndexByte(chunk, '\n')
		if i < 0 {
			t.line = append(t.line, chunk...)
			break
		}
		t.line = append(t.line, chunk[:i]...)
		chunk = chunk[i+1:]
		t.processLine(bytes.TrimSuffix(t.line, []byte{'\r'}))
		t.line = t.line[:0]
	}
	return bytes.Clone(t.out)
}

// Close ends the stream: a last unterminated line and event are processed
// and all held-back text is flushed.
func (t *SSETransformer) Close() []byte {
	t.out = t.out[:0]
	if len(t.line) > 0 {
		t.processLine(bytes.TrimSuffix(t.line, []byte{'\r'}))
		t.line = t.line[:0]
	}
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
	payload := string(t.data)
	t.data, t.hasData = t.data[:0], false
	post := t.post
	t.post = t.post[:0]
	switch {
	case payload == "[DONE]":
		t.flushAll()
		t.emit(payload)
	case !gjson.Valid(payload):
		red, rep := t.r.Redact(payload, t.rc)
		t.rep.Merge(rep)
		t.emit(red)
	default:
		t.envelope = payload
		t.emit(t.rewrite(payload))
	}
	t.out = append(t.out, post...)
}

func (t *SSETransformer) emit(payload string) {
	t.out = append(t.out, "data: "...)
	t.out = append(t.out, payload...)
	t.out = append(t.out, '\n', '\n')
}

// rewrite replaces the streamed texts of one JSON chunk.
func (t *SSETransformer) rewrite(payload string) string {
	var edits []edit
	var before []string // synthesised events that must precede this one
	gjson.Get(payload, "choices").ForEach(func(pos, ch gjson.Result) bool {
		ci := int(ch.Get("index").Int())
		delta := ch.Get("delta")
		finish := ch.Get("finish_reason").Type == gjson.String
		t.streamField(payload, delta.Get("content"), sseKey{ci, -1}, finish, &edits)
		delta.Get("tool_calls").ForEach(func(j, tc gjson.Result) bool {
			ti := int(j.Int())
			if x := tc.Get("index"); x.Exists() {
				ti = int(x.Int())
			}
			t.streamField(payload, tc.Get("function.arguments"), sseKey{ci, ti}, finish, &edits)
			return true
		})
		if finish {
			before = append(before, t.flushChoice(ci, payload)...)
		}
		return true
	})
	for _, ev := range before {
		t.emit(ev)
	}
	return string(splice([]byte(payload), edits))
}

// streamField feeds a string field to its stream and records the edit; when
// the choice finishes, the stream is flushed into the same field.
func (t *SSETransformer) streamField(payload string, v gjson.Result, key sseKey, finish bool, edits *[]edit) {
	if v.Type != gjson.String || v.Index <= 0 {
		return
	}
	s := t.stream(key)
	out := s.Write(v.Str)
	if finish {
		out += s.Flush()
	}
	*edits = append(*edits, edit{v.Index, v.Index + len(v.Raw), appendJSONString(nil, out)})
}

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

// flushChoice flushes the streams of choice ci into synthesised events.
func (t *SSETransformer) flushChoice(ci int, envelope string) []string {
	var evs []string
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
			t.emit(synthesise(t.envelope, key, text))
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
