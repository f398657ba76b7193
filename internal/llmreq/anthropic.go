package llmreq

import (
	"github.com/egressguard/egressguard/internal/apierr"
	"github.com/egressguard/egressguard/internal/jsonscan"
)

// Anthropic Messages: system (a string or text blocks), messages whose content is
// a string or blocks (text, image, document, tool_use, tool_result, thinking, …),
// tools.

var (
	messagesRoot = keys("model", "messages", "system", "max_tokens", "metadata", "stop_sequences", "stream",
		"temperature", "top_k", "top_p", "tools", "tool_choice", "thinking", "service_tier", "container",
		"mcp_servers", "context_management")
	anthropicMessageKeys = keys("role", "content")
	blockKeys            = keys("type", "text", "source", "cache_control", "citations", "id", "name", "input",
		"tool_use_id", "content", "is_error", "thinking", "signature", "data", "title", "context")
)

func parseMessages(p *parser) *apierr.Error {
	t := p.t
	err := p.messageArray("messages", func(m, i int) *apierr.Error {
		if err := p.object(m, anthropicMessageKeys); err != nil {
			return err
		}
		role, err := p.role(m)
		if err != nil {
			return err
		}
		p.message(m, i, role)
		return p.blocks(t.Member(m, "content"), true)
	})
	if err != nil {
		return err
	}
	if err := p.requireModel(); err != nil {
		return err
	}
	sys := t.Member(0, "system")
	switch p.kind(sys) {
	case 0, jsonscan.Null:
	case jsonscan.String, jsonscan.Array:
		p.setCtx(sys, context{origin: OriginSystem, role: "system", msg: -1})
		if err := p.blocks(sys, false); err != nil {
			return err
		}
	default:
		return apierr.Invalid("invalid_type", "system", "system must be a string or an array of text blocks, got %s", t.Nodes[sys].Kind)
	}
	p.definitions("tools", "mcp_servers")
	return nil
}

// blocks reads content c: a string or an array of content blocks. Tool results
// hold blocks themselves (nested is false there: they do not nest further).
func (p *parser) blocks(c int, nested bool) *apierr.Error {
	t := p.t
	return p.parts(c, "content block", blockKeys, false, func(b int) *apierr.Error {
		switch typ := p.typeOf(b); {
		case typ == "text":
			return p.textMember(b, "text", FieldContent, true)
		case typ == "tool_result" || hasSuffixAny(typ, "_tool_result"):
			p.within(b, OriginTool, "tool")
			if nested {
				return p.blocks(t.Member(b, "content"), false)
			}
		case typ == "document" || typ == "search_result":
			p.within(b, OriginDocument, "")
			if nested {
				return p.blocks(t.Member(b, "content"), false)
			}
		case typ == "redacted_thinking":
			if d := t.Member(b, "data"); d >= 0 {
				p.opaque(d) // encrypted by the provider
			}
		}
		return nil
	})
}
