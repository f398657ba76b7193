package llmresp

import "strings"

// responsesModel knows the OpenAI Responses API. A body is a Response object; a
// stream is events discriminated by "type" that carry a whole Response
// ("response": response.created, .in_progress, .completed, .incomplete, .failed), an
// output item ("item": response.output_item.added/.done), a content or summary part
// ("part"), or a piece of text ("delta") with its indices:
//
//	output[k] message:       content[j] output_text.text, .logprobs[m].token, refusal.refusal
//	output[k] reasoning:     summary[j].text, content[j].text (encrypted_content inert)
//	output[k] function_call: arguments (data); custom_tool_call: input (data)
//	response.output_text.delta, response.refusal.delta, response.reasoning_summary_text.delta,
//	response.function_call_arguments.delta (data), response.audio.transcript.delta, and any
//	other "*.delta" event with a string delta: pieces of the text named by the event type
//	and its output_index, content_index or summary_index
//
// Members of a Response other than output, error and incomplete_details echo the
// request (instructions, tools, metadata, …): data, not model output.
type responsesModel struct{}

// Kinds of Responses texts in a body (streams use the delta event types).
const (
	kRText      = "output_text"
	kRRefusal   = "refusal"
	kRSummary   = "summary"
	kRReasoning = "reasoning_text"
	kRArgs      = "arguments"
	kRInput     = "input"
	lpSuffix    = "#logprobs"
)

// deltaData lists the delta events whose text a program reads.
var deltaData = map[string]bool{
	"response.function_call_arguments.delta":    true,
	"response.custom_tool_call_input.delta":     true,
	"response.mcp_call_arguments.delta":         true,
	"response.code_interpreter_call_code.delta": true,
}

func (responsesModel) classify(p *path) class {
	if inert(p) {
		return class{}
	}
	typ := p.typeOf(0)
	if typ == "error" || p.under("error") {
		return class{mode: mData}
	}
	if !strings.HasPrefix(typ, "response.") {
		return respObject(p, 0)
	}
	if p.len() < 2 {
		return class{mode: mText}
	}
	oi := p.intOf(0, "output_index", 0)
	ci := p.intOf(0, "content_index", p.intOf(0, "summary_index", 0))
	switch {
	case p.keyIs(1, "response"):
		return respObject(p, 1)
	case p.keyIs(1, "item"):
		return respItem(p, 1, oi)
	case p.keyIs(1, "part"):
		c := respPart(p, 1, oi, ci)
		if strings.HasPrefix(typ, "response.reasoning_summary_part") {
			c.key = Key{Kind: kRSummary, A: oi}
		}
		return c
	case p.len() == 2 && p.keyIs(1, "delta") && strings.HasSuffix(typ, ".delta"):
		c := class{mode: mText, key: Key{Kind: typ, A: oi, B: ci}, delta: true, out: true}
		if deltaData[typ] {
			c.mode = mData
		}
		return c
	case p.keyIs(1, "logprobs") && strings.HasSuffix(typ, ".delta"):
		c := class{mode: mText, token: true}
		if p.len() == 4 && p.keyIs(3, "token") {
			c.key, c.delta = Key{Kind: typ + lpSuffix, A: oi, B: ci}, true
		}
		return c
	}
	c := class{mode: mText, out: true}
	if p.keyIs(1, "arguments") || p.keyIs(1, "input") || p.keyIs(1, "code") {
		c.mode = mData
	}
	return c
}

// respObject classifies a string inside the Response object at node r.
func respObject(p *path, r int) class {
	if p.len() < r+2 {
		return class{mode: mText}
	}
	switch {
	case p.keyIs(r+1, "output"):
		if p.len() < r+3 {
			return class{mode: mText, out: true}
		}
		return respItem(p, r+2, p.pos(r+2))
	case p.keyIs(r+1, "incomplete_details"), p.keyIs(r+1, "usage"):
		return class{mode: mText}
	}
	return class{mode: mData} // an echo of the request
}

// respItem classifies a string inside the output item at node i (output index k).
func respItem(p *path, i int, k int32) class {
	c := class{mode: mText, out: true}
	if p.len() < i+2 {
		return c
	}
	switch p.typeOf(i) {
	case "message":
		if p.keyIs(i+1, "content") && p.len() >= i+3 {
			return respPart(p, i+2, k, p.pos(i+2))
		}
	case "reasoning":
		if p.len() == i+4 && p.keyIs(i+3, "text") {
			switch {
			case p.keyIs(i+1, "summary"):
				c.key = Key{Kind: kRSummary, A: k}
			case p.keyIs(i+1, "content"):
				c.key = Key{Kind: kRReasoning, A: k}
			}
		}
	case "function_call":
		c.mode = mData
		if p.len() == i+2 && p.keyIs(i+1, "arguments") {
			c.key = Key{Kind: kRArgs, A: k}
		}
	case "custom_tool_call":
		c.mode = mData
		if p.len() == i+2 && p.keyIs(i+1, "input") {
			c.key = Key{Kind: kRInput, A: k}
		}
	case "mcp_call", "code_interpreter_call":
		if p.keyIs(i+1, "arguments") || p.keyIs(i+1, "code") {
			c.mode = mData
		}
	}
	return c
}

// respPart classifies a string inside the content part at node i (output k, content j).
func respPart(p *path, i int, k, j int32) class {
	c := class{mode: mText, out: true}
	if p.len() < i+2 {
		return c
	}
	switch typ := p.typeOf(i); {
	case (typ == "output_text" || typ == "summary_text" || typ == "reasoning_text") && p.len() == i+2 && p.keyIs(i+1, "text"):
		switch typ {
		case "output_text":
			c.key = Key{Kind: kRText, A: k, B: j}
		case "summary_text":
			c.key = Key{Kind: kRSummary, A: k}
		default:
			c.key = Key{Kind: kRReasoning, A: k}
		}
	case typ == "refusal" && p.len() == i+2 && p.keyIs(i+1, "refusal"):
		c.key = Key{Kind: kRRefusal, A: k, B: j}
	case p.keyIs(i+1, "logprobs"):
		c.out, c.token = false, true
		if p.len() == i+4 && p.keyIs(i+3, "token") {
			c.key = Key{Kind: kRText + lpSuffix, A: k, B: j}
		}
	}
	return c
}
