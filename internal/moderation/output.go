package moderation

import (
	"bytes"
	"strconv"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
)

// FinishReasonContentFilter is the finish_reason of a refused completion.
const FinishReasonContentFilter = "content_filter"

// ResponseTexts returns the texts of a non-streamed chat, FIM or agents
// completion, one per choice: choices[].message.content (a string, or the "text"
// of content parts), tool-call arguments, and choices[].text (legacy
// completions), joined by "\n". Choices without text are left out.
func ResponseTexts(body []byte) []string {
	var out []string
	gjson.GetBytes(body, "choices").ForEach(func(_, ch gjson.Result) bool {
		var b []byte
		add := func(s string) {
			if s == "" {
				return
			}
			if len(b) > 0 {
				b = append(b, '\n')
			}
			b = append(b, s...)
		}
		msg := ch.Get("message")
		addContent(msg.Get("content"), add)
		msg.Get("tool_calls").ForEach(func(_, tc gjson.Result) bool {
			add(tc.Get("function.arguments").String())
			return true
		})
		add(msg.Get("function_call.arguments").String())
		if t := ch.Get("text"); t.Type == gjson.String {
			add(t.String())
		}
		if len(b) > 0 {
			out = append(out, string(b))
		}
		return true
	})
	return out
}

// addContent feeds a content value (string or array of parts) to add.
func addContent(c gjson.Result, add func(string)) {
	switch {
	case c.Type == gjson.String:
		add(c.String())
	case c.IsArray():
		c.ForEach(func(_, p gjson.Result) bool {
			if t := p.Get("text"); t.Type == gjson.String {
				add(t.String())
			}
			return true
		})
	}
}

// PlanOutput builds the call moderating a completion's texts (see ResponseTexts),
// each in the given context for chat moderation (see LastUserContext). It is nil
// when there is no text or the output stage is off.
func (m *Moderator) PlanOutput(texts []string, context []Message) *Call {
	if m == nil || m.cfg.Output.Mode == ModeOff {
		return nil
	}
	var items [][]wireInput
	for _, t := range texts {
		if t == "" {
			continue
		}
		items = append(items, m.chunks(context, "assistant", t))
	}
	if len(items) == 0 {
		return nil
	}
	c := m.build(Output, items)
	c.items = make([]cacheKey, len(items)) // zero keys: never cached
	return c
}

// RefusalJSON rewrites a non-streamed chat completion into a refusal: every
// choices[i].message becomes {"role":"assistant","content":refusal} (keeping
// "refusal": null and "annotations": [] when the provider sent them, dropping
// tool_calls, function_call, reasoning and audio), choices[i].text (legacy
// completions) becomes refusal, logprobs become null (they spell the content out)
// and finish_reason is "content_filter". id, object, created, model, usage and
// every other top-level field stay as they were. A body that is not a JSON object
// with a choices array becomes a minimal chat.completion holding the refusal.
func RefusalJSON(body []byte, refusal string) []byte {
	root := gjson.ParseBytes(body)
	choices := root.Get("choices")
	if !gjson.ValidBytes(body) || !root.IsObject() || !choices.IsArray() || len(choices.Array()) == 0 {
		b := []byte(`{"id":"egressguard-refusal","object":"chat.completion","created":0,"model":"","choices":[{"index":0,"message":{"role":"assistant","content":`)
		b = appendJSONString(b, refusal)
		return append(b, `},"finish_reason":"content_filter"}]}`...)
	}
	out := bytes.Clone(body)
	opts := &sjson.Options{ReplaceInPlace: false}
	var err error
	for i, ch := range choices.Array() {
		p := "choices." + strconv.Itoa(i)
		if msg := ch.Get("message"); msg.Exists() {
			nm := []byte(`{"role":"assistant","content":`)
			nm = appendJSONString(nm, refusal)
			if msg.Get("refusal").Exists() {
				nm = append(nm, `,"refusal":null`...)
			}
			if msg.Get("annotations").Exists() {
				nm = append(nm, `,"annotations":[]`...)
			}
			nm = append(nm, '}')
			if out, err = sjson.SetRawBytesOptions(out, p+".message", nm, opts); err != nil {
				return RefusalJSON(nil, refusal)
			}
		}
		if ch.Get("text").Exists() {
			out, _ = sjson.SetBytesOptions(out, p+".text", refusal, opts)
		}
		if ch.Get("delta").Exists() {
			d := appendJSONString([]byte(`{"role":"assistant","content":`), refusal)
			out, _ = sjson.SetRawBytesOptions(out, p+".delta", append(d, '}'), opts)
		}
		if ch.Get("logprobs").Exists() {
			out, _ = sjson.SetRawBytesOptions(out, p+".logprobs", []byte("null"), opts)
		}
		out, _ = sjson.SetBytesOptions(out, p+".finish_reason", FinishReasonContentFilter, opts)
	}
	return out
}

// RefusalSSE is the end of a refused stream: one chunk event carrying refusal as
// the content delta of every choice index in choices (nil: [0]) with
// finish_reason "content_filter", then "data: [DONE]". envelope is an observed
// chunk of the stream (its id, object, created, model and system_fingerprint are
// copied; nil or invalid: placeholders).
func RefusalSSE(envelope []byte, choices []int, refusal string) []byte {
	env := gjson.ParseBytes(envelope)
	if !gjson.ValidBytes(envelope) || !env.IsObject() {
		env = gjson.Result{}
	}
	b := make([]byte, 0, 256+len(refusal))
	b = append(b, `data: {"id":`...)
	if id := env.Get("id"); id.Type == gjson.String {
		b = append(b, id.Raw...)
	} else {
		b = append(b, `"egressguard-refusal"`...)
	}
	b = append(b, `,"object":"chat.completion.chunk","created":`...)
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
		b = append(b, `,"system_fingerprint":`...)
		b = append(b, fp.Raw...)
	}
	b = append(b, `,"choices":[`...)
	if len(choices) == 0 {
		choices = []int{0}
	}
	for i, idx := range choices {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"index":`...)
		b = strconv.AppendInt(b, int64(idx), 10)
		b = append(b, `,"delta":{"content":`...)
		b = appendJSONString(b, refusal)
		b = append(b, `},"finish_reason":"content_filter"}`...)
	}
	b = append(b, "]}\n\ndata: [DONE]\n\n"...)
	return b
}
