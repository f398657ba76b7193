package llmresp

// messagesModel knows Anthropic Messages. A body is a Message; a stream is
// message_start (a Message), content_block_start (a block), content_block_delta, …:
//
//	content[k] text.text, thinking.thinking (signature inert), redacted_thinking.data (inert)
//	content[k] tool_use|server_tool_use|mcp_tool_use.input: a model-written object, every
//	           string and key in it redacted as data (no key is inert there)
//	content_block_delta: text_delta.text, thinking_delta.thinking, input_json_delta.partial_json
//	           (data) are pieces of block index's text; signature_delta is inert
//
// In a body the text blocks of a message are one text (clients render them as one),
// and so are its thinking blocks.
type messagesModel struct{}

// Kinds of Messages texts.
const (
	kMText     = "text"
	kMThinking = "thinking"
	kMJSON     = "partial_json"
)

func (messagesModel) classify(p *path) class {
	typ := p.typeOf(0)
	if c, ok := messagesInput(p, typ); ok {
		return c
	}
	if inert(p) {
		return class{}
	}
	if typ == "error" || p.under("error") {
		return class{mode: mData}
	}
	switch typ {
	case "message_start":
		if p.keyIs(1, "message") {
			return messageBody(p, 1)
		}
	case "content_block_start":
		if p.keyIs(1, "content_block") {
			return block(p, 1, false)
		}
	case "content_block_delta":
		if p.len() == 3 && p.keyIs(1, "delta") {
			k := p.intOf(0, "index", 0)
			c := class{mode: mText, delta: true, out: true}
			switch dt := p.typeOf(1); {
			case dt == "text_delta" && p.keyIs(2, "text"):
				c.key = Key{Kind: kMText, A: k}
			case dt == "thinking_delta" && p.keyIs(2, "thinking"):
				c.key = Key{Kind: kMThinking, A: k}
			case dt == "input_json_delta" && p.keyIs(2, "partial_json"):
				c.key, c.mode = Key{Kind: kMJSON, A: k}, mData
			default:
				c.key = Key{Kind: dt + "." + p.t.Key(p.leaf()), A: k}
			}
			return c
		}
	case "message":
		return messageBody(p, 0)
	}
	return class{mode: mText, out: true}
}

// messagesInput reports the strings inside a tool_use block's input.
func messagesInput(p *path, typ string) (class, bool) {
	b := 1 // node of the block: content[k] in a body, content_block in an event
	switch typ {
	case "message":
		b = 2
	case "message_start":
		b = 3
	}
	if p.len() < b+3 || !p.keyIs(b+1, "input") {
		return class{}, false
	}
	switch p.typeOf(b) {
	case "tool_use", "server_tool_use", "mcp_tool_use":
		return class{mode: mData, out: true}, true
	}
	return class{}, false
}

// messageBody classifies a string inside the Message at node r.
func messageBody(p *path, r int) class {
	if p.len() >= r+3 && p.keyIs(r+1, "content") {
		return block(p, r+2, true)
	}
	return class{mode: mText}
}

// block classifies a string inside the content block at node b; whole says the
// block is complete (a body), where text and thinking blocks are pieces of one text.
func block(p *path, b int, whole bool) class {
	c := class{mode: mText, out: true}
	if p.len() != b+2 {
		return c
	}
	switch typ := p.typeOf(b); {
	case typ == "text" && p.keyIs(b+1, "text"):
		if whole {
			c.key = Key{Kind: kMText}
		}
	case typ == "thinking" && p.keyIs(b+1, "thinking"):
		if whole {
			c.key = Key{Kind: kMThinking}
		}
	case p.keyIs(b+1, "name"):
		c.mode = mData
	}
	return c
}
