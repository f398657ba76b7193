package fakellm

import (
	"net/http"
	"strings"
)

// Chat response shapes ([[shape:NAME]]): the reply goes into a field or form a
// client can read other than message.content / delta.content, as providers send
// it. Non-streaming and streaming (one piece of the reply per event, cut like
// content deltas):
//
//	reasoning      message.reasoning_content (reasoning models); content "Done."
//	refusal        message.refusal, content null
//	thinking       Mistral (Magistral) content chunks: a "thinking" chunk whose
//	               thinking[] holds a text chunk with the reply, then a "text" chunk
//	content-array  content as an array of text parts (streamed: delta.content arrays)
//	logprobs       content is the reply and logprobs.content[] spells it in tokens
//	               (with their bytes)
//	function-call  legacy message.function_call, arguments {"q": reply} (streamed as
//	               argument fragments); finish_reason "function_call"
//	audio          message.audio with base64 data and the reply as transcript
//	no-choices     a 2xx object without choices: {"id", "object", "model",
//	               "output": {"text": reply}, "usage"} (streamed: one such object per
//	               event)
//	sse-error      (stream) content deltas, then data: {"error": {"message": reply}}
//	               and the end of the stream: no finish chunk, no [DONE]
//	comment        (stream) a comment line ": <reply>" before the first event;
//	               content "Done."
//	usage-extra    (stream) content "Done."; the usage chunk is always sent and
//	               carries the reply in usage.note and in a top-level x_debug
//	ndjson         (stream) the chunks as JSON lines without "data: " (labelled
//	               application/x-ndjson unless a ctype marker says otherwise)
//	deep           content is the reply, and a member x_debug holds it again
//	               nested in 20,000 arrays (streamed: in the finish chunk)
type shapeCall struct {
	c       *call
	d       *directives
	id      string
	created int64
	model   string
	reply   string
	finish  string
	u       *usage
}

const shapeDone = "Done."

func (s *shapeCall) base(object string) map[string]any {
	return map[string]any{"id": s.id, "object": object, "created": s.created, "model": s.model}
}

// argsJSON is the function call's arguments: a JSON object text holding the reply.
func (s *shapeCall) argsJSON() string { return string(marshal(map[string]string{"q": s.reply})) }

func tokenEntry(tok string) map[string]any {
	b := make([]int, len(tok))
	for i := 0; i < len(tok); i++ {
		b[i] = int(tok[i])
	}
	return map[string]any{"token": tok, "logprob": -0.25, "bytes": b, "top_logprobs": []any{}}
}

// whole writes the non-streaming response of the shape.
func (s *shapeCall) whole() {
	msg := map[string]any{"role": "assistant", "content": s.reply, "refusal": nil}
	ch := map[string]any{"index": 0, "message": msg, "logprobs": nil, "finish_reason": s.finish}
	switch s.d.shape {
	case "reasoning":
		msg["content"], msg["reasoning_content"] = shapeDone, s.reply
	case "refusal":
		msg["content"], msg["refusal"] = nil, s.reply
	case "thinking":
		delete(msg, "refusal")
		msg["tool_calls"] = nil
		msg["content"] = []any{
			map[string]any{"type": "thinking", "thinking": []any{map[string]any{"type": "text", "text": s.reply}}},
			map[string]any{"type": "text", "text": shapeDone}}
	case "content-array":
		msg["content"] = []any{map[string]any{"type": "text", "text": s.reply}}
	case "logprobs":
		var toks []any
		for _, p := range splitDeltas(s.reply, 3) {
			toks = append(toks, tokenEntry(p))
		}
		ch["logprobs"] = map[string]any{"content": toks, "refusal": nil}
	case "function-call":
		msg["content"] = nil
		msg["function_call"] = map[string]any{"name": "lookup", "arguments": s.argsJSON()}
		ch["finish_reason"] = "function_call"
	case "audio":
		msg["content"] = nil
		msg["audio"] = map[string]any{"id": "audio_fakellm", "data": "UklGRiQAAABXQVZFZm10IA==", "expires_at": s.created + 3600, "transcript": s.reply}
	case "no-choices":
		body := s.base("chat.completion")
		body["output"] = map[string]any{"text": s.reply}
		body["usage"] = s.u
		s.c.writeJSON(http.StatusOK, body, s.d)
		return
	default:
		msg["content"] = s.reply
	}
	body := s.base("chat.completion")
	body["choices"] = []any{ch}
	body["usage"] = s.u
	if s.d.shape == "deep" {
		body["x_debug"] = deepPlaceholder
		s.c.label(s.d, "application/json")
		s.c.writeBody(http.StatusOK, s.deepen(marshal(body)), s.d)
		return
	}
	s.c.writeJSON(http.StatusOK, body, s.d)
}

// deepNesting is how deep the deep shape nests the reply: far deeper than any
// recursive JSON walker's stack allows.
const deepNesting = 20000

const deepPlaceholder = "\x00fakellm-deep\x00"

// deepen replaces the placeholder string in b with the reply nested in deepNesting
// arrays (built by hand: encoding/json refuses to nest that deep).
func (s *shapeCall) deepen(b []byte) []byte {
	deep := strings.Repeat("[", deepNesting) + string(marshal(s.reply)) + strings.Repeat("]", deepNesting)
	return []byte(strings.Replace(string(b), string(marshal(deepPlaceholder)), deep, 1))
}

// stream writes the streaming response of the shape.
func (s *shapeCall) stream(includeUsage bool) {
	ctype := "text/event-stream; charset=utf-8"
	if s.d.shape == "ndjson" {
		ctype = "application/x-ndjson"
	}
	sw := s.c.startStream(s.d, ctype)
	defer s.c.endStream(s.d)
	send := func(v any) error {
		b := marshal(v)
		if s.d.shape == "deep" {
			b = s.deepen(b)
		}
		if s.d.shape == "ndjson" {
			return sw.write(append(b, '\n'))
		}
		return sw.write(append(append([]byte("data: "), b...), "\n\n"...))
	}
	chunk := func(delta map[string]any, logprobs any, finish any) map[string]any {
		c := s.base("chat.completion.chunk")
		c["choices"] = []any{map[string]any{"index": 0, "delta": delta, "logprobs": logprobs, "finish_reason": finish}}
		return c
	}
	if s.d.shape == "comment" {
		if sw.write([]byte(": "+s.reply+"\n\n")) != nil {
			return
		}
	}
	if send(chunk(map[string]any{"role": "assistant", "content": ""}, nil, nil)) != nil {
		return
	}
	pieces := splitDeltas(s.reply, s.d.delta)
	if s.d.shape == "function-call" {
		pieces = splitDeltas(s.argsJSON(), max(s.d.delta, 4))
	}
	text := func(p string) any {
		switch s.d.shape {
		case "reasoning":
			return chunk(map[string]any{"reasoning_content": p}, nil, nil)
		case "refusal":
			return chunk(map[string]any{"refusal": p}, nil, nil)
		case "thinking":
			return chunk(map[string]any{"content": []any{map[string]any{"type": "thinking",
				"thinking": []any{map[string]any{"type": "text", "text": p}}}}}, nil, nil)
		case "content-array":
			return chunk(map[string]any{"content": []any{map[string]any{"type": "text", "text": p}}}, nil, nil)
		case "logprobs":
			return chunk(map[string]any{"content": p}, map[string]any{"content": []any{tokenEntry(p)}, "refusal": nil}, nil)
		case "function-call":
			return chunk(map[string]any{"function_call": map[string]any{"arguments": p}}, nil, nil)
		case "audio":
			return chunk(map[string]any{"audio": map[string]any{"id": "audio_fakellm", "transcript": p}}, nil, nil)
		case "no-choices":
			c := s.base("chat.completion.chunk")
			c["output"] = map[string]any{"text": p}
			return c
		}
		return chunk(map[string]any{"content": p}, nil, nil)
	}
	switch s.d.shape {
	case "sse-error":
		pieces = splitDeltas("Working on it. "+shapeDone, 0)
	case "comment", "usage-extra":
		pieces = []string{shapeDone}
	}
	if s.d.shape == "function-call" {
		if send(chunk(map[string]any{"function_call": map[string]any{"name": "lookup", "arguments": ""}}, nil, nil)) != nil {
			return
		}
	}
	for _, p := range pieces {
		if send(text(p)) != nil {
			return
		}
	}
	switch s.d.shape {
	case "sse-error":
		_ = sw.write([]byte(`data: ` + string(marshal(map[string]any{"error": map[string]any{"message": s.reply,
			"type": "server_error", "param": nil, "code": nil}})) + "\n\n"))
		return
	case "reasoning", "thinking":
		if send(chunk(map[string]any{"content": shapeDone}, nil, nil)) != nil {
			return
		}
	}
	finish := s.finish
	if s.d.shape == "function-call" {
		finish = "function_call"
	}
	fc := chunk(map[string]any{}, nil, finish)
	if s.d.shape == "deep" {
		fc["x_debug"] = deepPlaceholder
	}
	if send(fc) != nil {
		return
	}
	if includeUsage || s.d.shape == "usage-extra" {
		uc := s.base("chat.completion.chunk")
		uc["choices"] = []any{}
		u := map[string]any{"prompt_tokens": s.u.PromptTokens, "completion_tokens": s.u.CompletionTokens, "total_tokens": s.u.TotalTokens}
		if s.d.shape == "usage-extra" {
			u["note"], uc["x_debug"] = s.reply, s.reply
		}
		uc["usage"] = u
		if send(uc) != nil {
			return
		}
	}
	if s.d.shape != "ndjson" {
		_ = sw.write([]byte("data: [DONE]\n\n"))
	}
}

// startStream sends the headers of a streamed 200 labelled ctype (or as a ctype
// marker says), declaring the trailer resp-trailers sends at the end.
func (c *call) startStream(d *directives, ctype string) *streamWriter {
	h := c.w.Header()
	c.label(d, ctype)
	h.Set("cache-control", "no-cache")
	if d.respTrailers {
		h.Set("Trailer", "X-Fakellm-Trailer")
	}
	c.w.WriteHeader(http.StatusOK)
	return newStreamWriter(c.w, c.r.Context(), d)
}

// endStream sets the trailer resp-trailers asks for.
func (c *call) endStream(d *directives) {
	if d.respTrailers {
		c.w.Header().Set("X-Fakellm-Trailer", "done")
	}
}

// echoMessage is an error's message when error-echo quotes the reply ("": the
// provider's usual message).
func (d *directives) echoMessage() string {
	if !d.errorEcho || d.reply == nil {
		return ""
	}
	return "Invalid content in messages[0]: " + *d.reply
}

// credentialOf is the API key a request carried: a bearer token, x-api-key or api-key.
func credentialOf(r *http.Request) string {
	if v, ok := strings.CutPrefix(r.Header.Get("authorization"), "Bearer "); ok {
		return v
	}
	if v := r.Header.Get("x-api-key"); v != "" {
		return v
	}
	return r.Header.Get("api-key")
}
