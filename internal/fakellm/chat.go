package fakellm

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

type chatKind int

const (
	kindChat chatKind = iota
	kindFIM
	kindAgents
)

// ---- request side ----

type chatRequest struct {
	Model         string         `json:"model"`
	Messages      []reqMessage   `json:"messages"`
	Stream        bool           `json:"stream"`
	StreamOptions *streamOptions `json:"stream_options"`
	Prompt        *string        `json:"prompt"`   // FIM
	Suffix        *string        `json:"suffix"`   // FIM
	AgentID       string         `json:"agent_id"` // agents
}

type streamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

type reqMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

// contentText returns the text of a message content: the string itself, or
// the "text" of every part of a content-part array, joined by "\n".
func contentText(raw json.RawMessage) string {
	raw = json.RawMessage(strings.TrimSpace(string(raw)))
	if len(raw) == 0 {
		return ""
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	case '[':
		var parts []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		}
		if json.Unmarshal(raw, &parts) == nil {
			var texts []string
			for _, p := range parts {
				if p.Text != "" {
					texts = append(texts, p.Text)
				}
			}
			return strings.Join(texts, "\n")
		}
	}
	return ""
}

// lastUserText is the text of the last message with role "user".
func lastUserText(msgs []reqMessage) string {
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Role == "user" {
			return contentText(msgs[i].Content)
		}
	}
	return ""
}

func allText(msgs []reqMessage) string {
	var b strings.Builder
	for _, m := range msgs {
		b.WriteString(contentText(m.Content))
	}
	return b.String()
}

// tokens approximates a token count: ceil(runes/4).
func tokens(s string) int { return (utf8.RuneCountInString(s) + 3) / 4 }

// isMistralModel reports whether a model name belongs to Mistral.
func isMistralModel(model string) bool {
	m := strings.ToLower(model)
	return strings.Contains(m, "stral") || strings.Contains(m, "mixtral")
}

// ---- response side ----

type usage struct {
	PromptTokens            int            `json:"prompt_tokens"`
	CompletionTokens        int            `json:"completion_tokens"`
	TotalTokens             int            `json:"total_tokens"`
	PromptTokensDetails     *promptDetails `json:"prompt_tokens_details,omitempty"`
	CompletionTokensDetails *complDetails  `json:"completion_tokens_details,omitempty"`
}

type promptDetails struct {
	CachedTokens int `json:"cached_tokens"`
	AudioTokens  int `json:"audio_tokens"`
}

type complDetails struct {
	ReasoningTokens          int `json:"reasoning_tokens"`
	AudioTokens              int `json:"audio_tokens"`
	AcceptedPredictionTokens int `json:"accepted_prediction_tokens"`
	RejectedPredictionTokens int `json:"rejected_prediction_tokens"`
}

type chatResponse struct {
	ID                string   `json:"id"`
	Object            string   `json:"object"`
	Created           int64    `json:"created"`
	Model             string   `json:"model"`
	Choices           []choice `json:"choices"`
	Usage             any      `json:"usage,omitempty"` // *usage, or json null
	ServiceTier       string   `json:"service_tier,omitempty"`
	SystemFingerprint string   `json:"system_fingerprint,omitempty"`
}

type choice struct {
	Index        int             `json:"index"`
	Message      any             `json:"message,omitempty"`
	Delta        any             `json:"delta,omitempty"`
	Logprobs     json.RawMessage `json:"logprobs,omitempty"` // "null" for OpenAI
	FinishReason *string         `json:"finish_reason"`
}

type oaiMessage struct {
	Role        string          `json:"role"`
	Content     string          `json:"content"`
	Refusal     json.RawMessage `json:"refusal"`
	Annotations []any           `json:"annotations"`
}

type mistralMessage struct {
	Role      string          `json:"role"`
	ToolCalls json.RawMessage `json:"tool_calls"`
	Content   string          `json:"content"`
}

type delta struct {
	Role    string          `json:"role,omitempty"`
	Content *string         `json:"content,omitempty"`
	Refusal json.RawMessage `json:"refusal,omitempty"`
}

var jsonNull = json.RawMessage("null")

func (s *Server) handleChat(kind chatKind) apiHandler {
	return func(c *call) {
		var req chatRequest
		if err := json.Unmarshal(c.body, &req); err != nil {
			c.mistral = c.mistral || s.opts.Flavor == "mistral"
			c.errorStatus(http.StatusBadRequest, "We could not parse the JSON body of your request: "+err.Error())
			return
		}
		if !c.mistral && s.opts.Flavor == "" && isMistralModel(req.Model) {
			c.mistral = true
		}

		var markerText, promptText string
		switch kind {
		case kindFIM:
			if req.Prompt != nil {
				markerText, promptText = *req.Prompt, *req.Prompt
			}
			if req.Suffix != nil {
				markerText += "\n" + *req.Suffix
				promptText += *req.Suffix
			}
		default:
			markerText = lastUserText(req.Messages)
			promptText = allText(req.Messages)
		}
		d := parseDirectives(markerText)

		if d.slow > 0 {
			if sleepCtx(c.r.Context(), d.slow) != nil {
				return
			}
		}
		if d.abort && !req.Stream {
			panic(http.ErrAbortHandler)
		}
		if id := d.abortOnce; id != "" && !req.Stream {
			if _, seen := c.s.abortedOnce.LoadOrStore(id, true); !seen {
				panic(http.ErrAbortHandler)
			}
		}
		if d.status != 0 {
			c.errorStatus(d.status, d.echoMessage())
			return
		}
		model := req.Model
		switch kind {
		case kindAgents:
			if req.AgentID == "" {
				c.validationError("agent_id", "Field required")
				return
			}
			if model == "" {
				model = "mistral-medium-latest"
			}
		case kindFIM:
			if req.Prompt == nil {
				c.validationError("prompt", "Field required")
				return
			}
			fallthrough
		default:
			if model == "" {
				if c.mistral {
					c.validationError("model", "Field required")
				} else {
					c.errorStatus(http.StatusBadRequest, "you must provide a model parameter")
				}
				return
			}
		}

		if d.garbage {
			if req.Stream {
				c.w.Header().Set("content-type", "text/event-stream; charset=utf-8")
				c.w.WriteHeader(http.StatusOK)
				sw := newStreamWriter(c.w, c.r.Context(), d)
				_ = sw.write([]byte("data: this is not json {{{\n\n"))
				_ = sw.write([]byte("data: [DONE]\n\n"))
				return
			}
			c.w.Header().Set("content-type", "application/json")
			c.writeBody(http.StatusOK, []byte("<html><body>this is not json {{{</body></html>\n"), d)
			return
		}

		reply := fmt.Sprintf("Hello from %s (model %s). You said %d characters.",
			s.name, model, utf8.RuneCountInString(lastUserText(req.Messages)))
		switch kind {
		case kindAgents:
			reply = fmt.Sprintf("Hello from %s (agent %s). You said %d characters.",
				s.name, req.AgentID, utf8.RuneCountInString(lastUserText(req.Messages)))
		case kindFIM:
			reply = fmt.Sprintf("/* completion from %s (model %s) for %d characters of prompt */",
				s.name, model, utf8.RuneCountInString(promptText))
		}
		if d.reply != nil {
			reply = *d.reply
		}
		if d.echoKey {
			reply = strings.ReplaceAll(reply, "{KEY}", credentialOf(c.r))
		}
		u := usage{PromptTokens: tokens(promptText), CompletionTokens: tokens(reply)}
		if d.promptTokens >= 0 {
			u.PromptTokens = d.promptTokens
		}
		if d.completionTokens >= 0 {
			u.CompletionTokens = d.completionTokens
		}
		u.TotalTokens = u.PromptTokens + u.CompletionTokens
		if !c.mistral {
			u.PromptTokensDetails = &promptDetails{}
			u.CompletionTokensDetails = &complDetails{}
		}
		finish := "stop"
		if d.finish != "" {
			finish = d.finish
		}

		id := fmt.Sprintf("chatcmpl-%024x", c.n)
		if c.mistral {
			id = fmt.Sprintf("%032x", c.n)
		}
		created := s.opts.Now().Unix()

		includeUsage := c.mistral || (req.StreamOptions != nil && req.StreamOptions.IncludeUsage)
		if d.shape != "" {
			sc := shapeCall{c: c, d: d, id: id, created: created, model: model, reply: reply, finish: finish, u: &u}
			if req.Stream {
				sc.stream(includeUsage)
			} else {
				sc.whole()
			}
			return
		}
		if req.Stream {
			c.streamChat(id, created, model, reply, finish, &u, includeUsage, d)
			return
		}

		resp := chatResponse{ID: id, Object: "chat.completion", Created: created, Model: model, Usage: &u}
		ch := choice{Index: 0, FinishReason: &finish}
		if c.mistral {
			ch.Message = mistralMessage{Role: "assistant", ToolCalls: jsonNull, Content: reply}
		} else {
			ch.Message = oaiMessage{Role: "assistant", Content: reply, Refusal: jsonNull, Annotations: []any{}}
			ch.Logprobs = jsonNull
			resp.ServiceTier = "default"
			resp.SystemFingerprint = "fp_fakellm"
		}
		resp.Choices = []choice{ch}
		c.writeJSON(http.StatusOK, resp, d)
	}
}

// splitDeltas cuts reply into stream deltas: n runes each, or (n <= 0) one
// word each with the preceding whitespace attached to the word.
func splitDeltas(reply string, n int) []string {
	var out []string
	if n > 0 {
		r := []rune(reply)
		for len(r) > 0 {
			k := min(n, len(r))
			out = append(out, string(r[:k]))
			r = r[k:]
		}
		return out
	}
	start := 0
	prevSpace := false
	for i, r := range reply {
		sp := r == ' ' || r == '\n' || r == '\t'
		if sp && !prevSpace && i > start {
			out = append(out, reply[start:i])
			start = i
		}
		prevSpace = sp
	}
	if start < len(reply) {
		out = append(out, reply[start:])
	}
	return out
}

func (c *call) streamChat(id string, created int64, model, reply, finish string, u *usage, includeUsage bool, d *directives) {
	sw := c.startStream(d, "text/event-stream; charset=utf-8")
	defer c.endStream(d)

	base := chatResponse{ID: id, Object: "chat.completion.chunk", Created: created, Model: model}
	if !c.mistral {
		base.ServiceTier = "default"
		base.SystemFingerprint = "fp_fakellm"
		if includeUsage {
			base.Usage = jsonNull
		}
	}
	send := func(ch chatResponse) error {
		b := make([]byte, 0, 256)
		b = append(b, "data: "...)
		b = append(b, marshal(ch)...)
		b = append(b, "\n\n"...)
		return sw.write(b)
	}
	mkChoice := func(dl delta, fr *string) []choice {
		ch := choice{Index: 0, Delta: dl, FinishReason: fr}
		if !c.mistral {
			ch.Logprobs = jsonNull
		}
		return []choice{ch}
	}
	str := func(s string) *string { return &s }

	// First chunk: role, empty content.
	first := base
	if c.mistral {
		first.Choices = mkChoice(delta{Role: "assistant", Content: str("")}, nil)
	} else {
		first.Choices = mkChoice(delta{Role: "assistant", Content: str(""), Refusal: jsonNull}, nil)
	}
	if send(first) != nil {
		return
	}
	parts := splitDeltas(reply, d.delta)
	for i, p := range parts {
		if d.abort && i >= len(parts)/2 {
			panic(http.ErrAbortHandler)
		}
		ch := base
		ch.Choices = mkChoice(delta{Content: str(p)}, nil)
		if send(ch) != nil {
			return
		}
	}
	if d.abort {
		panic(http.ErrAbortHandler)
	}
	last := base
	if c.mistral {
		last.Choices = mkChoice(delta{Content: str("")}, &finish)
		last.Usage = u // Mistral: usage rides in the finish chunk
	} else {
		last.Choices = mkChoice(delta{}, &finish)
	}
	if send(last) != nil {
		return
	}
	if !c.mistral && includeUsage {
		uc := base
		uc.Choices = []choice{}
		uc.Usage = u
		if send(uc) != nil {
			return
		}
	}
	_ = sw.write([]byte("data: [DONE]\n\n"))
}
