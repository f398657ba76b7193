package llmresp

import "github.com/egressguard/egressguard/internal/jsonscan"

// Usage is the token usage a response reports.
type Usage struct {
	// Input counts the prompt tokens: prompt_tokens or input_tokens, plus Anthropic's
	// cache_creation_input_tokens and cache_read_input_tokens (billed input too).
	Input int64
	// Output counts the completion tokens: completion_tokens or output_tokens.
	Output int64
	// Seen is set once a usage object was read.
	Seen bool
}

// readUsage updates u from the document on t, for api: a JSON body or one SSE event.
// Later usage replaces earlier usage, except that Anthropic's message_delta, which
// reports output tokens only, keeps the input of message_start.
func readUsage(t *jsonscan.Tape, api API, u *Usage) {
	if len(t.Nodes) == 0 || t.Nodes[0].Kind != jsonscan.Object {
		return
	}
	obj := lastMember(t, 0, "usage")
	switch api {
	case Responses:
		if r := lastMember(t, 0, "response"); r >= 0 {
			obj = lastMember(t, r, "usage")
		}
	case Messages:
		if m := lastMember(t, 0, "message"); m >= 0 {
			obj = lastMember(t, m, "usage")
		}
	}
	if obj < 0 || t.Nodes[obj].Kind != jsonscan.Object {
		return
	}
	in, okIn := intMember(t, obj, "prompt_tokens")
	if !okIn {
		in, okIn = intMember(t, obj, "input_tokens")
	}
	if api == Messages {
		c1, _ := intMember(t, obj, "cache_creation_input_tokens")
		c2, _ := intMember(t, obj, "cache_read_input_tokens")
		in += c1 + c2
		okIn = okIn || c1+c2 > 0
	}
	out, okOut := intMember(t, obj, "completion_tokens")
	if !okOut {
		out, okOut = intMember(t, obj, "output_tokens")
	}
	if !okIn && !okOut {
		return
	}
	if okIn {
		u.Input = in
	}
	if okOut {
		u.Output = out
	}
	u.Seen = true
}

func intMember(t *jsonscan.Tape, obj int, name string) (int64, bool) {
	m := lastMember(t, obj, name)
	if m < 0 {
		return 0, false
	}
	v, ok := t.Int(m)
	return v, ok && v >= 0
}
