package llmreq

import (
	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/jsonscan"
)

// Mistral Conversations (start, append, restart): inputs (a string or entries),
// instructions, completion_args, tools.

var (
	conversationsRoot = keys("inputs", "model", "agent_id", "agent_version", "instructions", "completion_args",
		"tools", "stream", "store", "handoff_execution", "name", "description", "from_entry_id", "metadata", "guardrails")
	completionArgsKeys = keys("stop", "presence_penalty", "frequency_penalty", "temperature", "top_p", "max_tokens",
		"random_seed", "prediction", "response_format", "tool_choice", "reasoning_effort")
	entryKeys = keys("object", "type", "role", "content", "prefix", "id", "created_at", "completed_at",
		"tool_call_id", "result", "name", "arguments", "agent_id", "model", "previous_agent_id",
		"previous_agent_name", "next_agent_id", "next_agent_name", "info")
	chunkKeys = keys("type", "text", "image_url", "document_url", "document_name", "tool", "file_id", "title",
		"url", "favicon", "description", "file_name", "thinking")
)

func parseConversations(p *parser) *apierr.Error {
	t, r := p.t, p.r
	in := t.Member(0, "inputs")
	switch p.kind(in) {
	case 0:
		return apierr.Invalid("missing_field", "inputs", "inputs is required")
	case jsonscan.String:
		p.setCtx(in, context{origin: OriginUser, role: "user", msg: 0})
		p.mark(in, FieldContent)
		r.Messages = 1
	case jsonscan.Array:
		r.Messages = t.Len(in)
		if err := p.each(in, p.entry); err != nil {
			return err
		}
	default:
		return apierr.Invalid("invalid_type", "inputs", "inputs must be a string or an array of entries, got %s", t.Nodes[in].Kind)
	}
	if _, err := p.optionalString("model"); err != nil {
		return err
	}
	id, err := p.optionalString("agent_id")
	if err != nil {
		return err
	}
	r.AgentID = id
	if in := t.Member(0, "instructions"); p.kind(in) == jsonscan.String {
		p.setCtx(in, context{origin: OriginSystem, role: "system", msg: -1})
		p.mark(in, FieldContent)
	}
	switch ca := t.Member(0, "completion_args"); p.kind(ca) {
	case 0, jsonscan.Null:
	case jsonscan.Object:
		if err := p.known(ca, completionArgsKeys); err != nil {
			return err
		}
	default:
		return apierr.Invalid("invalid_type", "completion_args", "completion_args must be an object, got %s", t.Nodes[ca].Kind)
	}
	p.definitions("tools")
	return nil
}

// entry reads inputs[k]: a message (input or output), a function call or its result.
func (p *parser) entry(e, k int) *apierr.Error {
	t := p.t
	if err := p.object(e, entryKeys); err != nil {
		return err
	}
	switch typ := p.typeOf(e); {
	case typ == "message.input" || typ == "message.output" || (typ == "" && t.Member(e, "role") >= 0):
		role, err := p.role(e)
		if err != nil {
			return err
		}
		p.message(e, k, role)
		return p.chunks(t.Member(e, "content"))
	case typ == "function.result":
		p.setCtx(e, context{origin: OriginTool, role: "tool", msg: int32(k)})
		return p.textMember(e, "result", FieldContent, false)
	case typ == "function.call":
		p.setCtx(e, context{origin: OriginAssistant, role: "assistant", msg: int32(k)})
		return p.arguments(e)
	default:
		p.setCtx(e, context{origin: OriginUser, msg: int32(k)})
	}
	return nil
}

// chunks reads an entry's content: a string or chunks (text, image_url,
// document_url, tool references, …).
func (p *parser) chunks(c int) *apierr.Error {
	return p.parts(c, "chunk", chunkKeys, false, func(ch int) *apierr.Error {
		if p.typeOf(ch) == "text" {
			return p.textMember(ch, "text", FieldContent, true)
		}
		return nil
	})
}
