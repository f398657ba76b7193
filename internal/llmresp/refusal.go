package llmresp

import (
	"bytes"
	"slices"
	"strconv"

	"github.com/egressguard/egressguard/internal/jsonscan"
	"github.com/egressguard/egressguard/internal/jsonstr"
	"github.com/egressguard/egressguard/internal/sse"
	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
)

// FinishContentFilter is the finish reason of a refused chat completion.
const FinishContentFilter = "content_filter"

// Texts returns the model output of a whole body of api (JSON, or SSE), one text per
// choice (in index order; empty ones left out), for output moderation. The body is
// not redacted here: pass what the client will receive.
func Texts(api API, body []byte) []string {
	rs, _ := NewResponse(nil, Request{API: api, Texts: true}, 200, "application/json", "", Options{})
	return rs.Body(body).Texts
}

// RefusalBody returns the body that replaces a whole response of api refused by
// output moderation: the provider's own shape, ids, model and usage kept, every text
// the model wrote replaced by refusal, marked as filtered the API's way.
//
//	chat:          every choice's message becomes {role:assistant, content:refusal} (refusal
//	               and annotations kept empty when present), text (legacy) becomes refusal,
//	               logprobs null, finish_reason "content_filter"
//	Responses:     output is one message with an output_text refusal, status "incomplete",
//	               incomplete_details {reason: content_filter}
//	Messages:      content is one text block with refusal, stop_reason "refusal"
//	Conversations: outputs is one message.output entry with refusal as content
//
// A body that is not the API's JSON becomes a minimal one holding the refusal.
func RefusalBody(api API, body []byte, refusal string) []byte {
	switch api {
	case Responses:
		return refusalResponses(body, refusal)
	case Messages:
		return refusalMessages(body, refusal)
	case Conversations:
		return refusalConversations(body, refusal)
	}
	return refusalChat(body, refusal)
}

func refusalChat(body []byte, refusal string) []byte {
	root := gjson.ParseBytes(body)
	choices := root.Get("choices")
	if !gjson.ValidBytes(body) || !root.IsObject() || !choices.IsArray() || len(choices.Array()) == 0 {
		b := []byte(`{"id":"egressguard-refusal","object":"chat.completion","created":0,"model":"","choices":[{"index":0,"message":{"role":"assistant","content":`)
		b = jsonstr.Append(b, refusal)
		return append(b, `},"finish_reason":"content_filter"}]}`...)
	}
	out := bytes.Clone(body)
	opts := &sjson.Options{ReplaceInPlace: false}
	var err error
	for i, ch := range choices.Array() {
		p := "choices." + strconv.Itoa(i)
		if msg := ch.Get("message"); msg.Exists() {
			nm := jsonstr.Append([]byte(`{"role":"assistant","content":`), refusal)
			if msg.Get("refusal").Exists() {
				nm = append(nm, `,"refusal":null`...)
			}
			if msg.Get("annotations").Exists() {
				nm = append(nm, `,"annotations":[]`...)
			}
			if out, err = sjson.SetRawBytesOptions(out, p+".message", append(nm, '}'), opts); err != nil {
				return refusalChat(nil, refusal)
			}
		}
		if ch.Get("text").Exists() {
			out, _ = sjson.SetBytesOptions(out, p+".text", refusal, opts)
		}
		if ch.Get("delta").Exists() {
			d := jsonstr.Append([]byte(`{"role":"assistant","content":`), refusal)
			out, _ = sjson.SetRawBytesOptions(out, p+".delta", append(d, '}'), opts)
		}
		if ch.Get("logprobs").Exists() {
			out, _ = sjson.SetRawBytesOptions(out, p+".logprobs", []byte("null"), opts)
		}
		out, _ = sjson.SetBytesOptions(out, p+".finish_reason", FinishContentFilter, opts)
	}
	return out
}

const refusalItemID = "msg_egressguard_refusal"

// refusalItem is a Responses output message holding refusal (status completed or in_progress).
func refusalItem(refusal, status string, withText bool) []byte {
	b := []byte(`{"id":"` + refusalItemID + `","type":"message","status":"` + status + `","content":[`)
	if withText {
		b = jsonstr.Append(append(b, `{"type":"output_text","annotations":[],"logprobs":[],"text":`...), refusal)
		b = append(b, '}')
	}
	return append(b, `],"role":"assistant"}`...)
}

func refusalResponses(body []byte, refusal string) []byte {
	out := []byte(`{"id":"resp_egressguard_refusal","object":"response","created_at":0,"model":"","output":[]}`)
	if root := gjson.ParseBytes(body); gjson.ValidBytes(body) && root.IsObject() {
		out = bytes.Clone(body)
	}
	out, _ = sjson.SetRawBytes(out, "output", append(append([]byte{'['}, refusalItem(refusal, "completed", true)...), ']'))
	out, _ = sjson.SetBytes(out, "status", "incomplete")
	out, _ = sjson.SetRawBytes(out, "incomplete_details", []byte(`{"reason":"content_filter"}`))
	return out
}

func refusalMessages(body []byte, refusal string) []byte {
	out := []byte(`{"id":"msg_egressguard_refusal","type":"message","role":"assistant","model":"","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"output_tokens":0}}`)
	if root := gjson.ParseBytes(body); gjson.ValidBytes(body) && root.IsObject() {
		out = bytes.Clone(body)
	}
	block := jsonstr.Append([]byte(`[{"type":"text","text":`), refusal)
	out, _ = sjson.SetRawBytes(out, "content", append(block, "}]"...))
	out, _ = sjson.SetBytes(out, "stop_reason", "refusal")
	out, _ = sjson.SetRawBytes(out, "stop_sequence", []byte("null"))
	return out
}

func refusalConversations(body []byte, refusal string) []byte {
	out := []byte(`{"object":"conversation.response","conversation_id":"","outputs":[],"usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0}}`)
	root := gjson.ParseBytes(body)
	if gjson.ValidBytes(body) && root.IsObject() {
		out = bytes.Clone(body)
	}
	entry := []byte(`{"object":"entry","type":"message.output"`)
	var first gjson.Result
	root.Get("outputs").ForEach(func(_, e gjson.Result) bool {
		if e.Get("type").String() == "message.output" {
			first = e
			return false
		}
		return true
	})
	for _, k := range []string{"created_at", "completed_at", "id", "agent_id", "model"} {
		if v := first.Get(k); v.Exists() {
			entry = jsonstr.Append(append(entry, ','), k)
			entry = append(append(entry, ':'), v.Raw...)
		}
	}
	entry = jsonstr.Append(append(entry, `,"role":"assistant","content":`...), refusal)
	out, _ = sjson.SetRawBytes(out, "outputs", append(append([]byte{'['}, entry...), "}]"...))
	return out
}

// Observer follows the events of a stream a client receives, for output moderation:
// the texts each event adds per choice, whether the stream ended, and the events that
// end it with a refusal. It is not safe for concurrent use.
type Observer struct {
	api   API
	w     *rewriter
	ended bool
	// what the refusal needs
	env     []byte  // chat: the latest chunk; Responses: the latest response object
	units   []int32 // chat: the choice indices seen, in order
	seq     int64   // Responses: the last sequence_number
	outputs int32   // Responses, Conversations: one past the highest output_index; Messages: block index
	started bool    // Messages: message_start seen
	open    []int32 // Messages: blocks started and not stopped
}

// NewObserver starts an observer for a stream of api.
func NewObserver(api API) *Observer {
	o := &Observer{api: api, w: newRewriter(nil, nil, api)}
	o.w.collect = true
	return o
}

// Ended reports whether the event that ends a stream of the API was seen ([DONE],
// response.completed/incomplete/failed, message_stop, conversation.response.done).
func (o *Observer) Ended() bool { return o.ended }

// Event reads one event and calls add for each text it carries, with its unit (the
// choice index for chat, 0 otherwise). Data that is not JSON is text of unit 0.
func (o *Observer) Event(name, data []byte, add func(unit int, text string)) {
	if string(data) == "[DONE]" {
		o.ended = true
		return
	}
	w := o.w
	if err := w.scan(data); err != nil {
		if len(data) > 0 {
			add(0, string(data))
		}
		return
	}
	t := w.t
	o.track(t, name)
	w.texts = w.texts[:0]
	w.walk()
	if len(w.texts) == 0 {
		return
	}
	slices.SortStableFunc(w.texts, func(a, b textPart) int {
		if a.unit != b.unit {
			return int(a.unit - b.unit)
		}
		return cmpInt64(a.pos, b.pos)
	})
	for _, p := range w.texts {
		add(int(p.unit), p.s)
	}
}

func (o *Observer) sawUnit(u int32) {
	for _, x := range o.units {
		if x == u {
			return
		}
	}
	o.units = append(o.units, u)
}

// track records what the refusal of the stream needs from an event.
func (o *Observer) track(t *jsonscan.Tape, name []byte) {
	if t.Nodes[0].Kind != jsonscan.Object {
		return
	}
	p := path{t: t, n: []int32{0}}
	typ := p.typeOf(0)
	switch o.api {
	case Chat, Completions:
		o.env = append(o.env[:0], t.Src()...)
		if ch := lastMember(t, 0, "choices"); ch >= 0 {
			for e := t.First(ch); e >= 0; e = t.Next(e) {
				pe := path{t: t, n: []int32{int32(e)}}
				o.sawUnit(pe.intOf(0, "index", t.Nodes[e].Index))
			}
		}
	case Responses:
		if s, ok := intMember(t, 0, "sequence_number"); ok {
			o.seq = s
		}
		if oi := p.intOf(0, "output_index", -1); oi >= o.outputs {
			o.outputs = oi + 1
		}
		if r := lastMember(t, 0, "response"); r >= 0 && t.Nodes[r].Kind == jsonscan.Object {
			o.env = append(o.env[:0], t.Raw(r)...)
		}
		switch typ {
		case "response.completed", "response.incomplete", "response.failed":
			o.ended = true
		}
	case Messages:
		idx := p.intOf(0, "index", -1)
		switch typ {
		case "message_start":
			o.started = true
		case "content_block_start":
			o.open = append(o.open, idx)
			if idx >= o.outputs {
				o.outputs = idx + 1
			}
		case "content_block_stop":
			for i, b := range o.open {
				if b == idx {
					o.open = append(o.open[:i], o.open[i+1:]...)
					break
				}
			}
		case "message_stop":
			o.ended = true
		}
	case Conversations:
		if oi := p.intOf(0, "output_index", -1); oi >= o.outputs {
			o.outputs = oi + 1
		}
		switch typ {
		case "conversation.response.done", "conversation.response.error":
			o.ended = true
		}
	}
	if string(name) == "error" || typ == "error" {
		o.ended = true
	}
}

// Refusal returns the events that end a refused stream in the API's shape, after
// whatever was released of it:
//
//	chat:          one chunk with refusal as the content of every choice seen and finish_reason
//	               "content_filter" (ids copied from the latest chunk), then data: [DONE]
//	Responses:     a refusal message output item (added, content part, output_text delta and
//	               done, part and item done), then response.incomplete (reason content_filter)
//	Messages:      open blocks stopped, a text block with refusal, message_delta with
//	               stop_reason "refusal", message_stop (message_start first if none was sent)
//	Conversations: a message.output.delta with refusal, then conversation.response.done
func (o *Observer) Refusal(refusal string) []byte {
	switch o.api {
	case Responses:
		return o.refusalResponses(refusal)
	case Messages:
		return o.refusalMessages(refusal)
	case Conversations:
		return o.refusalConversations(refusal)
	case Completions:
		return o.refusalChat(refusal, true)
	}
	return o.refusalChat(refusal, false)
}

func (o *Observer) refusalChat(refusal string, legacy bool) []byte {
	env := gjson.ParseBytes(o.env)
	if !gjson.ValidBytes(o.env) || !env.IsObject() {
		env = gjson.Result{}
	}
	b := make([]byte, 0, 256+len(refusal))
	b = append(b, `data: {"id":`...)
	if id := env.Get("id"); id.Type == gjson.String {
		b = append(b, id.Raw...)
	} else {
		b = append(b, `"egressguard-refusal"`...)
	}
	object := "chat.completion.chunk"
	if legacy {
		object = "text_completion"
	}
	b = append(b, `,"object":"`+object+`","created":`...)
	if c := env.Get("created"); c.Type == gjson.Number {
		b = append(b, c.Raw...)
	} else {
		b = append(b, '0')
	}
	b = append(b, `,"model":`...)
	if m := env.Get("model"); m.Type == gjson.String {
		b = append(b, m.Raw...)
	} else {
		b = append(b, `""`...)
	}
	if fp := env.Get("system_fingerprint"); fp.Type == gjson.String {
		b = append(append(b, `,"system_fingerprint":`...), fp.Raw...)
	}
	b = append(b, `,"choices":[`...)
	units := o.units
	if len(units) == 0 {
		units = []int32{0}
	}
	for i, idx := range units {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(append(b, `{"index":`...), int64(idx), 10)
		if legacy {
			b = jsonstr.Append(append(b, `,"text":`...), refusal)
			b = append(b, `,"logprobs":null,"finish_reason":"content_filter"}`...)
			continue
		}
		b = jsonstr.Append(append(b, `,"delta":{"content":`...), refusal)
		b = append(b, `},"finish_reason":"content_filter"}`...)
	}
	return append(b, "]}\n\ndata: [DONE]\n\n"...)
}

func (o *Observer) refusalResponses(refusal string) []byte {
	k := strconv.Itoa(int(o.outputs))
	seq := o.seq
	next := func() string { seq++; return strconv.FormatInt(seq, 10) }
	text := string(jsonstr.Append(nil, refusal))
	var b []byte
	ev := func(typ, body string) {
		b = sse.AppendEvent(b, typ, `{"type":"`+typ+`","sequence_number":`+next()+body+`}`)
	}
	at := `,"item_id":"` + refusalItemID + `","output_index":` + k + `,"content_index":0`
	ev("response.output_item.added", `,"output_index":`+k+`,"item":`+string(refusalItem(refusal, "in_progress", false)))
	ev("response.content_part.added", at+`,"part":{"type":"output_text","annotations":[],"logprobs":[],"text":""}`)
	ev("response.output_text.delta", at+`,"delta":`+text+`,"logprobs":[]`)
	ev("response.output_text.done", at+`,"text":`+text+`,"logprobs":[]`)
	ev("response.content_part.done", at+`,"part":{"type":"output_text","annotations":[],"logprobs":[],"text":`+text+`}`)
	ev("response.output_item.done", `,"output_index":`+k+`,"item":`+string(refusalItem(refusal, "completed", true)))
	resp := refusalResponses(o.env, refusal)
	ev("response.incomplete", `,"response":`+string(resp))
	return b
}

func (o *Observer) refusalMessages(refusal string) []byte {
	var b []byte
	if !o.started {
		b = sse.AppendEvent(b, "message_start", `{"type":"message_start","message":{"id":"msg_egressguard_refusal","type":"message","role":"assistant","model":"","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"output_tokens":0}}}`)
	}
	for _, i := range o.open {
		b = sse.AppendEvent(b, "content_block_stop", `{"type":"content_block_stop","index":`+strconv.Itoa(int(i))+`}`)
	}
	k := strconv.Itoa(int(o.outputs))
	b = sse.AppendEvent(b, "content_block_start", `{"type":"content_block_start","index":`+k+`,"content_block":{"type":"text","text":""}}`)
	b = sse.AppendEvent(b, "content_block_delta", `{"type":"content_block_delta","index":`+k+`,"delta":{"type":"text_delta","text":`+string(jsonstr.Append(nil, refusal))+`}}`)
	b = sse.AppendEvent(b, "content_block_stop", `{"type":"content_block_stop","index":`+k+`}`)
	b = sse.AppendEvent(b, "message_delta", `{"type":"message_delta","delta":{"stop_reason":"refusal","stop_sequence":null},"usage":{"output_tokens":0}}`)
	return sse.AppendEvent(b, "message_stop", `{"type":"message_stop"}`)
}

func (o *Observer) refusalConversations(refusal string) []byte {
	k := strconv.Itoa(int(o.outputs))
	b := sse.AppendEvent(nil, "message.output.delta", `{"type":"message.output.delta","output_index":`+k+
		`,"id":"`+refusalItemID+`","content_index":0,"role":"assistant","content":`+string(jsonstr.Append(nil, refusal))+`}`)
	return sse.AppendEvent(b, "conversation.response.done", `{"type":"conversation.response.done","usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0}}`)
}
