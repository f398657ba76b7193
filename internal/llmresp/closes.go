package llmresp

import (
	"strings"

	"github.com/egressguard/egressguard/internal/jsonscan"
	"github.com/egressguard/egressguard/internal/sse"
)

// closes returns the texts the event on t ends: their held-back text is released
// into the event (when it carries a piece of them) or just before it.
//
//	chat:          a choice with a string finish_reason ends that choice's texts
//	Responses:     "X.done" ends "X.delta" at its indices; output_item.done an output;
//	               content_part.done a part; response.completed/incomplete/failed, error: all
//	Messages:      content_block_stop ends its block; message_delta, message_stop, error: all
//	Conversations: an event of another output (or content index) ends the previous
//	               ones; conversation.response.done and .error: all
//
// An "error" member or event ends everything: what was held goes out before it.
func (x *transformer) closes(t *jsonscan.Tape, ev *sse.Event) closer {
	c := closer{choices: x.cl.choices[:0]}
	if t.Nodes[0].Kind != jsonscan.Object || string(ev.Name) == "error" || lastMember(t, 0, "error") >= 0 {
		return closer{all: true}
	}
	p := path{t: t, n: []int32{0}}
	typ := p.typeOf(0)
	switch x.api {
	case Chat, Completions:
		ch := lastMember(t, 0, "choices")
		if ch < 0 || t.Nodes[ch].Kind != jsonscan.Array {
			return c
		}
		for e := t.First(ch); e >= 0; e = t.Next(e) {
			if f := lastMember(t, e, "finish_reason"); f >= 0 && t.Nodes[f].Kind == jsonscan.String {
				pe := path{t: t, n: []int32{int32(e)}}
				c.choices = append(c.choices, pe.intOf(0, "index", t.Nodes[e].Index))
			}
		}
		if len(c.choices) == 0 {
			c.choices = nil
		}
	case Responses:
		oi := p.intOf(0, "output_index", 0)
		switch {
		case typ == "response.completed", typ == "response.incomplete", typ == "response.failed", typ == "error":
			return closer{all: true}
		case typ == "response.output_item.done":
			c.useA, c.a = true, oi
		case typ == "response.content_part.done":
			c.useA, c.useB, c.a, c.b = true, true, oi, p.intOf(0, "content_index", 0)
		case typ == "response.reasoning_summary_part.done":
			c.useA, c.useB, c.a, c.b = true, true, oi, p.intOf(0, "summary_index", 0)
			c.kind = "response.reasoning_summary_text.delta"
		case strings.HasPrefix(typ, "response.") && strings.HasSuffix(typ, ".done"):
			c.useA, c.a = true, oi
			c.kind = typ[:len(typ)-len(".done")] + ".delta"
			for _, name := range [...]string{"content_index", "summary_index"} {
				if lastMember(t, 0, name) >= 0 {
					c.useB, c.b = true, p.intOf(0, name, 0)
				}
			}
		}
	case Messages:
		switch typ {
		case "content_block_stop":
			c.useA, c.a = true, p.intOf(0, "index", 0)
		case "message_delta", "message_stop", "error":
			return closer{all: true}
		}
	case Conversations:
		switch {
		case typ == "conversation.response.done", typ == "conversation.response.error":
			return closer{all: true}
		case lastMember(t, 0, "output_index") >= 0:
			c.other, c.a = true, p.intOf(0, "output_index", 0)
			if typ == "message.output.delta" {
				c.useB, c.b = true, p.intOf(0, "content_index", 0)
			}
		}
	}
	return c
}
