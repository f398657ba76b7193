package llmreq

import (
	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/jsonscan"
)

// OpenAI Responses: input (a string or items: messages, function calls and their
// outputs, reasoning), instructions, tools.

var (
	responsesRoot = keys("model", "input", "instructions", "max_output_tokens", "stream", "stream_options",
		"temperature", "top_p", "tools", "tool_choice", "parallel_tool_calls", "previous_response_id", "conversation",
		"store", "metadata", "reasoning", "text", "truncation", "user", "include", "background", "max_tool_calls",
		"prompt", "prompt_cache_key", "safety_identifier", "service_tier", "top_logprobs")
	responsesItemKeys = keys("type", "role", "content", "id", "status", "call_id", "name", "arguments", "output",
		"summary", "encrypted_content", "action", "queries", "results", "pending_safety_checks",
		"acknowledged_safety_checks", "server_label", "error", "approval_request_id", "approve", "reason", "input",
		"tools", "code", "container_id", "outputs", "result")
	responsesPartKeys = keys("type", "text", "image_url", "file_id", "detail", "file_data", "filename", "file_url",
		"annotations", "logprobs", "refusal", "input_audio")
)

func parseResponses(p *parser) *apierr.Error {
	t := p.t
	if t.Member(0, "prompt") < 0 { // a stored prompt template may name the model
		if err := p.requireModel(); err != nil {
			return err
		}
	}
	if err := p.responsesInput(t.Member(0, "input"), "input", OriginUser); err != nil {
		return err
	}
	if in := t.Member(0, "instructions"); p.kind(in) == jsonscan.String {
		p.setCtx(in, context{origin: OriginSystem, role: "system", msg: -1})
		p.mark(in, FieldContent)
	} else if err := p.responsesInput(in, "instructions", OriginSystem); err != nil {
		return err
	}
	p.definitions("tools", "text")
	return nil
}

// responsesInput reads input (or instructions given as items): a string or an
// array of items.
func (p *parser) responsesInput(in int, name string, o Origin) *apierr.Error {
	t := p.t
	switch p.kind(in) {
	case 0, jsonscan.Null:
		return nil
	case jsonscan.String:
		p.setCtx(in, context{origin: o, role: "user", msg: 0})
		p.mark(in, FieldContent)
		p.r.Messages = 1
		return nil
	case jsonscan.Array:
	default:
		return apierr.Invalid("invalid_type", name, "%s must be a string or an array of input items, got %s", name, t.Nodes[in].Kind)
	}
	p.r.Messages += t.Len(in)
	return p.each(in, p.responsesItem)
}

// responsesItem reads one input item.
func (p *parser) responsesItem(it, k int) *apierr.Error {
	t := p.t
	if err := p.object(it, responsesItemKeys); err != nil {
		return err
	}
	typ := p.typeOf(it)
	switch {
	case typ == "message" || (typ == "" && t.Member(it, "role") >= 0):
		role, err := p.role(it)
		if err != nil {
			return err
		}
		p.message(it, k, role)
		return p.responsesContent(t.Member(it, "content"))
	case hasSuffixAny(typ, "_output"): // function_call_output, computer_call_output, …: what a tool returned
		p.setCtx(it, context{origin: OriginTool, role: "tool", msg: int32(k)})
		out := t.Member(it, "output")
		if p.kind(out) == jsonscan.String {
			p.mark(out, FieldContent)
			return nil
		}
		return p.responsesContent(out)
	case hasSuffixAny(typ, "_call"): // the model's earlier tool calls, and the results of hosted tools
		p.setCtx(it, context{origin: OriginAssistant, role: "assistant", msg: int32(k)})
		if a := t.Member(it, "arguments"); p.kind(a) == jsonscan.String {
			p.mark(a, FieldToolArgs)
		}
		for _, r := range []string{"output", "outputs", "results", "result"} {
			if v := t.Member(it, r); v >= 0 {
				p.within(v, OriginTool, "tool")
			}
		}
	case typ == "reasoning":
		p.setCtx(it, context{origin: OriginAssistant, role: "assistant", msg: int32(k)})
	default:
		p.setCtx(it, context{origin: OriginUser, msg: int32(k)})
	}
	return nil
}

// responsesContent reads a message's content: a string or content parts
// (input_text, output_text, input_image, input_file, refusal, …).
func (p *parser) responsesContent(c int) *apierr.Error {
	return p.parts(c, "content part", responsesPartKeys, false, func(part int) *apierr.Error {
		switch p.typeOf(part) {
		case "input_text", "output_text", "text", "summary_text", "reasoning_text":
			return p.textMember(part, "text", FieldContent, true)
		}
		return nil
	})
}
