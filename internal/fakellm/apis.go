package fakellm

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// The APIs beyond chat: OpenAI Responses, Anthropic Messages, Mistral
// Conversations, legacy completions and embeddings, each in its wire format
// (JSON, and SSE with the provider's event types). Markers are read from every
// text of the request's input field (see the package doc).

// textsOf returns every string under v (decoded JSON), joined by "\n".
func textsOf(v any) string {
	var b strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(x)
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for _, k := range []string{"text", "content", "output", "result", "input", "data"} {
				if e, ok := x[k]; ok {
					walk(e)
				}
			}
		}
	}
	walk(v)
	return b.String()
}

// genericRequest decodes a request body into a map, answering 400 when it is
// not a JSON object.
func (c *call) genericRequest() (map[string]any, bool) {
	var m map[string]any
	if err := json.Unmarshal(c.body, &m); err != nil || m == nil {
		c.errorStatus(http.StatusBadRequest, "We could not parse the JSON body of your request.")
		return nil, false
	}
	return m, true
}

// prelude applies the markers every API shares (slow, abort, status) and reports
// whether to go on.
func (c *call) prelude(d *directives, stream bool) bool {
	if d.slow > 0 && sleepCtx(c.r.Context(), d.slow) != nil {
		return false
	}
	if d.abort && !stream {
		panic(http.ErrAbortHandler)
	}
	if d.status != 0 {
		c.errorStatus(d.status, d.echoMessage())
		return false
	}
	return true
}

// replyFor is the reply text: the reply marker, or the default greeting.
func (s *Server) replyFor(d *directives, model, input string) string {
	if d.reply != nil {
		return *d.reply
	}
	return fmt.Sprintf("Hello from %s (model %s). You said %d characters.", s.name, model, utf8.RuneCountInString(input))
}

// usageFor counts tokens as the chat endpoints do, honouring the tokens marker.
func usageFor(d *directives, prompt, reply string) (int, int) {
	p, c := tokens(prompt), tokens(reply)
	if d.promptTokens >= 0 {
		p = d.promptTokens
	}
	if d.completionTokens >= 0 {
		c = d.completionTokens
	}
	return p, c
}

// sse starts an event stream.
func (c *call) sse(d *directives) *streamWriter {
	return c.startStream(d, "text/event-stream; charset=utf-8")
}

// event writes one "event: NAME / data: JSON" event.
func event(sw *streamWriter, name string, v any) error {
	b := []byte("event: " + name + "\ndata: ")
	b = append(b, marshal(v)...)
	return sw.write(append(b, "\n\n"...))
}

// ---- OpenAI Responses ----

func (s *Server) handleResponses(c *call) {
	req, ok := c.genericRequest()
	if !ok {
		return
	}
	model, _ := req["model"].(string)
	stream, _ := req["stream"].(bool)
	input := textsOf(req["input"])
	d := parseDirectives(input)
	if !c.prelude(d, stream) {
		return
	}
	if model == "" {
		c.errorStatus(http.StatusBadRequest, "Missing required parameter: 'model'.")
		return
	}
	reply := s.replyFor(d, model, input)
	in, out := usageFor(d, input+textsOf(req["instructions"]), reply)
	created := s.opts.Now().Unix()
	respID := fmt.Sprintf("resp_%024x", c.n)
	msgID := fmt.Sprintf("msg_%024x", c.n)
	resp := func(status string, text *string) map[string]any {
		r := map[string]any{
			"id": respID, "object": "response", "created_at": created, "status": status, "background": false,
			"error": nil, "incomplete_details": nil, "instructions": req["instructions"], "max_output_tokens": req["max_output_tokens"],
			"model": model, "output": []any{}, "parallel_tool_calls": true, "previous_response_id": nil,
			"reasoning": map[string]any{"effort": nil, "summary": nil}, "store": true, "temperature": 1.0,
			"text": map[string]any{"format": map[string]any{"type": "text"}}, "tool_choice": "auto", "tools": []any{},
			"top_p": 1.0, "truncation": "disabled", "usage": nil, "user": nil, "metadata": map[string]any{},
		}
		if text != nil {
			r["output"] = []any{map[string]any{"id": msgID, "type": "message", "status": "completed", "role": "assistant",
				"content": []any{map[string]any{"type": "output_text", "text": *text, "annotations": []any{}, "logprobs": []any{}}}}}
			r["usage"] = map[string]any{"input_tokens": in, "input_tokens_details": map[string]any{"cached_tokens": 0},
				"output_tokens": out, "output_tokens_details": map[string]any{"reasoning_tokens": 0}, "total_tokens": in + out}
		}
		return r
	}
	if !stream {
		c.writeJSON(http.StatusOK, resp("completed", &reply), d)
		return
	}
	sw := c.sse(d)
	seq := 0
	ev := func(typ string, fields map[string]any) bool {
		fields["type"], fields["sequence_number"] = typ, seq
		seq++
		return event(sw, typ, fields) == nil
	}
	item := func(status string, content []any) map[string]any {
		return map[string]any{"id": msgID, "type": "message", "status": status, "role": "assistant", "content": content}
	}
	part := func(text string) map[string]any {
		return map[string]any{"type": "output_text", "text": text, "annotations": []any{}, "logprobs": []any{}}
	}
	if !ev("response.created", map[string]any{"response": resp("in_progress", nil)}) ||
		!ev("response.in_progress", map[string]any{"response": resp("in_progress", nil)}) ||
		!ev("response.output_item.added", map[string]any{"output_index": 0, "item": item("in_progress", []any{})}) ||
		!ev("response.content_part.added", map[string]any{"item_id": msgID, "output_index": 0, "content_index": 0, "part": part("")}) {
		return
	}
	parts := splitDeltas(reply, d.delta)
	for i, p := range parts {
		if d.abort && i >= len(parts)/2 {
			panic(http.ErrAbortHandler)
		}
		if !ev("response.output_text.delta", map[string]any{"item_id": msgID, "output_index": 0, "content_index": 0, "delta": p, "logprobs": []any{}}) {
			return
		}
	}
	if d.abort {
		panic(http.ErrAbortHandler)
	}
	_ = ev("response.output_text.done", map[string]any{"item_id": msgID, "output_index": 0, "content_index": 0, "text": reply, "logprobs": []any{}}) &&
		ev("response.content_part.done", map[string]any{"item_id": msgID, "output_index": 0, "content_index": 0, "part": part(reply)}) &&
		ev("response.output_item.done", map[string]any{"output_index": 0, "item": item("completed", []any{part(reply)})}) &&
		ev("response.completed", map[string]any{"response": resp("completed", &reply)})
}

// ---- Anthropic Messages ----

func (s *Server) handleMessages(c *call) {
	req, ok := c.genericRequest()
	if !ok {
		return
	}
	model, _ := req["model"].(string)
	stream, _ := req["stream"].(bool)
	msgs, _ := req["messages"].([]any)
	last := ""
	if len(msgs) > 0 {
		last = textsOf(msgs[len(msgs)-1])
	}
	d := parseDirectives(last)
	if !c.prelude(d, stream) {
		return
	}
	if _, ok := req["max_tokens"].(float64); !ok || model == "" {
		c.anthropicError(http.StatusBadRequest, "invalid_request_error", "max_tokens: Field required")
		return
	}
	reply := s.replyFor(d, model, last)
	in, out := usageFor(d, textsOf(req["system"])+textsOf(req["messages"]), reply)
	id := fmt.Sprintf("msg_%024x", c.n)
	stop := "end_turn"
	if d.finish != "" {
		stop = d.finish
	}
	message := func(content []any, stopReason any, outTok int) map[string]any {
		return map[string]any{"id": id, "type": "message", "role": "assistant", "model": model, "content": content,
			"stop_reason": stopReason, "stop_sequence": nil,
			"usage": map[string]any{"input_tokens": in, "output_tokens": outTok, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}}
	}
	if !stream {
		c.writeJSON(http.StatusOK, message([]any{map[string]any{"type": "text", "text": reply}}, stop, out), d)
		return
	}
	sw := c.sse(d)
	ok = event(sw, "message_start", map[string]any{"type": "message_start", "message": message([]any{}, nil, 1)}) == nil &&
		event(sw, "content_block_start", map[string]any{"type": "content_block_start", "index": 0,
			"content_block": map[string]any{"type": "text", "text": ""}}) == nil &&
		event(sw, "ping", map[string]any{"type": "ping"}) == nil
	parts := splitDeltas(reply, d.delta)
	for i, p := range parts {
		if d.abort && i >= len(parts)/2 {
			panic(http.ErrAbortHandler)
		}
		ok = ok && event(sw, "content_block_delta", map[string]any{"type": "content_block_delta", "index": 0,
			"delta": map[string]any{"type": "text_delta", "text": p}}) == nil
	}
	if d.abort {
		panic(http.ErrAbortHandler)
	}
	_ = ok && event(sw, "content_block_stop", map[string]any{"type": "content_block_stop", "index": 0}) == nil &&
		event(sw, "message_delta", map[string]any{"type": "message_delta",
			"delta": map[string]any{"stop_reason": stop, "stop_sequence": nil}, "usage": map[string]any{"output_tokens": out}}) == nil &&
		event(sw, "message_stop", map[string]any{"type": "message_stop"}) == nil
}

// anthropicError writes Anthropic's error body.
func (c *call) anthropicError(status int, typ, msg string) {
	c.writeJSON(status, map[string]any{"type": "error", "error": map[string]any{"type": typ, "message": msg}}, nil)
}

// ---- Mistral Conversations ----

func (s *Server) handleConversations(c *call) {
	req, ok := c.genericRequest()
	if !ok {
		return
	}
	c.mistral = true
	rest := strings.Trim(strings.TrimPrefix(c.r.URL.Path, "/v1/conversations"), "/")
	convID := fmt.Sprintf("conv_%024x", c.n)
	if id, _, _ := strings.Cut(rest, "/"); id != "" {
		convID = id
	}
	model, _ := req["model"].(string)
	if model == "" {
		model = "mistral-medium-latest"
	}
	stream, _ := req["stream"].(bool)
	input := textsOf(req["inputs"])
	d := parseDirectives(input)
	if !c.prelude(d, stream) {
		return
	}
	if _, ok := req["inputs"]; !ok {
		c.validationError("inputs", "Field required")
		return
	}
	reply := s.replyFor(d, model, input)
	in, out := usageFor(d, input+textsOf(req["instructions"]), reply)
	now := s.opts.Now().UTC()
	ts := now.Format(time.RFC3339Nano)
	entryID := fmt.Sprintf("msg_%024x", c.n)
	usage := map[string]any{"prompt_tokens": in, "completion_tokens": out, "total_tokens": in + out, "connector_tokens": nil, "connectors": nil}
	if !stream {
		c.writeJSON(http.StatusOK, map[string]any{"object": "conversation.response", "conversation_id": convID,
			"outputs": []any{map[string]any{"object": "entry", "type": "message.output", "created_at": ts, "completed_at": ts,
				"id": entryID, "model": model, "agent_id": nil, "role": "assistant", "content": reply}},
			"usage": usage}, d)
		return
	}
	sw := c.sse(d)
	if event(sw, "conversation.response.started", map[string]any{"type": "conversation.response.started", "created_at": ts, "conversation_id": convID}) != nil {
		return
	}
	parts := splitDeltas(reply, d.delta)
	for i, p := range parts {
		if d.abort && i >= len(parts)/2 {
			panic(http.ErrAbortHandler)
		}
		if event(sw, "message.output.delta", map[string]any{"type": "message.output.delta", "created_at": ts, "output_index": 0,
			"id": entryID, "content_index": 0, "model": model, "agent_id": nil, "role": "assistant", "content": p}) != nil {
			return
		}
	}
	if d.abort {
		panic(http.ErrAbortHandler)
	}
	_ = event(sw, "conversation.response.done", map[string]any{"type": "conversation.response.done", "created_at": ts, "usage": usage})
}

// ---- legacy completions ----

func (s *Server) handleCompletions(c *call) {
	req, ok := c.genericRequest()
	if !ok {
		return
	}
	model, _ := req["model"].(string)
	stream, _ := req["stream"].(bool)
	prompt := textsOf(req["prompt"])
	d := parseDirectives(prompt)
	if !c.prelude(d, stream) {
		return
	}
	if model == "" {
		c.errorStatus(http.StatusBadRequest, "you must provide a model parameter")
		return
	}
	reply := s.replyFor(d, model, prompt)
	in, out := usageFor(d, prompt+textsOf(req["suffix"]), reply)
	u := usage{PromptTokens: in, CompletionTokens: out, TotalTokens: in + out}
	id := fmt.Sprintf("cmpl-%024x", c.n)
	created := s.opts.Now().Unix()
	finish := "stop"
	if d.finish != "" {
		finish = d.finish
	}
	type textChoice struct {
		Text         string          `json:"text"`
		Index        int             `json:"index"`
		Logprobs     json.RawMessage `json:"logprobs"`
		FinishReason *string         `json:"finish_reason"`
	}
	type completion struct {
		ID                string       `json:"id"`
		Object            string       `json:"object"`
		Created           int64        `json:"created"`
		Model             string       `json:"model"`
		SystemFingerprint string       `json:"system_fingerprint"`
		Choices           []textChoice `json:"choices"`
		Usage             any          `json:"usage,omitempty"`
	}
	base := completion{ID: id, Object: "text_completion", Created: created, Model: model, SystemFingerprint: "fp_fakellm"}
	if !stream {
		base.Choices = []textChoice{{Text: reply, Logprobs: jsonNull, FinishReason: &finish}}
		base.Usage = &u
		c.writeJSON(http.StatusOK, base, d)
		return
	}
	so, _ := req["stream_options"].(map[string]any)
	includeUsage, _ := so["include_usage"].(bool)
	sw := c.sse(d)
	send := func(v completion) bool {
		return sw.write(append(append([]byte("data: "), marshal(v)...), "\n\n"...)) == nil
	}
	parts := splitDeltas(reply, d.delta)
	for i, p := range parts {
		if d.abort && i >= len(parts)/2 {
			panic(http.ErrAbortHandler)
		}
		ch := base
		ch.Choices = []textChoice{{Text: p, Logprobs: jsonNull}}
		if !send(ch) {
			return
		}
	}
	if d.abort {
		panic(http.ErrAbortHandler)
	}
	last := base
	last.Choices = []textChoice{{Text: "", Logprobs: jsonNull, FinishReason: &finish}}
	if !send(last) {
		return
	}
	if includeUsage {
		uc := base
		uc.Choices = []textChoice{}
		uc.Usage = &u
		if !send(uc) {
			return
		}
	}
	_ = sw.write([]byte("data: [DONE]\n\n"))
}

// ---- embeddings ----

// embeddingDims is the length of every vector fakellm returns.
const embeddingDims = 8

func (s *Server) handleEmbeddings(c *call) {
	req, ok := c.genericRequest()
	if !ok {
		return
	}
	model, _ := req["model"].(string)
	d := parseDirectives(textsOf(req["input"]))
	if !c.prelude(d, false) {
		return
	}
	var inputs []any
	switch x := req["input"].(type) {
	case string:
		inputs = []any{x}
	case []any:
		inputs = x
	default:
		c.errorStatus(http.StatusBadRequest, "'input' is a required property")
		return
	}
	b64 := req["encoding_format"] == "base64"
	data := make([]any, len(inputs))
	total := 0
	for i, in := range inputs {
		text := textsOf(in)
		total += tokens(text)
		vec := make([]float32, embeddingDims)
		for j := range vec {
			vec[j] = float32(math.Sin(float64(len(text)*(j+1)+i))) / 2
		}
		var emb any = vec
		if b64 {
			raw := make([]byte, 4*len(vec))
			for j, f := range vec {
				binary.LittleEndian.PutUint32(raw[4*j:], math.Float32bits(f))
			}
			emb = base64.StdEncoding.EncodeToString(raw)
		}
		data[i] = map[string]any{"object": "embedding", "index": i, "embedding": emb}
	}
	c.writeJSON(http.StatusOK, map[string]any{"object": "list", "data": data, "model": model,
		"usage": map[string]any{"prompt_tokens": total, "total_tokens": total}}, d)
}
