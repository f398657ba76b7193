package llmresp

// chatModel knows OpenAI chat completions and their compatible forms (Mistral chat,
// FIM and agents, Azure deployments, legacy completions):
//
//	choices[i].message|delta.content            string, or parts: {type:text,text}, {type:thinking,thinking:[{text}]} (Mistral)
//	choices[i].message|delta.reasoning_content  (and "reasoning") reasoning models
//	choices[i].message|delta.refusal
//	choices[i].message|delta.tool_calls[j].function.arguments   data; name data
//	choices[i].message|delta.function_call.arguments            legacy, data
//	choices[i].message|delta.audio.transcript                   audio.data is base64 sound (inert)
//	choices[i].text                                             legacy completions
//	choices[i].logprobs.content|refusal[k].token                tokens of one text; top_logprobs[m].token on its own
//	choices[i].logprobs.tokens[k]                               legacy completions
//
// i is the choice's "index" member (its position when absent); j the tool call's.
// Streamed pieces of one choice and field continue across events. Any other string
// of a delta continues across events too, keyed by its member name.
type chatModel struct{}

// Kinds of chat texts.
const (
	kContent   = "content"
	kThinking  = "thinking"
	kText      = "text"
	kToolArgs  = "tool_calls.arguments"
	kFuncArgs  = "function_call.arguments"
	kTranscr   = "audio.transcript"
	kLPContent = "logprobs.content"
	kLPRefusal = "logprobs.refusal"
	kLPTokens  = "logprobs.tokens"
	kField     = "field."
)

func (chatModel) classify(p *path) class {
	if inert(p) {
		return class{}
	}
	if p.under("error") {
		return class{mode: mData}
	}
	if p.len() < 4 || !p.keyIs(1, "choices") || p.t.Nodes[p.n[2]].IsMember() {
		return class{mode: mText}
	}
	ci := p.intOf(2, "index", p.pos(2))
	c := class{mode: mText, unit: ci, out: true}
	switch {
	case p.keyIs(3, "delta"), p.keyIs(3, "message"):
		c.delta = p.keyIs(3, "delta")
		return chatMessage(p, c, ci)
	case p.keyIs(3, "text") && p.len() == 4:
		c.key, c.delta = Key{Kind: kText, A: ci}, true
	case p.keyIs(3, "logprobs"):
		return chatLogprobs(p, c, ci)
	}
	return c
}

// chatMessage classifies a string under choices[i].message or .delta (node 3).
func chatMessage(p *path, c class, ci int32) class {
	if p.len() < 5 {
		return c
	}
	switch {
	case p.keyIs(4, "content"):
		switch {
		case p.len() == 5:
			c.key = Key{Kind: kContent, A: ci}
		case p.len() == 7 && p.typeOf(5) == "text" && p.keyIs(6, "text"):
			c.key = Key{Kind: kContent, A: ci}
		case p.len() == 9 && p.typeOf(5) == "thinking" && p.keyIs(6, "thinking") && p.keyIs(8, "text"):
			c.key = Key{Kind: kThinking, A: ci}
		}
	case p.keyIs(4, "tool_calls"):
		c.mode = mData
		if p.len() == 8 && p.keyIs(6, "function") && p.keyIs(7, "arguments") {
			c.key = Key{Kind: kToolArgs, A: ci, B: p.intOf(5, "index", p.pos(5))}
		}
		c.out = !p.keyIs(-1, "name") // a declared tool's name is not the model's text
	case p.keyIs(4, "function_call"):
		c.mode = mData
		if p.len() == 6 && p.keyIs(5, "arguments") {
			c.key = Key{Kind: kFuncArgs, A: ci}
		}
		c.out = !p.keyIs(-1, "name")
	case p.keyIs(4, "audio"):
		if p.len() == 6 && p.keyIs(5, "transcript") {
			c.key = Key{Kind: kTranscr, A: ci}
		}
	case p.len() == 5:
		// refusal, reasoning_content, reasoning, and any string field a provider adds
		c.key = Key{Kind: fieldKind(p.t.Key(p.leaf())), A: ci}
	}
	return c
}

// chatLogprobs classifies a string under choices[i].logprobs (node 3).
func chatLogprobs(p *path, c class, ci int32) class {
	c.out = false
	switch {
	case p.len() == 7 && p.keyIs(6, "token") && (p.keyIs(4, "content") || p.keyIs(4, "refusal")):
		kind := kLPContent
		if p.keyIs(4, "refusal") {
			kind = kLPRefusal
		}
		c.key, c.token, c.delta = Key{Kind: kind, A: ci}, true, true
	case p.len() == 6 && p.keyIs(4, "tokens"):
		c.key, c.token, c.delta = Key{Kind: kLPTokens, A: ci}, true, true
	case p.keyIs(-1, "token"):
		c.token = true // an alternative token: on its own, its bytes kept in step
	}
	return c
}

// fieldKind names the text of a direct string member of a message or delta.
func fieldKind(name string) string {
	switch name {
	case "refusal":
		return "field.refusal"
	case "reasoning_content":
		return "field.reasoning_content"
	case "reasoning":
		return "field.reasoning"
	}
	return kField + name
}
