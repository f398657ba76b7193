package llmresp

// conversationsModel knows Mistral Conversations (/v1/conversations, also agents'
// conversations). A body is a conversation.response with outputs[k] entries; a
// stream is events discriminated by "type":
//
//	outputs[k] message.output: content as a string or chunks ({type:text,text},
//	           {type:thinking,thinking:[{text}]}, tool_reference, …)
//	outputs[k] function.call: arguments, a string or a model-written object (data)
//	message.output.delta: content (string or one chunk), a piece of the text at
//	           output_index and content_index
//	function.call.delta, tool.execution.delta: arguments (data), pieces at output_index
type conversationsModel struct{}

// Kinds of Conversations texts.
const (
	kCText     = "text"
	kCThinking = "thinking"
	kCArgs     = "arguments"
)

func (conversationsModel) classify(p *path) class {
	typ := p.typeOf(0)
	if c, ok := conversationsArgs(p, typ); ok {
		return c
	}
	if inert(p) {
		return class{}
	}
	if typ == "conversation.response.error" || p.under("error") {
		return class{mode: mData}
	}
	c := class{mode: mText, out: typ != "" || p.keyIs(1, "outputs")}
	switch {
	case typ == "message.output.delta" && p.keyIs(1, "content"):
		oi, ci := p.intOf(0, "output_index", 0), p.intOf(0, "content_index", 0)
		c.delta = true
		switch {
		case p.len() == 2:
			c.key = Key{Kind: kCText, A: oi, B: ci}
		case p.len() == 3 && p.typeOf(1) == "text" && p.keyIs(2, "text"):
			c.key = Key{Kind: kCText, A: oi, B: ci}
		case p.len() == 5 && p.typeOf(1) == "thinking" && p.keyIs(2, "thinking") && p.keyIs(4, "text"):
			c.key = Key{Kind: kCThinking, A: oi, B: ci}
		}
	case p.len() >= 3 && p.keyIs(1, "outputs") && p.typeOf(2) == "message.output" && p.keyIs(3, "content"):
		k := p.pos(2)
		switch {
		case p.len() == 4:
			c.key = Key{Kind: kCText, A: k}
		case p.len() == 6 && p.typeOf(4) == "text" && p.keyIs(5, "text"):
			c.key = Key{Kind: kCText, A: k}
		case p.len() == 8 && p.typeOf(4) == "thinking" && p.keyIs(5, "thinking") && p.keyIs(7, "text"):
			c.key = Key{Kind: kCThinking, A: k}
		}
	}
	return c
}

// conversationsArgs reports function-call and tool-execution arguments (and tool
// execution info): data, and inside a model-written object no key is inert.
func conversationsArgs(p *path, typ string) (class, bool) {
	c := class{mode: mData, out: true}
	switch {
	case (typ == "function.call.delta" || typ == "tool.execution.delta") && p.len() == 2 && p.keyIs(1, "arguments"):
		c.key, c.delta = Key{Kind: typ, A: p.intOf(0, "output_index", 0)}, true
		return c, true
	case p.len() >= 4 && p.keyIs(1, "outputs") && (p.keyIs(3, "arguments") || p.keyIs(3, "info")):
		switch p.typeOf(2) {
		case "function.call", "tool.execution":
			if p.len() == 4 && p.typeOf(2) == "function.call" && p.keyIs(3, "arguments") {
				c.key = Key{Kind: kCArgs, A: p.pos(2)}
			}
			return c, true
		}
	}
	return class{}, false
}
