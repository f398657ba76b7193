package llmreq

import (
	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/jsonscan"
)

// OpenAI-compatible and Mistral chat completions, Mistral agents and FIM.

var (
	chatRoot = keys("model", "messages", "max_tokens", "max_completion_tokens", "stream", "stream_options",
		"temperature", "top_p", "n", "stop", "presence_penalty", "frequency_penalty", "logit_bias", "logprobs",
		"top_logprobs", "user", "seed", "tools", "tool_choice", "parallel_tool_calls", "response_format",
		"functions", "function_call", "service_tier", "store", "metadata", "modalities", "audio", "prediction",
		"reasoning_effort", "web_search_options", "safe_prompt", "random_seed", "prompt_mode", "safety_identifier",
		"prompt_cache_key", "verbosity", "min_tokens", "guardrails", "document_image_limit", "document_page_limit")
	agentsRoot      = chatRoot.with("agent_id")
	fimRoot         = keys("model", "prompt", "suffix", "max_tokens", "min_tokens", "temperature", "top_p", "stream", "stop", "random_seed", "metadata")
	chatMessageKeys = keys("role", "content", "name", "tool_calls", "tool_call_id", "function_call", "refusal", "audio", "prefix", "reasoning_content")
	chatPartKeys    = keys("type", "text", "image_url", "input_audio", "file", "refusal", "document_url", "document_name", "thinking", "reference_ids", "file_id")
	toolCallKeys    = keys("id", "type", "function", "index")
	functionKeys    = keys("name", "arguments", "description", "parameters", "strict")
)

func parseChat(p *parser) *apierr.Error {
	if err := p.messageArray("messages", p.chatMessage); err != nil {
		return err
	}
	if err := p.requireModel(); err != nil {
		return err
	}
	p.definitions("tools", "functions", "response_format")
	return nil
}

func parseAgents(p *parser) *apierr.Error {
	if err := p.messageArray("messages", p.chatMessage); err != nil {
		return err
	}
	id, err := p.requireString("agent_id")
	if err != nil {
		return err
	}
	p.r.AgentID = id
	p.definitions("tools", "response_format")
	return nil
}

func parseFIM(p *parser) *apierr.Error {
	if err := p.requireModel(); err != nil {
		return err
	}
	if _, err := p.requireString("prompt"); err != nil {
		return err
	}
	p.mark(p.t.Member(0, "prompt"), FieldPrompt)
	if _, err := p.optionalString("suffix"); err != nil {
		return err
	}
	if s := p.t.Member(0, "suffix"); p.kind(s) == jsonscan.String {
		p.mark(s, FieldPrompt)
	}
	return nil
}

// chatMessage reads messages[i]: its role, content, name and tool calls, checked in
// that order whatever the order of the keys.
func (p *parser) chatMessage(m, i int) *apierr.Error {
	t := p.t
	if err := p.object(m, chatMessageKeys); err != nil {
		return err
	}
	role, err := p.role(m)
	if err != nil {
		return err
	}
	p.message(m, i, role)
	if err := p.chatContent(t.Member(m, "content")); err != nil {
		return err
	}
	if n := t.Member(m, "name"); n >= 0 {
		switch t.Nodes[n].Kind {
		case jsonscan.String:
			p.mark(n, FieldName)
		case jsonscan.Null:
		default:
			base := p.path(m)
			return apierr.Invalid("invalid_type", base+".name", "%s.name must be a string", base)
		}
	}
	if err := p.toolCalls(t.Member(m, "tool_calls")); err != nil {
		return err
	}
	if fc := t.Member(m, "function_call"); p.kind(fc) == jsonscan.Object { // legacy functions API
		if err := p.known(fc, functionKeys); err != nil {
			return err
		}
		return p.arguments(fc)
	}
	return nil
}

// chatContent reads a message's content: a string, an array of content parts, or null.
// (Paths for errors come from the tape, built only when there is an error.)
func (p *parser) chatContent(c int) *apierr.Error {
	return p.parts(c, "content part", chatPartKeys, true, func(part int) *apierr.Error {
		return p.textMember(part, "text", FieldContent, true)
	})
}

// toolCalls reads a message's tool calls; each call's function.arguments is a
// string or (Mistral) an object.
func (p *parser) toolCalls(tc int) *apierr.Error {
	t := p.t
	switch p.kind(tc) {
	case 0, jsonscan.Null:
		return nil
	case jsonscan.Array:
	default:
		base := p.path(int(t.Nodes[tc].Parent))
		return apierr.Invalid("invalid_type", base+".tool_calls", "%s.tool_calls must be an array", base)
	}
	return p.each(tc, func(call, _ int) *apierr.Error {
		if t.Nodes[call].Kind != jsonscan.Object {
			return nil
		}
		if err := p.known(call, toolCallKeys); err != nil {
			return err
		}
		fn := t.Member(call, "function")
		if p.kind(fn) != jsonscan.Object {
			return nil
		}
		if err := p.known(fn, functionKeys); err != nil {
			return err
		}
		return p.arguments(fn)
	})
}

// arguments marks a function object's arguments: a JSON string, or an object whose
// strings are then collected as data.
func (p *parser) arguments(fn int) *apierr.Error {
	t := p.t
	a := t.Member(fn, "arguments")
	switch p.kind(a) {
	case 0, jsonscan.Null, jsonscan.Object:
		return nil
	case jsonscan.String:
		p.mark(a, FieldToolArgs)
		return nil
	}
	path := t.Path(a)
	return apierr.Invalid("invalid_type", path, "%s must be a string or object", path)
}
